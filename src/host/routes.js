/**
 * The kernel routing tables as net-tools `netstat -r` reads them: /proc/net/route (IPv4, main
 * table only; the kernel leaves broadcast and multicast routes out) and /proc/net/ipv6_route
 * (every IPv6 table, the local one and RTF_CACHE exceptions included). Parsers are pure: text
 * in, records out; a line that cannot be read is skipped and reported with its 1-based line
 * number, never thrown.
 *
 * Also here: the kernel's hex address forms and the file-based name lookups netstat gets from
 * NSS without DNS (byte order and glibc's inet_ntop are in kernel-text.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatIpv4 } from '../stats/address.js';
import { bswap32, HOST_LITTLE_ENDIAN, inet6Ntop, textLines as lines } from './kernel-text.js';
import { ipv4FromString, parseIpv6Text } from '../inet-text.js';
import { decodeProc } from './sanitize.js';
// Address text parsers shared with the stats and the filter (src/inet-text.ts).
export { ipv4FromString, parseIpv6Text };
// The shared helpers stay importable from here, where the other host tables found them.
export { bswap32, HOST_LITTLE_ENDIAN, inet6Ntop } from './kernel-text.js';
/** Route flags (linux/route.h, linux/ipv6_route.h). */
export const RTF = {
    UP: 0x0001,
    GATEWAY: 0x0002,
    HOST: 0x0004,
    REINSTATE: 0x0008,
    DYNAMIC: 0x0010,
    MODIFIED: 0x0020,
    MTU: 0x0040,
    WINDOW: 0x0080,
    IRTT: 0x0100,
    REJECT: 0x0200,
    NOTCACHED: 0x0400,
    DEFAULT: 0x00010000,
    ALLONLINK: 0x00020000,
    ADDRCONF: 0x00040000,
    NONEXTHOP: 0x00200000,
    EXPIRES: 0x00400000,
    CACHE: 0x01000000,
    FLOW: 0x02000000,
    POLICY: 0x04000000,
    LOCAL: 0x80000000,
};
const HEX8 = /^[0-9A-Fa-f]{8}$/;
const HEX32 = /^[0-9A-Fa-f]{32}$/;
const DEC = /^-?\d+$/;
/**
 * An IPv4 address the kernel printed as the native integer of its network-order bytes
 * (`%08X` of a __be32): on a little-endian host "0100A8C0" is 192.168.0.1.
 * Returns the address as a host-order u32 (a.b.c.d = a<<24|...), or null if not 8 hex digits.
 */
export function kernelHexIpv4(hex, littleEndian = HOST_LITTLE_ENDIAN) {
    if (!HEX8.test(hex))
        return null;
    const v = parseInt(hex, 16) >>> 0;
    return littleEndian ? bswap32(v) : v;
}
/** 32 hex digits (the kernel's %pi6 without colons) to 16 bytes; null if not that. */
export function ipv6FromHex(hex) {
    if (!HEX32.test(hex))
        return null;
    const b = new Uint8Array(16);
    for (let i = 0; i < 16; i++)
        b[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return b;
}
export function isV4Mapped(b) {
    for (let i = 0; i < 10; i++)
        if (b[i] !== 0)
            return false;
    return b[10] === 0xff && b[11] === 0xff;
}
export function isUnspecified6(b) {
    return b.every((x) => x === 0);
}
/**
 * The text net-tools shows for an IPv6 address read from /proc: inet_ntop, then for a
 * v4-mapped address only the dotted part (net-tools lib/inet6.c fix_v4_address).
 */
export function netToolsIpv6(b) {
    const s = inet6Ntop(b);
    if (!isV4Mapped(b))
        return s;
    const dot = s.indexOf('.');
    return dot < 0 ? s : s.slice(s.lastIndexOf(':', dot) + 1);
}
const ROUTE_COLUMNS = ['Iface', 'Destination', 'Gateway', 'Flags', 'RefCnt', 'Use', 'Metric', 'Mask', 'MTU', 'Window', 'IRTT'];
/**
 * /proc/net/route. Columns are found by their header names, as net-tools' proc_gen_fmt does
 * (a header without a required column makes every line unreadable: netstat prints nothing).
 */
export function parseIpv4Routes(text, littleEndian = HOST_LITTLE_ENDIAN) {
    const ls = lines(text);
    const records = [];
    const skipped = [];
    if (ls.length === 0)
        return { records, skipped };
    const header = ls[0].split(/\s+/).filter((s) => s !== '');
    const col = new Map();
    for (const name of ROUTE_COLUMNS)
        col.set(name, header.indexOf(name));
    const missing = ROUTE_COLUMNS.filter((n) => col.get(n) < 0);
    if (missing.length > 0) {
        for (let i = 1; i < ls.length; i++)
            skipped.push({ line: i + 1, reason: `header lacks ${missing.join(',')}` });
        return { records, skipped };
    }
    const at = (f, name) => f[col.get(name)] ?? '';
    for (let i = 1; i < ls.length; i++) {
        const f = ls[i].split(/[ \t]+/).filter((s) => s !== '');
        if (f.length === 0)
            continue;
        if (f.length < header.length) {
            skipped.push({ line: i + 1, reason: 'too few fields' });
            continue;
        }
        const dst = kernelHexIpv4(at(f, 'Destination'), littleEndian);
        const gw = kernelHexIpv4(at(f, 'Gateway'), littleEndian);
        const mask = kernelHexIpv4(at(f, 'Mask'), littleEndian);
        const flagsHex = at(f, 'Flags');
        const ints = ['RefCnt', 'Use', 'Metric', 'MTU', 'Window', 'IRTT'].map((n) => at(f, n));
        if (dst === null || gw === null || mask === null) {
            skipped.push({ line: i + 1, reason: 'bad address' });
            continue;
        }
        if (!/^[0-9A-Fa-f]{1,8}$/.test(flagsHex) || !ints.every((s) => DEC.test(s))) {
            skipped.push({ line: i + 1, reason: 'bad number' });
            continue;
        }
        const [refcnt, use, metric, mtu, window, irtt] = ints.map((s) => Number(s));
        records.push({
            iface: at(f, 'Iface'),
            destination: formatIpv4(dst),
            gateway: formatIpv4(gw),
            mask: formatIpv4(mask),
            flags: parseInt(flagsHex, 16) >>> 0,
            refcnt,
            use,
            metric,
            mtu,
            window,
            irtt,
        });
    }
    return { records, skipped };
}
/** /proc/net/ipv6_route: "%pi6 %02x %pi6 %02x %pi6 %08x %08x %08x %08x %8s" (net/ipv6/route.c). */
export function parseIpv6Routes(text) {
    const records = [];
    const skipped = [];
    lines(text).forEach((l, i) => {
        const f = l.split(/[ \t]+/).filter((s) => s !== '');
        if (f.length === 0)
            return;
        if (f.length !== 10) {
            skipped.push({ line: i + 1, reason: 'expected 10 fields' });
            return;
        }
        const dst = ipv6FromHex(f[0]);
        const src = ipv6FromHex(f[2]);
        const nh = ipv6FromHex(f[4]);
        if (!dst || !src || !nh) {
            skipped.push({ line: i + 1, reason: 'bad address' });
            return;
        }
        if (![f[1], f[3]].every((s) => /^[0-9A-Fa-f]{2}$/.test(s)) || ![f[5], f[6], f[7], f[8]].every((s) => HEX8.test(s))) {
            skipped.push({ line: i + 1, reason: 'bad number' });
            return;
        }
        const hex = (s) => parseInt(s, 16) >>> 0;
        records.push({
            destination: netToolsIpv6(dst),
            prefixLength: hex(f[1]),
            source: netToolsIpv6(src),
            sourcePrefixLength: hex(f[3]),
            nextHop: netToolsIpv6(nh),
            metric: hex(f[5]),
            refcnt: hex(f[6]),
            use: hex(f[7]),
            flags: hex(f[8]),
            iface: f[9],
        });
    });
    return { records, skipped };
}
export const NO_NAMES = { host: () => null, net: () => null };
/**
 * glibc's inet_network(): "a", "a.b", "a.b.c" or "a.b.c.d" (each part decimal, 0x hex or 0
 * octal), the parts joined into one number, so "127" is 0x7f and "169.254.0.0" is 0xa9fe0000.
 */
export function inetNetwork(s) {
    const parts = s.split('.');
    if (parts.length < 1 || parts.length > 4)
        return null;
    let v = 0;
    for (const p of parts) {
        let n;
        if (/^0[xX][0-9A-Fa-f]+$/.test(p))
            n = parseInt(p.slice(2), 16);
        else if (/^0[0-7]*$/.test(p))
            n = parseInt(p, 8);
        else if (/^[1-9]\d*$/.test(p))
            n = parseInt(p, 10);
        else
            return null;
        if (n > 255)
            return null;
        v = v * 256 + n;
    }
    return v >>> 0;
}
/**
 * What NSS "files" answers: /etc/hosts (first line holding the address, its first name, as
 * glibc's files backend for gethostbyaddr) and /etc/networks (getnetbyaddr compares the
 * network number with ntohl(address), so only entries written in full match a route).
 */
export function namesFromFiles(hostsText, networksText) {
    const hosts4 = new Map();
    const hosts6 = new Map();
    for (const raw of hostsText.split('\n')) {
        const f = raw.replace(/#.*/, '').trim().split(/\s+/);
        if (f.length < 2)
            continue;
        const v4 = ipv4FromString(f[0]);
        if (v4 !== null) {
            if (!hosts4.has(v4))
                hosts4.set(v4, f[1]);
            continue;
        }
        const v6 = parseIpv6Text(f[0]);
        if (v6) {
            const k = inet6Ntop(v6);
            if (!hosts6.has(k))
                hosts6.set(k, f[1]);
        }
    }
    const nets = new Map();
    for (const raw of networksText.split('\n')) {
        const f = raw.replace(/#.*/, '').trim().split(/\s+/);
        if (f.length < 2)
            continue;
        const n = inetNetwork(f[1]);
        if (n !== null && !nets.has(n))
            nets.set(n, f[0]);
    }
    return {
        host(addr, family) {
            if (family === 4) {
                const v = ipv4FromString(addr);
                return v === null ? null : (hosts4.get(v) ?? null);
            }
            const b = parseIpv6Text(addr);
            return b ? (hosts6.get(inet6Ntop(b)) ?? null) : null;
        },
        net(addr) {
            const v = ipv4FromString(addr);
            return v === null ? null : (nets.get(v) ?? null);
        },
    };
}
export async function readText(path) {
    return decodeProc(await readFile(path));
}
export async function readTextOrNull(path) {
    try {
        return await readText(path);
    }
    catch {
        return null;
    }
}
/** Both routing tables; a table whose file is missing (no IPv6 in the kernel) is null. */
export async function readRoutes(roots = {}) {
    const proc = roots.procRoot ?? '/proc';
    const [v4, v6] = await Promise.all([readTextOrNull(join(proc, 'net/route')), readTextOrNull(join(proc, 'net/ipv6_route'))]);
    return { ipv4: v4 === null ? null : parseIpv4Routes(v4), ipv6: v6 === null ? null : parseIpv6Routes(v6) };
}
/** /etc/hosts and /etc/networks as NSS "files" reads them; missing files give no names. */
export async function readNameFiles(etcRoot = '/etc') {
    const [hosts, networks] = await Promise.all([readTextOrNull(join(etcRoot, 'hosts')), readTextOrNull(join(etcRoot, 'networks'))]);
    return namesFromFiles(hosts ?? '', networks ?? '');
}
