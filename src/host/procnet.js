/**
 * Pure parsers of the kernel's socket tables under /proc/net: text in, records out, no I/O.
 *
 * Formats (Linux net/ipv4/tcp_ipv4.c get_tcp4_sock, net/ipv6/tcp_ipv6.c get_tcp6_sock,
 * net/ipv4/udp.c udp4_format_sock, net/ipv4/raw.c, net/unix/af_unix.c unix_seq_show,
 * net/packet/af_packet.c packet_seq_show): one header line, then one socket a line.
 *
 * Addresses: the kernel prints an IPv4 address as the 32-bit word it holds in memory ("%08X"),
 * so on a little-endian host 198.18.0.1 reads `010012C6`; an IPv6 address is four such words,
 * each printed the same way. net-tools netstat scans each word with "%X" and stores it back in
 * memory, which undoes the print on the same host; here each word is byte-swapped to network
 * order when the /proc text comes from a little-endian host (the default, from os.endianness()).
 *
 * A line that does not parse is skipped and reported with its 1-based line number; nothing throws.
 */
import { bswap32, HOST_LITTLE_ENDIAN, textLines as lines } from './kernel-text.js';
const HEX = /^[0-9A-Fa-f]+$/;
const DEC = /^-?[0-9]+$/;
function hexWord(s, le) {
    const v = parseInt(s, 16) >>> 0;
    return le ? bswap32(v) : v;
}
/**
 * tcp, tcp6, udp, udp6, udplite, udplite6, raw, raw6: the same leading columns
 * `sl local rem st tx:rx tr:when retrnsmt uid timeout inode`, then protocol-specific ones.
 * The first line is the header.
 */
export function parseInetTable(text, proto, opts = {}) {
    const le = opts.littleEndian ?? HOST_LITTLE_ENDIAN;
    const records = [];
    const malformed = [];
    const all = lines(text);
    for (let i = 1; i < all.length; i++) {
        const text = all[i];
        const rec = parseInetLine(text, proto, le, i + 1);
        if (rec)
            records.push(rec);
        else
            malformed.push({ line: i + 1, text });
    }
    return { records, malformed };
}
/**
 * One line, as the kernel prints it (net/ipv4/tcp_ipv4.c get_tcp4_sock and friends): `sl:` then
 * ADDR:PORT twice (8 or 32 hex digits, the same width twice), state, tx:rx, tr:when, retrnsmt,
 * uid, timeout, inode, then per-protocol columns. One anchored expression instead of a split
 * and a test per field: a listing of 10,000 sockets is parsed cold, once, by a short-lived process.
 */
const INET_LINE = /^\s*[0-9]+:\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{1,4})\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{1,4})\s+([0-9A-Fa-f]{1,2})\s+([0-9A-Fa-f]+):([0-9A-Fa-f]+)\s+([0-9A-Fa-f]+):([0-9A-Fa-f]+)\s+([0-9A-Fa-f]+)\s+(-?[0-9]+)\s+(-?[0-9]+)\s+([0-9]+)(?:\s|$)/;
function address(hex, port, le) {
    if (hex.length === 8)
        return { version: 4, words: [hexWord(hex, le), 0, 0, 0], port: parseInt(port, 16) };
    return {
        version: 6,
        words: [hexWord(hex.slice(0, 8), le), hexWord(hex.slice(8, 16), le), hexWord(hex.slice(16, 24), le), hexWord(hex.slice(24, 32), le)],
        port: parseInt(port, 16),
    };
}
function parseInetLine(text, proto, le, line) {
    const m = INET_LINE.exec(text);
    if (!m || m[1].length !== m[3].length)
        return null;
    return {
        proto,
        local: address(m[1], m[2], le),
        remote: address(m[3], m[4], le),
        state: parseInt(m[5], 16),
        txQueue: parseInt(m[6], 16),
        rxQueue: parseInt(m[7], 16),
        timerActive: parseInt(m[8], 16),
        timerWhen: parseInt(m[9], 16),
        retransmits: parseInt(m[10], 16),
        uid: Number(m[11]),
        timeout: Number(m[12]),
        inode: Number(m[13]),
        line,
    };
}
/**
 * /proc/net/unix: `Num: RefCount Protocol Flags Type St Inode [Path]`, numbers in hex but the
 * inode in decimal ("%pK: %08X %08X %08X %04X %02X %5lu", then ' ' and the path if bound).
 * The path runs to the end of the line and may hold spaces; a path holding a newline breaks
 * the line in two and its second half is reported as malformed.
 */
export function parseUnixTable(text) {
    const records = [];
    const malformed = [];
    const all = lines(text);
    const re = /^([0-9A-Fa-f]+): ([0-9A-Fa-f]+) ([0-9A-Fa-f]+) ([0-9A-Fa-f]+) ([0-9A-Fa-f]+) ([0-9A-Fa-f]+) +([0-9]+)(?: (.*))?$/s;
    for (let i = 1; i < all.length; i++) {
        const text = all[i];
        const m = re.exec(text);
        if (!m) {
            malformed.push({ line: i + 1, text });
            continue;
        }
        records.push({
            refCount: parseInt(m[2], 16),
            protocol: parseInt(m[3], 16),
            flags: parseInt(m[4], 16),
            type: parseInt(m[5], 16),
            state: parseInt(m[6], 16),
            inode: Number(m[7]),
            path: m[8] === undefined || m[8] === '' ? null : m[8],
            line: i + 1,
        });
    }
    return { records, malformed };
}
/** /proc/net/packet: `sk RefCnt Type Proto Iface R Rmem User Inode` (Proto in hex). */
export function parsePacketTable(text) {
    const records = [];
    const malformed = [];
    const all = lines(text);
    for (let i = 1; i < all.length; i++) {
        const text = all[i];
        const f = text.trim().split(/\s+/);
        const ok = f.length >= 9 &&
            HEX.test(f[0]) &&
            f.slice(1, 3).every((x) => DEC.test(x)) &&
            HEX.test(f[3]) &&
            f.slice(4, 9).every((x) => /^[0-9]+$/.test(x));
        if (!ok) {
            malformed.push({ line: i + 1, text });
            continue;
        }
        records.push({
            refCount: Number(f[1]),
            type: Number(f[2]),
            protocol: parseInt(f[3], 16),
            ifindex: Number(f[4]),
            running: f[5] !== '0',
            rmem: Number(f[6]),
            uid: Number(f[7]),
            inode: Number(f[8]),
            line: i + 1,
        });
    }
    return { records, malformed };
}
