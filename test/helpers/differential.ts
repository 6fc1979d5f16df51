/**
 * Compares wirestat's report with tshark's per-packet decode for one capture (see tshark.ts):
 * every TCP/UDP conversation carried directly by the outermost IP header must be equal in
 * packets and bytes in both directions, and wirestat must have no TCP/UDP conversation that
 * tshark lacks.
 */
import { analyzeFile } from '../../src/cli/analyze.js';
import { LINKTYPE } from '../../src/capture/linktype.js';
import { conversationKey, normalizeIp, parseReportEndpoint, tsharkConversations, type TsharkResult } from './tshark.js';

/** Link types wirestat decodes (LINKTYPE_ values, plus DLT_RAW's 12 as some files store it). */
export const DECODED_LINKTYPES = new Set<number>([...Object.values(LINKTYPE), 12]);

export interface FileComparison {
  file: string;
  /** Why the file was not compared, or null. */
  skipped: string | null;
  conversations: number;
  /** Conversations whose bytes could not be checked (tshark threw after naming the stream). */
  framesOnly: number;
  endpoints: number;
  mismatches: string[];
}

/**
 * Endpoints against tshark's -z endpoints tables, where tshark's and ours mean the same thing:
 * IP endpoints unless some frame nests IP in IP (tshark counts inner headers too) or carries
 * IPv6 extension headers (tshark's IPv6 endpoint tap then differs from its conversations); MAC
 * endpoints only for Ethernet captures without nested Ethernet (wirestat also records the
 * sender of a Linux cooked capture, tshark does not).
 */
export function compareEndpoints(
  endpoints: { addr: string; tx: { packets: number; bytes: number }; rx: { packets: number; bytes: number } }[],
  oracle: Awaited<ReturnType<typeof tsharkConversations>>,
  linktypes: number[],
  out: FileComparison,
): void {
  const isMac = (a: string) => /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(a);
  const ipOk = oracle.nestedIp === 0 && oracle.ipv6Ext === 0;
  const macOk = oracle.nestedEth === 0 && linktypes.every((l) => l === LINKTYPE.EN10MB);
  const wanted = (a: string) => (isMac(a) ? macOk : ipOk);
  const mine = new Map(endpoints.map((e) => [normalizeIp(e.addr), e]));
  for (const [addr, t] of oracle.endpoints) {
    if (!wanted(addr)) continue;
    out.endpoints++;
    const m = mine.get(addr);
    if (!m) out.mismatches.push(`endpoint ${addr}: tshark has it, wirestat does not`);
    else if (m.tx.packets !== t.tx.packets || m.tx.bytes !== t.tx.bytes || m.rx.packets !== t.rx.packets || m.rx.bytes !== t.rx.bytes) {
      out.mismatches.push(
        `endpoint ${addr}: tshark tx ${t.tx.packets}/${t.tx.bytes} rx ${t.rx.packets}/${t.rx.bytes}, ` +
          `wirestat tx ${m.tx.packets}/${m.tx.bytes} rx ${m.rx.packets}/${m.rx.bytes}`,
      );
    }
  }
  for (const addr of mine.keys()) {
    if (wanted(addr) && !oracle.endpoints.has(addr)) out.mismatches.push(`endpoint ${addr}: wirestat has it, tshark does not`);
  }
}

/** `[v6]:port` or `v4:port` carry a port; a bare IPv6 address has several colons, IPv4 none. */
function hasPort(e: string): boolean {
  return e.startsWith('[') || e.split(':').length === 2;
}

/** `tshark`, when given, is tsharkConversations(file) already run (a caller that needed it too). */
export async function compareWithTshark(file: string, tshark?: TsharkResult): Promise<FileComparison> {
  const out: FileComparison = { file, skipped: null, conversations: 0, framesOnly: 0, endpoints: 0, mismatches: [] };
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
  const oracle = tshark ?? (await tsharkConversations(file));

  const mine = new Map<string, { a: string; b: string; ab: { packets: number; bytes: number }; ba: { packets: number; bytes: number } }>();
  for (const c of ours.report.conversations) {
    if (c.proto !== 'tcp' && c.proto !== 'udp') continue;
    if (!hasPort(c.a)) continue; // a row without ports (transport header unreadable)
    const a = parseReportEndpoint(c.a);
    const b = parseReportEndpoint(c.b);
    mine.set(conversationKey(c.proto, a, b).key, { a, b, ab: c.a_to_b, ba: c.b_to_a });
  }
  // tshark's -z conv tables are the authority on which frames count (its taps); its per-packet
  // decode gives exact bytes per direction. Where the two agree on a conversation's frames, every
  // figure is compared; where tshark assigned a stream but threw before its tap, only the
  // table's frame count is. Conversations that appear only in the tables are tunnelled ones
  // (not carried directly by the outermost IP header) when the capture has any.
  const keys = new Set([...oracle.conversations.keys(), ...oracle.tableFrames.keys()]);
  for (const key of keys) {
    const t = oracle.conversations.get(key);
    const tableFrames = oracle.tableFrames.get(key) ?? 0;
    if (!t && oracle.indirect > 0) continue;
    const m = mine.get(key);
    const derived = t ? [...t.from.values()].reduce((n, d) => n + d.packets, 0) : 0;
    if (tableFrames === 0) {
      if (m) out.mismatches.push(`${key}: wirestat has it, tshark's conv table does not`);
      continue;
    }
    out.conversations++;
    if (!m) {
      out.mismatches.push(`${key}: tshark has it, wirestat does not`);
      continue;
    }
    const ours = m.ab.packets + m.ba.packets;
    if (derived !== tableFrames) {
      // With tunnels in the capture, a table row may also hold the same tuple's inner frames.
      if (oracle.indirect > 0) continue;
      out.framesOnly++;
      if (ours !== tableFrames) out.mismatches.push(`${key}: tshark -z conv ${tableFrames} frames, wirestat ${ours}`);
      continue;
    }
    const tab = t!.from.get(m.a) ?? { packets: 0, bytes: 0 };
    // A conversation of an endpoint with itself has one direction only.
    const tba = m.a === m.b ? { packets: 0, bytes: 0 } : (t!.from.get(m.b) ?? { packets: 0, bytes: 0 });
    if (tab.packets !== m.ab.packets || tab.bytes !== m.ab.bytes || tba.packets !== m.ba.packets || tba.bytes !== m.ba.bytes) {
      out.mismatches.push(
        `${key}: tshark ${tab.packets}/${tab.bytes} + ${tba.packets}/${tba.bytes}, ` +
          `wirestat ${m.ab.packets}/${m.ab.bytes} + ${m.ba.packets}/${m.ba.bytes} (packets/bytes a→b + b→a)`,
      );
    }
  }
  for (const key of mine.keys()) {
    if (!keys.has(key)) out.mismatches.push(`${key}: wirestat has it, tshark does not`);
  }
  compareEndpoints(ours.report.endpoints, oracle, ours.source.linktypes, out);
  return out;
}
