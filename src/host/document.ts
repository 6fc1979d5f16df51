/**
 * The host view as JSON: the pieces of `wirestat netstat --json` (`wirestat.netstat/1`) and of
 * `wirestat snapshot` (`wirestat.snapshot/1`). Both are contracts scripts and later commands read
 * (README, "netstat JSON" and "Host snapshot"); field names are snake_case, addresses numeric,
 * endpoints in the report's form (`198.18.0.1:80`, `[2001:db8::1]:443`).
 */
import type { GroupMembership } from './groups.js';
import type { InterfaceRecord } from './interfaces.js';
import type { Ipv4Route, Ipv6Route } from './routes.js';
import type { HostSocket, PacketSocket, SocketTimer } from './sockets.js';

/** USER_HZ: /proc/net timers are in clock ticks of 1/100 s (netstat divides by HZ = 100). */
const TICKS_PER_SECOND = 100;

export interface TimerJson {
  /** netstat -o's word: off, on, keepalive, timewait, probe; on1/on2 for udp and raw. */
  kind: string;
  seconds: number;
  retransmits: number;
  /** tcp: unanswered zero-window or keepalive probes. */
  probes: number;
}

export interface InetSocketJson {
  proto: 'tcp' | 'tcp6' | 'udp' | 'udp6' | 'udpl' | 'udpl6' | 'raw' | 'raw6';
  local: string;
  remote: string;
  /** As netstat prints it: LISTEN, ESTABLISHED…; '' for an unconnected udp socket; raw: the number. */
  state: string;
  /** The kernel's state number (tcp 1 ESTABLISHED … 10 LISTEN; udp 7 unconnected). */
  state_code: number;
  listening: boolean;
  recv_q: number;
  send_q: number;
  uid: number;
  inode: number;
  pid: number | null;
  program: string | null;
  /** The process's executable (readlink /proc/PID/exe), null when unknown or unreadable. */
  exe: string | null;
  timer: TimerJson;
}

export interface UnixSocketJson {
  proto: 'unix';
  /** '@name' for an abstract socket, null when unbound. */
  path: string | null;
  type: string;
  state: string;
  listening: boolean;
  ref_count: number;
  flags: number;
  inode: number;
  pid: number | null;
  program: string | null;
  exe: string | null;
}

export type SocketJson = InetSocketJson | UnixSocketJson;

export interface PacketSocketJson {
  /** RAW (with link-layer header) or DGRAM (cooked). */
  type: string;
  /** EtherType received; 3 (ETH_P_ALL) means every frame. */
  protocol: number;
  /** Interface index it is bound to; 0 = all. */
  ifindex: number;
  running: boolean;
  uid: number;
  inode: number;
  pid: number | null;
  program: string | null;
  exe: string | null;
}

function timerJson(t: SocketTimer): TimerJson {
  return { kind: t.kind, seconds: t.when_ticks / TICKS_PER_SECOND, retransmits: t.retransmits, probes: t.timeout };
}

export function socketJson(s: HostSocket): SocketJson {
  if (s.proto === 'unix') {
    return {
      proto: 'unix',
      path: s.path,
      type: s.type,
      state: s.state,
      listening: s.listening,
      ref_count: s.ref_count,
      flags: s.flags,
      inode: s.inode,
      pid: s.pid,
      program: s.program,
      exe: s.exe,
    };
  }
  return {
    proto: s.proto,
    local: s.local,
    remote: s.remote,
    state: s.state,
    state_code: s.state_code,
    listening: s.listening,
    recv_q: s.recv_q,
    send_q: s.send_q,
    uid: s.uid,
    inode: s.inode,
    pid: s.pid,
    program: s.program,
    exe: s.exe,
    timer: timerJson(s.timer),
  };
}

export function packetSocketJson(p: PacketSocket): PacketSocketJson {
  return {
    type: p.type,
    protocol: p.protocol,
    ifindex: p.ifindex,
    running: p.running,
    uid: p.uid,
    inode: p.inode,
    pid: p.pid,
    program: p.program,
    exe: p.exe,
  };
}

export interface InterfaceJson {
  name: string;
  /** The device an alias label ("eth0:1") is on; the name itself otherwise. */
  device: string;
  index: number;
  mtu: number;
  flags: string[];
  promisc: boolean;
  operstate: string;
  mac: string | null;
  tx_queue_len: number;
  ipv4: { address: string; prefix_length: number; broadcast: string | null; label: string }[];
  ipv6: { address: string; prefix_length: number; scope: number }[];
  /** /proc/net/dev counters (null for an alias label), then everything in /sys/class/net/IF/statistics. */
  counters: Record<string, number> | null;
  statistics: Record<string, number>;
}

/** camelCase DevCounters → the snake_case JSON names. */
function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function interfaceJson(i: InterfaceRecord): InterfaceJson {
  return {
    name: i.name,
    device: i.device,
    index: i.index,
    mtu: i.mtu,
    flags: i.flagNames,
    promisc: i.promisc,
    operstate: i.operstate,
    mac: i.mac,
    tx_queue_len: i.txQueueLen,
    ipv4: (i.alias ? (i.ipv4 ? [i.ipv4] : []) : i.ipv4All).map((a) => ({
      address: a.address,
      prefix_length: a.prefixLength,
      broadcast: a.broadcast === '0.0.0.0' ? null : a.broadcast,
      label: a.label,
    })),
    ipv6: i.ipv6.map((a) => ({ address: a.address, prefix_length: a.prefixLength, scope: a.scope })),
    counters: i.counters ? Object.fromEntries(Object.entries(i.counters).map(([k, v]) => [snake(k), v])) : null,
    statistics: i.statistics,
  };
}

export interface Ipv4RouteJson {
  destination: string;
  prefix_length: number;
  gateway: string;
  iface: string;
  flags: number;
  metric: number;
  mtu: number;
  window: number;
  irtt: number;
  ref_count: number;
  use: number;
}

export interface Ipv6RouteJson {
  destination: string;
  prefix_length: number;
  next_hop: string;
  iface: string;
  flags: number;
  metric: number;
  ref_count: number;
  use: number;
}

function prefixLength(mask: string): number {
  let n = 0;
  for (const part of mask.split('.')) {
    let b = Number(part) & 0xff;
    while (b & 0x80) {
      n++;
      b = (b << 1) & 0xff;
    }
  }
  return n;
}

export function ipv4RouteJson(r: Ipv4Route): Ipv4RouteJson {
  return {
    destination: r.destination,
    prefix_length: prefixLength(r.mask),
    gateway: r.gateway,
    iface: r.iface,
    flags: r.flags,
    metric: r.metric,
    mtu: r.mtu,
    window: r.window,
    irtt: r.irtt,
    ref_count: r.refcnt,
    use: r.use,
  };
}

export function ipv6RouteJson(r: Ipv6Route): Ipv6RouteJson {
  return {
    destination: r.destination,
    prefix_length: r.prefixLength,
    next_hop: r.nextHop,
    iface: r.iface,
    flags: r.flags,
    metric: r.metric,
    ref_count: r.refcnt,
    use: r.use,
  };
}

export interface GroupJson {
  family: 4 | 6;
  iface: string;
  group: string;
  users: number;
}

export function groupJson(g: GroupMembership): GroupJson {
  return { family: g.family, iface: g.iface, group: g.group, users: g.users };
}
