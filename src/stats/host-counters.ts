/**
 * The host's own counters beside the wire: what its NIC counted against what the capture got,
 * and what its TCP/UDP stacks counted (/proc/net/snmp, snmp6) against the segments and datagrams
 * the wire carried to and from its addresses. Both kernel sides are the growth between the
 * earliest and the latest host snapshot, so they cover that span, not the capture's: a capture
 * recorded with its snapshots (`wirestat compare -i IF -w FILE`) has one taken before the
 * first packet and one after the last.
 *
 * The figures are put side by side, never forced to agree: the stack counts every interface
 * (loopback too, listed under `other_interfaces`), a GSO/TSO segment the stack counts several
 * times crosses a veth capture point as one frame, and Zeek's retransmission rule (payload that
 * does not advance the sequence) is not the kernel's RetransSegs (which also counts SYNs and
 * timeouts). Linux's OutSegs leaves retransmitted segments out (RFC 1213's tcpOutSegs), so the
 * segments the host's stack put on the wire are OutSegs + RetransSegs; segments on the wire
 * beyond that were not sent by the stack (a raw socket's). A RST the host sent is a RST on the wire either way: OutRsts against the RSTs seen
 * from its addresses is the one that should match on a host whose traffic all crosses the
 * capture; more RSTs in the kernel than on the wire is traffic by another path.
 */
import type { HostSnapshot } from '../host/snapshot.js';

/** What the wire showed of this host's TCP and UDP (sent: from one of its addresses). */
export interface HostWire {
  tcp: { sent: number; received: number; resets_sent: number; retransmissions_sent: number };
  udp: { sent: number; received: number };
}

export function emptyHostWire(): HostWire {
  return { tcp: { sent: 0, received: 0, resets_sent: 0, retransmissions_sent: 0 }, udp: { sent: 0, received: 0 } };
}

export interface InterfaceGrowth {
  name: string;
  rx_packets: number;
  tx_packets: number;
  rx_bytes: number;
  tx_bytes: number;
  rx_dropped: number;
}

export interface HostCounters {
  /** The snapshots' times (seconds since the epoch): the span the kernel figures cover. */
  from: number;
  to: number;
  /** The captured interface's counters grown over the span, or null when it is not in both. */
  interface: InterfaceGrowth | null;
  /** Packets and wire bytes in the capture. */
  captured: { packets: number; bytes: number };
  /** Every other interface whose counters grew (the stack's figures include their traffic). */
  other_interfaces: InterfaceGrowth[];
  tcp: {
    wire: HostWire['tcp'];
    kernel: { out_segs: number | null; in_segs: number | null; out_rsts: number | null; retrans_segs: number | null };
  };
  udp: {
    wire: HostWire['udp'];
    /** IPv4 and IPv6 together (Udp and Udp6), as the wire's figures are. */
    kernel: { out_datagrams: number | null; in_datagrams: number | null };
  };
}

/** A counter's growth between two snapshots, or null when missing or gone backwards (a reset). */
function growth(first: HostSnapshot, last: HostSnapshot, section: string, name: string): number | null {
  const a = first.stats?.[section]?.[name];
  const b = last.stats?.[section]?.[name];
  if (a === undefined || b === undefined || b < a) return null;
  return b - a;
}

function sum(...xs: (number | null)[]): number | null {
  let t = 0;
  for (const x of xs) {
    if (x === null) return null;
    t += x;
  }
  return t;
}

const IFACE_COUNTERS = ['rx_packets', 'tx_packets', 'rx_bytes', 'tx_bytes', 'rx_dropped'] as const;

function interfaceGrowth(first: HostSnapshot, last: HostSnapshot, name: string): InterfaceGrowth | null {
  const a = first.interfaces.find((i) => i.name === name)?.statistics;
  const b = last.interfaces.find((i) => i.name === name)?.statistics;
  if (a == null || b == null) return null;
  const out: InterfaceGrowth = { name, rx_packets: 0, tx_packets: 0, rx_bytes: 0, tx_bytes: 0, rx_dropped: 0 };
  for (const k of IFACE_COUNTERS) {
    const x = a[k];
    const y = b[k];
    // An interface re-created between the snapshots starts from zero again: its growth is unknown.
    if (x === undefined || y === undefined || y < x) return null;
    out[k] = y - x;
  }
  return out;
}

/**
 * The reconciliation over `span`; null with fewer than two snapshots at different times (one
 * moment has no growth). `iface` is the captured interface (live: the one named; from a file:
 * the one holding the host address seen most), null when unknown.
 */
export function hostCounters(
  span: { first: HostSnapshot; last: HostSnapshot } | null,
  iface: string | null,
  captured: { packets: number; bytes: number },
  wire: HostWire,
): HostCounters | null {
  if (span === null || span.last.time <= span.first.time) return null;
  const { first, last } = span;
  const others: InterfaceGrowth[] = [];
  for (const i of last.interfaces) {
    if (i.name === iface || i.device !== i.name) continue;
    const g = interfaceGrowth(first, last, i.name);
    if (g !== null && g.rx_packets + g.tx_packets > 0) others.push(g);
  }
  return {
    from: first.time,
    to: last.time,
    interface: iface === null ? null : interfaceGrowth(first, last, iface),
    captured,
    other_interfaces: others,
    tcp: {
      wire: wire.tcp,
      kernel: {
        out_segs: growth(first, last, 'Tcp', 'OutSegs'),
        in_segs: growth(first, last, 'Tcp', 'InSegs'),
        out_rsts: growth(first, last, 'Tcp', 'OutRsts'),
        retrans_segs: growth(first, last, 'Tcp', 'RetransSegs'),
      },
    },
    udp: {
      wire: wire.udp,
      kernel: {
        out_datagrams: sum(growth(first, last, 'Udp', 'OutDatagrams'), growth(first, last, 'Udp6', 'Udp6OutDatagrams')),
        in_datagrams: sum(growth(first, last, 'Udp', 'InDatagrams'), growth(first, last, 'Udp6', 'Udp6InDatagrams')),
      },
    },
  };
}
