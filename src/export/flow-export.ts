/**
 * Conversations handed to flow exporters (IPFIX, JSON lines) as they end: when the flow table
 * lets them go (their idle timeout ran out, or a full table made room) and, at the end of the
 * capture, all that remain. What was exported of each conversation is remembered, so a piece
 * never counts a packet twice (the ground for active timeouts, which cut long conversations into
 * pieces).
 */
import type { Conversations } from '../stats/conversations.js';
import { END_REASON } from './ipfix.js';

/** A piece of a conversation: what it sent by key side since the last piece, and why it ends. */
export interface FlowPiece {
  conv: Conversations;
  id: number;
  /** Packets and wire bytes since the last piece, by key side (0 = A). */
  packets: [number, number];
  bytes: [number, number];
  /** First and last packet of the conversation (seconds), null without timestamps. */
  firstTs: number | null;
  lastTs: number | null;
  /** IPFIX flowEndReason (RFC 5102 §5.11.3). */
  endReason: number;
}

export interface FlowSink {
  write(piece: FlowPiece): void;
  /** After the last piece: sends what is buffered; resolves when it is out. */
  close(): Promise<void>;
}

/** Conversations exported between two turns of the event loop at the end. */
const FINISH_CHUNK = 256;
/** Per id: packets A, packets B, bytes A, bytes B already exported. */
const SENT = 4;

export class FlowExport {
  private sent = new Float64Array(0);

  constructor(
    private readonly conv: Conversations,
    private readonly sinks: readonly FlowSink[],
  ) {
    conv.watch({
      evicting: (id) => this.emit(id, this.conv.deadline(id) < this.conv.newestTs ? END_REASON.IDLE_TIMEOUT : END_REASON.LACK_OF_RESOURCES),
      moved: (from, to) => {
        if (from * SENT < this.sent.length) this.sent.copyWithin(to * SENT, from * SENT, (from + 1) * SENT);
      },
      shrunk: (size, was) => this.sent.fill(0, size * SENT, Math.min(was * SENT, this.sent.length)),
    });
  }

  /** The end of the capture: every conversation held is exported (closed TCP: end of flow). */
  async finish(): Promise<void> {
    const c = this.conv;
    for (let id = 0; id < c.size; id++) {
      this.emit(id, c.closed(id) ? END_REASON.END_OF_FLOW : END_REASON.FORCED_END);
      // Let the sinks' sends complete now and then: their queues are bounded.
      if (id % FINISH_CHUNK === FINISH_CHUNK - 1) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(this.sinks.map((s) => s.close()));
  }

  private emit(id: number, endReason: number): void {
    const c = this.conv;
    if (this.sent.length < (id + 1) * SENT) {
      const grown = new Float64Array(Math.max((id + 1) * SENT, this.sent.length * 2, 1024));
      grown.set(this.sent);
      this.sent = grown;
    }
    const s = this.sent;
    const at = id * SENT;
    const packets: [number, number] = [c.packets(id, 0) - s[at]!, c.packets(id, 1) - s[at + 1]!];
    const bytes: [number, number] = [c.bytes(id, 0) - s[at + 2]!, c.bytes(id, 1) - s[at + 3]!];
    if (packets[0] + packets[1] === 0) return;
    s[at] += packets[0];
    s[at + 1] += packets[1];
    s[at + 2] += bytes[0];
    s[at + 3] += bytes[1];
    const first = c.firstTs(id);
    const last = c.lastTs(id);
    const piece: FlowPiece = {
      conv: c,
      id,
      packets,
      bytes,
      firstTs: Number.isFinite(first) ? first : null,
      lastTs: Number.isFinite(last) ? last : null,
      endReason,
    };
    for (const sink of this.sinks) sink.write(piece);
  }
}
