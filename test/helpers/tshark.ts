/**
 * The differential oracle: what tshark says the TCP and UDP conversations of a capture are.
 *
 * tshark 4.0 prints `-z conv` byte counts rounded ("1023 kB"), so exact bytes come from its
 * per-packet decode instead: one run prints, per frame, the wire length, the protocol stack and
 * the first (outermost) addresses and ports, followed by the `-z conv,tcp -z conv,udp` tables.
 * A packet belongs to a conversation "carried directly by the outermost IP header" when, in
 * tshark's protocol stack, the first ip/ipv6 is followed (after IPv6 extension headers and AH)
 * by tcp/udp, and tshark assigned it a stream (it accepted the header). The conv tables' exact
 * frame counts cross-check that derivation.
 */
import { spawn } from 'node:child_process';

export const TSHARK = process.env.TSHARK ?? 'tshark';

/** Preferences the issue fixes: no reassembly, so every frame counts where it was seen. */
export const TSHARK_PREFS = [
  '-o', 'ip.defragment:FALSE',
  '-o', 'ipv6.defragment:FALSE',
  '-o', 'tcp.desegment_tcp_streams:FALSE',
];

const FIELDS = [
  'frame.len', 'frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
  'tcp.srcport', 'tcp.dstport', 'tcp.stream', 'udp.srcport', 'udp.dstport', 'udp.stream',
  // What tshark keys IPv6 conversations on instead of the header's addresses: the Home Address
  // option's source, and the routing header's final destination while segments are left.
  'ipv6.opt.mipv6.home_address', 'ipv6.routing.type', 'ipv6.routing.segleft',
  'ipv6.routing.src.addr', 'ipv6.routing.mipv6.home_address', 'ipv6.routing.srh.addr',
];

/** Tokens tshark puts between an IPv6 (or IPv4 with AH) header and the transport header. */
const EXT_TOKENS = new Set(['ipv6.hopopts', 'ipv6.routing', 'ipv6.fraghdr', 'ipv6.dstopts', 'ah']);

export interface Dir {
  packets: number;
  bytes: number;
}

export interface OracleConversation {
  proto: 'tcp' | 'udp';
  /** Normalised endpoints, sorted. */
  ends: [string, string];
  /** Sender endpoint → packets/bytes it sent. */
  from: Map<string, Dir>;
}

export interface EndpointCounts {
  tx: Dir;
  rx: Dir;
}

export interface TsharkResult {
  /** Frames tshark decoded (one per-frame line each), before it stopped if it did. */
  frames: number;
  /** From -z endpoints,ip/ipv6/eth (exact): normalised address → counts. */
  endpoints: Map<string, EndpointCounts>;
  /** Frames with more than one IP header (tunnels, quoted packets) or more than one Ethernet
   *  header: tshark counts the inner ones as endpoints too. */
  nestedIp: number;
  /** Frames with IPv6 extension headers: tshark's IPv6 endpoint tap skips later fragments and
   *  frames whose extension headers it cannot walk, and names header (not final) addresses. */
  ipv6Ext: number;
  nestedEth: number;
  conversations: Map<string, OracleConversation>;
  /** Frames with tcp/udp not carried directly by the outermost IP (tunnels, ICMP errors). */
  indirect: number;
  /** From the -z conv tables: conversation key → total frames (split streams summed). */
  tableFrames: Map<string, number>;
}

/** Canonical text of an IP address (IPv6 through the WHATWG serialiser: RFC 5952-like). */
export function normalizeIp(ip: string): string {
  // A MAC (aa:bb:cc:dd:ee:ff) is not an IPv6 address.
  if (!ip.includes(':') || /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(ip)) return ip.toLowerCase();
  return new URL(`http://[${ip}]/`).hostname;
}

export function endpointKey(ip: string, port: number | string): string {
  return `${normalizeIp(ip)}|${port}`;
}

/** Parses the report's endpoint form (`198.18.0.1:80`, `[2001:db8::1]:443`). */
export function parseReportEndpoint(e: string): string {
  const m = /^\[(.+)\]:(\d+)$/.exec(e) ?? /^([^:]+):(\d+)$/.exec(e);
  if (!m) throw new Error(`not an endpoint with a port: ${e}`);
  return endpointKey(m[1]!, m[2]!);
}

export function conversationKey(proto: string, a: string, b: string): { key: string; ends: [string, string] } {
  const ends: [string, string] = a <= b ? [a, b] : [b, a];
  return { key: `${proto} ${ends[0]} ${ends[1]}`, ends };
}

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', reject);
    p.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

/** tshark's `-z conv` endpoint: `1.2.3.4:80` or `2001:db8::1:443` (port after the last colon). */
function parseTableEndpoint(s: string): string {
  const i = s.lastIndexOf(':');
  return endpointKey(s.slice(0, i), s.slice(i + 1));
}

export async function tsharkConversations(file: string): Promise<TsharkResult> {
  const args = ['-n', '-r', file, ...TSHARK_PREFS, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of FIELDS) args.push('-e', f);
  args.push('-z', 'conv,tcp', '-z', 'conv,udp', '-z', 'endpoints,ip', '-z', 'endpoints,ipv6', '-z', 'endpoints,eth');
  const r = await run(TSHARK, args);
  if (r.code !== 0 && r.stdout.length === 0) {
    throw new Error(`tshark failed on ${file} (exit ${r.code}): ${r.stderr.trim().split('\n').pop()}`);
  }
  const conversations = new Map<string, OracleConversation>();
  const tableFrames = new Map<string, number>();
  let indirect = 0;
  const endpoints = new Map<string, EndpointCounts>();
  let nestedIp = 0;
  let nestedEth = 0;
  let ipv6Ext = 0;
  let frames = 0;
  let table: 'tcp' | 'udp' | 'endpoints' | null = null;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('=====') ) {
      continue;
    }
    const head = /^(TCP|UDP) Conversations$/.exec(line);
    if (head) {
      table = head[1]!.toLowerCase() as 'tcp' | 'udp';
      continue;
    }
    if (/^(IPv4|IPv6|Ethernet) Endpoints$/.test(line)) {
      table = 'endpoints';
      continue;
    }
    if (table === 'endpoints') {
      const m = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
      if (m) {
        endpoints.set(normalizeIp(m[1]!), {
          tx: { packets: Number(m[4]), bytes: Number(m[5]) },
          rx: { packets: Number(m[6]), bytes: Number(m[7]) },
        });
      }
      continue;
    }
    if (table) {
      const m = /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(\d+)\s/.exec(line);
      if (m) {
        const { key } = conversationKey(table, parseTableEndpoint(m[1]!), parseTableEndpoint(m[2]!));
        tableFrames.set(key, (tableFrames.get(key) ?? 0) + Number(m[5]));
      }
      continue;
    }
    // Every occurrence of each field, comma-separated; the outermost is the first.
    const all = line.split('\t');
    const f = all.map((v) => v.split(',')[0]!);
    if (f.length < FIELDS.length) continue;
    frames++;
    const [len, protos, ipSrc, ipDst, ip6Src, ip6Dst, tSp, tDp, tStream, uSp, uDp, uStream, hoa, rtType, segLeft, , rh2, srh] =
      f as string[];
    const tokens = protos!.split(':');
    if (tokens.filter((x) => x === 'ip' || x === 'ipv6').length > 1) nestedIp++;
    if (tokens.filter((x) => x === 'eth').length > 1) nestedEth++;
    if (tokens.some((x) => x.startsWith('ipv6.') || x === 'mipv6' || x === 'shim6')) ipv6Ext++;
    const i = tokens.findIndex((t) => t === 'ip' || t === 'ipv6');
    if (i < 0) continue;
    let j = i + 1;
    while (j < tokens.length && EXT_TOKENS.has(tokens[j]!)) j++;
    const next = tokens[j];
    const proto = next === 'tcp' && tStream !== '' ? 'tcp' : next === 'udp' && uStream !== '' ? 'udp' : null;
    if (tokens.slice(proto ? j + 1 : j).some((t) => t === 'tcp' || t === 'udp')) indirect++;
    if (!proto) continue;
    const v6 = tokens[i] === 'ipv6';
    let srcIp = v6 ? ip6Src! : ipSrc!;
    let dstIp = v6 ? ip6Dst! : ipDst!;
    if (v6 && hoa) srcIp = hoa;
    if (v6 && segLeft && Number(segLeft) > 0) {
      const last = (list: string) => list.split(',').pop()!;
      const rh0 = all[15];
      if (rtType === '0' && rh0) dstIp = last(rh0);
      else if (rtType === '2' && rh2) dstIp = rh2;
      else if (rtType === '4' && srh) dstIp = srh.split(',')[0]!;
    }
    const src = endpointKey(srcIp, proto === 'tcp' ? tSp! : uSp!);
    const dst = endpointKey(dstIp, proto === 'tcp' ? tDp! : uDp!);
    const { key, ends } = conversationKey(proto, src, dst);
    let c = conversations.get(key);
    if (!c) {
      c = { proto, ends, from: new Map() };
      conversations.set(key, c);
    }
    const d = c.from.get(src) ?? { packets: 0, bytes: 0 };
    d.packets++;
    d.bytes += Number(len);
    c.from.set(src, d);
  }
  return { frames, conversations, indirect, tableFrames, endpoints, nestedIp, nestedEth, ipv6Ext };
}
