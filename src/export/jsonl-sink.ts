/**
 * `--export jsonl:FILE` (`jsonl:-`: standard output): conversations as JSON lines with Zeek's
 * conn.log field names (scripts/base/protocols/conn/main.zeek, `Conn::Info`), so jq pipelines and
 * tools that read Zeek's JSON logs read them. One line per FlowPiece: a conversation that leaves
 * the flow table, or that is still held at the end of the capture.
 *
 * What each field holds, and where wirestat cannot mean what Zeek means (README, "JSON lines"):
 *  - `ts`: the conversation's first packet (seconds, µs). `duration`: last − first packet, both
 *    rounded to µs as the report has them, and only when above 0 (Zeek sets it, with `orig_bytes`,
 *    only when `c$duration > 0secs`). Zeek leaves trailing non-productive TCP packets (the last
 *    ACK of a close) out of its duration; wirestat counts every packet.
 *  - `uid`: "C" and 17 base62 digits of 96 bits of SHA-256 over the conversation's serial number,
 *    its key (protocol, addresses, ports) and its first packet time: the same capture gives the
 *    same uids (tests, diffs), two captures practically never share one, and every piece of one
 *    conversation has the same uid. A conversation that comes back after its eviction is a new
 *    row, so a new uid (as after Zeek's timeouts).
 *  - `id.orig_*` is the report's `a` (the originator), `id.resp_*` its `b`. Ports only where the
 *    row is keyed by ports (TCP, UDP); Zeek puts ICMP's type and code there, which a wirestat row
 *    (one per address pair, every type in it) does not have: absent, never a made-up 0.
 *  - `proto`: tcp, udp, icmp (ICMPv6 too, as Zeek), else unknown_transport; `ip_proto` (Zeek 6)
 *    the IP protocol number, absent for a row of later fragments (their protocol is not known).
 *  - `conn_state`: TCP, the report's state; otherwise Zeek's conn_state() for the rest: UDP SF
 *    when both sides sent, S0 only the originator, SHR only the responder; other protocols OTH.
 *    `history`: TCP only (the report's); Zeek's UDP `D`/`d` need payload lengths, not kept.
 *  - `orig_pkts`/`resp_pkts`: the piece's packets per direction.
 *  - Zeek's `orig_bytes`/`resp_bytes` are payload bytes (TCP sequence space) and `orig_ip_bytes`/
 *    `resp_ip_bytes` the IP total lengths; wirestat counts frame (wire) bytes, which include the
 *    link header and Ethernet padding, so neither can be derived. Those four are absent, and the
 *    piece's wire bytes are `orig_wire_bytes`/`resp_wire_bytes` (wirestat's names).
 *  - With a host view (`--host`): `local` (explained, unexplained, third-party), and the
 *    explaining socket's `pid` and `program` when known.
 * A value that is not known is left out, as Zeek's JSON writer leaves out unset fields: no null.
 *
 * Pieces: counts are those since the previous line of the same uid (deltas, as IPFIX's), so
 * summing by uid gives the conversation's totals; `ts`, `duration`, `conn_state` and `history`
 * describe the whole conversation up to that line. Today a conversation is one line unless
 * active timeouts cut it.
 *
 * Writing never waits for the disk or the reader: lines go out in batches through the stream,
 * and while the stream asks to wait (backpressure) batches queue here, up to MAX_QUEUED; beyond
 * that they are dropped and counted, as the IPFIX sink drops messages, so a stalled reader of
 * `jsonl:-` cannot stall or swell a capture. `close()` writes what is left and waits for it.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { jsonForTerminal } from '../host/sanitize.js';
import { formatIp } from '../stats/address.js';
import { type Conversations, PROTO_FRAGMENT } from '../stats/conversations.js';
import type { LocalJoin } from '../stats/local-join.js';
import { IPPROTO } from '../decode/summary.js';
import type { FlowPiece } from './flow-export.js';
import type { ExportSink, ExportTarget } from './targets.js';

/** A batch is handed to the stream when it reaches this many characters. */
const BATCH_CHARS = 64 * 1024;
/** Characters queued while the stream applies backpressure, at most (about 64 MB of lines). */
const MAX_QUEUED = 64 * 1024 * 1024;

export interface JsonlTarget {
  /** A file (created or truncated), or "-" for standard output. */
  path: string;
}

/** `jsonl:FILE` or `jsonl:-`; throws a one-line Error otherwise. */
export function parseJsonlTarget(text: string): JsonlTarget {
  const path = text.slice('jsonl:'.length);
  if (!text.startsWith('jsonl:') || path === '') throw new Error(`"${text}" is not jsonl:FILE or jsonl:- (standard output)`);
  return { path };
}

/** Whether a target writes to standard output (which the report then cannot use). */
export function writesStdout(target: ExportTarget): boolean {
  return target.kind === 'jsonl' && target.path === '-';
}

export interface JsonlOptions {
  /** The host view that labels conversations (report --host); null or absent: no labels. */
  host?: LocalJoin | null;
  /** Where `jsonl:-` writes (the CLI: process.stdout). */
  stdout?: Writable;
  /** Characters queued under backpressure before lines are dropped (default MAX_QUEUED). */
  maxQueued?: number;
}

/** Zeek's transport_proto for wirestat's protocol numbers (the rest: unknown_transport). */
function zeekProto(proto: number): string {
  if (proto === IPPROTO.TCP) return 'tcp';
  if (proto === IPPROTO.UDP) return 'udp';
  if (proto === IPPROTO.ICMP || proto === IPPROTO.ICMPV6) return 'icmp';
  return 'unknown_transport';
}

/** Seconds at µs precision, as the report writes times. */
function micros(t: number): number {
  return Math.round(t * 1e6) / 1e6;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Base62 digits of a 96-bit number (62^17 > 2^96). */
const UID_DIGITS = 17;
/** The uid hash's input: serial, protocol word, both addresses (4 words each), ports, first ts. */
const UID_INPUT_BYTES = 4 + 4 + 32 + 4 + 8;

export class JsonlSink implements ExportSink {
  /** Lines made, and of those the ones the stream wrote (its callback came without error). */
  made = 0;
  written = 0;
  /** Lines dropped before reaching the stream: the queue was full, or the stream had failed. */
  dropped = 0;
  /** The stream's error, once it failed. */
  error: string | null = null;

  /** 1 once the stream failed (its lines are counted in `dropped` or not written). */
  get errors(): number {
    return this.error !== null ? 1 : 0;
  }
  private batch = '';
  private batchLines = 0;
  private readonly queue: Array<{ text: string; lines: number }> = [];
  private queued = 0;
  private waiting = false;
  private idle: (() => void) | null = null;
  private readonly uidInput = Buffer.alloc(UID_INPUT_BYTES);

  private constructor(
    private readonly out: Writable,
    /** Ours to end at close (a file); standard output is left open. */
    private readonly owned: boolean,
    readonly target: ExportTarget,
    private readonly host: LocalJoin | null,
    private readonly maxQueued: number,
  ) {
    out.on('error', (err: Error) => {
      if (this.error === null) this.error = err.message;
      for (const q of this.queue) this.dropped += q.lines;
      this.queue.length = 0;
      this.queued = 0;
      this.waiting = false;
      this.settle();
    });
    out.on('drain', () => this.drain());
  }

  /** Opens (creates or truncates) the file before the capture is read; throws a one-line Error. */
  static async open(target: ExportTarget & JsonlTarget, opts: JsonlOptions = {}): Promise<JsonlSink> {
    const host = opts.host ?? null;
    const maxQueued = opts.maxQueued ?? MAX_QUEUED;
    if (target.path === '-') return new JsonlSink(opts.stdout ?? process.stdout, false, target, host, maxQueued);
    const file = createWriteStream(target.path);
    await new Promise<void>((resolve, reject) => {
      file.once('error', reject);
      file.once('ready', () => {
        file.off('error', reject);
        resolve();
      });
    }).catch((err: Error) => {
      throw new Error(`${target.text}: ${err.message}`);
    });
    return new JsonlSink(file, true, target, host, maxQueued);
  }

  problems(): string | null {
    if (this.error !== null) return `${this.error}; ${this.made - this.written} of ${this.made} lines not written`;
    return this.dropped > 0 ? `${this.dropped} of ${this.made} lines dropped (the writer fell behind)` : null;
  }

  write(p: FlowPiece): void {
    this.made++;
    if (this.error !== null) {
      this.dropped++;
      return;
    }
    // Stringified now: the row is readable only during this call (it may be leaving the table).
    this.batch += `${jsonForTerminal(JSON.stringify(this.record(p)))}\n`;
    this.batchLines++;
    if (this.batch.length >= BATCH_CHARS) this.flushBatch();
  }

  async close(): Promise<void> {
    this.flushBatch();
    if (this.waiting) await new Promise<void>((r) => (this.idle = r));
    if (this.error !== null) return;
    await new Promise<void>((resolve) => {
      const done = (): void => resolve();
      this.out.once('error', done);
      // A file is ended (its 'finish' after the last byte reached the kernel); standard output
      // stays open for whoever writes after, so an empty write's callback marks the end.
      if (this.owned) this.out.end(done);
      else this.out.write('', done);
    });
  }

  /** Conversation piece `p` as a conn.log record (the module comment says what each field is). */
  record(p: FlowPiece): Record<string, string | number> {
    const c = p.conv;
    const id = p.id;
    const keys = c.table.u32;
    const version = c.version(id);
    const proto = c.proto(id);
    const ports = c.hasPorts(id);
    const o = c.origSide(id);
    const r = 1 - o;
    const t = c.tcpIndex(id);
    const rec: Record<string, string | number> = {};
    if (p.firstTs !== null) rec.ts = micros(p.firstTs);
    rec.uid = this.uid(c, id, p.firstTs);
    rec['id.orig_h'] = formatIp(version, keys, c.addrOffset(id, o));
    if (ports) rec['id.orig_p'] = c.port(id, o);
    rec['id.resp_h'] = formatIp(version, keys, c.addrOffset(id, r));
    if (ports) rec['id.resp_p'] = c.port(id, r);
    rec.proto = zeekProto(proto);
    if (p.firstTs !== null && p.lastTs !== null) {
      const duration = micros(micros(p.lastTs) - micros(p.firstTs));
      if (duration > 0) rec.duration = duration;
    }
    rec.conn_state = t >= 0 ? c.tcp.connState(t, o) : otherConnState(c, id, proto, o);
    if (t >= 0) {
      const history = c.tcp.historyString(t, o);
      if (history !== '') rec.history = history;
    }
    rec.orig_pkts = p.packets[o]!;
    rec.resp_pkts = p.packets[r]!;
    if (proto !== PROTO_FRAGMENT) rec.ip_proto = proto;
    rec.orig_wire_bytes = p.bytes[o]!;
    rec.resp_wire_bytes = p.bytes[r]!;
    if (this.host !== null) {
      const x = this.host.classifyConversation(c, id);
      rec.local = x.label;
      if (x.pid !== null) rec.pid = x.pid;
      if (x.program !== null) rec.program = x.program;
    }
    return rec;
  }

  /** The conversation's uid (module comment): the same for each of its pieces. */
  private uid(c: Conversations, id: number, firstTs: number | null): string {
    const b = this.uidInput;
    const keys = c.table.u32;
    let at = b.writeUInt32BE(c.serial(id), 0);
    at = b.writeUInt32BE(((c.version(id) << 16) | c.proto(id)) >>> 0, at);
    for (const side of [0, 1]) {
      const a = c.addrOffset(id, side);
      for (let i = 0; i < 4; i++) at = b.writeUInt32BE(keys[a + i]!, at);
    }
    at = b.writeUInt32BE(c.hasPorts(id) ? ((c.port(id, 0) << 16) | c.port(id, 1)) >>> 0 : 0, at);
    b.writeDoubleBE(firstTs ?? 0, at);
    const h = createHash('sha256').update(b).digest();
    const limbs = [h.readUInt32BE(0), h.readUInt32BE(4), h.readUInt32BE(8)];
    let digits = '';
    for (let d = 0; d < UID_DIGITS; d++) {
      // Long division of the 96-bit number by 62; each partial value stays below 2^38 (exact).
      let rem = 0;
      for (let i = 0; i < 3; i++) {
        const cur = rem * 0x100000000 + limbs[i]!;
        limbs[i] = Math.floor(cur / 62);
        rem = cur - limbs[i]! * 62;
      }
      digits = BASE62[rem]! + digits;
    }
    return `C${digits}`;
  }

  private flushBatch(): void {
    if (this.batch === '') return;
    const chunk = { text: this.batch, lines: this.batchLines };
    this.batch = '';
    this.batchLines = 0;
    if (this.error !== null) {
      this.dropped += chunk.lines;
      return;
    }
    if (this.waiting) {
      if (this.queued + chunk.text.length > this.maxQueued) {
        this.dropped += chunk.lines;
        return;
      }
      this.queue.push(chunk);
      this.queued += chunk.text.length;
      return;
    }
    this.send(chunk);
  }

  private send(chunk: { text: string; lines: number }): void {
    const ok = this.out.write(chunk.text, (err) => {
      if (!err) this.written += chunk.lines;
    });
    if (!ok) this.waiting = true;
  }

  /** The stream took what it had: queued batches go out until it asks to wait again. */
  private drain(): void {
    this.waiting = false;
    while (!this.waiting && this.queue.length > 0) {
      const chunk = this.queue.shift()!;
      this.queued -= chunk.text.length;
      this.send(chunk);
    }
    if (!this.waiting) this.settle();
  }

  private settle(): void {
    const idle = this.idle;
    this.idle = null;
    idle?.();
  }
}

/**
 * Zeek's conn_state() for what is not TCP: UDP by which sides sent (over the whole
 * conversation, as the state describes it), everything else OTH. A TCP row without a tracker (its
 * header unreadable) is OTH too: Zeek's TCP states would all be inactive.
 */
function otherConnState(c: Conversations, id: number, proto: number, o: number): string {
  if (proto !== IPPROTO.UDP) return 'OTH';
  const orig = c.packets(id, o) > 0;
  const resp = c.packets(id, 1 - o) > 0;
  return orig ? (resp ? 'SF' : 'S0') : resp ? 'SHR' : 'OTH';
}
