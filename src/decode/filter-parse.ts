/**
 * The pcap-filter(7) grammar for the subset wirestat evaluates on replay: text → a tree of
 * primitives. Knows nothing of link types or bytes (filter-program.ts turns the tree into tests);
 * every libpcap refusal that does not depend on the link type is raised here, with the column
 * (1-based) of the word it concerns.
 *
 * The grammar, as libpcap 1.10's parser reads it (checked against `tcpdump -d`):
 * - `and`/`&&` and `or`/`||` have equal precedence and group left to right; `not`/`!` binds
 *   tightest. So `ip or vlan and ip` is `(ip or vlan) and ip`.
 * - A primitive is a head (`[proto] [dir] [type]`, at least one) and a value; or a protocol alone
 *   (`tcp`); or `vlan [ID]`. proto: ether ip ip6 arp tcp udp icmp icmp6; dir: src, dst, src or
 *   dst, src and dst (either order); type: host net port portrange. A head without a type means
 *   host.
 * - A bare value after `and`/`or`/`not` repeats the qualifiers of the primitive before it:
 *   `port 80 or 443`, `host A and not B`. After a protocol alone, `vlan`, or a parenthesised
 *   expression there is nothing to repeat, and a bare value is an error. A head may also take a
 *   parenthesised list of values: `host (A or B)`.
 * - `vlan` moves the offsets of every primitive after it in the text, whatever the operators
 *   between them (`vlan or ip` tests `ip` behind the tag): each primitive records how many
 *   `vlan` words came before it.
 * - Values: IPv4 as 1 to 4 dotted decimal parts (fewer than 4 is a network: `host 198.18` is
 *   198.18.0.0/16), or as one number (`host 10` is 0.0.0.10, `net 10` is 10.0.0.0/8);
 *   `net A/LEN`, `net A mask M`; IPv6 literals (`/LEN` with `net`); MAC addresses after `ether`;
 *   numbers are decimal, 0x hex or 0-led octal as in C; `portrange A-B` takes decimal ports in
 *   either order.
 */
import { parseIpv6Text } from '../inet-text.js';

export class FilterError extends Error {
  constructor(
    /** 1-based column of the word the error concerns, or null when it concerns the whole. */
    readonly column: number | null,
    readonly cause_: string,
  ) {
    super(column === null ? `filter: ${cause_}` : `filter: column ${column}: ${cause_}`);
    this.name = 'FilterError';
  }
}

/** What the replay filter understands, for error messages. */
export const SUPPORTED =
  'host, net, port, portrange, src, dst, ether host/src/dst, ip, ip6, arp, tcp, udp, icmp, icmp6, vlan, ' +
  'and/&&, or/||, not/!, parentheses';

export type Dir = 'src' | 'dst' | 'src-or-dst' | 'src-and-dst';
type ProtoQual = 'ether' | 'ip' | 'ip6' | 'arp' | 'tcp' | 'udp' | 'icmp' | 'icmp6';
type AddrQual = 'host' | 'net' | 'port' | 'portrange';
export type ProtoName = Exclude<ProtoQual, 'ether'>;

/** Fields every primitive carries: where it is, and how many `vlan` words precede it. */
interface At {
  column: number;
  vlans: number;
}

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; arg: FilterNode }
  /** A protocol alone: `ip`, `tcp`, … */
  | ({ kind: 'proto'; proto: ProtoName } & At)
  | ({ kind: 'vlan'; id: number | null } & At)
  /** IPv4 host or network; `only` is the protocol qualifier (`any`: IPv4, ARP and RARP). */
  | ({ kind: 'ipv4'; only: 'any' | 'ip' | 'arp'; dir: Dir; addr: number; mask: number } & At)
  /** IPv6 host or network, as four 32-bit words each. */
  | ({ kind: 'ipv6'; dir: Dir; addr: readonly number[]; mask: readonly number[] } & At)
  /** A MAC address as its top 16 and bottom 32 bits. */
  | ({ kind: 'ether'; dir: Dir; hi: number; lo: number } & At)
  /** `port` (an equality) or `portrange` (libpcap compiles a range even for A-A). */
  | ({ kind: 'port'; only: 'any' | 'tcp' | 'udp'; dir: Dir; lo: number; hi: number; range: boolean } & At);

const PROTO_QUALS = new Set<string>(['ether', 'ip', 'ip6', 'arp', 'tcp', 'udp', 'icmp', 'icmp6']);
const ADDR_QUALS = new Set<string>(['host', 'net', 'port', 'portrange']);
const KEYWORDS = new Set<string>([...PROTO_QUALS, ...ADDR_QUALS, 'src', 'dst', 'and', 'or', 'not', 'vlan', 'mask']);

/**
 * pcap-filter words wirestat does not evaluate on replay: named so the error says "not
 * supported" rather than "unknown host". From pcap-filter(7) of libpcap 1.10.
 */
const UNSUPPORTED = new Set<string>(
  (
    'gateway proto protochain broadcast multicast less greater len rarp sctp igmp igrp pim vrrp carp ah esp ' +
    'atalk aarp decnet lat sca moprc mopdl iso esis es-is isis is-is clnp l1 l2 iih lsp snp csnp psnp stp ipx ' +
    'netbeui llc mpls pppoed pppoes geneve vxlan fddi tr wlan ppp slip link radio type subtype dir addr1 ' +
    'addr2 addr3 addr4 ra ta inbound outbound ifindex ifname on rnr rulenum srnr subrulenum reason rset ' +
    'ruleset action lane oam oamf4 oamf4ec oamf4sc sc ilmic connectmsg metaconnect metac bcc vpi vci fisu ' +
    'lssu msu hfisu hlssu hmsu sio opc dpc sls hsio hopc hdpc hsls icmptype icmpcode tcpflags tcp-fin ' +
    'tcp-syn tcp-rst tcp-push tcp-ack tcp-urg tcp-ece tcp-cwr'
  ).split(' '),
);

const MAX_PORT = 0xffff;
const MAX_VLAN_ID = 0xfff;
const IPV4_BITS = 32;
const IPV6_BITS = 128;
const OCTET_BITS = 8;
const MAX_OCTET = 255;
const U32 = 0x1_0000_0000;

interface Token {
  text: string;
  column: number;
  /** word: a run of name characters; op: punctuation; end: past the last token. */
  type: 'word' | 'op' | 'end';
}

const WORD = /[A-Za-z0-9_.:-]+/y;
const SPACE = /\s+/y;
const OPS = ['&&', '||', '!=', '(', ')', '!', '/'];
/** The characters of pcap-filter's byte accessors and arithmetic (`tcp[13] & 2 != 0`). */
const ARITHMETIC = ['[', ']', '<', '>', '=', '+', '*', '%', '&', '|', '^'];

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    SPACE.lastIndex = i;
    if (SPACE.test(s)) {
      i = SPACE.lastIndex;
      continue;
    }
    WORD.lastIndex = i;
    const m = WORD.exec(s);
    if (m) {
      out.push({ text: m[0], column: i + 1, type: 'word' });
      i += m[0].length;
      continue;
    }
    const op = OPS.find((o) => s.startsWith(o, i)) ?? s[i]!;
    out.push({ text: op, column: i + 1, type: 'op' });
    i += op.length;
  }
  out.push({ text: '', column: s.length + 1, type: 'end' });
  return out;
}

/** The qualifiers a bare value repeats; null where there are none to repeat. */
interface Quals {
  /** The head as written ("tcp dst port"), for messages. */
  text: string;
  proto: ProtoQual | null;
  protoColumn: number;
  dir: Dir | null;
  addr: AddrQual | null;
  addrColumn: number;
}

interface Parsed {
  node: FilterNode;
  quals: Quals | null;
}

/** Parses `expr`; throws FilterError. Returns null for an empty (all-space) expression. */
export function parseFilter(expr: string): FilterNode | null {
  const toks = tokenize(expr);
  if (toks.length === 1) return null;
  const p = new Parser(toks);
  const { node } = p.expr();
  p.expectEnd();
  return node;
}

class Parser {
  private i = 0;
  /** `vlan` words seen so far, in text order. */
  private vlans = 0;

  constructor(private readonly toks: Token[]) {}

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.type !== 'end') this.i++;
    return t;
  }

  private isWord(t: Token, ...words: string[]): boolean {
    return t.type === 'word' && words.includes(t.text);
  }

  private isAnd(t: Token): boolean {
    return this.isWord(t, 'and') || (t.type === 'op' && t.text === '&&');
  }

  private isOr(t: Token): boolean {
    return this.isWord(t, 'or') || (t.type === 'op' && t.text === '||');
  }

  private isNot(t: Token): boolean {
    return this.isWord(t, 'not') || (t.type === 'op' && t.text === '!');
  }

  private isOpen(t: Token): boolean {
    return t.type === 'op' && t.text === '(';
  }

  /** A word that is not a keyword: a value (address, number, range, or a name we refuse). */
  private isValue(t: Token): boolean {
    return t.type === 'word' && !KEYWORDS.has(t.text) && !UNSUPPORTED.has(t.text);
  }

  private describe(t: Token): string {
    return t.type === 'end' ? 'the end of the expression' : `"${t.text}"`;
  }

  /** The error for a token that cannot stand where it is. */
  private unexpected(t: Token, expected: string): FilterError {
    if (t.type === 'word' && UNSUPPORTED.has(t.text)) return unsupported(t);
    if (t.type === 'op' && (ARITHMETIC.includes(t.text) || t.text === '!=')) {
      return new FilterError(t.column, `"${t.text}" (packet data accessors, arithmetic and comparisons) is not supported by wirestat on replay (supported: ${SUPPORTED})`);
    }
    if (t.type === 'op' && !OPS.includes(t.text)) return new FilterError(t.column, `unexpected character "${t.text}"`);
    return new FilterError(t.column, `expected ${expected}, found ${this.describe(t)}`);
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.type !== 'end') {
      if (t.type === 'op' && t.text === ')') throw new FilterError(t.column, 'unbalanced ")"');
      throw this.unexpected(t, '"and", "or" or the end of the expression');
    }
  }

  /**
   * expr := term { (and|or) operand }, left to right, equal precedence. `before`: the qualifiers
   * in effect where the expression starts (libpcap's parser hands them to a "(" or "not" from
   * the primitive left of it), which a parenthesised term passes on.
   */
  expr(before: Quals | null = null): Parsed {
    let left = this.term(before);
    for (;;) {
      const t = this.peek();
      const kind = this.isAnd(t) ? 'and' : this.isOr(t) ? 'or' : null;
      if (!kind) return left;
      this.next();
      const right = this.operand(left.quals, t);
      left = { node: { kind, left: left.node, right: right.node }, quals: right.quals };
    }
  }

  /** What may follow and/or: a term, or a value that repeats the previous qualifiers. */
  private operand(quals: Quals | null, op: Token): Parsed {
    const t = this.peek();
    if (this.isNot(t)) {
      this.next();
      const r = this.operand(quals, op);
      return { node: { kind: 'not', arg: r.node }, quals: r.quals };
    }
    if (this.isValue(t) || (this.isOpen(t) && this.valueGroupAhead())) {
      if (!quals) {
        throw new FilterError(
          t.column,
          `${this.describe(t)} has no qualifier to repeat: the bare-value shorthand (\`port 80 or 443\`) needs a host, net, port or portrange primitive right before "${op.text}"`,
        );
      }
      return { node: this.id(quals), quals };
    }
    return this.term(quals);
  }

  /** At "(": does a value (not a keyword) come first inside, past any "(" and "not"? */
  private valueGroupAhead(): boolean {
    for (let k = 0; ; k++) {
      const t = this.peek(k);
      if (this.isOpen(t) || this.isNot(t)) continue;
      return this.isValue(t);
    }
  }

  /**
   * A parenthesised term leaves behind the qualifiers from before its "(", not those inside it:
   * in libpcap `host A or (tcp) or B` is `… or host B`, and `(host A) or B` is an error.
   */
  private term(before: Quals | null): Parsed {
    const t = this.peek();
    if (this.isNot(t)) {
      this.next();
      const r = this.term(before);
      return { node: { kind: 'not', arg: r.node }, quals: r.quals };
    }
    if (this.isOpen(t)) {
      this.next();
      const r = this.expr(before);
      const close = this.peek();
      if (close.type !== 'op' || close.text !== ')') throw this.unexpected(close, `")" to close the "(" at column ${t.column}`);
      this.next();
      return { node: r.node, quals: before };
    }
    if (this.isWord(t, 'vlan')) return { node: this.vlan(), quals: null };
    if (t.type === 'word' && (PROTO_QUALS.has(t.text) || ADDR_QUALS.has(t.text) || t.text === 'src' || t.text === 'dst')) {
      return this.primitive();
    }
    if (this.isValue(t)) {
      throw new FilterError(t.column, `${this.describe(t)} needs a qualifier before it (host, net, port, portrange, src, dst)`);
    }
    throw this.unexpected(t, `a primitive (${SUPPORTED})`);
  }

  private vlan(): FilterNode {
    const kw = this.next();
    const node: FilterNode = { kind: 'vlan', id: null, column: kw.column, vlans: this.vlans };
    const t = this.peek();
    if (this.isValue(t)) {
      this.next();
      const id = parseNumber(t);
      if (id === null) throw new FilterError(t.column, `expected a VLAN ID (a number) after "vlan", found "${t.text}"`);
      if (id > MAX_VLAN_ID) throw new FilterError(t.column, `VLAN ID ${id} is greater than the maximum ${MAX_VLAN_ID}`);
      node.id = id;
    }
    this.vlans++;
    return node;
  }

  /** head id | protocol alone. */
  private primitive(): Parsed {
    const q: Quals = { text: '', proto: null, protoColumn: 0, dir: null, addr: null, addrColumn: 0 };
    const start = this.i;
    let t = this.peek();
    if (t.type === 'word' && PROTO_QUALS.has(t.text)) {
      q.proto = t.text as ProtoQual;
      q.protoColumn = t.column;
      this.next();
      t = this.peek();
    }
    if (this.isWord(t, 'src', 'dst')) {
      this.next();
      q.dir = t.text as 'src' | 'dst';
      const op = this.peek();
      const other = this.peek(1);
      if ((this.isWord(op, 'or', 'and')) && this.isWord(other, t.text === 'src' ? 'dst' : 'src')) {
        q.dir = op.text === 'or' ? 'src-or-dst' : 'src-and-dst';
        this.next();
        this.next();
      }
      t = this.peek();
    }
    if (t.type === 'word' && ADDR_QUALS.has(t.text)) {
      q.addr = t.text as AddrQual;
      q.addrColumn = t.column;
      this.next();
    }
    if (q.dir === null && q.addr === null) {
      // A protocol alone.
      if (q.proto === 'ether') {
        throw new FilterError(q.protoColumn, '"ether" needs host, src or dst and a MAC address after it');
      }
      const after = this.peek();
      if (this.isValue(after)) {
        throw new FilterError(after.column, `expected a qualifier (src, dst, host, net, port, portrange) between "${q.proto}" and "${after.text}"`);
      }
      return { node: { kind: 'proto', proto: q.proto as ProtoName, column: q.protoColumn, vlans: this.vlans }, quals: null };
    }
    if (q.addrColumn === 0) q.addrColumn = this.toks[start]!.column;
    q.text = this.toks.slice(start, this.i).map((k) => k.text).join(' ');
    const at = this.peek();
    if (!this.isValue(at) && !this.isNot(at) && !this.isOpen(at)) throw this.unexpected(at, `a value after "${this.toks[this.i - 1]!.text}"`);
    return { node: this.id(q), quals: q };
  }

  /** id := value | not id | "(" id { (and|or) id } ")", each value under `q`. */
  private id(q: Quals): FilterNode {
    const t = this.peek();
    if (this.isNot(t)) {
      this.next();
      return { kind: 'not', arg: this.id(q) };
    }
    if (this.isOpen(t)) {
      this.next();
      let node = this.id(q);
      for (;;) {
        const op = this.peek();
        const kind = this.isAnd(op) ? 'and' : this.isOr(op) ? 'or' : null;
        if (!kind) break;
        this.next();
        node = { kind, left: node, right: this.id(q) };
      }
      const close = this.peek();
      if (close.type !== 'op' || close.text !== ')') throw this.unexpected(close, `")" to close the "(" at column ${t.column}`);
      this.next();
      return node;
    }
    if (!this.isValue(t)) throw this.unexpected(t, 'a value (an address, a network or a port)');
    this.next();
    return this.value(q, t);
  }

  /** One value under the qualifiers `q`, with its `/LEN` or `mask M` suffix. */
  private value(q: Quals, t: Token): FilterNode {
    const dir: Dir = q.dir ?? 'src-or-dst';
    const at = { column: t.column, vlans: this.vlans };
    let prefix: number | null = null;
    let maskTok: Token | null = null;
    const slash = this.peek();
    if (slash.type === 'op' && slash.text === '/') {
      this.next();
      const n = this.next();
      const len = n.type === 'word' ? parseNumber(n) : null;
      if (len === null) throw this.unexpected(n, 'a prefix length after "/"');
      prefix = len;
    } else if (this.isWord(slash, 'mask')) {
      this.next();
      maskTok = this.next();
      if (maskTok.type !== 'word') throw this.unexpected(maskTok, 'an IPv4 netmask after "mask"');
    }
    const addr = q.addr ?? 'host';
    if ((prefix !== null || maskTok) && addr !== 'net') {
      throw new FilterError(t.column, `a network mask ("${prefix !== null ? '/' : 'mask'}") needs "net", not "${addr}"`);
    }

    if (addr === 'port' || addr === 'portrange') return this.port(q, t, dir, at);

    if (q.proto === 'ether') {
      if (addr === 'net') throw new FilterError(q.addrColumn, '"ether net" is not a primitive: use ether host, ether src or ether dst');
      const mac = parseMac(t.text);
      if (!mac) throw new FilterError(t.column, `"${q.text}" needs a MAC address (like 02:00:00:00:00:01), found "${t.text}"`);
      return { kind: 'ether', dir, hi: mac[0], lo: mac[1], ...at };
    }

    if (t.text.includes(':')) {
      const v6 = parseIpv6(t.text);
      if (!v6) {
        if (parseMac(t.text)) throw new FilterError(t.column, `a MAC address needs "ether" before it ("ether ${addr} ${t.text}")`);
        throw new FilterError(t.column, `"${t.text}" is not an IPv6 address`);
      }
      if (q.proto !== null && q.proto !== 'ip6') {
        throw new FilterError(q.protoColumn, `"${q.proto}" cannot qualify an IPv6 ${addr}`);
      }
      if (maskTok) throw new FilterError(maskTok.column, 'an IPv6 network takes "/LEN", not "mask"');
      const len = prefix ?? IPV6_BITS;
      if (len > IPV6_BITS) throw new FilterError(t.column, `prefix length ${len} is greater than ${IPV6_BITS}`);
      const mask = [0, 1, 2, 3].map((w) => prefixWord(len - w * IPV4_BITS));
      if (v6.some((w, i) => (w & ~mask[i]!) !== 0)) throw new FilterError(t.column, `"${t.text}/${len}" has bits set outside the network`);
      return { kind: 'ipv6', dir, addr: v6, mask, ...at };
    }

    // IPv4, dotted or one number.
    const num = parseNumber(t, false);
    const dotted = num === null ? parseDotted(t) : null;
    if (num === null && !dotted) {
      if (parseMac(t.text)) throw new FilterError(t.column, `a MAC address needs "ether" before it ("ether ${addr} ${t.text}")`);
      throw new FilterError(t.column, `"${t.text}" is not an address: host and port names are not resolved on replay (give the number)`);
    }
    if (q.proto !== null && q.proto !== 'ip' && q.proto !== 'arp') {
      throw new FilterError(q.protoColumn, `"${q.proto}" cannot qualify an IPv4 ${addr}${q.proto === 'ip6' ? '' : ' (use ip, arp or nothing)'}`);
    }
    let value: number;
    let mask: number;
    if (dotted) {
      value = dotted.value;
      mask = prefixWord(dotted.parts * OCTET_BITS);
    } else if (addr === 'net') {
      // A number as a network: its significant octets, left-aligned (libpcap: `net 10` is 10/8).
      value = num!;
      mask = 0xffffffff;
      while (value !== 0 && value < 0x01000000) {
        value = value * 0x100;
        mask = (mask * 0x100) % U32;
      }
    } else {
      value = num!;
      mask = 0xffffffff;
    }
    if (prefix !== null || maskTok) {
      if (!dotted) throw new FilterError(t.column, `a network with ${prefix !== null ? '"/LEN"' : '"mask"'} needs a dotted address (like 10.0.0.0), found "${t.text}"`);
      if (prefix !== null) {
        if (prefix > IPV4_BITS) throw new FilterError(t.column, `prefix length ${prefix} is greater than ${IPV4_BITS}`);
        mask = prefixWord(prefix);
      } else {
        const m = parseDotted(maskTok!);
        if (!m) throw new FilterError(maskTok!.column, `expected an IPv4 netmask after "mask", found "${maskTok!.text}"`);
        mask = m.value;
      }
      if ((value & ~mask) !== 0) {
        const suffix = prefix !== null ? `/${prefix}` : ` mask ${maskTok!.text}`;
        throw new FilterError(t.column, `"${t.text}${suffix}" has bits set outside the network`);
      }
    }
    return { kind: 'ipv4', only: (q.proto ?? 'any') as 'any' | 'ip' | 'arp', dir, addr: value >>> 0, mask: mask >>> 0, ...at };
  }

  private port(q: Quals, t: Token, dir: Dir, at: At): FilterNode {
    const addr = q.addr!;
    if (q.proto !== null && q.proto !== 'tcp' && q.proto !== 'udp') {
      throw new FilterError(q.protoColumn, `"${q.proto}" cannot qualify "${addr}" (use tcp, udp or nothing)`);
    }
    const only = (q.proto ?? 'any') as 'any' | 'tcp' | 'udp';
    if (addr === 'port') {
      const n = parseNumber(t, false);
      if (n === null) {
        if (/^[A-Za-z]/.test(t.text)) throw new FilterError(t.column, `port names are not resolved on replay ("${t.text}"): give the number`);
        throw new FilterError(t.column, `expected a port number after "port", found "${t.text}"`);
      }
      if (n > MAX_PORT) throw new FilterError(t.column, `port ${n} is greater than ${MAX_PORT}`);
      return { kind: 'port', only, dir, lo: n, hi: n, range: false, ...at };
    }
    // A single number is the range N-N (libpcap: `portrange 80` compiles as 80-80).
    const single = parseNumber(t, false);
    if (single !== null) {
      if (single > MAX_PORT) throw new FilterError(t.column, `port ${single} is greater than ${MAX_PORT}`);
      return { kind: 'port', only, dir, lo: single, hi: single, range: true, ...at };
    }
    const m = /^(\d+)-(\d+)$/.exec(t.text);
    if (!m) {
      if (/^[A-Za-z]/.test(t.text)) throw new FilterError(t.column, `port names are not resolved on replay ("${t.text}"): give decimal numbers, like 1024-2047`);
      throw new FilterError(t.column, `expected a port range in decimal (like 1024-2047) after "portrange", found "${t.text}"`);
    }
    let lo = Number(m[1]);
    let hi = Number(m[2]);
    for (const n of [lo, hi]) if (n > MAX_PORT) throw new FilterError(t.column, `port ${n} is greater than ${MAX_PORT}`);
    if (lo > hi) [lo, hi] = [hi, lo];
    return { kind: 'port', only, dir, lo, hi, range: true, ...at };
  }
}

function unsupported(t: Token): FilterError {
  return new FilterError(t.column, `"${t.text}" is not supported by wirestat on replay (supported: ${SUPPORTED})`);
}

/** A 32-bit mask of `bits` leading ones (clamped to 0..32). */
function prefixWord(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= IPV4_BITS) return 0xffffffff;
  return (0xffffffff << (IPV4_BITS - bits)) >>> 0;
}

/**
 * A number as libpcap's scanner reads one: 0x hex, 0-led octal, else decimal. Returns null
 * when the word is not a number; throws for a malformed octal (`08`) or more than 32 bits.
 */
function parseNumber(t: Token, strict = true): number | null {
  const s = t.text;
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(s)) v = parseInt(s.slice(2), 16);
  else if (/^0[0-9]+$/.test(s)) {
    if (/[89]/.test(s)) throw new FilterError(t.column, `number ${s} begins with 0 (octal) but contains a non-octal digit`);
    v = parseInt(s, 8);
  } else if (/^[0-9]+$/.test(s)) v = Number(s);
  else {
    if (strict && /^[0-9]/.test(s) && !s.includes('.')) throw new FilterError(t.column, `"${s}" is not a number`);
    return null;
  }
  if (v >= U32) throw new FilterError(t.column, `number ${s} does not fit in 32 bits`);
  return v;
}

/** 2 to 4 dotted decimal parts, left-aligned: "198.18" → 198.18.0.0 with parts 2. */
function parseDotted(t: Token): { value: number; parts: number } | null {
  if (!/^\d+(\.\d+){1,3}$/.test(t.text)) return null;
  const parts = t.text.split('.').map(Number);
  if (parts.some((p) => p > MAX_OCTET)) throw new FilterError(t.column, `"${t.text}" is not a valid IPv4 address`);
  let value = 0;
  for (let i = 0; i < 4; i++) value = value * 0x100 + (parts[i] ?? 0);
  return { value, parts: parts.length };
}

/** An IPv6 literal (RFC 4291 §2.2, with an embedded IPv4 tail) as four words; null if not one. */
function parseIpv6(s: string): number[] | null {
  const b = parseIpv6Text(s);
  if (b === null) return null;
  return [0, 1, 2, 3].map((w) => ((b[4 * w]! << 24) | (b[4 * w + 1]! << 16) | (b[4 * w + 2]! << 8) | b[4 * w + 3]!) >>> 0);
}

/** xx:xx:xx:xx:xx:xx (or with - or .), xxxx.xxxx.xxxx, or 12 hex digits → [top 16, bottom 32]. */
function parseMac(s: string): [number, number] | null {
  let hex: string;
  if (/^[0-9a-f]{1,2}([:.-])[0-9a-f]{1,2}(\1[0-9a-f]{1,2}){4}$/i.test(s)) {
    hex = s
      .split(/[:.-]/)
      .map((p) => p.padStart(2, '0'))
      .join('');
  } else if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(s)) hex = s.replace(/\./g, '');
  else if (/^[0-9a-f]{12}$/i.test(s)) hex = s;
  else return null;
  return [parseInt(hex.slice(0, 4), 16), parseInt(hex.slice(4), 16)];
}
