/**
 * The report's `local` section: how much of the wire involves this host, how much of that its
 * socket table explains, what it does not, and which of its connections the wire never showed.
 * Every conversation is labelled by LocalJoin (local-join.ts); packets outside conversations
 * (ARP, non-IP) involve no host address and count only in the totals.
 */
import { conversationProtoName } from './conversations.js';
import type { ConversationRow } from './snapshot.js';
import type { LocalJoin, LocalLabel } from './local-join.js';
import { formatEndpoint } from './address.js';
import type { WireStats } from './wire-stats.js';

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
  /** Established connections of the newest snapshot whose traffic never crossed this capture. */
  quiet_sockets: { proto: string; local: string; remote: string; pid: number | null; program: string | null }[];
}

const KEY: Record<LocalLabel, 'explained' | 'unexplained' | 'third_party'> = {
  explained: 'explained',
  unexplained: 'unexplained',
  'third-party': 'third_party',
};

const ratio = (x: number, of: number): number | null => (of > 0 ? x / of : null);

/** The rows with their labels and owners (new objects). */
export function labelRows(rows: ConversationRow[], join: LocalJoin): ConversationRow[] {
  return rows.map((r) => {
    const x = join.classify(r.proto, r.a, r.b);
    return { ...r, local: x.label, pid: x.pid, program: x.program };
  });
}

export function localSection(stats: WireStats, join: LocalJoin): LocalSection {
  const c = stats.conversations;
  const keys = c.table.u32;
  const count = (): LabelCount => ({ conversations: 0, packets: 0, bytes: 0 });
  const by = { explained: count(), unexplained: count(), third_party: count() };
  for (let id = 0; id < c.size; id++) {
    const v = c.version(id);
    const ports = c.hasPorts(id);
    // Originator first, as the rows have it (ICMP is the host's own only when it started it).
    const o = c.origSide(id);
    const a = formatEndpoint(v, keys, c.addrOffset(id, o), ports ? c.port(id, o) : null);
    const b = formatEndpoint(v, keys, c.addrOffset(id, 1 - o), ports ? c.port(id, 1 - o) : null);
    const label = join.classify(conversationProtoName(c.proto(id)), a, b).label;
    const k = by[KEY[label]];
    k.conversations++;
    k.packets += c.packets(id, 0) + c.packets(id, 1);
    k.bytes += c.bytes(id, 0) + c.bytes(id, 1);
  }
  const host = { packets: by.explained.packets + by.unexplained.packets, bytes: by.explained.bytes + by.unexplained.bytes };
  return {
    addresses: join.hostAddresses(),
    snapshots: join.size,
    wire: { packets: stats.packets, bytes: stats.bytes },
    host,
    ...by,
    share: {
      host_packets: ratio(host.packets, stats.packets),
      host_bytes: ratio(host.bytes, stats.bytes),
      explained_packets: ratio(by.explained.packets, stats.packets),
      explained_bytes: ratio(by.explained.bytes, stats.bytes),
      explained_of_host_packets: ratio(by.explained.packets, host.packets),
      explained_of_host_bytes: ratio(by.explained.bytes, host.bytes),
    },
    quiet_sockets: join.quietSockets(c).map((s) => ({ proto: s.proto, local: s.local, remote: s.remote, pid: s.pid, program: s.program })),
  };
}
