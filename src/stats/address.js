/**
 * Addresses to text (only when output is made) and back: IPv4 dotted quad, IPv6 in RFC 5952 form
 * (lowercase, longest zero run compressed, IPv4-mapped shown as ::ffff:a.b.c.d), MAC as
 * colon-separated hex, endpoints as `198.18.0.1:80` and `[2001:db8::1]:443`.
 */
import { ipv4FromString, parseIpv6Text } from '../inet-text.js';
export function formatIpv4(w) {
    return `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;
}
const MAPPED_PREFIX_WORD = 0x0000ffff;
/** `w` holds the address as four 32-bit words starting at `off`. Builds no arrays: a report formats tens of thousands. */
export function formatIpv6(w, off = 0) {
    if (w[off] === 0 && w[off + 1] === 0 && w[off + 2] === MAPPED_PREFIX_WORD) {
        return `::ffff:${formatIpv4(w[off + 3])}`;
    }
    const group = (i) => (i & 1 ? w[off + (i >> 1)] & 0xffff : w[off + (i >> 1)] >>> 16);
    // RFC 5952 §4.2: compress the longest run of two or more zero groups (the first if tied).
    let best = -1;
    let bestLen = 1;
    for (let i = 0; i < 8;) {
        if (group(i) !== 0) {
            i++;
            continue;
        }
        let j = i;
        while (j < 8 && group(j) === 0)
            j++;
        if (j - i > bestLen) {
            best = i;
            bestLen = j - i;
        }
        i = j;
    }
    let out = '';
    for (let i = 0; i < 8; i++) {
        if (i === best) {
            out += '::';
            i += bestLen - 1;
            continue;
        }
        if (i > 0 && i !== best + bestLen)
            out += ':';
        out += group(i).toString(16);
    }
    return out;
}
/** Two lowercase hex digits per byte value, built once. */
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export function formatMac(hi, lo) {
    return `${HEX2[(hi >>> 8) & 0xff]}:${HEX2[hi & 0xff]}:${HEX2[lo >>> 24]}:${HEX2[(lo >>> 16) & 0xff]}:${HEX2[(lo >>> 8) & 0xff]}:${HEX2[lo & 0xff]}`;
}
export function formatIp(version, w, off = 0) {
    return version === 6 ? formatIpv6(w, off) : formatIpv4(w[off]);
}
/** An endpoint in the report's form; `port` null for protocols without ports. */
export function formatEndpoint(version, w, off, port) {
    const ip = formatIp(version, w, off);
    if (port === null)
        return ip;
    return version === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}
/**
 * The report's endpoint text back to words: `198.18.0.1:80`, `[2001:db8::1]:443`, or a bare
 * address (port null). An IPv4-mapped IPv6 address (`::ffff:198.18.0.1`, as a dual-stack
 * socket shows an IPv4 peer) comes back as IPv4: on the wire it is an IPv4 packet.
 */
export function parseEndpoint(text) {
    let addr = text;
    let port = null;
    const v6 = /^\[(.+)\]:(\d{1,5})$/.exec(text);
    const v4 = /^(\d+\.\d+\.\d+\.\d+):(\d{1,5})$/.exec(text);
    if (v6 || v4) {
        addr = (v6 ?? v4)[1];
        port = Number((v6 ?? v4)[2]);
        if (port > 0xffff)
            return null;
    }
    if (!addr.includes(':')) {
        const w = ipv4FromString(addr);
        return w === null ? null : { version: 4, words: [w, 0, 0, 0], port };
    }
    const b = parseIpv6Text(addr);
    if (b === null)
        return null;
    const word = (i) => ((b[i * 4] << 24) | (b[i * 4 + 1] << 16) | (b[i * 4 + 2] << 8) | b[i * 4 + 3]) >>> 0;
    const words = [word(0), word(1), word(2), word(3)];
    if (words[0] === 0 && words[1] === 0 && words[2] === MAPPED_PREFIX_WORD)
        return { version: 4, words: [words[3], 0, 0, 0], port };
    return { version: 6, words, port };
}
