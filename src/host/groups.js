/**
 * Multicast group memberships as `netstat -g` reads them: /proc/net/igmp (IPv4, per device a
 * header line then one tab-led line per group) and /proc/net/igmp6 (IPv6, one line per group).
 */
import { join } from 'node:path';
import { formatIpv4 } from '../stats/address.js';
import { HOST_LITTLE_ENDIAN, ipv6FromHex, kernelHexIpv4, netToolsIpv6, readTextOrNull, } from './routes.js';
/**
 * /proc/net/igmp (net/ipv4/igmp.c igmp_mc_seq_show):
 *   "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter"
 *   "%d\t%-10s: %5d %7s"                  per device
 *   "\t\t\t\t%08X %5d %d:%08lX\t\t%d"       per group, the address as a native %08X of its __be32
 */
export function parseIgmp(text, littleEndian = HOST_LITTLE_ENDIAN) {
    const records = [];
    const skipped = [];
    let dev = null;
    const ls = text.split('\n');
    if (ls[ls.length - 1] === '')
        ls.pop();
    ls.forEach((l, i) => {
        const n = i + 1;
        if (i === 0 && l.includes('Device'))
            return;
        if (l.trim() === '')
            return;
        if (!l.startsWith('\t')) {
            const m = /^(\d+)\t(\S+?)\s*:\s*(\d+)\s+(\S+)\s*$/.exec(l);
            if (!m) {
                dev = null;
                skipped.push({ line: n, reason: 'bad device line' });
                return;
            }
            dev = { index: Number(m[1]), name: m[2], count: Number(m[3]), querier: m[4] };
            return;
        }
        const m = /^\t+([0-9A-Fa-f]{8})\s+(\d+)\s+(\S+)\s+(\d+)\s*$/.exec(l);
        const addr = m ? kernelHexIpv4(m[1], littleEndian) : null;
        if (!m || addr === null) {
            skipped.push({ line: n, reason: 'bad group line' });
            return;
        }
        const d = dev;
        if (!d) {
            skipped.push({ line: n, reason: 'group line without a device' });
            return;
        }
        records.push({
            family: 4,
            iface: d.name,
            index: d.index,
            group: formatIpv4(addr),
            users: Number(m[2]),
            querier: d.querier,
            deviceCount: d.count,
            timer: m[3],
            reporter: Number(m[4]),
        });
    });
    return { records, skipped };
}
/** /proc/net/igmp6 (net/ipv6/mcast.c igmp6_mc_seq_show): "%-4d %-15s %pi6 %5d %08X %ld". */
export function parseIgmp6(text) {
    const records = [];
    const skipped = [];
    const ls = text.split('\n');
    if (ls[ls.length - 1] === '')
        ls.pop();
    ls.forEach((l, i) => {
        const f = l.trim().split(/\s+/);
        if (f.length === 1 && f[0] === '')
            return;
        const b = f.length === 6 ? ipv6FromHex(f[2]) : null;
        if (!b || !/^\d+$/.test(f[0]) || !/^\d+$/.test(f[3]) || !/^[0-9A-Fa-f]{8}$/.test(f[4]) || !/^-?\d+$/.test(f[5])) {
            skipped.push({ line: i + 1, reason: 'bad igmp6 line' });
            return;
        }
        records.push({
            family: 6,
            iface: f[1],
            index: Number(f[0]),
            group: netToolsIpv6(b),
            users: Number(f[3]),
            flags: parseInt(f[4], 16),
            timer: f[5],
        });
    });
    return { records, skipped };
}
export async function readGroups(roots = {}) {
    const proc = roots.procRoot ?? '/proc';
    const [v4, v6] = await Promise.all([readTextOrNull(join(proc, 'net/igmp')), readTextOrNull(join(proc, 'net/igmp6'))]);
    return { ipv4: v4 === null ? null : parseIgmp(v4), ipv6: v6 === null ? null : parseIgmp6(v6) };
}
