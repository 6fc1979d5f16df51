/**
 * Mutations of byte strings: the blind ones (bit flips, bytes set to 0x00/0xFF/random, truncation,
 * insertion and deletion) and the targeted one, which rewrites a length field found by targets.ts
 * with a value near its edges. Blind mutations rarely hit a length field with a meaningful value;
 * length fields are where a decoder that trusts a header reads past its data, so they get their own.
 */
import type { Prng } from './prng.js';

/** A header field that holds a length (or a next-header choice) worth lying about. */
export interface Field {
  off: number;
  /** u8/u16/u32 whole; hi4/lo4 are the nibbles of one byte (IPv4 IHL, TCP data offset). */
  width: 'u8' | 'u16' | 'u32' | 'hi4' | 'lo4';
  le: boolean;
  /** Values this field is interesting at besides the generic edges (e.g. next-header numbers). */
  values?: readonly number[];
}

export const MUTATION = [
  'bit-flip',
  'byte-zero',
  'byte-ff',
  'byte-random',
  'truncate',
  'insert',
  'delete',
  'length-field',
  'repeat',
] as const;
export type Mutation = (typeof MUTATION)[number];

/** Bytes inserted or deleted at most at once: spans a header's worth of misalignment. */
const MAX_SPLICE = 64;
/** Sizes of the slice `repeat` copies: a VLAN tag or MPLS label, an IPv6 extension header's
 *  unit and a few of them; or anything up to MAX_SPLICE. */
const REPEAT_SIZES = [4, 8, 16, 24];
/** Copies at most: past every nesting limit the decoders have (64 encapsulations, the IPv6
 *  extension chain's bound), to reach the limit checks and time a walk to them. */
const MAX_REPEATS = 80;
const MAX_OF: Record<Field['width'], number> = { u8: 0xff, u16: 0xffff, u32: 0xffffffff, hi4: 0xf, lo4: 0xf };

function readField(b: Buffer, f: Field): number {
  switch (f.width) {
    case 'u8':
      return b[f.off]!;
    case 'u16':
      return f.le ? b.readUInt16LE(f.off) : b.readUInt16BE(f.off);
    case 'u32':
      return f.le ? b.readUInt32LE(f.off) : b.readUInt32BE(f.off);
    case 'hi4':
      return b[f.off]! >> 4;
    case 'lo4':
      return b[f.off]! & 0xf;
  }
}

function writeField(b: Buffer, f: Field, v: number): void {
  const max = MAX_OF[f.width];
  v = ((v % (max + 1)) + (max + 1)) % (max + 1);
  switch (f.width) {
    case 'u8':
      b[f.off] = v;
      break;
    case 'u16':
      if (f.le) b.writeUInt16LE(v, f.off);
      else b.writeUInt16BE(v, f.off);
      break;
    case 'u32':
      if (f.le) b.writeUInt32LE(v, f.off);
      else b.writeUInt32BE(v, f.off);
      break;
    case 'hi4':
      b[f.off] = (b[f.off]! & 0x0f) | (v << 4);
      break;
    case 'lo4':
      b[f.off] = (b[f.off]! & 0xf0) | v;
      break;
  }
}

function fieldSize(f: Field): number {
  return f.width === 'u16' ? 2 : f.width === 'u32' ? 4 : 1;
}

/** A value a length field is likely to break a decoder with: its edges, its neighbours,
 *  sizes of the buffer around it, an odd alignment, or anything. */
function lengthValue(rng: Prng, f: Field, old: number, bufLen: number): number {
  const max = MAX_OF[f.width];
  switch (rng.below(9)) {
    case 0:
      return 0;
    case 1:
      return max;
    case 2:
      return old + rng.between(1, 8);
    case 3:
      return old - rng.between(1, 8);
    case 4:
      return bufLen + rng.between(-8, 8);
    case 5:
      return rng.between(1, 7);
    case 6:
      return max >>> 1;
    case 7:
      if (f.values && f.values.length > 0) return rng.pick(f.values);
      return old ^ (1 << rng.below(Math.log2(max + 1)));
    default:
      return rng.u32() % (max + 1);
  }
}

/** Applies one mutation to `b` (in place where the length stays, else a new buffer). `fields`
 *  are the length fields of `b` as it was before any mutation changed its layout. */
export function mutateOnce(rng: Prng, b: Buffer, fields: readonly Field[], kind: Mutation): Buffer {
  const n = b.length;
  switch (kind) {
    case 'bit-flip':
      if (n > 0) b[rng.below(n)]! ^= 1 << rng.below(8);
      return b;
    case 'byte-zero':
      if (n > 0) b[rng.below(n)] = 0x00;
      return b;
    case 'byte-ff':
      if (n > 0) b[rng.below(n)] = 0xff;
      return b;
    case 'byte-random':
      if (n > 0) b[rng.below(n)] = rng.byte();
      return b;
    case 'truncate':
      return b.subarray(0, rng.below(n + 1));
    case 'insert': {
      const at = rng.below(n + 1);
      const add = Buffer.alloc(rng.between(1, MAX_SPLICE));
      const fillWith = rng.below(3);
      if (fillWith === 0) add.fill(0);
      else if (fillWith === 1) add.fill(0xff);
      else rng.fill(add);
      return Buffer.concat([b.subarray(0, at), add, b.subarray(at)]);
    }
    case 'delete': {
      if (n === 0) return b;
      const at = rng.below(n);
      const len = Math.min(n - at, rng.between(1, MAX_SPLICE));
      return Buffer.concat([b.subarray(0, at), b.subarray(at + len)]);
    }
    case 'repeat': {
      // Nesting: the same header over and over (tags, labels, extension headers) starting at a
      // field's offset, where a header begins, or anywhere.
      if (n === 0) return b;
      const at = fields.length > 0 && rng.chance(0.5) ? Math.min(rng.pick(fields).off, n - 1) : rng.below(n);
      const len = Math.min(n - at, rng.chance(0.5) ? rng.pick(REPEAT_SIZES) : rng.between(1, MAX_SPLICE));
      const copies = rng.between(1, MAX_REPEATS);
      const slice = b.subarray(at, at + len);
      return Buffer.concat([b.subarray(0, at + len), ...new Array<Buffer>(copies).fill(slice), b.subarray(at + len)]);
    }
    case 'length-field': {
      const usable = fields.filter((f) => f.off + fieldSize(f) <= n);
      if (usable.length === 0) return mutateOnce(rng, b, fields, 'byte-random');
      const f = rng.pick(usable);
      writeField(b, f, lengthValue(rng, f, readField(b, f), n));
      return b;
    }
  }
}

/**
 * One to `maxSteps` mutations of a private copy of `orig`. Targeted fields are tried first and
 * more often, because a length that stays consistent with the layout around it is what reaches
 * the deeper checks; splices after it shift everything and mostly test the outer framing.
 */
export function mutate(rng: Prng, orig: Uint8Array, fields: readonly Field[], maxSteps: number, used: Mutation[]): Buffer {
  let b: Buffer = Buffer.from(orig);
  const steps = rng.between(1, maxSteps);
  used.length = 0;
  for (let i = 0; i < steps; i++) {
    const kind: Mutation = fields.length > 0 && rng.chance(0.4) ? 'length-field' : rng.pick(MUTATION);
    used.push(kind);
    b = mutateOnce(rng, b, fields, kind);
  }
  return b;
}
