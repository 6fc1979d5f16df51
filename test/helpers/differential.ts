/**
 * Compares wirestat's report with tshark's per-packet decode for one capture (see tshark.ts):
 * every TCP/UDP conversation carried directly by the outermost IP header must be equal in
 * packets and bytes in both directions, and wirestat must have no TCP/UDP conversation that
 * tshark lacks.
 */
import { analyzeFile } from '../../src/cli/analyze.js';
import { LINKTYPE } from '../../src/capture/linktype.js';
import { conversationKey, parseReportEndpoint, tsharkConversations } from './tshark.js';

/** Link types wirestat decodes (LINKTYPE_ values, plus DLT_RAW's 12 as some files store it). */
export const DECODED_LINKTYPES = new Set<number>([...Object.values(LINKTYPE), 12]);

export interface FileComparison {
  file: string;
  /** Why the file was not compared, or null. */
  skipped: string | null;
  conversations: number;
  mismatches: string[];
}

/** `[v6]:port` or `v4:port` carry a port; a bare IPv6 address has several colons, IPv4 none. */
function hasPort(e: string): boolean {
  return e.startsWith('[') || e.split(':').length === 2;
}

export async function compareWithTshark(file: string): Promise<FileComparison> {
  const out: FileComparison = { file, skipped: null, conversations: 0, mismatches: [] };
  let ours;
  try {
    ours = await analyzeFile(file);
  } catch (err) {
    out.skipped = `unreadable: ${(err as Error).message}`;
    return out;
  }
  const unsupported = ours.source.linktypes.filter((l) => !DECODED_LINKTYPES.has(l));
  if (ours.source.linktypes.length === 0 || unsupported.length > 0) {
    out.skipped = `link type ${unsupported.join(',') || 'none'} not decoded`;
    return out;
  }
  const oracle = await tsharkConversations(file);

  const mine = new Map<string, { a: string; b: string; ab: { packets: number; bytes: number }; ba: { packets: number; bytes: number } }>();
  for (const c of ours.report.conversations) {
    if (c.proto !== 'tcp' && c.proto !== 'udp') continue;
    if (!hasPort(c.a)) continue; // a row without ports (transport header unreadable)
    const a = parseReportEndpoint(c.a);
    const b = parseReportEndpoint(c.b);
    mine.set(conversationKey(c.proto, a, b).key, { a, b, ab: c.a_to_b, ba: c.b_to_a });
  }
  for (const [key, t] of oracle.conversations) {
    out.conversations++;
    const m = mine.get(key);
    if (!m) {
      out.mismatches.push(`${key}: tshark has it, wirestat does not`);
      continue;
    }
    const tab = t.from.get(m.a) ?? { packets: 0, bytes: 0 };
    // A conversation of an endpoint with itself has one direction only.
    const tba = m.a === m.b ? { packets: 0, bytes: 0 } : (t.from.get(m.b) ?? { packets: 0, bytes: 0 });
    if (tab.packets !== m.ab.packets || tab.bytes !== m.ab.bytes || tba.packets !== m.ba.packets || tba.bytes !== m.ba.bytes) {
      out.mismatches.push(
        `${key}: tshark ${tab.packets}/${tab.bytes} + ${tba.packets}/${tba.bytes}, ` +
          `wirestat ${m.ab.packets}/${m.ab.bytes} + ${m.ba.packets}/${m.ba.bytes} (packets/bytes a→b + b→a)`,
      );
    }
  }
  for (const key of mine.keys()) {
    if (!oracle.conversations.has(key)) out.mismatches.push(`${key}: wirestat has it, tshark does not`);
  }
  // The oracle's own derivation, checked against tshark's conv tables where no tunnel can
  // add conversations to those tables.
  if (oracle.indirect === 0) {
    for (const [key, frames] of oracle.tableFrames) {
      const t = oracle.conversations.get(key);
      const n = t ? [...t.from.values()].reduce((s, d) => s + d.packets, 0) : 0;
      if (n !== frames) out.mismatches.push(`${key}: oracle derivation ${n} frames, tshark -z conv ${frames}`);
    }
  }
  return out;
}
