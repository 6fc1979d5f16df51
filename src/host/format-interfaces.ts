/**
 * `netstat -i` and `netstat -ie` text as net-tools 2.10 prints them (lib/interface.c
 * ife_print_short / ife_print_long, netstat.c iface_info).
 */
import { IFF, type InterfaceRecord } from './interfaces.js';
import { padBytes, printable, sliceBytes } from './sanitize.js';

export interface InterfaceFormatOptions {
  /** -a: interfaces that are down too. */
  all: boolean;
  /** -e count: 0 the table, 1 or more the ifconfig-style blocks. */
  extend: number;
}

/** -i's Flg column: letters in net-tools' order; P stands for both PROMISC and POINTOPOINT. */
export function shortFlags(flags: number): string {
  if ((flags & 0xffff) === 0) return '[NO FLAGS]';
  const order: [number, string][] = [
    [IFF.ALLMULTI, 'A'],
    [IFF.BROADCAST, 'B'],
    [IFF.DEBUG, 'D'],
    [IFF.LOOPBACK, 'L'],
    [IFF.MULTICAST, 'M'],
    [IFF.DYNAMIC, 'd'],
    [IFF.PROMISC, 'P'],
    [IFF.NOTRAILERS, 'N'],
    [IFF.NOARP, 'O'],
    [IFF.POINTOPOINT, 'P'],
    [IFF.SLAVE, 's'],
    [IFF.MASTER, 'm'],
    [IFF.RUNNING, 'R'],
    [IFF.UP, 'U'],
  ];
  return order.filter(([bit]) => flags & bit).map(([, c]) => c).join('');
}

/** -ie's "flags=N<...>": N is the C short ifr_flags (bit 15 makes it negative). */
export function longFlags(flags: number): string {
  const f16 = flags & 0xffff;
  const signed = f16 >= 0x8000 ? f16 - 0x10000 : f16;
  const order: [number, string][] = [
    [IFF.UP, 'UP'],
    [IFF.BROADCAST, 'BROADCAST'],
    [IFF.DEBUG, 'DEBUG'],
    [IFF.LOOPBACK, 'LOOPBACK'],
    [IFF.POINTOPOINT, 'POINTOPOINT'],
    [IFF.NOTRAILERS, 'NOTRAILERS'],
    [IFF.RUNNING, 'RUNNING'],
    [IFF.NOARP, 'NOARP'],
    [IFF.PROMISC, 'PROMISC'],
    [IFF.ALLMULTI, 'ALLMULTI'],
    [IFF.SLAVE, 'SLAVE'],
    [IFF.MASTER, 'MASTER'],
    [IFF.MULTICAST, 'MULTICAST'],
    [IFF.DYNAMIC, 'DYNAMIC'],
  ];
  const names = order.filter(([bit]) => f16 & bit).map(([, s]) => s);
  // net-tools builds "flags=N<A,B," and then turns the last ',' into '>'; with no flags the
  // string is "flags=0<>" and the last character is cut instead, leaving "flags=0<".
  if (f16 === 0) return `flags=${signed}<`;
  return `flags=${signed}<${names.join(',')}>`;
}

interface HwType {
  name: string;
  title: string;
  /** Bytes of the address shown; null: the type prints no address. */
  print: ((b: Uint8Array) => string) | null;
}

const hex = (b: Uint8Array, n: number, upper: boolean, sep: string): string => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = (b[i] ?? 0).toString(16).padStart(2, '0');
    out.push(upper ? s.toUpperCase() : s);
  }
  return out.join(sep);
};

/**
 * Hardware types of this net-tools build (netstat -V: ETHER ARC SLIP PPP TUNNEL AX25 NETROM
 * X25 FR ROSE ASH SIT FDDI HIPPI HDLC/LAPB EUI64, plus loopback and unspec), by ARPHRD_*.
 * The address bytes are the first 8 of SIOCGIFHWADDR, zero-filled.
 */
const HW: Record<number, HwType> = {
  1: { name: 'ether', title: 'Ethernet', print: (b) => hex(b, 6, false, ':') },
  772: { name: 'loop', title: 'Local Loopback', print: null },
  256: { name: 'slip', title: 'Serial Line IP', print: null },
  257: { name: 'cslip', title: 'VJ Serial Line IP', print: null },
  258: { name: 'slip6', title: '6-bit Serial Line IP', print: null },
  259: { name: 'cslip6', title: 'VJ 6-bit Serial Line IP', print: null },
  264: { name: 'adaptive', title: 'Adaptive Serial Line IP', print: null },
  512: { name: 'ppp', title: 'Point-to-Point Protocol', print: null },
  768: { name: 'tunnel', title: 'IPIP Tunnel', print: () => '' },
  776: { name: 'sit', title: 'IPv6-in-IPv4', print: null },
  513: { name: 'hdlc', title: '(Cisco)-HDLC', print: null },
  516: { name: 'lapb', title: 'LAPB', print: null },
  770: { name: 'frad', title: 'Frame Relay Access Device', print: null },
  // pr_dlci prints the first two bytes as a native (here little-endian) short.
  15: { name: 'dlci', title: 'Frame Relay DLCI', print: (b) => String(((b[1]! << 8) | b[0]!) << 16 >> 16) },
  7: { name: 'arcnet', title: 'ARCnet', print: (b) => hex(b, 1, true, '') },
  774: { name: 'fddi', title: 'Fiber Distributed Data Interface', print: (b) => hex(b, 6, true, '-') },
  780: { name: 'hippi', title: 'HIPPI', print: (b) => hex(b, 6, true, ':') },
  27: { name: 'eui64', title: 'Generic EUI-64', print: (b) => hex(b, 8, true, ':') },
};
const UNSPEC: HwType = { name: 'unspec', title: 'UNSPEC', print: (b) => hex(b, 16, true, '-') };

export function hwType(type: number): HwType {
  return HW[type] ?? UNSPEC;
}

/** The `%lu.%lu UNIT` after RX/TX bytes: tenths, by binary units, each step taken on "more than". */
export function humanBytes(v: number): string {
  const x = BigInt(Math.trunc(v));
  let short = x * 10n;
  let unit = 'B';
  const steps: [bigint, string][] = [
    [1099511627776n, 'TiB'],
    [1073741824n, 'GiB'],
    [1048576n, 'MiB'],
    [1024n, 'KiB'],
  ];
  if (x > 1152921504606846976n) {
    short = x / 115292150460684697n;
    unit = 'EiB';
  } else if (x > 1125899906842624n) {
    short /= 1125899906842624n;
    unit = 'PiB';
  } else {
    for (const [lim, u] of steps) {
      if (x > lim) {
        short /= lim;
        unit = u;
        break;
      }
    }
  }
  return `${short / 10n}.${short % 10n} ${unit}`;
}

function shown(i: InterfaceRecord, all: boolean): boolean {
  return all || (i.flags & IFF.UP) !== 0;
}

/** -i: "%-15.15s %5d " then counters "%8llu %6lu %6lu %-6lu %8llu %6lu %6lu %6lu " and the flags. */
function shortLine(i: InterfaceRecord): string {
  const name = printable(padBytes(sliceBytes(i.name, 15), 15));
  let s = `${name} ${String(i.mtu | 0).padStart(5)} `;
  const c = i.counters;
  if (c) {
    s += `${String(c.rxPackets).padStart(8)} ${String(c.rxErrors).padStart(6)} ${String(c.rxDropped).padStart(6)} ${String(c.rxFifo).padEnd(6)} `;
    s += `${String(c.txPackets).padStart(8)} ${String(c.txErrors).padStart(6)} ${String(c.txDropped).padStart(6)} ${String(c.txFifo).padStart(6)} `;
  } else {
    s += '     - no statistics available -'.padEnd(56);
  }
  return s + shortFlags(i.flags);
}

function scopeFlags(scope: number): string {
  let s = scope;
  const parts: string[] = [];
  if (s & 0x80) {
    parts.push('compat');
    s -= 0x80;
  }
  if (s === 0) parts.push('global');
  if (s & 0x20) parts.push('link');
  if (s & 0x40) parts.push('site');
  if (s & 0x10) parts.push('host');
  // As with the flags, an empty list leaves "<" cut off: nothing at all is printed.
  return parts.length === 0 ? '' : `<${parts.join(',')}>`;
}

function longBlock(i: InterfaceRecord): string[] {
  const out: string[] = [];
  out.push(`${printable(i.name)}: ${longFlags(i.flags)}  mtu ${i.mtu | 0}`);
  const a = i.ipv4;
  if (a) {
    let l = `        inet ${a.address}  netmask ${a.netmask}`;
    if (i.flags & IFF.BROADCAST) l += `  broadcast ${a.broadcast}`;
    if (i.flags & IFF.POINTOPOINT) l += `  destination ${a.destination}`;
    out.push(l);
  }
  for (const x of i.ipv6) out.push(`        inet6 ${x.address}  prefixlen ${x.prefixLength}  scopeid 0x${x.scope.toString(16)}${scopeFlags(x.scope)}`);
  const hw = hwType(i.type);
  const bytes = new Uint8Array(16);
  bytes.set(i.hwaddr.subarray(0, 8));
  let l = hw.print ? `        ${hw.name} ${hw.print(bytes)}` : `        ${hw.name}`;
  if (i.txQueueLen !== -1) l += `  txqueuelen ${i.txQueueLen}`;
  out.push(`${l}  (${hw.title})`);
  const c = i.counters;
  if (c) {
    out.push(`        RX packets ${c.rxPackets}  bytes ${c.rxBytes} (${humanBytes(c.rxBytes)})`);
    out.push(`        RX errors ${c.rxErrors}  dropped ${c.rxDropped}  overruns ${c.rxFifo}  frame ${c.rxFrame}`);
    out.push(`        TX packets ${c.txPackets}  bytes ${c.txBytes} (${humanBytes(c.txBytes)})`);
    out.push(`        TX errors ${c.txErrors}  dropped ${c.txDropped} overruns ${c.txFifo}  carrier ${c.txCarrier}  collisions ${c.collisions}`);
  }
  out.push('');
  return out;
}

/**
 * The whole `netstat -i` output: "Kernel Interface table", the column header (only without
 * -e), then one line (or, with -e, one block and a blank line) per interface that is up, or
 * per interface with -a.
 */
export function formatInterfaces(ifaces: readonly InterfaceRecord[], opts: InterfaceFormatOptions): string[] {
  const out = ['Kernel Interface table'];
  const long = opts.extend >= 1;
  if (!long) out.push('Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg');
  for (const i of ifaces) {
    if (!shown(i, opts.all)) continue;
    if (long) out.push(...longBlock(i));
    else out.push(shortLine(i));
  }
  return out;
}
