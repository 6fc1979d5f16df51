/**
 * Open-addressing hash table from fixed-size keys of 32-bit words to dense ids 0, 1, 2, …
 *
 * Keys live in one Uint32Array (id * stride), the slot index in an Int32Array, so a lookup
 * allocates nothing and a million flows are a few typed arrays, not a million objects. Callers
 * keep their per-flow values in their own typed arrays indexed by id and grow them when
 * `capacity` grows (see `grown`). Linear probing at load ≤ 1/2. Entries are never removed here;
 * bounded memory is the caller's policy (a capacity limit).
 */

const EMPTY = -1;
const INITIAL_IDS = 1024;
/** Golden-ratio multiplier for mixing words (Knuth, TAOCP 6.4). */
const MIX = 0x9e3779b1;

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashWords(key: Uint32Array, stride: number): number {
  let h = stride;
  for (let i = 0; i < stride; i++) h = Math.imul(h ^ key[i], MIX) ^ (h >>> 15);
  return fmix32(h);
}

export class FlowTable {
  /** Key words of id i: keys[i * stride, (i + 1) * stride). */
  keys: Uint32Array;
  private hashes: Uint32Array;
  private slots: Int32Array;
  private mask: number;
  /** Ids handed out so far. */
  size = 0;
  /** Room for ids before the dense arrays must grow. */
  capacity: number;
  /** Set by a lookup that grew `capacity`; the caller grows its arrays and clears it. */
  grown = false;
  /** Whether the last `lookupOrInsert` added its key. */
  inserted = false;

  constructor(
    readonly stride: number,
    /** Hard limit on ids: beyond it `lookupOrInsert` refuses new keys. */
    readonly limit: number,
  ) {
    this.capacity = Math.min(INITIAL_IDS, limit);
    this.keys = new Uint32Array(this.capacity * stride);
    this.hashes = new Uint32Array(this.capacity);
    const slots = nextPow2(this.capacity * 2);
    this.slots = new Int32Array(slots).fill(EMPTY);
    this.mask = slots - 1;
  }

  /**
   * The id of `key` (its first `stride` words), inserting it if new. Returns -1 when the key is
   * new and the table is at its limit.
   */
  lookupOrInsert(key: Uint32Array): number {
    const stride = this.stride;
    const h = hashWords(key, stride);
    const keys = this.keys;
    let slot = h & this.mask;
    for (;;) {
      const id = this.slots[slot];
      if (id === EMPTY) break;
      if (this.hashes[id] === h) {
        const base = id * stride;
        let same = true;
        for (let i = 0; i < stride; i++) {
          if (keys[base + i] !== key[i]) {
            same = false;
            break;
          }
        }
        if (same) {
          this.inserted = false;
          return id;
        }
      }
      slot = (slot + 1) & this.mask;
    }
    if (this.size >= this.limit) {
      this.inserted = false;
      return -1;
    }
    const id = this.size++;
    if (id >= this.capacity) {
      this.growIds();
      // Slots were rebuilt: find the empty slot for this hash again.
      slot = h & this.mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    }
    this.keys.set(key.subarray(0, stride), id * stride);
    this.hashes[id] = h;
    this.slots[slot] = id;
    this.inserted = true;
    return id;
  }

  private growIds(): void {
    const cap = Math.min(this.capacity * 2, this.limit);
    const keys = new Uint32Array(cap * this.stride);
    keys.set(this.keys);
    this.keys = keys;
    const hashes = new Uint32Array(cap);
    hashes.set(this.hashes);
    this.hashes = hashes;
    this.capacity = cap;
    const n = nextPow2(cap * 2);
    this.slots = new Int32Array(n).fill(EMPTY);
    this.mask = n - 1;
    for (let id = 0; id < this.size - 1; id++) {
      let slot = this.hashes[id] & this.mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.slots[slot] = id;
    }
    this.grown = true;
  }
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Returns a copy of `a` with room for `n` elements (n ≥ a.length). */
export function growF64(a: Float64Array, n: number, fill = 0): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}

export function growU32(a: Uint32Array, n: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

export function growU8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}
