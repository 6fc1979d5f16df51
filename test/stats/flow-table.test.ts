/**
 * FlowTable's removal (swap with the last row, backward-shift deletion in the slots) against a
 * Map kept beside it, over random inserts and removals in a table small enough that probe runs
 * collide and wrap; and kthSmallest against a sort.
 */
import t from 'tap';
import { FlowTable } from '../../src/stats/flow-table.js';
import { kthSmallest } from '../../src/stats/conversations.js';
import { Prng } from '../fuzz/prng.js';

const KEY_WORDS = 3;
const ROW_WORDS = 6;

t.test('remove keeps every other key findable, its row intact, and ids dense', async (t) => {
  for (const seed of [1, 2, 3, 4]) {
    const prng = new Prng(seed);
    const rnd = (): number => prng.u32() / 2 ** 32;
    const table = new FlowTable(KEY_WORDS, ROW_WORDS, 300);
    // The model: key text → the value written into the row's first non-key word.
    const model = new Map<string, number>();
    const key = new Uint32Array(KEY_WORDS);
    let bad = 0;
    for (let step = 0; step < 20_000; step++) {
      // Few distinct keys (600 for 300 places): inserts meet existing keys and a full table.
      const k = Math.floor(rnd() * 600);
      key[0] = k;
      key[1] = k * 7;
      key[2] = 0xffffffff - k;
      const text = String(k);
      if (rnd() < 0.55) {
        const id = table.lookupOrInsert(key);
        if (model.has(text)) {
          if (id < 0 || table.inserted || table.u32[id * ROW_WORDS + KEY_WORDS] !== model.get(text)) bad++;
        } else if (model.size >= 300) {
          if (id !== -1) bad++;
        } else {
          if (id !== model.size || !table.inserted) bad++;
          // A new row reads as zeros, also where a removed row was.
          for (let w = KEY_WORDS; w < ROW_WORDS; w++) if (table.u32[id * ROW_WORDS + w] !== 0) bad++;
          table.u32[id * ROW_WORDS + KEY_WORDS] = step;
          model.set(text, step);
        }
      } else {
        const id = table.find(key);
        if ((id >= 0) !== model.has(text)) bad++;
        if (id < 0) continue;
        const last = table.size - 1;
        const moved = table.remove(id);
        if (moved !== (id === last ? -1 : last)) bad++;
        model.delete(text);
      }
      if (table.size !== model.size) bad++;
    }
    // Every key in the model is found at a row holding it; every row's key is in the model.
    for (const [text, value] of model) {
      const k = Number(text);
      key[0] = k;
      key[1] = k * 7;
      key[2] = 0xffffffff - k;
      const id = table.find(key);
      if (id < 0 || id >= table.size || table.u32[id * ROW_WORDS + KEY_WORDS] !== value) bad++;
    }
    for (let id = 0; id < table.size; id++) if (!model.has(String(table.u32[id * ROW_WORDS]))) bad++;
    t.equal(bad, 0, `seed ${seed}: ${model.size} keys held at the end`);
  }
});

t.test('kthSmallest equals the sorted array at k - 1, with and without ties', async (t) => {
  const prng = new Prng(7);
    const rnd = (): number => prng.u32() / 2 ** 32;
  let bad = 0;
  for (let trial = 0; trial < 400; trial++) {
    const n = 1 + Math.floor(rnd() * 200);
    const distinct = trial % 3 === 0 ? 3 : 1000;
    const a = Float64Array.from({ length: n }, () => (trial % 7 === 0 ? -Infinity : Math.floor(rnd() * distinct)));
    const sorted = Float64Array.from(a).sort();
    const k = 1 + Math.floor(rnd() * n);
    if (kthSmallest(Float64Array.from(a), k) !== sorted[k - 1]) bad++;
  }
  t.equal(bad, 0);
});
