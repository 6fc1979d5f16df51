/**
 * Packet level: one mutated frame at a time through the pipeline's own per-packet path
 * (src/cli/analyze.ts: decodePacket into one reused PacketSummary, WireStats.ingest, and the
 * capture filters' matches), checking the per-packet contract of STYLE.md §2: nothing throws,
 * every packet ends decoded or counted under a named reason, nothing reads outside the record
 * (placement.ts), and no packet takes long.
 */
import { LINKTYPE } from '../../src/capture/linktype.js';
import { CaptureRecord, MAX_RECORD_BYTES } from '../../src/capture/source.js';
import { type CaptureFilter, compileFilter, FilterError } from '../../src/decode/filter.js';
import { decodePacket } from '../../src/decode/packet.js';
import { reasonName } from '../../src/decode/reasons.js';
import { LAYER_NAMES, PacketSummary } from '../../src/decode/summary.js';
import { WireStats } from '../../src/stats/wire-stats.js';
import { encapsulate } from './encapsulate.js';
import { type Field, mutate, type Mutation } from './mutate.js';
import { difference, fingerprint, FINGERPRINT_LEN, Placements, poison } from './placement.js';
import type { Prng } from './prng.js';
import { Failures, Tally } from './tally.js';
import { LINKTYPES, packetFields } from './targets.js';

/** A frame taken out of a fixture, with its length fields found (targets.ts). */
export interface Frame {
  data: Buffer;
  linktype: number;
  wirelen: number;
  littleEndian: boolean;
  fields: Field[];
}

/** The brief's bound for one packet: ~100× a real decode; more means a loop or a blow-up. */
export const SLOW_PACKET_NS = 10_000_000n;
/** Timings over this are retried RETIME_RUNS times and the fastest kept: a GC pause or a JIT
 *  deopt lands on one run, a slow input is slow every time. Far below the bound, so that the
 *  slowest time reported is the input's own cost, not the collector's. */
const RETIME_ABOVE_NS = 1_000_000n;
const RETIME_RUNS = 3;
/** How often an Ethernet frame is first rewrapped in a deep header stack. */
const ENCAPSULATE_CHANCE = 0.1;
/** How often a (possibly rewrapped) frame goes in unmutated: a deep stack is worth decoding
 *  intact too, and the untouched fixtures are the baseline every check must pass. */
const UNMUTATED_CHANCE = 0.05;
/** Mutations stacked on one frame at most. */
const MAX_STEPS = 4;
/** How often a frame is re-labelled with another link type, to reach the other link decoders. */
const RELABEL_CHANCE = 0.1;
/** How often the wire length is made to disagree with the captured bytes. */
const WIRELEN_CHANCE = 0.15;
const MAX_WIRELEN = 0xffffffff;

/** Expressions covering each family of filter test (libpcap offsets, IPv4 IHL, IPv6, VLAN). */
export const FILTERS = [
  'tcp port 80 or udp port 53',
  'host 10.0.0.1 or net 192.168.0.0/16',
  'ip6 and (tcp or icmp6)',
  'vlan and (arp or ip)',
  'not (portrange 1-1024 and ip)',
  'icmp or ether host 00:11:22:33:44:55',
];

export class PacketFuzzer {
  private readonly rec = new CaptureRecord();
  private readonly summary = new PacketSummary();
  readonly stats = new WireStats();
  private readonly scratch = new WireStats();
  private readonly filters: CaptureFilter[];
  /** Filters that cannot be compiled for a link type (as the CLI refuses them per file). */
  private readonly unusable = new Set<string>();
  private readonly place = new Placements(MAX_RECORD_BYTES);
  private readonly fpA = new Float64Array(FINGERPRINT_LEN);
  private readonly fpB = new Float64Array(FINGERPRINT_LEN);
  private readonly verdictsA: boolean[] = [];
  private readonly verdictsB: boolean[] = [];
  private readonly used: Mutation[] = [];

  packets = 0;
  malformed = 0;
  readonly reasons = new Tally();
  readonly layers = new Tally();
  readonly mutations = new Tally();
  readonly failures = new Failures();
  /** The slowest packet, confirmed by retries (see RETIME_ABOVE_NS), and the slowest single
   *  measurement, pauses included. */
  slowestNs = 0n;
  slowestRawNs = 0n;
  /** Packets over SLOW_PACKET_NS on every retry. */
  slow = 0;

  constructor() {
    this.filters = FILTERS.map((e) => compileFilter(e)!);
    // Compiled up front, as the CLI does before a file's first packet: compiling takes
    // milliseconds and is no packet's cost.
    for (const f of this.filters) {
      for (const linktype of LINKTYPES) {
        for (const le of [true, false]) {
          try {
            f.prepare(linktype, le);
          } catch (err) {
            if (!(err instanceof FilterError)) throw err;
            this.unusable.add(`${f.expression}|${linktype}|${le}`);
          }
        }
      }
    }
  }

  run(rng: Prng, frame: Frame): void {
    if (frame.linktype === LINKTYPE.EN10MB && rng.chance(ENCAPSULATE_CHANCE)) frame = this.rewrap(rng, frame);
    let data: Buffer;
    if (rng.chance(UNMUTATED_CHANCE)) {
      data = Buffer.from(frame.data);
      this.mutations.add('(none)');
    } else {
      data = mutate(rng, frame.data, frame.fields, MAX_STEPS, this.used);
      for (const m of this.used) this.mutations.add(m);
    }
    const rec = this.rec;
    rec.linktype = rng.chance(RELABEL_CHANCE) ? rng.pick(LINKTYPES) : frame.linktype;
    rec.littleEndian = rng.chance(RELABEL_CHANCE) ? !frame.littleEndian : frame.littleEndian;
    rec.wirelen = rng.chance(WIRELEN_CHANCE) ? wirelenLie(rng, data.length) : Math.max(frame.wirelen, data.length);
    rec.tsSec = this.packets;
    rec.tsNsec = 0;
    rec.hasTs = true;
    rec.ifIndex = 0;
    const n = this.packets++;
    const keep = (kind: string, detail: string): void =>
      this.failures.add({ kind, detail, hex: data.toString('hex'), linktype: rec.linktype, wirelen: rec.wirelen, iteration: n });

    // A: the pipeline's path, timed, counted.
    this.place.placeA(rng, data, rec);
    poison(this.summary);
    const t0 = process.hrtime.bigint();
    if (!this.step(rec, this.verdictsA, true, keep)) return;
    let took = process.hrtime.bigint() - t0;
    if (took > this.slowestRawNs) this.slowestRawNs = took;
    if (took > RETIME_ABOVE_NS) took = this.retime(rec, took);
    if (took > this.slowestNs) this.slowestNs = took;
    if (took > SLOW_PACKET_NS) {
      this.slow++;
      keep('slow-packet', `${Number(took) / 1e6} ms`);
    }
    this.account(keep);
    fingerprint(this.summary, rec.offset, this.fpA);

    // B, D and C: the same bytes elsewhere; the answers must not move. Each decode starts from
    // a poisoned summary (placement.ts), so a field it leaves unwritten compares equal.
    this.place.placeB(rng, data, rec);
    poison(this.summary);
    if (!this.step(rec, this.verdictsB, false, keep)) return;
    this.compare('junk-after-and-before', keep);
    this.place.placeD(rng, data, rec);
    poison(this.summary);
    if (!this.step(rec, this.verdictsB, false, keep)) return;
    this.compare('junk-before-end-of-buffer', keep);
    this.place.placeC(data, rec);
    poison(this.summary);
    if (!this.step(rec, this.verdictsB, false, keep)) return;
    this.compare('exact-length-buffer', keep);
  }

  /** The frame in a deep stack of headers (encapsulate.ts), its fields found anew. */
  private rewrap(rng: Prng, frame: Frame): Frame {
    const data = encapsulate(rng, frame.data);
    if (!data) return frame;
    this.mutations.add('encapsulate');
    const rec = this.rec;
    this.place.placeC(data, rec);
    poison(this.summary);
    rec.linktype = frame.linktype;
    rec.wirelen = data.length;
    decodePacket(rec, this.summary);
    return { ...frame, data, wirelen: data.length, fields: packetFields(data, frame.linktype, this.summary) };
  }

  /** decode → ingest → filters, as the CLI runs them; false when something threw. The caller
   *  poisons the summary first (outside the timed span). */
  private step(rec: CaptureRecord, verdicts: boolean[], ingest: boolean, keep: (k: string, d: string) => void): boolean {
    const s = this.summary;
    let where = 'decodePacket';
    try {
      decodePacket(rec, s);
      if (ingest) {
        where = 'WireStats.ingest';
        this.stats.ingest(s);
      }
      verdicts.length = 0;
      for (const f of this.filters) {
        const key = `${f.expression}|${rec.linktype}|${rec.littleEndian}`;
        if (this.unusable.has(key)) continue;
        where = `filter "${f.expression}" prepare`;
        try {
          f.prepare(rec.linktype, rec.littleEndian);
        } catch (err) {
          // The CLI refuses such a filter for the whole file before any packet: not per packet.
          if (err instanceof FilterError) {
            this.unusable.add(key);
            continue;
          }
          throw err;
        }
        where = `filter "${f.expression}" matches`;
        verdicts.push(f.matches(rec, s));
      }
      return true;
    } catch (err) {
      keep('escaped-exception', `${where}: ${firstLines(err)}`);
      return false;
    }
  }

  /** The fastest of a few more runs of the same placement, ingested into a scratch WireStats
   *  so that the run's counts stay one per packet. */
  private retime(rec: CaptureRecord, first: bigint): bigint {
    let best = first;
    for (let i = 0; i < RETIME_RUNS; i++) {
      const t0 = process.hrtime.bigint();
      decodePacket(rec, this.summary);
      this.scratch.ingest(this.summary);
      for (const f of this.filters) if (!this.unusable.has(`${f.expression}|${rec.linktype}|${rec.littleEndian}`)) f.matches(rec);
      const took = process.hrtime.bigint() - t0;
      if (took < best) best = took;
    }
    return best;
  }

  /** Decoded, or counted under a named reason: never neither, never a nameless code. */
  private account(keep: (k: string, d: string) => void): void {
    const s = this.summary;
    if (s.reason !== 0) {
      const name = reasonName(s.reason);
      if (name === '' || name.startsWith('reason-')) keep('unnamed-reason', `reason code ${s.reason}`);
      this.reasons.add(name);
      this.malformed++;
    } else if (s.fatal) {
      keep('fatal-without-reason', 'decoding stopped with no reason recorded');
    } else if (s.layers === 0) {
      keep('neither-decoded-nor-counted', 'no layer and no reason');
    } else {
      this.reasons.add('(decoded)');
    }
    for (let bit = 0; bit < LAYER_NAMES.length; bit++) if ((s.layers & (1 << bit)) !== 0) this.layers.add(LAYER_NAMES[bit]!);
  }

  private compare(how: string, keep: (k: string, d: string) => void): void {
    fingerprint(this.summary, this.rec.offset, this.fpB);
    const d = difference(this.fpA, this.fpB);
    if (d !== null) keep('out-of-record-read', `${how}: summary ${d}`);
    else if (this.verdictsA.join() !== this.verdictsB.join()) keep('out-of-record-read', `${how}: filter verdicts ${this.verdictsA} vs ${this.verdictsB}`);
  }
}

function wirelenLie(rng: Prng, caplen: number): number {
  switch (rng.below(5)) {
    case 0:
      return 0;
    case 1:
      return Math.max(0, caplen - rng.between(1, 64));
    case 2:
      return caplen + rng.between(1, 64);
    case 3:
      return MAX_WIRELEN;
    default:
      return rng.below(MAX_RECORD_BYTES);
  }
}

/** An error's message and first stack frames: enough to find the line, short enough to print. */
export function firstLines(err: unknown): string {
  const STACK_LINES = 3;
  const text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  return text.split('\n').slice(0, STACK_LINES).map((l) => l.trim()).join(' | ');
}
