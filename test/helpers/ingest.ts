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

export function ingestFrames(stats: WireStats, frames: readonly Buffer[]): void {
  const s = new PacketSummary();
  const rec = new CaptureRecord();
  for (const f of frames) {
    rec.buf = f;
    rec.offset = 0;
    rec.caplen = rec.wirelen = f.length;
    rec.linktype = EN10MB;
    decodePacket(rec, s);
    stats.ingest(s);
  }
}
