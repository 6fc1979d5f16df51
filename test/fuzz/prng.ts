/**
 * The fuzzer's only source of randomness: xorshift128 (Marsaglia 2003), seeded through
 * splitmix32 so that neighbouring seeds (1, 2, 3 …) give unrelated streams. One seed fixes every
 * choice of a run, so a failure is replayed by passing the printed seed back with `--seed`.
 */

/** 2^32 as a float: turns a u32 into [0, 1). */
const U32_RANGE = 4294967296;

export class Prng {
  private x: number;
  private y: number;
  private z: number;
  private w: number;

  constructor(readonly seed: number) {
    let s = seed >>> 0;
    // splitmix32: spreads a small seed over 128 bits; an all-zero state would stay zero forever.
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
      return (t ^ (t >>> 16)) >>> 0;
    };
    this.x = next();
    this.y = next();
    this.z = next();
    this.w = next() | 1;
  }

  u32(): number {
    const t = this.x ^ (this.x << 11);
    this.x = this.y;
    this.y = this.z;
    this.z = this.w;
    this.w = (this.w ^ (this.w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return this.w;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.u32() / U32_RANGE) * n);
  }

  /** An integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / U32_RANGE < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  byte(): number {
    return this.u32() & 0xff;
  }

  /** Fills `buf[from, to)` with random bytes. */
  fill(buf: Uint8Array, from = 0, to = buf.length): void {
    for (let i = from; i < to; i++) buf[i] = this.u32() & 0xff;
  }
}
