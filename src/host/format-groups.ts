/**
 * `netstat -g` text as net-tools 2.10 prints it (netstat.c igmp_do_one).
 */
import type { GroupMembership } from './groups.js';
import { HOST_LITTLE_ENDIAN, ipv4FromString, NO_NAMES, parseIpv6Text, type NameLookup } from './routes.js';
import { padBytes, printable } from './sanitize.js';

export interface GroupFormatOptions {
  /** -n. */
  numeric: boolean;
  /** -4 / -6 as netstat's flag_inet / flag_inet6; neither set means both. */
  inet4: boolean;
  inet6: boolean;
  names?: NameLookup;
  littleEndian?: boolean;
}

/**
 * An IPv4 group without -n goes through INET_sprint, which passes the fixed mask 0xffffff00
 * against the address in network byte order: on a little-endian host that mask covers the
 * last three octets, so any group with a non-zero first octet (all of 224/4) is looked up as
 * a host, never as a network.
 */
function ipv4GroupName(addr: string, names: NameLookup, littleEndian: boolean): string {
  const v = ipv4FromString(addr) ?? 0;
  if (v === 0) return '0.0.0.0';
  const hostBits = littleEndian ? v >>> 24 : v & 0xff;
  return (hostBits !== 0 ? names.host(addr, 4) : names.net(addr)) ?? addr;
}

function ipv6GroupName(addr: string, names: NameLookup): string {
  const b = parseIpv6Text(addr);
  if (b && b.every((x) => x === 0)) return '[::]';
  return names.host(addr, 6) ?? addr;
}

/**
 * Title, header and one "%-15s %-6d %s" line per membership: IPv4 first, then IPv6, each in
 * file order. The title names both families whatever -4/-6 say (netstat prints it fixed).
 */
export function formatGroups(groups: readonly GroupMembership[], opts: GroupFormatOptions): string[] {
  const names = opts.names ?? NO_NAMES;
  const le = opts.littleEndian ?? HOST_LITTLE_ENDIAN;
  const both = !opts.inet4 && !opts.inet6;
  const out = ['IPv6/IPv4 Group Memberships', 'Interface       RefCnt Group', '--------------- ------ ---------------------'];
  for (const fam of [4, 6] as const) {
    if (!both && !(fam === 4 ? opts.inet4 : opts.inet6)) continue;
    for (const g of groups) {
      if (g.family !== fam) continue;
      const name = opts.numeric ? g.group : fam === 4 ? ipv4GroupName(g.group, names, le) : ipv6GroupName(g.group, names);
      out.push(`${printable(padBytes(g.iface, 15))} ${String(g.users | 0).padEnd(6)} ${printable(name)}`);
    }
  }
  return out;
}
