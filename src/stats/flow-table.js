/**
 * Open-addressing hash table from fixed-size keys of 32-bit words to dense ids 0, 1, 2, …,
 * where each id owns one row of a single ArrayBuffer: its key words first, then the caller's
 * own fields (counters, state), read through the `u32`, `i32` and `f64` views.
 *
 * Why rows: with flows spread over megabytes, cache misses, not arithmetic, are the cost
 * (measured here: per-packet time triples from 100 to 20,000 active flows). Keeping a flow's key
 * and its counters in adjacent cache lines turns several misses per packet into one or two, and a
 * probe compares the hash stored in the slot before it touches any row at all.
 *
 * A lookup allocates nothing; a million flows are one buffer and one slot array, not a million
 * objects. Linear probing at load ≤ 1/2. Ids stay dense (0..size-1): `remove(id)` moves the last
 * row into the hole, so a pass over every row is a pass over 0..size-1 with no gaps to skip, and
 * the caller is told which id moved. Which rows to remove, and when, is the caller's policy (a
 * limit on ids). A lookup may grow the rows, after which the views are new objects: callers read
 * `u32`/`i32`/`f64` after each lookup, never keep them across one.
 */
const EMPTY = -1;
const INITIAL_IDS = 1024;
/** Golden-ratio multiplier for mixing words (Knuth, TAOCP 6.4). */
const MIX = 0x9e3779b1;
/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(h) {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h | 0;
}
/** Hash of the `n` words of `key` from `at`, as a signed 32-bit integer. */
export function hashWords(key, n, at = 0) {
    let h = n;
    for (let i = 0; i < n; i++)
        h = Math.imul(h ^ key[at + i], MIX) ^ (h >>> 15);
    return fmix32(h);
}
export class FlowTable {
    keyWords;
    rowWords;
    limit;
    /** Views of the rows: row i starts at u32/i32 index i * rowWords, f64 index i * rowWords / 2. */
    u32;
    i32;
    f64;
    /** Slot s: slots[2s] = id or EMPTY, slots[2s + 1] = that id's hash. */
    slots;
    /** Each id's hash, so `remove` finds its slot without reading its row. */
    hashes;
    mask;
    /** Ids handed out so far. */
    size = 0;
    /** Rows allocated. */
    capacity;
    /** Whether the last `lookupOrInsert` added its key (its row's other words are then 0). */
    inserted = false;
    constructor(keyWords, 
    /** 32-bit words per row, keys included; even, so Float64 fields stay aligned. */
    rowWords, 
    /** Hard limit on ids: beyond it `lookupOrInsert` refuses new keys. */
    limit) {
        this.keyWords = keyWords;
        this.rowWords = rowWords;
        this.limit = limit;
        if (rowWords % 2 !== 0 || rowWords < keyWords)
            throw new Error(`bad row size ${rowWords} for ${keyWords} key words`);
        this.capacity = Math.min(INITIAL_IDS, limit);
        const buf = new ArrayBuffer(this.capacity * rowWords * 4);
        this.u32 = new Uint32Array(buf);
        this.i32 = new Int32Array(buf);
        this.f64 = new Float64Array(buf);
        this.hashes = new Int32Array(this.capacity);
        const n = nextPow2(this.capacity * 2);
        this.slots = new Int32Array(n * 2).fill(EMPTY);
        this.mask = n - 1;
    }
    /**
     * The id of `key` (its first `keyWords` words), inserting it if new. Returns -1 when the key
     * is new and the table is at its limit.
     */
    lookupOrInsert(key) {
        const kw = this.keyWords;
        const rw = this.rowWords;
        const h = hashWords(key, kw);
        const rows = this.u32;
        const slots = this.slots;
        let slot = h & this.mask;
        for (;;) {
            const id = slots[slot * 2];
            if (id === EMPTY)
                break;
            if (slots[slot * 2 + 1] === h) {
                const base = id * rw;
                let i = 0;
                while (i < kw && rows[base + i] === key[i])
                    i++;
                if (i === kw) {
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
            this.grow();
            // Slots were rebuilt: find the empty slot for this hash again.
            slot = h & this.mask;
            while (this.slots[slot * 2] !== EMPTY)
                slot = (slot + 1) & this.mask;
        }
        this.u32.set(key.subarray(0, kw), id * rw);
        this.hashes[id] = h;
        this.slots[slot * 2] = id;
        this.slots[slot * 2 + 1] = h;
        this.inserted = true;
        return id;
    }
    /** The id of `key`, or -1 when it was never inserted. */
    find(key) {
        const kw = this.keyWords;
        const h = hashWords(key, kw);
        for (let slot = h & this.mask;; slot = (slot + 1) & this.mask) {
            const id = this.slots[slot * 2];
            if (id === EMPTY)
                return -1;
            if (this.slots[slot * 2 + 1] !== h)
                continue;
            const base = id * this.rowWords;
            let i = 0;
            while (i < kw && this.u32[base + i] === key[i])
                i++;
            if (i === kw)
                return id;
        }
    }
    /**
     * Removes row `id`; the last row (id size - 1) takes its place. Returns the id that moved into
     * `id` (the old last), or -1 when `id` was the last. Every other id is unchanged.
     */
    remove(id) {
        const rw = this.rowWords;
        const rows = this.u32;
        this.unslot(this.slotOf(id, this.hashes[id]));
        const last = --this.size;
        if (id !== last) {
            this.slots[this.slotOf(last, this.hashes[last]) * 2] = id;
            this.hashes[id] = this.hashes[last];
            // A loop, not copyWithin/fill: for 48 words the calls cost more than the moves.
            for (let i = 0, to = id * rw, from = last * rw; i < rw; i++)
                rows[to + i] = rows[from + i];
        }
        // A new key's row reads as zeros (see `inserted`).
        for (let i = last * rw, end = i + rw; i < end; i++)
            rows[i] = 0;
        return id === last ? -1 : last;
    }
    /** The slot holding `id`, whose key hashes to `h`. */
    slotOf(id, h) {
        let slot = h & this.mask;
        while (this.slots[slot * 2] !== id)
            slot = (slot + 1) & this.mask;
        return slot;
    }
    /**
     * Empties `slot` and shifts back the entries after it in its probe run that a lookup would no
     * longer reach across the hole (deletion without tombstones: Knuth, TAOCP 6.4, Algorithm R).
     */
    unslot(slot) {
        const slots = this.slots;
        const mask = this.mask;
        let hole = slot;
        for (let j = (hole + 1) & mask; slots[j * 2] !== EMPTY; j = (j + 1) & mask) {
            const home = slots[j * 2 + 1] & mask;
            // The entry at j may stay only if its home lies cyclically in (hole, j].
            const stays = hole < j ? home > hole && home <= j : home > hole || home <= j;
            if (stays)
                continue;
            slots[hole * 2] = slots[j * 2];
            slots[hole * 2 + 1] = slots[j * 2 + 1];
            hole = j;
        }
        slots[hole * 2] = EMPTY;
    }
    grow() {
        const cap = Math.min(this.capacity * 2, this.limit);
        const buf = new ArrayBuffer(cap * this.rowWords * 4);
        const u32 = new Uint32Array(buf);
        u32.set(this.u32);
        this.u32 = u32;
        this.i32 = new Int32Array(buf);
        this.f64 = new Float64Array(buf);
        this.capacity = cap;
        const hashes = new Int32Array(cap);
        hashes.set(this.hashes);
        this.hashes = hashes;
        const old = this.slots;
        const n = nextPow2(cap * 2);
        const slots = new Int32Array(n * 2).fill(EMPTY);
        const mask = n - 1;
        for (let s = 0; s < old.length; s += 2) {
            if (old[s] === EMPTY)
                continue;
            let slot = old[s + 1] & mask;
            while (slots[slot * 2] !== EMPTY)
                slot = (slot + 1) & mask;
            slots[slot * 2] = old[s];
            slots[slot * 2 + 1] = old[s + 1];
        }
        this.slots = slots;
        this.mask = mask;
    }
}
function nextPow2(n) {
    let p = 1;
    while (p < n)
        p *= 2;
    return p;
}
export function growU32(a, n) {
    const b = new Uint32Array(n);
    b.set(a);
    return b;
}
export function growU8(a, n) {
    const b = new Uint8Array(n);
    b.set(a);
    return b;
}
