/**
 * What every /proc/net reader needs of the kernel's text: its lines, the byte order of the
 * hex words it prints, and IPv6 addresses written as glibc's inet_ntop writes them.
 */
import { endianness } from 'node:os';
/** The machine's byte order: the kernel prints __be32 addresses as native %08X integers. */
export const HOST_LITTLE_ENDIAN = endianness() === 'LE';
export function bswap32(v) {
    return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}
/** The lines of a /proc file, without the empty string after its final newline. */
export function textLines(text) {
    const ls = text.split('\n');
    if (ls.length > 0 && ls[ls.length - 1] === '')
        ls.pop();
    return ls;
}
/**
 * glibc inet_ntop(AF_INET6): lowercase, the longest run of two or more zero groups becomes
 * "::" (the first one when tied), and ::a.b.c.d / ::ffff:a.b.c.d keep their embedded IPv4
 * (glibc resolv/inet_ntop.c: a leading zero run of 6 groups, or 5 followed by ffff).
 */
export function inet6Ntop(b) {
    const w = [];
    for (let i = 0; i < 8; i++)
        w.push((b[2 * i] << 8) | b[2 * i + 1]);
    let best = -1;
    let bestLen = 0;
    for (let i = 0; i < 8;) {
        if (w[i] !== 0) {
            i++;
            continue;
        }
        let j = i;
        while (j < 8 && w[j] === 0)
            j++;
        if (j - i > bestLen) {
            best = i;
            bestLen = j - i;
        }
        i = j;
    }
    if (bestLen < 2)
        best = -1;
    let out = '';
    for (let i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + bestLen) {
            if (i === best)
                out += ':';
            continue;
        }
        if (i !== 0)
            out += ':';
        if (i === 6 && best === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
            out += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
            break;
        }
        out += w[i].toString(16);
    }
    if (best >= 0 && best + bestLen === 8)
        out += ':';
    return out;
}
