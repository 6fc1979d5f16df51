/**
 * The report's `local` section: how much of the wire involves this host, how much of that its
 * socket table explains, what it does not, and which of its connections the wire never showed.
 * Every conversation is labelled by LocalJoin (local-join.ts); packets outside conversations
 * (ARP, non-IP) involve no host address and count only in the totals.
 */
import { IPPROTO } from '../decode/summary.js';
import { routeInterface } from '../host/route-lookup.js';
import type { LocalJoin, LocalLabel, UnexplainedReason } from './local-join.js';
import { formatIp, parseEndpoint } from './address.js';
import { emptyHostWire, hostCounters, type HostCounters, type HostWire } from './host-counters.js';
import type { WireStats } from './wire-stats.js';
import type { HostSnapshot } from '../host/snapshot.js';

export interface LabelCount {
  conversations: number;
  packets: number;
  bytes: number;
}

export interface LocalSection {
  /** The host's addresses the labels used (from its snapshots), and how many snapshots. */
  addresses: string[];
  snapshots: number;
  /** Every wire packet and byte, and those of conversations with an end on this host. */
  wire: { packets: number; bytes: number };
  host: { packets: number; bytes: number };
  explained: LabelCount;
  unexplained: LabelCount;
  third_party: LabelCount;
  /** The unexplained ones by why (local-join.ts UnexplainedReason): no_socket are the ones to look at. */
  unexplained_by_reason: Record<'no_socket' | 'other_address' | 'refused' | 'kernel', LabelCount>;
  /** Shares of the wire (0..1): involving this host ("what netstat could ever see"), and
   *  explained by a socket (of the wire, and of the host's own traffic). Null for an empty wire. */
  share: {
    host_packets: number | null;
    host_bytes: number | null;
    explained_packets: number | null;
    explained_bytes: number | null;
    explained_of_host_packets: number | null;
    explained_of_host_bytes: number | null;
  };
  /**
   * Established connections of the newest snapshot whose traffic never crossed this capture,
   * each with the interface its routing table sends to the remote by (null: no route
   * matched), and whether that is another interface than the captured one (null: the captured
   * one is not known).
   */
  quiet_sockets: {
    proto: string;
    local: string;
    remote: string;
    pid: number | null;
    program: string | null;
    interface: string | null;
    elsewhere: boolean | null;
  }[];
  /** The captured interface the counters are read for: named live, inferred from a file. */
  interface: string | null;
  /** The NIC's and the stack's counters beside the wire (host-counters.ts); null from one snapshot. */
  counters: HostCounters | null;
}

const KEY: Record<LocalLabel, 'explained' | 'unexplained' | 'third_party'> = {
  explained: 'explained',
  unexplained: 'unexplained',
  'third-party': 'third_party',
};

const REASON_KEY: Record<UnexplainedReason, keyof LocalSection['unexplained_by_reason']> = {
  'no-socket': 'no_socket',
  'other-address': 'other_address',
  refused: 'refused',
  kernel: 'kernel',
};

const ratio = (x: number, of: number): number | null => (of > 0 ? x / of : null);

/**
 * The section. `iface` is the captured interface when known (live); from a file it is taken
 * as the interface that holds the host address with the most packets in the capture.
 */
export function localSection(stats: WireStats, join: LocalJoin, iface: string | null = null): LocalSection {
  const c = stats.conversations;
  const count = (): LabelCount => ({ conversations: 0, packets: 0, bytes: 0 });
  const by = { explained: count(), unexplained: count(), third_party: count() };
  const why = { no_socket: count(), other_address: count(), refused: count(), kernel: count() };
  const wire = emptyHostWire();
  /** Host address → packets of conversations with that end (for the inferred interface). */
  const seen = new Map<string, number>();
  for (let id = 0; id < c.size; id++) {
    const x = join.classifyConversation(c, id);
    const label = x.label;
    const packets = c.packets(id, 0) + c.packets(id, 1);
    const bytes = c.bytes(id, 0) + c.bytes(id, 1);
    for (const k of [by[KEY[label]], x.reason === null ? null : why[REASON_KEY[x.reason]]]) {
      if (k === null) continue;
      k.conversations++;
      k.packets += packets;
      k.bytes += bytes;
    }
    if (label !== 'third-party') countHostSides(stats, join, id, wire, seen, packets);
  }
  const host = { packets: by.explained.packets + by.unexplained.packets, bytes: by.explained.bytes + by.unexplained.bytes };
  const span = join.span();
  const captured = iface ?? (span ? interfaceOf(span.last, busiest(seen)) : null);
  const own = (addr: string): boolean => join.isLocalAddress(addr);
  return {
    addresses: join.hostAddresses(),
    snapshots: join.size,
    wire: { packets: stats.packets, bytes: stats.bytes },
    host,
    ...by,
    unexplained_by_reason: why,
    share: {
      host_packets: ratio(host.packets, stats.packets),
      host_bytes: ratio(host.bytes, stats.bytes),
      explained_packets: ratio(by.explained.packets, stats.packets),
      explained_bytes: ratio(by.explained.bytes, stats.bytes),
      explained_of_host_packets: ratio(by.explained.packets, host.packets),
      explained_of_host_bytes: ratio(by.explained.bytes, host.bytes),
    },
    quiet_sockets: join.quietSockets(c).map((s) => {
      const r = parseEndpoint(s.remote);
      const out = span && r ? routeInterface(span.last.routes, formatIp(r.version, r.words), own) : null;
      return {
        proto: s.proto,
        local: s.local,
        remote: s.remote,
        pid: s.pid,
        program: s.program,
        interface: out,
        elsewhere: out === null || captured === null ? null : out !== captured,
      };
    }),
    interface: captured,
    counters: hostCounters(span, captured, { packets: stats.packets, bytes: stats.bytes }, wire),
  };
}

/**
 * Adds a local conversation's TCP/UDP figures to `wire`, for each end that is one of the host's
 * addresses (sent by it, received by it), and its packets to `seen` under that address.
 */
function countHostSides(stats: WireStats, join: LocalJoin, id: number, wire: HostWire, seen: Map<string, number>, packets: number): void {
  const c = stats.conversations;
  const proto = c.proto(id);
  const t = proto === IPPROTO.TCP ? c.tcpIndex(id) : -1;
  for (let side = 0; side < 2; side++) {
    const addr = formatIp(c.version(id), c.table.u32, c.addrOffset(id, side));
    if (!join.isLocalAddress(addr)) continue;
    seen.set(addr, (seen.get(addr) ?? 0) + packets);
    const sent = c.packets(id, side);
    const received = c.packets(id, 1 - side);
    if (proto === IPPROTO.TCP) {
      wire.tcp.sent += sent;
      wire.tcp.received += received;
      if (t >= 0) {
        wire.tcp.resets_sent += c.tcp.resets(t, side);
        wire.tcp.retransmissions_sent += c.tcp.retransmissions(t, side);
      }
    } else if (proto === IPPROTO.UDP) {
      wire.udp.sent += sent;
      wire.udp.received += received;
    }
  }
}

/** The address with the most packets, or null. */
function busiest(seen: Map<string, number>): string | null {
  let best: string | null = null;
  let most = -1;
  for (const [addr, n] of seen) if (n > most) [best, most] = [addr, n];
  return best;
}

/** The interface of a snapshot that holds `addr`, or null. */
function interfaceOf(snap: HostSnapshot, addr: string | null): string | null {
  if (addr === null) return null;
  for (const i of snap.interfaces) if ([...i.ipv4, ...i.ipv6].some((a) => a.address === addr)) return i.device;
  return null;
}
