/**
 * The aggregate of everything seen: totals, conversations, endpoints, protocols. A reducer:
 * `ingest(summary)` only updates tables; output is built from it elsewhere (snapshot.ts).
 */
import type { PacketSummary } from '../decode/summary.js';
import { Conversations } from './conversations.js';
import type { FlowTableOptions } from './flow-policy.js';
import { DEFAULT_MAX_ENDPOINTS, Endpoints } from './endpoints.js';
import { Protocols, type ProtocolsState } from './protocols.js';

/** The per-packet totals and protocol counts, as a decode worker posts them (see analyze.ts). */
export interface TotalsState {
  packets: number;
  bytes: number;
  capturedBytes: number;
  firstTs: number;
  lastTs: number;
  protocols: ProtocolsState;
}

export interface StatsOptions {
  /** The conversations' table: capacity, what happens when it is full, idle timeouts. */
  flows?: FlowTableOptions;
  maxEndpoints?: number;
}

export class WireStats {
  packets = 0;
  /** Wire (original) bytes: what tshark counts, also when a snap length cut the capture. */
  bytes = 0;
  capturedBytes = 0;
  firstTs = Infinity;
  lastTs = -Infinity;
  readonly conversations: Conversations;
  readonly endpoints: Endpoints;
  readonly protocols = new Protocols();

  constructor(opts: StatsOptions = {}) {
    const c = new Conversations(opts.flows ?? {});
    const e = new Endpoints(opts.maxEndpoints ?? DEFAULT_MAX_ENDPOINTS);
    // A conversation leaving the table leaves its counts with its endpoints.
    c.watch({ evicting: (id) => e.settle(c, id), moved: (from, to) => e.moved(from, to), shrunk: (size, was) => e.shrunk(size, was) });
    this.conversations = c;
    this.endpoints = e;
  }

  ingest(s: PacketSummary): void {
    this.ingestTotals(s);
    this.ingestFlows(s);
  }

  /**
   * The part of `ingest` that needs no flow table: totals, time extremes and protocols. A decode
   * worker counts these itself (they cost the counting thread a tenth of its time) and hands them
   * over with `totalsState()` / `adoptTotals()`.
   */
  ingestTotals(s: PacketSummary): void {
    this.packets++;
    this.bytes += s.wirelen;
    this.capturedBytes += s.caplen;
    if (s.hasTs) {
      // Files may be out of order: first/last are the extremes, so durations never go negative.
      if (s.ts < this.firstTs) this.firstTs = s.ts;
      if (s.ts > this.lastTs) this.lastTs = s.ts;
    }
    this.protocols.ingest(s);
  }

  /** The other part: conversations and endpoints. */
  ingestFlows(s: PacketSummary): void {
    const c = this.conversations;
    const id = c.ingest(s);
    if (id >= 0) this.endpoints.ingestConversation(s, c, id, c.lastDir);
    else this.endpoints.ingest(s);
  }

  totalsState(): TotalsState {
    return {
      packets: this.packets,
      bytes: this.bytes,
      capturedBytes: this.capturedBytes,
      firstTs: this.firstTs,
      lastTs: this.lastTs,
      protocols: this.protocols.state(),
    };
  }

  adoptTotals(t: TotalsState): void {
    this.packets = t.packets;
    this.bytes = t.bytes;
    this.capturedBytes = t.capturedBytes;
    this.firstTs = t.firstTs;
    this.lastTs = t.lastTs;
    this.protocols.restore(t.protocols);
  }
}
