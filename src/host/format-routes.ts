/**
 * `netstat -r` text, line for line as net-tools 2.10 prints it (lib/inet_gr.c rprint_fib,
 * lib/inet6_gr.c rprint_fib6). Returns lines without newlines.
 */
import { inet6Ntop, ipv4FromString, NO_NAMES, parseIpv6Text, RTF, type Ipv4Route, type Ipv6Route, type NameLookup } from './routes.js';
import { padBytes, printable, sliceBytes } from './sanitize.js';

export interface RouteFormatOptions {
  /** -n: no names. */
  numeric: boolean;
  /** How many times -e was given. */
  extend: number;
  names?: NameLookup;
}

/**
 * netstat.c: flag_exp starts at 1 and each -e adds one; for -r it swaps 1 and 2 and the
 * route printer keeps `& 3`. So no -e prints the MSS/Window/irtt form (2), -e the
 * Metric/Ref/Use form (1), -ee both (3), and -eee (4 & 3 = 0) a title and nothing else.
 */
export function routeExtendLevel(extend: number): number {
  const exp = 1 + extend;
  const swapped = exp === 2 ? 1 : exp === 1 ? 2 : exp;
  return swapped & 3;
}

/** printf %-Ns and %Ns, widths counted in bytes as C does. */
function left(s: string, w: number): string {
  return padBytes(s, w);
}
function right(v: number | string, w: number): string {
  return String(v).padStart(w);
}
/** printf %d of a C int: values are 32-bit and may wrap to negative. */
function int32(v: number): number {
  return v | 0;
}

/**
 * Route flag letters for IPv4 (inet_gr.c). A reject route's "!" replaces what came before it
 * (safe_strncpy, not strcat), so an unreachable host route reads "!H".
 */
export function ipv4RouteFlags(f: number): string {
  let s = '';
  if (f & RTF.UP) s += 'U';
  if (f & RTF.GATEWAY) s += 'G';
  if (f & RTF.REJECT) s = '!';
  const rest: [number, string][] = [
    [RTF.HOST, 'H'],
    [RTF.REINSTATE, 'R'],
    [RTF.DYNAMIC, 'D'],
    [RTF.MODIFIED, 'M'],
    [RTF.DEFAULT, 'd'],
    [RTF.ALLONLINK, 'a'],
    [RTF.ADDRCONF, 'c'],
    [RTF.NONEXTHOP, 'o'],
    [RTF.EXPIRES, 'e'],
    [RTF.CACHE, 'c'],
    [RTF.FLOW, 'f'],
    [RTF.POLICY, 'p'],
    [RTF.LOCAL, 'l'],
    [RTF.MTU, 'u'],
    [RTF.WINDOW, 'w'],
    [RTF.IRTT, 'i'],
    [RTF.NOTCACHED, 'n'],
  ];
  for (const [bit, c] of rest) if ((f & bit) >>> 0) s += c;
  return s;
}

/** IPv6 route flag letters (inet6_gr.c); RTF_LOCAL and RTF_POLICY are not shown. */
export function ipv6RouteFlags(f: number): string {
  const order: [number, string][] = [
    [RTF.UP, 'U'],
    [RTF.REJECT, '!'],
    [RTF.GATEWAY, 'G'],
    [RTF.HOST, 'H'],
    [RTF.DEFAULT, 'D'],
    [RTF.ADDRCONF, 'A'],
    [RTF.CACHE, 'C'],
    [RTF.ALLONLINK, 'a'],
    [RTF.EXPIRES, 'e'],
    [RTF.MODIFIED, 'm'],
    [RTF.NONEXTHOP, 'n'],
    [RTF.FLOW, 'f'],
  ];
  let s = '';
  for (const [bit, c] of order) if ((f & bit) >>> 0) s += c;
  return s;
}

/**
 * lib/inet.c INET_rresolve without -n. 0.0.0.0 is "default" for a /0 destination and
 * "0.0.0.0" otherwise (never "*" in 2.10: the gateway is passed the fixed mask 0xffffff00);
 * an address with host bits set under its mask, or flagged as a host, is looked up as a host,
 * else as a network in /etc/networks.
 */
function ipv4Name(addr: string, mask: number, host: boolean, defaultName: boolean, names: NameLookup): string {
  const ad = ipv4FromString(addr) ?? 0;
  if (ad === 0) return mask === 0 ? (defaultName ? 'default' : '*') : '0.0.0.0';
  const isHost = host || ((ad & ~mask) >>> 0) !== 0;
  return (isHost ? names.host(addr, 4) : names.net(addr)) ?? addr;
}

/** The 15-byte cut netstat makes on each address column (net_addr[15] = '\0'). */
function cut15(s: string): string {
  return sliceBytes(s, 15);
}

/** `netstat -r` for IPv4: the title, the header of the chosen form, one line per route that is up. */
export function formatIpv4Routes(routes: readonly Ipv4Route[], opts: RouteFormatOptions): string[] {
  const ext = routeExtendLevel(opts.extend);
  const names = opts.names ?? NO_NAMES;
  const out = ['Kernel IP routing table'];
  const head = 'Destination     Gateway         Genmask         ';
  if (ext === 1) out.push(`${head}Flags Metric Ref    Use Iface`);
  if (ext === 2) out.push(`${head}Flags   MSS Window  irtt Iface`);
  if (ext === 3) out.push(`${head}Flags Metric Ref    Use Iface    MSS   Window irtt`);
  if (ext === 0) return out;
  for (const r of routes) {
    // rprint_fib skips routes without RTF_UP.
    if (!(r.flags & RTF.UP)) continue;
    const mask = ipv4FromString(r.mask) ?? 0;
    const dst = cut15(opts.numeric ? r.destination : ipv4Name(r.destination, mask, (r.flags & RTF.HOST) !== 0, true, names));
    const gw = cut15(opts.numeric ? r.gateway : ipv4Name(r.gateway, 0xffffff00, true, false, names));
    const msk = cut15(r.mask);
    const flags = ipv4RouteFlags(r.flags);
    const iface = printable(sliceBytes(r.iface, 15));
    const reject = (r.flags & RTF.REJECT) !== 0;
    const d = printable(left(dst, 15));
    const g = printable(left(gw, 15));
    const m = left(msk, 15);
    const fl = left(flags, 5);
    if (ext === 1) {
      out.push(
        reject
          ? `${d} -               ${m} ${fl} ${left(String(int32(r.metric)), 6)} -  ${right(int32(r.use), 7)} -`
          : `${d} ${g} ${m} ${fl} ${left(String(int32(r.metric)), 6)} ${left(String(int32(r.refcnt)), 2)} ${right(int32(r.use), 7)} ${iface}`,
      );
    } else if (ext === 2) {
      out.push(
        reject
          ? `${d} -               ${m} ${fl}     - -          - -`
          : `${d} ${g} ${m} ${fl} ${right(int32(r.mtu), 5)} ${left(String(int32(r.window)), 5)} ${right(int32(r.irtt), 6)} ${iface}`,
      );
    } else {
      out.push(
        reject
          ? `${d} -               ${m} ${fl} ${left(String(int32(r.metric)), 6)} -  ${right(int32(r.use), 7)} -        -     -      -`
          : `${d} ${g} ${m} ${fl} ${left(String(int32(r.metric)), 6)} ${left(String(int32(r.refcnt)), 3)} ${right(int32(r.use), 6)} ${left(sliceBytes(iface, 6), 6)}   ${left(String(int32(r.mtu)), 5)} ${left(String(int32(r.window)), 6)} ${int32(r.irtt)}`,
      );
    }
  }
  return out;
}

/**
 * lib/inet6.c INET6_rresolve for routes: with -n inet_ntop; without it "::" is "[::]" (the
 * route printer never passes the "default" bit for IPv6) and anything else is getnameinfo's
 * answer, the number when there is no name.
 */
function ipv6Name(addr: string, numeric: boolean, names: NameLookup): string {
  if (numeric) return addr;
  const b = parseIpv6Text(addr);
  if (b && b.every((x) => x === 0)) return '[::]';
  return names.host(b ? inet6Ntop(b) : addr, 6) ?? addr;
}

/**
 * `netstat -r -6` (or -A inet6): every table in /proc/net/ipv6_route, local routes included,
 * except RTF_CACHE entries (those belong to -C). The -e forms do not change this table.
 */
export function formatIpv6Routes(routes: readonly Ipv6Route[], opts: RouteFormatOptions): string[] {
  const names = opts.names ?? NO_NAMES;
  const out = ['Kernel IPv6 routing table', 'Destination                    Next Hop                   Flag Met Ref  Use If'];
  for (const r of routes) {
    if ((r.flags & RTF.CACHE) >>> 0) continue;
    const dst = `${ipv6Name(r.destination, opts.numeric, names)}/${r.prefixLength}`;
    const nh = ipv6Name(r.nextHop, opts.numeric, names);
    out.push(
      `${printable(left(dst, 30))} ${printable(left(nh, 26))} ${left(ipv6RouteFlags(r.flags), 4)} ${left(String(int32(r.metric)), 3)} ${left(String(int32(r.refcnt)), 1)} ${right(int32(r.use), 6)} ${printable(sliceBytes(r.iface, 15))}`,
    );
  }
  return out;
}
