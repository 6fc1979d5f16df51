/**
 * TCP header (RFC 9293 §3.1).
 */
import { u16be, u32be } from '../bytes.js';
import { R } from './reasons.js';
import { tcpOptionsReadable } from './tcp-options.js';
import { L } from './summary.js';
export const TCP = {
    SRC_PORT: 0,
    DST_PORT: 2,
    SEQ: 4,
    ACK: 8,
    DATA_OFFSET: 12,
    FLAGS: 13,
    WINDOW: 14,
    MIN_HEADER_LEN: 20,
};
/** Flag bits of the flags byte; NS (RFC 3540, now reserved) is the low bit of byte 12. */
export const TCP_FLAG = {
    FIN: 0x01,
    SYN: 0x02,
    RST: 0x04,
    PSH: 0x08,
    ACK: 0x10,
    URG: 0x20,
    ECE: 0x40,
    CWR: 0x80,
    NS: 0x100,
};
const WORD = 4;
/** Decodes the TCP header at s.l4Offset; the segment ends at s.l4WireEnd on the wire. */
export function decodeTcp(b, o, end, s) {
    const capEnd = Math.min(end, s.l4WireEnd);
    if (capEnd - o < TCP.MIN_HEADER_LEN) {
        s.fail(R.TCP_TRUNCATED);
        return;
    }
    const doff = (b[o + TCP.DATA_OFFSET] >> 4) * WORD;
    if (doff < TCP.MIN_HEADER_LEN) {
        s.fail(R.TCP_BAD_DATA_OFFSET);
        return;
    }
    const avail = capEnd - o;
    const ackNo = u32be(b, o + TCP.ACK);
    const flags = b[o + TCP.FLAGS];
    if (doff > TCP.MIN_HEADER_LEN && !tcpOptionsReadable(b, o, avail, doff, (flags & TCP_FLAG.ACK) !== 0, ackNo)) {
        // Options cut by the capture (a snap length), claimed past the segment or the fragment, or
        // contradicting their own lengths, so that the header cannot be read (see tcp-options.ts).
        s.fail(o + doff > s.l4WireEnd ? R.TCP_BAD_DATA_OFFSET : o + doff > capEnd ? R.TCP_OPTIONS_TRUNCATED : R.TCP_BAD_OPTION);
        return;
    }
    // Readable enough to name the conversation, though not all of it was captured.
    if (o + doff > capEnd)
        s.fail(R.TCP_OPTIONS_TRUNCATED, false);
    s.layers |= L.TCP;
    s.hasPorts = true;
    s.srcPort = u16be(b, o + TCP.SRC_PORT);
    s.dstPort = u16be(b, o + TCP.DST_PORT);
    s.tcpSeq = u32be(b, o + TCP.SEQ);
    s.tcpAck = ackNo;
    s.tcpFlags = flags | ((b[o + TCP.DATA_OFFSET] & 1) << 8);
    s.tcpWindow = u16be(b, o + TCP.WINDOW);
    s.payloadLen = Math.max(0, s.l4WireEnd - (o + doff));
}
