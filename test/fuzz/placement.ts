/**
 * The differential check for reads outside the record, without instrumenting the decoder: the
 * same record bytes are decoded at four placements — inside junk A, inside different junk B
 * (every junk byte the complement of A's at the same distance from the record, and at another
 * alignment), at the very end of a buffer after junk (D), and alone in a buffer of exactly its
 * length (C). A decoder that reads only
 * `buf[offset, offset + caplen)` fills the same PacketSummary and gives the same filter verdicts
 * every time; one that reads past either end sees different bytes (or `undefined`) and,
 * unless it was lucky, answers differently.
 */
import type { CaptureRecord } from '../../src/capture/source.js';
import { PacketSummary } from '../../src/decode/summary.js';
import type { Prng } from './prng.js';

/** Junk on each side of the record: more than any header a decoder could overrun into. */
export const JUNK = 128;
/** Extra lead in placement B so that the record sits at a different alignment. */
const MAX_SHIFT = 7;

/** The summary's scalar fields, found once from an instance so new fields are compared too. */
const SCALARS: readonly (keyof PacketSummary)[] = Object.keys(new PacketSummary()).filter((k) => {
  const v = (new PacketSummary() as unknown as Record<string, unknown>)[k];
  return typeof v === 'number' || typeof v === 'boolean';
}) as (keyof PacketSummary)[];
const ADDR_WORDS = 4;
export const FINGERPRINT_LEN = SCALARS.length + 2 * ADDR_WORDS;

/** Fields that hold buffer offsets: compared relative to the record's start. */
const OFFSETS = new Set<string>(['l4Offset', 'l4WireEnd']);
/** Fills the address words before a decode (see poison). */
const ADDR_POISON = 0xdeadbeef;

/**
 * Sets every numeric field to NaN and the addresses to a marker before a decode. reset() leaves
 * some fields as the last packet left them (they mean something only when the layer that writes
 * them was reached); poisoning makes an unwritten field compare equal across placements instead
 * of carrying the previous placement's absolute offsets.
 */
export function poison(s: PacketSummary): void {
  const r = s as unknown as Record<string, unknown>;
  for (const k of SCALARS) if (typeof r[k] === 'number') r[k] = NaN;
  s.src.fill(ADDR_POISON);
  s.dst.fill(ADDR_POISON);
}

/** Every field of `s` as numbers (src and dst words included), offsets made relative to
 *  `start`, into `out`. */
export function fingerprint(s: PacketSummary, start: number, out: Float64Array): void {
  let i = 0;
  for (const k of SCALARS) {
    const v = Number(s[k]);
    out[i++] = OFFSETS.has(k) ? v - start : v;
  }
  for (let w = 0; w < ADDR_WORDS; w++) out[i++] = s.src[w]!;
  for (let w = 0; w < ADDR_WORDS; w++) out[i++] = s.dst[w]!;
}

/** The first field that differs, by name, or null. */
export function difference(a: Float64Array, b: Float64Array): string | null {
  for (let i = 0; i < FINGERPRINT_LEN; i++) {
    if (!Object.is(a[i], b[i])) {
      const name = i < SCALARS.length ? SCALARS[i] : i < SCALARS.length + ADDR_WORDS ? `src[${i - SCALARS.length}]` : `dst[${i - SCALARS.length - ADDR_WORDS}]`;
      return `${String(name)}: ${a[i]} vs ${b[i]}`;
    }
  }
  return null;
}

/** Preallocated buffers for placements A and B; C is made per record at its exact length. */
export class Placements {
  private readonly a: Buffer;
  private readonly b: Buffer;

  constructor(maxRecord: number) {
    this.a = Buffer.alloc(maxRecord + 2 * JUNK + MAX_SHIFT);
    this.b = Buffer.alloc(maxRecord + 2 * JUNK + MAX_SHIFT);
  }

  /** Puts `data` inside fresh junk A and points `rec` at it. */
  placeA(rng: Prng, data: Uint8Array, rec: CaptureRecord): void {
    const a = this.a;
    rng.fill(a, 0, JUNK);
    a.set(data, JUNK);
    rng.fill(a, JUNK + data.length, JUNK + data.length + JUNK);
    rec.buf = a.subarray(0, JUNK + data.length + JUNK);
    rec.offset = JUNK;
    rec.caplen = data.length;
  }

  /** Puts `data` inside junk B: A's junk complemented, the record `shift` bytes further in. */
  placeB(rng: Prng, data: Uint8Array, rec: CaptureRecord): void {
    const a = this.a;
    const b = this.b;
    const shift = rng.between(1, MAX_SHIFT);
    const start = JUNK + shift;
    rng.fill(b, 0, shift);
    for (let k = 1; k <= JUNK; k++) b[start - k] = ~a[JUNK - k]! & 0xff;
    b.set(data, start);
    const endA = JUNK + data.length;
    const endB = start + data.length;
    for (let k = 0; k < JUNK; k++) b[endB + k] = ~a[endA + k]! & 0xff;
    rec.buf = b.subarray(0, endB + JUNK);
    rec.offset = start;
    rec.caplen = data.length;
  }

  /** Puts `data` at the very end of its buffer, after junk (B's, complemented again). */
  placeD(rng: Prng, data: Uint8Array, rec: CaptureRecord): void {
    const b = this.b;
    const start = JUNK + rng.between(1, MAX_SHIFT);
    for (let k = 1; k <= JUNK; k++) b[start - k] = ~b[start - k]! & 0xff;
    b.set(data, start);
    rec.buf = b.subarray(0, start + data.length);
    rec.offset = start;
    rec.caplen = data.length;
  }

  /** Puts `data` alone in a buffer of its own exact length, on its own ArrayBuffer (no pool
   *  slab behind it to read into). */
  placeC(data: Uint8Array, rec: CaptureRecord): void {
    const c = Buffer.from(new ArrayBuffer(data.length));
    c.set(data);
    rec.buf = c;
    rec.offset = 0;
    rec.caplen = data.length;
  }
}
