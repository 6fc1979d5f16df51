/**
 * The host join's label of every conversation (local-join.ts), kept per conversation id so the
 * dashboard can filter and count by label each second without formatting 100,000 endpoints
 * each second.
 *
 * A conversation is classified once, when it first appears (its endpoints as the report writes
 * them, originator first, as local-report.ts does), and again only when the join's answer can
 * have changed. Labels only move one way as snapshots are added to a join (third-party → local
 * when an address appears; unexplained → explained when a socket does), so:
 * - a new address (or MAC) re-checks the third-party rows that have it at an end (words
 *   compared, no text);
 * - a new socket re-checks the unexplained rows (few, normally: an end is this host and nothing
 *   owns it);
 * - explained rows are never re-checked;
 * - another join object (or none) starts over.
 * A full flow table evicts conversations and moves rows into their places (FlowTable.remove):
 * a label moves with its row, and a row that moves in before it was classified is classified at
 * the next update.
 * A row's MACs are those of its latest packets: one whose sender's MAC changes to the host's
 * after it was classified keeps its label until the join changes (a host's MAC on an existing
 * conversation: a rare event, and the report, made from the rows as they end, has it right).
 *
 * The originator can change once after a row is classified (a pure SYN seen after the first
 * packet); the label does not depend on it for TCP, which is the only protocol where it can
 * change (a tuple matches in either order; a listener on either end), so it is not re-checked.
 */
import { parseEndpoint } from './address.js';
import { CF, type Conversations, CW, MAC_PRESENT, ROW_F64, ROW_WORDS } from './conversations.js';
import type { LabelFilter, ViewLabelCount, ViewLocal } from './dashboard-view.js';
import type { LocalJoin, LocalLabel } from './local-join.js';
import type { WireStats } from './wire-stats.js';

/** A label as one byte per conversation; UNKNOWN: not classified (no join yet). */
export const LABEL = { UNKNOWN: 0, EXPLAINED: 1, UNEXPLAINED: 2, THIRD_PARTY: 3 } as const;
export type LabelCode = (typeof LABEL)[keyof typeof LABEL];

const CODE: Record<LocalLabel, LabelCode> = {
  explained: LABEL.EXPLAINED,
  unexplained: LABEL.UNEXPLAINED,
  'third-party': LABEL.THIRD_PARTY,
};

/** The label of a code (null for UNKNOWN). */
export const LABEL_NAME: readonly (LocalLabel | null)[] = [null, 'explained', 'unexplained', 'third-party'];

/** The third word of an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
const MAPPED_PREFIX_WORD = 0x0000ffff;

/**
 * Addresses as the flow keys hold them, to ask "is an end of this row one of them?" without
 * making text. Built from the join's address texts through parseEndpoint, the inverse of the
 * text classify compares, and an IPv6 key with an IPv4-mapped address is looked up as the IPv4
 * address classify reads it as; so a row classify would find local is always found here. An
 * address text that does not read back can equal no formatted address: it is left out.
 */
class AddressSet {
  private readonly v4 = new Set<number>();
  private readonly v6 = new Set<string>();

  get size(): number {
    return this.v4.size + this.v6.size;
  }

  add(text: string): void {
    const p = parseEndpoint(text);
    if (p === null) return;
    if (p.version === 4) this.v4.add(p.words[0]);
    else this.v6.add(p.words.join(','));
  }

  /** Whether the address at `keys[off..]` (of IP `version`) is in the set. */
  has(version: number, keys: Uint32Array, off: number): boolean {
    if (version !== 6) return this.v4.has(keys[off]!);
    if (keys[off] === 0 && keys[off + 1] === 0 && keys[off + 2] === MAPPED_PREFIX_WORD) return this.v4.has(keys[off + 3]!);
    return this.v6.size > 0 && this.v6.has(`${keys[off]},${keys[off + 1]},${keys[off + 2]},${keys[off + 3]}`);
  }
}

/** A MAC as one number (48 bits fit a double exactly): from "02:00:00:00:00:01", or a row's words. */
function macNumber(text: string): number | null {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(text);
  return m ? parseInt(m.slice(1).join(''), 16) : null;
}
const WORD = 2 ** 32;

export class LocalLabels {
  /** One LabelCode per conversation id below `conv.size` (longer: it grows ahead). */
  private codes = new Uint8Array(0);
  /** Ids below this have a label from `join`. */
  private classified = 0;
  private join: LocalJoin | null = null;
  private addressGeneration = 0;
  private socketGeneration = 0;
  /** The join's addresses when last looked at, as text (to tell new ones) and as key words. */
  private knownAddresses = new Set<string>();
  private hostAddresses = new AddressSet();
  /** The join's MACs as numbers (an end whose frames came from one is the host's). */
  private hostMacs = new Set<number>();
  /** Calls to LocalJoin.classify since the start: what the cache saves is counted by tests. */
  classifications = 0;

  /** Ids below `classified` that a not yet classified row moved into. */
  private pending: number[] = [];

  constructor(readonly conv: Conversations) {
    conv.watch({
      moved: (from, to) => {
        if (to >= this.classified) return;
        if (from < this.classified) this.codes[to] = this.codes[from]!;
        else this.pending.push(to);
      },
      shrunk: (size) => {
        if (this.classified > size) this.classified = size;
      },
    });
  }

  /** The labels as of the last update, by conversation id (read-only by contract). */
  get labels(): Uint8Array {
    return this.codes;
  }

  label(id: number): LocalLabel | null {
    return id < this.classified ? LABEL_NAME[this.codes[id]!]! : null;
  }

  /**
   * Brings the labels up to date with `join` (null: no host view, every label UNKNOWN). Cost:
   * the new conversations, the rows a change of the join can move, and one pass of byte reads.
   * A row with neither end on this host is third-party without a word of text: on a span port
   * that is nearly every row.
   */
  update(join: LocalJoin | null): void {
    const c = this.conv;
    const n = c.size;
    if (this.codes.length < n) {
      const grown = new Uint8Array(Math.max(n, Math.ceil(this.codes.length * 1.5)));
      grown.set(this.codes.subarray(0, this.classified));
      this.codes = grown;
    }
    if (join !== this.join) {
      this.join = join;
      this.classified = 0;
      this.pending = [];
      this.codes.fill(LABEL.UNKNOWN);
      this.knownAddresses = new Set();
      this.hostAddresses = new AddressSet();
      this.hostMacs = new Set();
      if (join) {
        this.newAddresses(join);
        this.newMacs(join);
      }
      this.addressGeneration = join?.addressGeneration ?? 0;
      this.socketGeneration = join?.socketGeneration ?? 0;
    }
    if (join === null) return;
    const codes = this.codes;
    const addressesMoved = join.addressGeneration !== this.addressGeneration;
    const socketsMoved = join.socketGeneration !== this.socketGeneration;
    if (addressesMoved || socketsMoved) {
      const fresh = addressesMoved ? this.newAddresses(join) : null;
      const freshMacs = addressesMoved ? this.newMacs(join) : null;
      for (let id = 0; id < this.classified; id++) {
        const code = codes[id]!;
        const recheck =
          code === LABEL.UNEXPLAINED
            ? socketsMoved
            : code === LABEL.THIRD_PARTY && ((fresh !== null && this.touches(id, fresh)) || (freshMacs !== null && this.touchesMac(id, freshMacs)));
        if (recheck) codes[id] = this.classify(join, id);
      }
      this.addressGeneration = join.addressGeneration;
      this.socketGeneration = join.socketGeneration;
    }
    for (const id of this.pending) if (id < this.classified) codes[id] = this.first(join, id);
    this.pending = [];
    for (let id = this.classified; id < n; id++) codes[id] = this.first(join, id);
    this.classified = n;
  }

  /** A row's first label: a row with neither end on this host is third-party without a word of text. */
  private first(join: LocalJoin, id: number): LabelCode {
    return this.touches(id, this.hostAddresses) || this.touchesMac(id, this.hostMacs) ? this.classify(join, id) : LABEL.THIRD_PARTY;
  }

  private classify(join: LocalJoin, id: number): LabelCode {
    this.classifications++;
    // As the report's rows and local section label it: endpoints originator first, and MACs.
    return CODE[join.classifyConversation(this.conv, id).label];
  }

  /** The join's MACs not seen before (null when none), now also in `hostMacs`. */
  private newMacs(join: LocalJoin): Set<number> | null {
    let fresh: Set<number> | null = null;
    for (const text of join.hostMacs()) {
      const m = macNumber(text);
      if (m === null || this.hostMacs.has(m)) continue;
      this.hostMacs.add(m);
      (fresh ??= new Set()).add(m);
    }
    return fresh;
  }

  /** Whether either side of conversation `id` last sent from one of `macs`. */
  private touchesMac(id: number, macs: Set<number>): boolean {
    if (macs.size === 0) return false;
    const w = this.conv.table.u32;
    const row = id * ROW_WORDS;
    for (let side = 0; side < 2; side++) {
      const hi = w[row + CW.TX_MAC_HI + side]!;
      if ((hi & MAC_PRESENT) !== 0 && macs.has((hi & 0xffff) * WORD + w[row + CW.TX_MAC_LO + side]!)) return true;
    }
    return false;
  }

  /** The join's addresses not seen before (null when none), now also in `hostAddresses`. */
  private newAddresses(join: LocalJoin): AddressSet | null {
    const fresh = new AddressSet();
    let any = false;
    for (const addr of join.hostAddresses()) {
      if (this.knownAddresses.has(addr)) continue;
      this.knownAddresses.add(addr);
      this.hostAddresses.add(addr);
      fresh.add(addr);
      any = true;
    }
    return any ? fresh : null;
  }

  /** Whether an end of conversation `id` is one of `addrs`. */
  private touches(id: number, addrs: AddressSet): boolean {
    if (addrs.size === 0) return false;
    const c = this.conv;
    const keys = c.table.u32;
    const v = c.version(id);
    return addrs.has(v, keys, c.addrOffset(id, 0)) || addrs.has(v, keys, c.addrOffset(id, 1));
  }
}

/** Whether a label passes a label filter (null passes everything, UNKNOWN only that). */
export function labelMatches(filter: LabelFilter | null, code: number): boolean {
  switch (filter) {
    case null:
      return true;
    case 'host':
      return code === LABEL.EXPLAINED || code === LABEL.UNEXPLAINED;
    case 'explained':
      return code === LABEL.EXPLAINED;
    case 'unexplained':
      return code === LABEL.UNEXPLAINED;
    case 'third-party':
      return code === LABEL.THIRD_PARTY;
  }
}

const ratio = (x: number, of: number): number | null => (of > 0 ? x / of : null);

/**
 * The view's `local` summary from labels brought up to date (`labels.update(join)` first):
 * what the report's `local` section counts (local-report.ts), from the cached labels and the
 * counters, without a string. `quietSockets`: LocalJoin.quietSockets' count.
 */
export function localSummary(stats: WireStats, labels: LocalLabels, quietSockets: number): ViewLocal {
  const c = stats.conversations;
  const f = c.table.f64;
  const codes = labels.labels;
  const n = c.size;
  // Indexed by LabelCode; UNKNOWN's (no join) is counted and left out.
  const packets = new Float64Array(LABEL_NAME.length);
  const bytes = new Float64Array(LABEL_NAME.length);
  const flows = new Float64Array(LABEL_NAME.length);
  for (let id = 0; id < n; id++) {
    const code = codes[id]!;
    const rf = id * ROW_F64;
    flows[code]++;
    packets[code] += f[rf + CF.PKTS]! + f[rf + CF.PKTS + 1]!;
    bytes[code] += f[rf + CF.BYTES]! + f[rf + CF.BYTES + 1]!;
  }
  const count = (code: LabelCode): ViewLabelCount => Object.freeze({ conversations: flows[code]!, packets: packets[code]!, bytes: bytes[code]! });
  const explained = count(LABEL.EXPLAINED);
  const unexplained = count(LABEL.UNEXPLAINED);
  const host = { packets: explained.packets + unexplained.packets, bytes: explained.bytes + unexplained.bytes };
  return Object.freeze({
    wire: Object.freeze({ packets: stats.packets, bytes: stats.bytes }),
    host: Object.freeze(host),
    explained,
    unexplained,
    thirdParty: count(LABEL.THIRD_PARTY),
    share: Object.freeze({
      hostPackets: ratio(host.packets, stats.packets),
      hostBytes: ratio(host.bytes, stats.bytes),
      explainedPackets: ratio(explained.packets, stats.packets),
      explainedBytes: ratio(explained.bytes, stats.bytes),
      explainedOfHostPackets: ratio(explained.packets, host.packets),
      explainedOfHostBytes: ratio(explained.bytes, host.bytes),
    }),
    quietSockets,
  });
}
