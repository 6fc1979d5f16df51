/**
 * Multicast group memberships as `netstat -g` reads them: /proc/net/igmp (IPv4, per device a
 * header line then one tab-led line per group) and /proc/net/igmp6 (IPv6, one line per group).
 */
import { join } from 'node:path';
import { formatIpv4 } from '../stats/address.js';
import {
  HOST_LITTLE_ENDIAN,
  ipv6FromHex,
  kernelHexIpv4,
  netToolsIpv6,
  readTextOrNull,
  type HostRoots,
  type Parsed,
  type SkippedLine,
} from './routes.js';

export interface GroupMembership {
  family: 4 | 6;
  iface: string;
  /** Interface index. */
  index: number;
  /** Group address in net-tools' numeric form. */
  group: string;
  /** Sockets (or kernel users) joined; netstat's RefCnt. */
  users: number;
  /** IPv4: the device's IGMP querier version ("V3"); IPv6: the entry's MAF_* flags. */
  querier?: string;
  flags?: number;
  /** IPv4 only: the device's group count from its header line. */
  deviceCount?: number;
  /** Report timer as the kernel printed it ("0:00000000" for IPv4, jiffies for IPv6). */
  timer: string;
  /** IPv4 only: 1 if this host sent the last report. */
  reporter?: number;
}

/**
 * /proc/net/igmp (net/ipv4/igmp.c igmp_mc_seq_show):
 *   "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter"
 *   "%d\t%-10s: %5d %7s"                  per device
 *   "\t\t\t\t%08X %5d %d:%08lX\t\t%d"       per group, the address as a native %08X of its __be32
 */
export function parseIgmp(text: string, littleEndian = HOST_LITTLE_ENDIAN): Parsed<GroupMembership> {
  const records: GroupMembership[] = [];
  const skipped: SkippedLine[] = [];
  let dev: { name: string; index: number; count: number; querier: string } | null = null;
  const ls = text.split('\n');
  if (ls[ls.length - 1] === '') ls.pop();
  ls.forEach((l, i) => {
    const n = i + 1;
    if (i === 0 && l.includes('Device')) return;
    if (l.trim() === '') return;
    if (!l.startsWith('\t')) {
      const m = /^(\d+)\t(\S+?)\s*:\s*(\d+)\s+(\S+)\s*$/.exec(l);
      if (!m) {
        dev = null;
        skipped.push({ line: n, reason: 'bad device line' });
        return;
      }
      dev = { index: Number(m[1]), name: m[2]!, count: Number(m[3]), querier: m[4]! };
      return;
    }
    const m = /^\t+([0-9A-Fa-f]{8})\s+(\d+)\s+(\S+)\s+(\d+)\s*$/.exec(l);
    const addr = m ? kernelHexIpv4(m[1]!, littleEndian) : null;
    if (!m || addr === null) {
      skipped.push({ line: n, reason: 'bad group line' });
      return;
    }
    const d = dev as { name: string; index: number; count: number; querier: string } | null;
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
      timer: m[3]!,
      reporter: Number(m[4]),
    });
  });
  return { records, skipped };
}

/** /proc/net/igmp6 (net/ipv6/mcast.c igmp6_mc_seq_show): "%-4d %-15s %pi6 %5d %08X %ld". */
export function parseIgmp6(text: string): Parsed<GroupMembership> {
  const records: GroupMembership[] = [];
  const skipped: SkippedLine[] = [];
  const ls = text.split('\n');
  if (ls[ls.length - 1] === '') ls.pop();
  ls.forEach((l, i) => {
    const f = l.trim().split(/\s+/);
    if (f.length === 1 && f[0] === '') return;
    const b = f.length === 6 ? ipv6FromHex(f[2]!) : null;
    if (!b || !/^\d+$/.test(f[0]!) || !/^\d+$/.test(f[3]!) || !/^[0-9A-Fa-f]{8}$/.test(f[4]!) || !/^-?\d+$/.test(f[5]!)) {
      skipped.push({ line: i + 1, reason: 'bad igmp6 line' });
      return;
    }
    records.push({
      family: 6,
      iface: f[1]!,
      index: Number(f[0]),
      group: netToolsIpv6(b),
      users: Number(f[3]),
      flags: parseInt(f[4]!, 16),
      timer: f[5]!,
    });
  });
  return { records, skipped };
}

export interface GroupTables {
  /** null when the file is missing (no IPv4 multicast / no IPv6 in this kernel). */
  ipv4: Parsed<GroupMembership> | null;
  ipv6: Parsed<GroupMembership> | null;
}

export async function readGroups(roots: HostRoots = {}): Promise<GroupTables> {
  const proc = roots.procRoot ?? '/proc';
  const [v4, v6] = await Promise.all([readTextOrNull(join(proc, 'net/igmp')), readTextOrNull(join(proc, 'net/igmp6'))]);
  return { ipv4: v4 === null ? null : parseIgmp(v4), ipv6: v6 === null ? null : parseIgmp6(v6) };
}
