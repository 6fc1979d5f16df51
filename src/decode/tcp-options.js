/**
 * When is a TCP header with options still a TCP header?
 *
 * A header whose options run past the capture (a snap length), past the segment, or whose
 * options contradict their own lengths may or may not be readable enough to name its
 * conversation. wirestat's answer is tshark's, so the two tools count the same segments: this
 * module models tshark 4.0's option walk (epan/dissectors/packet-tcp.c tcp_dissect_options and
 * the dissect_tcpopt_* parsers), established by reading that source and confirmed on 258
 * crafted captures. A segment is counted when the walk reads no byte beyond what is readable.
 *
 * Notable behaviours of that walk: an EOL does not end it (padding is read up to the header
 * end); an option length below 2 or a length byte in the last header byte ends it early; an
 * option running past the header ends it if at least header-2 bytes are readable; known options
 * with a wrong length are read only as far as kind and length.
 */
import { u16be } from '../bytes.js';
/** The option's parser reads past the option's own length: never readable. */
const BEYOND = Infinity;
const OPT = {
    EOL: 0,
    NOP: 1,
    MSS: 2,
    WSCALE: 3,
    SACK_PERM: 4,
    SACK: 5,
    ECHO: 6,
    ECHO_REPLY: 7,
    TIMESTAMP: 8,
    CC: 11,
    CC_NEW: 12,
    CC_ECHO: 13,
    MD5: 19,
    SCPS: 20,
    SNACK: 21,
    SCPS_RECORD: 22,
    SCPS_CORRUPTION: 23,
    QUICK_START: 27,
    USER_TIMEOUT: 28,
    TCP_AO: 29,
    MPTCP: 30,
    TFO: 34,
    RVBD_PROBE: 76,
    RVBD_TRPY: 78,
    ACC_ECN_0: 0xac,
    ACC_ECN_1: 0xae,
    EXP_1: 0xfd,
    EXP_2: 0xfe,
};
/** Option header: kind and length. */
const KL = 2;
const SACK_BLOCK = 8;
/** The D-SACK test reads the first block's edges, bytes 2..9 of the option. */
const SACK_DSACK_READ = 10;
const SEQ_HALF = 0x80000000;
/** Bytes from the option's start that `need` needs readable, or BEYOND. `a` = readable from it. */
/** What the walk remembers between options (reused: the walk allocates nothing). */
const ctx = { sackSeen: false, ack: false, ackNo: 0 };
function need(kind, len, b, p, a) {
    switch (kind) {
        case OPT.MSS:
        case OPT.USER_TIMEOUT:
            return len === 4 ? 4 : KL;
        case OPT.WSCALE:
            return len === 3 ? 3 : KL;
        case OPT.SACK_PERM:
        case OPT.SCPS_RECORD:
        case OPT.SCPS_CORRUPTION:
            return KL;
        case OPT.SACK: {
            // Blocks of 8; a remainder of 1-3 bytes is read whole, of 4-7 up to its first 4 bytes.
            const r = (len - KL) % SACK_BLOCK;
            let n = r >= 4 ? len - r + 4 : len;
            // The D-SACK test then reads the first block even past a short option; it runs unless the
            // header has no ACK flag, no earlier SACK block and an "old" acknowledgement number.
            const dsackSkipped = !ctx.ack && !ctx.sackSeen && ctx.ackNo > SEQ_HALF;
            if (!dsackSkipped) {
                if (len < SACK_DSACK_READ)
                    return BEYOND;
                n = Math.max(n, SACK_DSACK_READ);
            }
            if (len >= SACK_DSACK_READ)
                ctx.sackSeen = true;
            return n;
        }
        case OPT.ECHO:
        case OPT.ECHO_REPLY:
        case OPT.CC:
        case OPT.CC_NEW:
        case OPT.CC_ECHO:
            return len === 6 ? 6 : KL;
        case OPT.TIMESTAMP:
            return len === 10 ? 10 : KL;
        case OPT.MD5:
            return len === 18 ? 18 : KL;
        case OPT.SCPS:
            return len === 4 ? 4 : KL;
        case OPT.SNACK:
            return len === 6 ? BEYOND : KL;
        case OPT.QUICK_START:
            return len === 8 ? 4 : KL;
        case OPT.TCP_AO:
            return len < 4 ? KL : len;
        case OPT.MPTCP:
            return mptcpNeed(len, b, p, a);
        case OPT.TFO:
            return len === KL ? KL : len;
        case OPT.RVBD_PROBE:
            return rvbdProbeNeed(len, b, p, a);
        case OPT.RVBD_TRPY:
            return len === 16 ? 16 : KL;
        case OPT.ACC_ECN_0:
        case OPT.ACC_ECN_1:
            return len === 2 || len === 5 || len === 8 || len === 11 ? len : KL;
        case OPT.EXP_1:
        case OPT.EXP_2: {
            if (len < 4)
                return KL;
            if (a < 4)
                return 4;
            const exid = u16be(b, p + 2);
            if (exid === 0x00ac)
                return len === 4 || len === 5 ? len : 4;
            if (exid === 0xacc0 || exid === 0xacc1)
                return len === 4 || len === 7 || len === 10 || len === 13 ? len : 4;
            return len;
        }
        default:
            return len;
    }
}
/** MPTCP (RFC 8684 §3): the subtype nibble is always read; then per subtype. */
function mptcpNeed(len, b, p, a) {
    if (len <= KL)
        return BEYOND;
    if (a < 3)
        return 3;
    const subtype = b[p + 2] >> 4;
    let n;
    switch (subtype) {
        case 0: // MP_CAPABLE
            n = len === 12 || len === 20 || len === 22 || len === 24 ? len : 4;
            break;
        case 1: // MP_JOIN
            n = len === 12 || len === 16 || len === 24 ? len : 3;
            break;
        case 2: {
            // DSS: flags in byte 3; data ACK (4/8), mapping (DSN 4/8 + subflow seq 4 + length 2),
            // and a checksum when the option has room for it.
            if (len < 4)
                return BEYOND;
            if (a < 4)
                return 4;
            const f = b[p + 3];
            n = 4;
            if (f & 0x01)
                n += f & 0x02 ? 8 : 4;
            if (f & 0x04) {
                n += (f & 0x08 ? 8 : 4) + 6;
                if (len >= n + 2)
                    n += 2;
            }
            break;
        }
        case 3: // ADD_ADDR
            n = [8, 10, 16, 18, 20, 22, 28, 30].includes(len) ? len : 4;
            break;
        case 4: // REMOVE_ADDR
            n = Math.max(3, len);
            break;
        case 5: // MP_PRIO
            n = len === 4 ? 4 : 3;
            break;
        case 6: // MP_FAIL
        case 7: // MP_FASTCLOSE
            n = 12;
            break;
        case 8: // MP_TCPRST
            n = 4;
            break;
        default:
            n = 3;
    }
    return n > len ? BEYOND : n;
}
/** Riverbed probe option: its size depends on the version and type in byte 2. */
function rvbdProbeNeed(len, b, p, a) {
    if (len < 3)
        return KL;
    if (a < 3)
        return 3;
    const b2 = b[p + 2];
    let n;
    if (b2 & 1) {
        const t = b2 >> 4;
        n = t >= 11 || t === 2 ? 3 : t === 0 || t === 3 || t === 4 ? 10 : t === 1 ? 14 : t === 5 ? 18 : 8;
    }
    else {
        const t = b2 >> 1;
        n = t >= 11 ? 3 : t === 6 || t === 7 || t === 10 ? 4 : t === 8 || t === 9 ? 8 : 3;
    }
    return n > len ? BEYOND : n;
}
/**
 * Whether the options of the TCP header at `o` (header length `hlen`, `avail` bytes readable from
 * `o`: the smaller of captured and on the wire) can be walked without reading past `avail`.
 */
export function tcpOptionsReadable(b, o, avail, hlen, ack, ackNo) {
    ctx.sackSeen = false;
    ctx.ack = ack;
    ctx.ackNo = ackNo;
    let p = 20;
    let eol = false;
    while (p < hlen) {
        if (p >= avail)
            return false;
        const kind = b[o + p];
        if (eol && kind !== OPT.EOL)
            return avail >= hlen;
        if (kind === OPT.EOL || kind === OPT.NOP) {
            if (kind === OPT.EOL)
                eol = true;
            p++;
            continue;
        }
        if (p === hlen - 1)
            return true;
        if (p + 1 >= avail)
            return false;
        const len = b[o + p + 1];
        if (len < KL)
            return true;
        if (p + len > hlen)
            return avail >= hlen - 2;
        const n = need(kind, len, b, o + p, avail - p);
        if (p + n > avail)
            return false;
        p += len;
    }
    return true;
}
