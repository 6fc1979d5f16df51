/**
 * Conversations handed to flow exporters (IPFIX, JSON lines) as they end or run long, in pieces.
 * What was exported of each conversation is remembered, so a piece never counts a packet twice
 * and the pieces of a conversation add up to it.
 */
import type { Conversations } from '../stats/conversations.js';
import { printable } from '../host/sanitize.js';
import { END_REASON } from './ipfix.js';
import type { ExportSink } from './targets.js';

/** A piece of a conversation: what it sent by key side since the last piece, and why it ends. */
export interface FlowPiece {
  conv: Conversations;
  id: number;
  /** Packets and wire bytes since the last piece, by key side (0 = A). */
  packets: [number, number];
  bytes: [number, number];
  /** When the piece began (the conversation's first packet, or the end of its last piece) and
   *  its last packet, in seconds; null without timestamps. */
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
/** Per id: packets A, packets B, bytes A, bytes B already exported, and when the piece began. */
const SENT = 5;
const PIECE_START = 4;

/** NetFlow's usual active timeout (Cisco's default, 30 minutes). */
export const DEFAULT_ACTIVE_TIMEOUT = 1800;

export interface FlowExportOptions {
  /** Seconds after which a conversation still running is exported in a piece (active timeout). */
  activeTimeout?: number | undefined;
}

/**
 * Exports conversations to `sinks` as they end or run long, by the capture's clock:
 * - a conversation silent past its idle timeout (the flow table's, per protocol) is exported then
 *   (flowEndReason idle timeout), and again in a new piece if it comes back;
 * - one running longer than the active timeout since its piece began is exported in a piece
 *   (active timeout) and goes on in the next;
 * - one the flow table lets go is exported as it leaves (idle timeout if it had expired, else
 *   lack of resources);
 * - at the end of the capture, the rest (end of flow for a closed TCP connection, else forced end).
 * Timeouts are checked once a second of capture time (a pass over the conversations held).
 */
export class FlowExport {
  private sent = new Float64Array(0);
  readonly activeTimeout: number;
  /** The capture time of the last timeout pass. */
  private lastPass = -Infinity;

  constructor(
    private readonly conv: Conversations,
    private readonly sinks: readonly ExportSink[],
    opts: FlowExportOptions = {},
  ) {
    this.activeTimeout = opts.activeTimeout ?? DEFAULT_ACTIVE_TIMEOUT;
    conv.watch({
      evicting: (id) => this.emit(id, this.conv.deadline(id) < this.conv.newestTs ? END_REASON.IDLE_TIMEOUT : END_REASON.LACK_OF_RESOURCES),
      moved: (from, to) => {
        if (from * SENT < this.sent.length) this.sent.copyWithin(to * SENT, from * SENT, (from + 1) * SENT);
      },
      shrunk: (size, was) => this.sent.fill(0, size * SENT, Math.min(was * SENT, this.sent.length)),
    });
    const timer = {
      at: -Infinity,
      fire: (now: number): void => {
        // The first packet's second starts the clock; then one pass a second.
        if (timer.at !== -Infinity) this.timeouts(now);
        timer.at = Math.floor(now) + 1;
      },
    };
    conv.timer = timer;
  }

  /**
   * The clock moved without a packet (a live capture on a quiet link, once a second): the
   * timeouts run if their second has come.
   */
  tick(now: number): void {
    const timer = this.conv.timer;
    if (timer !== null && timer.at !== -Infinity && now >= timer.at) timer.fire(now);
  }

  /** Messages (or batches of lines) the sinks dropped or failed to send so far. */
  dropped(): number {
    return this.sinks.reduce((n, s) => n + s.dropped + s.errors, 0);
  }

  /**
   * The end of the capture: every conversation held is exported (closed TCP: end of flow), and
   * the sinks closed. Returns a line for each sink that lost something, to print on stderr.
   */
  async finish(): Promise<string[]> {
    const c = this.conv;
    c.timer = null;
    for (let id = 0; id < c.size; id++) {
      this.emit(id, c.closed(id) ? END_REASON.END_OF_FLOW : END_REASON.FORCED_END);
      // Let the sinks' sends complete now and then: their queues are bounded.
      if (id % FINISH_CHUNK === FINISH_CHUNK - 1) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(this.sinks.map((s) => s.close()));
    return this.sinks.flatMap((s) => {
      const problems = s.problems();
      return problems === null ? [] : [`wirestat: ${printable(s.target.text)}: ${problems}`];
    });
  }

  /** The idle and active timeouts at capture time `now`. */
  private timeouts(now: number): void {
    const c = this.conv;
    for (let id = 0; id < c.size; id++) {
      // Read each time: an export below may grow the array.
      const s = this.sent;
      const at = id * SENT;
      // Back after an idle piece: the new piece began since the last pass (to within a second).
      if (at < s.length && Number.isNaN(s[at + PIECE_START]!) && c.packets(id, 0) + c.packets(id, 1) > s[at]! + s[at + 1]!) s[at + PIECE_START] = this.lastPass;
      if (c.deadline(id) < now) this.emit(id, END_REASON.IDLE_TIMEOUT, now);
      else if (now - this.pieceStart(id) >= this.activeTimeout) this.emit(id, END_REASON.ACTIVE_TIMEOUT, now);
    }
    this.lastPass = now;
  }

  /**
   * When conversation `id`'s current piece began: its first packet, the end of the last piece
   * (active timeout), or after an idle piece the pass that first saw it back; NaN while that is
   * not known yet (no active timeout runs then).
   */
  private pieceStart(id: number): number {
    const at = id * SENT + PIECE_START;
    const s = at < this.sent.length ? this.sent[at]! : 0;
    return s !== 0 ? s : this.conv.firstTs(id);
  }

  /** Exports what conversation `id` counted since its last piece (nothing when it counted none). */
  private emit(id: number, endReason: number, now?: number): void {
    const c = this.conv;
    if (this.sent.length < (id + 1) * SENT) {
      const grown = new Float64Array(Math.max((id + 1) * SENT, this.sent.length * 2, 1024 * SENT));
      grown.set(this.sent);
      this.sent = grown;
    }
    const s = this.sent;
    const at = id * SENT;
    const packets: [number, number] = [c.packets(id, 0) - s[at]!, c.packets(id, 1) - s[at + 1]!];
    const bytes: [number, number] = [c.bytes(id, 0) - s[at + 2]!, c.bytes(id, 1) - s[at + 3]!];
    if (packets[0] + packets[1] === 0) return;
    let start = this.pieceStart(id);
    // Back after an idle piece, and no pass has seen it yet: since the last pass.
    if (Number.isNaN(start)) start = Math.min(this.lastPass, c.lastTs(id));
    s[at] += packets[0];
    s[at + 1] += packets[1];
    s[at + 2] += bytes[0];
    s[at + 3] += bytes[1];
    // The next piece begins now (active timeout), or at the first packet after the silence (idle).
    if (now !== undefined) s[at + PIECE_START] = endReason === END_REASON.IDLE_TIMEOUT ? NaN : now;
    const last = c.lastTs(id);
    const piece: FlowPiece = {
      conv: c,
      id,
      packets,
      bytes,
      firstTs: Number.isFinite(start) ? start : null,
      lastTs: Number.isFinite(last) ? last : null,
      endReason,
    };
    for (const sink of this.sinks) sink.write(piece);
  }
}
