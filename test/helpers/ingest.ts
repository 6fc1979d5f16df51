/**
 * Crafted Ethernet frames (craft.ts) counted into a WireStats, as a capture would deliver them:
 * one reused record and summary, each frame whole (caplen = wire length).
 */
import { CaptureRecord } from '../../src/capture/source.js';
import { decodePacket } from '../../src/decode/packet.js';
import { PacketSummary } from '../../src/decode/summary.js';
import type { WireStats } from '../../src/stats/wire-stats.js';

/** LINKTYPE_ETHERNET */
const EN10MB = 1;

/** `times[i]`, when given, is frame i's timestamp in seconds (else 0). */
export function ingestFrames(stats: WireStats, frames: readonly Buffer[], times?: readonly number[]): void {
  const s = new PacketSummary();
  const rec = new CaptureRecord();
  for (const [i, f] of frames.entries()) {
    const ts = times?.[i] ?? 0;
    rec.tsSec = Math.floor(ts);
    rec.tsNsec = Math.round((ts - rec.tsSec) * 1e9);
    rec.buf = f;
    rec.offset = 0;
    rec.caplen = rec.wirelen = f.length;
    rec.linktype = EN10MB;
    decodePacket(rec, s);
    stats.ingest(s);
  }
}
