/**
 * `wirestat netstat`: the host's own view, as net-tools netstat prints it (same letters, same
 * columns, same rows), or as the `wirestat.netstat/1` JSON document. Reads /proc and /sys only.
 * An unreadable source is named on stderr (exit 1) and everything else is still printed.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  groupJson,
  interfaceJson,
  ipv4RouteJson,
  ipv6RouteJson,
  packetSocketJson,
  socketJson,
  type SocketJson,
} from '../host/document.js';
import { numericHosts, type NetstatFlags } from '../host/flags.js';
import { addressesToResolve, bogusLineWarnings, formatSockets, processNotice } from '../host/format-sockets.js';
import { jsonForTerminal, printable } from '../host/sanitize.js';
import { readSockets, selectSockets, type PacketSocket } from '../host/sockets.js';
import { NETSTAT_USAGE, NetstatUsageError, parseNetstatArgs, type NetstatArgs } from './netstat-args.js';
import { currentNetns, enterNetns, NetnsError } from './netns.js';
import type { Output } from './report.js';

export const NETSTAT_SCHEMA = 'wirestat.netstat/1';

/** net-tools netstat exits 3 (E_OPTERR) on a command line it refuses; so does this command. */
export const NETSTAT_EXIT_USAGE = 3;
/** A source could not be read: the rest was printed. */
export const NETSTAT_EXIT_PARTIAL = 1;

/** Everything from outside: streams, where /proc, /sys and /etc are, who we are. */
export interface NetstatIo {
  out: Output;
  err(text: string): void;
  procRoot: string;
  sysRoot: string;
  etcRoot: string;
  euid: number;
  /** The CLI script, to run again inside a namespace (-N). */
  script: string;
  /** Ends a -c loop (tests; the CLI ends on SIGINT). */
  signal?: AbortSignal;
  /** Bound on name lookups without -n, per listing. */
  resolveTimeoutMs?: number;
}

export interface SourceProblem {
  source: string;
  cause: string;
}

export interface NetstatDocument {
  schema: typeof NETSTAT_SCHEMA;
  time: number;
  hostname: string;
  netns: string | null;
  sockets: SocketJson[];
  /** Who else on this host is capturing: AF_PACKET sockets and their processes. */
  packet_sockets: ReturnType<typeof packetSocketJson>[];
  /** False when some processes' sockets could not be attributed (not root). */
  processes_complete: boolean;
  interfaces?: ReturnType<typeof interfaceJson>[];
  routes?: { ipv4: ReturnType<typeof ipv4RouteJson>[]; ipv6: ReturnType<typeof ipv6RouteJson>[] };
  stats?: Record<string, Record<string, number>>;
  groups?: ReturnType<typeof groupJson>[];
  errors: SourceProblem[];
}

export async function runNetstat(argv: readonly string[], io: NetstatIo): Promise<number> {
  let args: NetstatArgs;
  try {
    args = parseNetstatArgs(argv);
  } catch (e) {
    if (!(e instanceof NetstatUsageError)) throw e;
    io.err(`wirestat netstat: ${e.message}\n${NETSTAT_USAGE}`);
    return NETSTAT_EXIT_USAGE;
  }
  if (args.help) {
    io.out.write(NETSTAT_USAGE);
    return 0;
  }
  if (args.netns !== null && currentNetns() !== args.netns) {
    try {
      return await enterNetns(args.netns, io.script, ['netstat', ...argv]);
    } catch (e) {
      if (!(e instanceof NetnsError)) throw e;
      io.err(`wirestat netstat: ${e.message}\n`);
      return 2;
    }
  }
  let code = 0;
  for (;;) {
    code = Math.max(code, await once(args, io));
    if (args.interval === null || io.signal?.aborted) return code;
    try {
      await sleep(args.interval * 1000, undefined, io.signal ? { signal: io.signal } : {});
    } catch {
      return code;
    }
  }
}

/** One listing; returns its exit status. */
async function once(args: NetstatArgs, io: NetstatIo): Promise<number> {
  const errors: SourceProblem[] = [];
  const lines: string[] = [];
  const notes: string[] = [];
  const f = args.flags;
  const doc: NetstatDocument = {
    schema: NETSTAT_SCHEMA,
    time: Date.now() / 1000,
    hostname: hostname(),
    netns: currentNetns(),
    sockets: [],
    packet_sockets: [],
    processes_complete: true,
    errors,
  };
  const roots = { procRoot: io.procRoot, sysRoot: io.sysRoot };

  // netstat -g walks the socket listing too: with an Internet family or protocol given, the
  // Internet sockets come before the groups; with -x (or -A unix), the UNIX ones after them.
  const groupsInet = args.view === 'groups' && (f.inet4 || f.inet6 || f.tcp || f.udp || f.udplite || f.raw);
  const groupsUnix = args.view === 'groups' && f.unix;
  const socketListing = args.view === 'sockets' || groupsInet || groupsUnix;
  const after: string[] = [];
  let packets: PacketSocket[] = [];
  // Sockets: the listing itself, and in JSON always (with owners), whatever the view.
  if (socketListing || args.json || args.view === 'interfaces') {
    const owners = args.json || f.program || f.executable || args.view === 'interfaces';
    // Packet sockets (who else captures) are for JSON and -i; netstat's listing never reads them.
    // JSON carries each owner's executable too (text shows it only with -b).
    const view = readSockets(io.procRoot, args.json ? { ...f, executable: true } : f, {
      owners,
      packet: args.json || args.view === 'interfaces',
      // -i's text needs only the packet sockets: the socket tables can be large.
      sockets: socketListing || args.json,
    });
    for (const e of view.errors) errors.push(e);
    if (args.json) {
      // The same sockets the text would list: -a, -l or neither, as netstat selects them.
      doc.sockets = selectSockets(view.sockets, f).map(socketJson);
      doc.packet_sockets = view.packetSockets.map(packetSocketJson);
      doc.processes_complete = view.processesComplete;
    }
    if (socketListing && !args.json) {
      const resolve = numericHosts(f)
        ? undefined
        : await (await import('./resolve.js')).resolveAhead(addressesToResolve(view, f), { fqdn: f.fqdn, timeoutMs: io.resolveTimeoutMs ?? 2000 });
      if (args.view === 'groups') {
        const none = { tcp: false, udp: false, udplite: false, raw: false, inet4: false, inet6: false, unix: false };
        if (groupsInet) lines.push(...formatSockets(view, { ...f, unix: false }, resolve));
        if (groupsUnix) after.push(...formatSockets(view, { ...f, ...none, unix: true }, resolve));
      } else lines.push(...formatSockets(view, f, resolve));
      // netstat reads the process table first, so its note comes before the table warnings.
      const n = processNotice(view, io.euid);
      if (n !== null) notes.push(n.trimEnd());
      notes.push(...bogusLineWarnings(view));
    }
    if (args.view === 'interfaces') packets = view.packetSockets;
  }

  // Each table's modules load only when it is asked for: the socket listing starts faster.
  if (args.view === 'routes') {
    const { NO_NAMES, readNameFiles, readRoutes } = await import('../host/routes.js');
    const { formatIpv4Routes, formatIpv6Routes } = await import('../host/format-routes.js');
    if (args.families.includes('unix')) {
      // netstat.c: route_info() knows no unix routing table.
      io.err("wirestat netstat: No routing for address family `unix'.\n");
      return NETSTAT_EXIT_USAGE;
    }
    const t = await readRoutes(roots);
    // netstat -r prints each family asked for, in the order given; inet when none was.
    const fams = args.families;
    const order = fams.length > 0 ? fams : ['inet'];
    if (t.ipv4 === null && (order.includes('inet') || args.json)) errors.push(problem(`${io.procRoot}/net/route`));
    if (t.ipv6 === null && (order.includes('inet6') || args.json)) errors.push(problem(`${io.procRoot}/net/ipv6_route`));
    doc.routes = { ipv4: (t.ipv4?.records ?? []).map(ipv4RouteJson), ipv6: (t.ipv6?.records ?? []).map(ipv6RouteJson) };
    if (!args.json) {
      const names = numericHosts(f) ? NO_NAMES : await readNameFiles(io.etcRoot);
      const opts = { numeric: numericHosts(f), extend: f.extend, names };
      if (args.routeCache) notes.push('wirestat netstat: the routing cache is gone since Linux 3.6; showing the FIB');
      for (const fam of order) {
        if (fam === 'inet6') lines.push(...formatIpv6Routes(t.ipv6?.records ?? [], opts));
        else lines.push(...formatIpv4Routes(t.ipv4?.records ?? [], opts));
      }
    }
  }

  if (args.view === 'interfaces') {
    const { readInterfaces } = await import('../host/interfaces.js');
    const { formatInterfaces } = await import('../host/format-interfaces.js');
    const t = await readInterfaces(roots);
    if (t.interfaces.length === 0) errors.push(problem(`${io.procRoot}/net/dev`));
    doc.interfaces = t.interfaces.map(interfaceJson);
    if (!args.json) {
      lines.push(...formatInterfaces(t.interfaces, { all: f.all, extend: f.extend }));
      const names = new Map(t.interfaces.map((i) => [i.index, i.device]));
      lines.push(...capturingLines(packets, names));
    }
  }

  if (args.view === 'stats') {
    const fams = args.families;
    if (fams.length > 1 || fams[0] === 'unix') {
      // netstat -s shows one family at a time and says so (statistics.c).
      io.err(`wirestat netstat: No statistics support for specified address family: ${fams.join(',')}\n`);
      return NETSTAT_EXIT_PARTIAL;
    }
    const { readSnmp, snmpJson } = await import('../host/snmp.js');
    const { formatStats, formatStats6, statsSelection } = await import('../host/format-stats.js');
    const t = await readSnmp(roots);
    const v6 = fams[0] === 'inet6';
    if (t.snmp === null) errors.push(problem(`${io.procRoot}/net/snmp`));
    if ((v6 || args.json) && t.snmp6 === null) errors.push(problem(`${io.procRoot}/net/snmp6`));
    doc.stats = snmpJson(t.snmp, t.netstat, t.snmp6, t.sctp);
    if (!args.json && t.snmp !== null) {
      const sel = statsSelection(f);
      if (v6) {
        if (t.snmp6 !== null) lines.push(...formatStats6(t.snmp6, t.snmp, sel));
      } else lines.push(...formatStats(t.snmp, t.netstat, t.sctp, sel));
    }
  }

  if (args.view === 'groups') {
    const { readGroups } = await import('../host/groups.js');
    const { NO_NAMES, readNameFiles } = await import('../host/routes.js');
    const { formatGroups } = await import('../host/format-groups.js');
    const t = await readGroups(roots);
    if (t.ipv4 === null && t.ipv6 === null) errors.push(problem(`${io.procRoot}/net/igmp`));
    const all = [...(t.ipv4?.records ?? []), ...(t.ipv6?.records ?? [])];
    doc.groups = all.map(groupJson);
    if (!args.json) {
      const names = numericHosts(f) ? NO_NAMES : await readNameFiles(io.etcRoot);
      lines.push(...formatGroups(all, { numeric: numericHosts(f), inet4: f.inet4, inet6: f.inet6, names }), ...after);
    }
  }

  if (args.json) {
    io.out.write(jsonForTerminal(JSON.stringify(doc, null, io.out.isTTY && args.interval === null ? 2 : undefined)) + '\n');
  } else {
    if (lines.length > 0) io.out.write(lines.join('\n') + '\n');
    for (const n of notes) io.err(`${n}\n`);
  }
  for (const e of errors) io.err(`wirestat netstat: cannot read ${printable(e.source)}: ${e.cause}\n`);
  return errors.length > 0 ? NETSTAT_EXIT_PARTIAL : 0;
}

/** Why `path` cannot be read, for a reader that only said "null". */
function problem(path: string): SourceProblem {
  try {
    readFileSync(path);
    return { source: path, cause: 'unreadable' };
  } catch (e) {
    return { source: path, cause: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
}

/**
 * After `-i`'s table: who else on this host is capturing (AF_PACKET sockets, as `ss -0p` lists
 * them). Not a net-tools section; printed only when there is one, after a blank line.
 */
function capturingLines(packets: readonly PacketSocket[], ifaceNames: ReadonlyMap<number, string>): string[] {
  if (packets.length === 0) return [];
  const out = ['', 'Packet sockets (capturing on this host)', 'Iface            Type  Protocol  Inode      PID/Program name'];
  for (const p of packets) {
    const iface = p.ifindex === 0 ? '*' : (ifaceNames.get(p.ifindex) ?? `#${p.ifindex}`);
    const proto = p.protocol === 3 ? 'all' : `0x${p.protocol.toString(16).padStart(4, '0')}`;
    const owner = p.pid === null ? '-' : `${p.pid}/${p.program ?? ''}`;
    out.push(printable(`${iface.padEnd(16)} ${p.type.padEnd(5)} ${proto.padEnd(9)} ${String(p.inode).padEnd(10)} ${owner}`));
  }
  return out;
}

export type { NetstatFlags };
