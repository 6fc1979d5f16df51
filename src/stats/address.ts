/**
 * Addresses to text, only when output is made: IPv4 dotted quad, IPv6 in RFC 5952 form
 * (lowercase, longest zero run compressed, IPv4-mapped shown as ::ffff:a.b.c.d), MAC as
 * colon-separated hex, endpoints as `198.18.0.1:80` and `[2001:db8::1]:443`.
 */

export function formatIpv4(w: number): string {
  return `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;
}

const MAPPED_PREFIX_WORD = 0x0000ffff;

/** `w` holds the address as four 32-bit words starting at `off`. Builds no arrays: a report formats tens of thousands. */
export function formatIpv6(w: ArrayLike<number>, off = 0): string {
  if (w[off] === 0 && w[off + 1] === 0 && w[off + 2] === MAPPED_PREFIX_WORD) {
    return `::ffff:${formatIpv4(w[off + 3])}`;
  }
  const group = (i: number): number => (i & 1 ? w[off + (i >> 1)] & 0xffff : w[off + (i >> 1)] >>> 16);
  // RFC 5952 §4.2: compress the longest run of two or more zero groups (the first if tied).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (group(i) !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && group(j) === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== best + bestLen) out += ':';
    out += group(i).toString(16);
  }
  return out;
}

/** Two lowercase hex digits per byte value, built once. */
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function formatMac(hi: number, lo: number): string {
  return `${HEX2[(hi >>> 8) & 0xff]}:${HEX2[hi & 0xff]}:${HEX2[lo >>> 24]}:${HEX2[(lo >>> 16) & 0xff]}:${HEX2[(lo >>> 8) & 0xff]}:${HEX2[lo & 0xff]}`;
}

export function formatIp(version: number, w: ArrayLike<number>, off = 0): string {
  return version === 6 ? formatIpv6(w, off) : formatIpv4(w[off]);
}

/** An endpoint in the report's form; `port` null for protocols without ports. */
export function formatEndpoint(version: number, w: ArrayLike<number>, off: number, port: number | null): string {
  const ip = formatIp(version, w, off);
  if (port === null) return ip;
  return version === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** A parsed endpoint: IPv4 in words[0] (others 0), IPv6 in four words, as the flow keys hold them. */
export interface ParsedEndpoint {
  version: 4 | 6;
  words: [number, number, number, number];
  port: number | null;
}

function parseIpv4Words(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let w = 0;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > 255) return null;
    w = w * 256 + Number(p);
  }
  return w;
}

/** RFC 4291 §2.2 text (with `::` and a trailing dotted quad) to four words; null if malformed. */
function parseIpv6Words(s: string): [number, number, number, number] | null {
  let text = s;
  const dotted = /(^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (dotted) {
    const v4 = parseIpv4Words(dotted[2]!);
    if (v4 === null) return null;
    tail = [v4 >>> 16, v4 & 0xffff];
    // "…:1.2.3.4" leaves "…:" (drop the separator), "…::1.2.3.4" leaves "…::" (keep the gap).
    text = text.slice(0, text.length - dotted[2]!.length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === null || rest === null) return null;
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  const groups = [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
  const w = (i: number): number => ((groups[i * 2]! << 16) | groups[i * 2 + 1]!) >>> 0;
  return [w(0), w(1), w(2), w(3)];
}

/**
 * The report's endpoint text back to words: `198.18.0.1:80`, `[2001:db8::1]:443`, or a bare
 * address (port null). An IPv4-mapped IPv6 address (`::ffff:198.18.0.1`, as a dual-stack
 * socket shows an IPv4 peer) comes back as IPv4: on the wire it is an IPv4 packet.
 */
export function parseEndpoint(text: string): ParsedEndpoint | null {
  let addr = text;
  let port: number | null = null;
  const v6 = /^\[(.+)\]:(\d{1,5})$/.exec(text);
  const v4 = /^(\d+\.\d+\.\d+\.\d+):(\d{1,5})$/.exec(text);
  if (v6 || v4) {
    addr = (v6 ?? v4)![1]!;
    port = Number((v6 ?? v4)![2]);
    if (port > 0xffff) return null;
  }
  if (!addr.includes(':')) {
    const w = parseIpv4Words(addr);
    return w === null ? null : { version: 4, words: [w, 0, 0, 0], port };
  }
  const words = parseIpv6Words(addr);
  if (words === null) return null;
  if (words[0] === 0 && words[1] === 0 && words[2] === MAPPED_PREFIX_WORD) return { version: 4, words: [words[3], 0, 0, 0], port };
  return { version: 6, words, port };
}
