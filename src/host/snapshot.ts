/**
 * A host snapshot: the whole local view at one moment (sockets with their processes, packet
 * sockets, interfaces with MACs and addresses, routes, protocol counters, multicast groups,
 * host name, kernel, time) as one `wirestat.snapshot/1` JSON document, so a capture can later be
 * replayed beside the host that recorded it. Taking one reads /proc and /sys only (one `ip`
 * call when /proc cannot place an IPv4 address), so it can be taken every second.
 *
 * `parseSnapshot` reads one back and checks its shape, naming the field that is wrong.
 */
import { hostname, release } from 'node:os';
import {
  groupJson,
  interfaceJson,
  ipv4RouteJson,
  ipv6RouteJson,
  packetSocketJson,
  socketJson,
  type GroupJson,
  type InterfaceJson,
  type Ipv4RouteJson,
  type Ipv6RouteJson,
  type PacketSocketJson,
  type SocketJson,
} from './document.js';
import { defaultFlags } from './flags.js';
import { readGroups } from './groups.js';
import { readInterfaces } from './interfaces.js';
import { readRoutes, type HostRoots } from './routes.js';
import { readSnmp, snmpJson } from './snmp.js';
import { readSockets } from './sockets.js';
import { printable } from './sanitize.js';

export const SNAPSHOT_SCHEMA = 'wirestat.snapshot/1';

export interface SnapshotProblem {
  source: string;
  cause: string;
}

export interface HostSnapshot {
  schema: typeof SNAPSHOT_SCHEMA;
  /** Seconds since the epoch (float), when reading began. */
  time: number;
  /** How long reading took, in seconds. */
  duration: number;
  hostname: string;
  kernel: string;
  /** The named network namespace it was taken in (`-N`), or null. */
  netns: string | null;
  sockets: SocketJson[];
  packet_sockets: PacketSocketJson[];
  processes_complete: boolean;
  interfaces: InterfaceJson[];
  routes: { ipv4: Ipv4RouteJson[]; ipv6: Ipv6RouteJson[] };
  stats: Record<string, Record<string, number>>;
  groups: GroupJson[];
  errors: SnapshotProblem[];
}

export interface SnapshotOptions extends HostRoots {
  netns?: string | null;
  /** Clock, for tests. */
  now?: () => number;
}

export async function takeSnapshot(opts: SnapshotOptions = {}): Promise<HostSnapshot> {
  const now = opts.now ?? Date.now;
  const started = now();
  const procRoot = opts.procRoot ?? '/proc';
  const roots = { procRoot, sysRoot: opts.sysRoot ?? '/sys' };
  const flags = { ...defaultFlags(), all: true, numeric: true, executable: true };
  const view = readSockets(procRoot, flags, { owners: true, packet: true });
  const [ifaces, routes, snmp, groups] = await Promise.all([readInterfaces(roots), readRoutes(roots), readSnmp(roots), readGroups(roots)]);
  const errors: SnapshotProblem[] = [...view.errors];
  const missing = (what: unknown, source: string): void => {
    if (what === null) errors.push({ source: `${procRoot}/${source}`, cause: 'unreadable or missing' });
  };
  missing(routes.ipv4, 'net/route');
  missing(routes.ipv6, 'net/ipv6_route');
  missing(snmp.snmp, 'net/snmp');
  missing(groups.ipv4, 'net/igmp');
  if (ifaces.interfaces.length === 0) errors.push({ source: `${procRoot}/net/dev`, cause: 'no interfaces read' });
  return {
    schema: SNAPSHOT_SCHEMA,
    time: started / 1000,
    duration: (now() - started) / 1000,
    hostname: hostname(),
    kernel: release(),
    netns: opts.netns ?? null,
    sockets: view.sockets.map(socketJson),
    packet_sockets: view.packetSockets.map(packetSocketJson),
    processes_complete: view.processesComplete,
    interfaces: ifaces.interfaces.map(interfaceJson),
    routes: { ipv4: (routes.ipv4?.records ?? []).map(ipv4RouteJson), ipv6: (routes.ipv6?.records ?? []).map(ipv6RouteJson) },
    stats: snmpJson(snmp.snmp, snmp.netstat, snmp.snmp6, snmp.sctp),
    groups: [...(groups.ipv4?.records ?? []), ...(groups.ipv6?.records ?? [])].map(groupJson),
    errors,
  };
}

/** A snapshot document that cannot be used: names the file and the field. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

type Check = (v: unknown) => boolean;
const isNum: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isStr: Check = (v) => typeof v === 'string';
const isBool: Check = (v) => typeof v === 'boolean';
const orNull =
  (c: Check): Check =>
  (v) =>
    v === null || c(v);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields every element of each list must have, and their types. */
const INET_SOCKET: Record<string, Check> = {
  proto: isStr,
  local: isStr,
  remote: isStr,
  state: isStr,
  state_code: isNum,
  listening: isBool,
  recv_q: isNum,
  send_q: isNum,
  uid: isNum,
  inode: isNum,
  pid: orNull(isNum),
  program: orNull(isStr),
  exe: orNull(isStr),
};
const UNIX_SOCKET: Record<string, Check> = {
  proto: isStr,
  path: orNull(isStr),
  type: isStr,
  state: isStr,
  inode: isNum,
  pid: orNull(isNum),
  program: orNull(isStr),
};
const PACKET_SOCKET: Record<string, Check> = { type: isStr, protocol: isNum, ifindex: isNum, inode: isNum, pid: orNull(isNum) };
const INTERFACE: Record<string, Check> = { name: isStr, index: isNum, mtu: isNum, promisc: isBool, mac: orNull(isStr) };
const ROUTE4: Record<string, Check> = { destination: isStr, prefix_length: isNum, gateway: isStr, iface: isStr, flags: isNum };
const ROUTE6: Record<string, Check> = { destination: isStr, prefix_length: isNum, next_hop: isStr, iface: isStr, flags: isNum };
const GROUP: Record<string, Check> = { family: isNum, iface: isStr, group: isStr, users: isNum };

/** Parses and checks a `wirestat.snapshot/1` document; `name` is used in errors. */
export function parseSnapshot(text: string, name: string): HostSnapshot {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // V8's message quotes the text, which may hold line breaks and escape sequences (a capture
    // given as the snapshot, or a hostile file): one line, and nothing a terminal would obey.
    throw new SnapshotError(`${name}: not JSON (${printable((e as Error).message.replace(/\s+/g, ' '))})`);
  }
  if (!isObj(doc)) throw new SnapshotError(`${name}: not a JSON object`);
  if (doc.schema !== SNAPSHOT_SCHEMA) {
    throw new SnapshotError(`${name}: schema is ${JSON.stringify(doc.schema)}, expected "${SNAPSHOT_SCHEMA}"`);
  }
  const field = (path: string, ok: boolean): void => {
    if (!ok) throw new SnapshotError(`${name}: field ${path} is missing or of the wrong type`);
  };
  for (const [k, c] of Object.entries({ time: isNum, duration: isNum, hostname: isStr, kernel: isStr, netns: orNull(isStr), processes_complete: isBool })) {
    field(k, c(doc[k]));
  }
  const list = (key: string, shape: (el: Record<string, unknown>) => Record<string, Check>, at: unknown = doc[key as keyof typeof doc]): void => {
    field(key, Array.isArray(at));
    (at as unknown[]).forEach((el, i) => {
      field(`${key}[${i}]`, isObj(el));
      for (const [k, c] of Object.entries(shape(el as Record<string, unknown>))) field(`${key}[${i}].${k}`, c((el as Record<string, unknown>)[k]));
    });
  };
  list('sockets', (el) => (el.proto === 'unix' ? UNIX_SOCKET : INET_SOCKET));
  list('packet_sockets', () => PACKET_SOCKET);
  list('interfaces', () => INTERFACE);
  field('routes', isObj(doc.routes));
  const routes = doc.routes as Record<string, unknown>;
  list('routes.ipv4', () => ROUTE4, routes.ipv4);
  list('routes.ipv6', () => ROUTE6, routes.ipv6);
  field('stats', isObj(doc.stats));
  for (const [section, counters] of Object.entries(doc.stats as Record<string, unknown>)) {
    field(`stats.${section}`, isObj(counters) && Object.values(counters).every(isNum));
  }
  list('groups', () => GROUP);
  list('errors', () => ({ source: isStr, cause: isStr }));
  return doc as unknown as HostSnapshot;
}
