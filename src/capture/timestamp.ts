/**
 * Timestamps without loss: pcapng stores a 64-bit count of units (if_tsresol, 10^-n or 2^-n s);
 * nanosecond counts of present-day times exceed 2^53, so a plain double would round them.
 * We split into whole seconds and nanoseconds with exact integer arithmetic.
 */
import type { CaptureRecord } from './source.js';

const TWO32 = 4294967296;
const LIMB = 65536;
/** Above this divisor the 16-bit-limb division could exceed 2^53 in an intermediate. */
const LIMB_DIVISOR_MAX = 1e11;

/** A pcapng if_tsresol, decoded: units per second and how to turn a remainder into ns. */
export class TsResolution {
  readonly unitsPerSec: number;
  constructor(
    /** true for 10^-exp, false for 2^-exp */
    readonly decimal: boolean,
    readonly exp: number,
  ) {
    this.unitsPerSec = decimal ? 10 ** exp : 2 ** exp;
  }

  /** Microseconds: the default when an interface has no if_tsresol (pcapng spec §4.2). */
  static readonly MICRO = new TsResolution(true, 6);

  /**
   * Parses the option byte: MSB clear = negative power of 10, set = negative power of 2.
   * Returns null for a value we cannot represent exactly in a double of units (10^-20 and finer,
   * 2^-64 and finer): no real capture hardware is that fine, so such a byte is corruption.
   */
  static fromOption(byte: number): TsResolution | null {
    const decimal = (byte & 0x80) === 0;
    const exp = byte & 0x7f;
    if (decimal ? exp > 19 : exp > 63) return null;
    return new TsResolution(decimal, exp);
  }

  /** Remainder (in units, < unitsPerSec) to nanoseconds, truncating finer digits. */
  toNsec(rem: number): number {
    if (this.decimal) {
      return this.exp <= 9 ? rem * 10 ** (9 - this.exp) : Math.floor(rem / 10 ** (this.exp - 9));
    }
    return Math.floor((rem * 1e9) / this.unitsPerSec);
  }
}

/**
 * Sets rec.tsSec/tsNsec from a 64-bit unit count (high, low: unsigned 32-bit halves) plus a whole
 * second offset (if_tsoffset).
 */
export function setTsFromUnits(
  rec: CaptureRecord,
  high: number,
  low: number,
  res: TsResolution,
  offsetSec: number,
): void {
  const d = res.unitsPerSec;
  const v = high * TWO32 + low;
  let sec: number;
  let rem: number;
  if (v <= Number.MAX_SAFE_INTEGER) {
    sec = Math.floor(v / d);
    rem = v - sec * d;
    // The float quotient can round up across an integer; the exact remainder corrects it.
    if (rem < 0) {
      sec -= 1;
      rem += d;
    }
  } else if (d <= LIMB_DIVISOR_MAX) {
    // Schoolbook division by 16-bit limbs: every intermediate stays below d * 2^16 < 2^53.
    const limbs = [high >>> 16, high & 0xffff, low >>> 16, low & 0xffff];
    sec = 0;
    rem = 0;
    for (const limb of limbs) {
      const cur = rem * LIMB + limb;
      const q = Math.floor(cur / d);
      rem = cur - q * d;
      sec = sec * LIMB + q;
    }
  } else {
    const big = (BigInt(high) << 32n) | BigInt(low);
    const bd = BigInt(d);
    sec = Number(big / bd);
    rem = Number(big % bd);
  }
  rec.tsSec = sec + offsetSec;
  rec.tsNsec = res.toNsec(rem);
  rec.hasTs = true;
}
