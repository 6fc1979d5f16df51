/**
 * Open-addressing hash table from fixed-size keys of 32-bit words to dense ids 0, 1, 2, …
 *
 * Keys live in one Uint32Array (id * stride) and the slots in one Int32Array of (id, hash)
 * pairs, so a lookup allocates nothing and a million flows are a few typed arrays, not a million
 * objects. A probe compares the hash kept in the slot first and touches a key record only on a
 * hash match: with flows spread over megabytes, cache misses, not arithmetic, are the cost
 * (measured: per-packet time grows threefold from 100 to 20,000 active flows). Callers keep
 * their per-flow values in their own typed arrays indexed by id and grow them when `capacity`
 * grows (see `grown`). Linear probing at load ≤ 1/2. Entries are never removed here; bounded
 * memory is the caller's policy (a capacity limit).
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
  return h | 0;
}

/** Hash of the first `stride` words of `key`, as a signed 32-bit integer. */
export function hashWords(key: Uint32Array, stride: number): number {
  let h = stride;
  for (let i = 0; i < stride; i++) h = Math.imul(h ^ key[i], MIX) ^ (h >>> 15);
  return fmix32(h);
}

export class FlowTable {
  /** Key words of id i: keys[i * stride, (i + 1) * stride). */
  keys: Uint32Array;
  /** Slot s: slots[2s] = id or EMPTY, slots[2s + 1] = that id's hash. */
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
    const n = nextPow2(this.capacity * 2);
    this.slots = new Int32Array(n * 2).fill(EMPTY);
    this.mask = n - 1;
  }

  /**
   * The id of `key` (its first `stride` words), inserting it if new. Returns -1 when the key is
   * new and the table is at its limit.
   */
  lookupOrInsert(key: Uint32Array): number {
    const stride = this.stride;
    const h = hashWords(key, stride);
    const keys = this.keys;
    const slots = this.slots;
    let slot = h & this.mask;
    for (;;) {
      const id = slots[slot * 2];
      if (id === EMPTY) break;
      if (slots[slot * 2 + 1] === h) {
        const base = id * stride;
        let i = 0;
        while (i < stride && keys[base + i] === key[i]) i++;
        if (i === stride) {
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
      while (this.slots[slot * 2] !== EMPTY) slot = (slot + 1) & this.mask;
    }
    this.keys.set(key.subarray(0, stride), id * stride);
    this.slots[slot * 2] = id;
    this.slots[slot * 2 + 1] = h;
    this.inserted = true;
    return id;
  }

  private growIds(): void {
    const cap = Math.min(this.capacity * 2, this.limit);
    const keys = new Uint32Array(cap * this.stride);
    keys.set(this.keys);
    this.keys = keys;
    this.capacity = cap;
    const old = this.slots;
    const n = nextPow2(cap * 2);
    const slots = new Int32Array(n * 2).fill(EMPTY);
    const mask = n - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s] === EMPTY) continue;
      let slot = old[s + 1] & mask;
      while (slots[slot * 2] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot * 2] = old[s];
      slots[slot * 2 + 1] = old[s + 1];
    }
    this.slots = slots;
    this.mask = mask;
    this.grown = true;
  }
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Returns a copy of `a` with room for `n` elements (n ≥ a.length), new ones set to `fill`. */
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

export function growI32(a: Int32Array, n: number, fill = 0): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}

export function growU8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}
