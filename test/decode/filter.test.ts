/**
 * The replay filter (src/decode/filter.ts) against tcpdump -r FILE EXPR, libpcap's own compiler
 * and bpf_filter():
 * - error messages: every refusal names its column and cause, and where the expression is in
 *   the subset's grammar, tcpdump refuses it too;
 * - per packet, on crafted captures of every link type the filter knows, each frame at every
 *   captured length (test/helpers/filter-captures.ts): which loads run and in what order
 *   decides truncated packets, so this checks the libpcap optimizer's shape, not only meaning;
 * - packet counts on the fixtures and a sample of the tcpdump corpus (every capture with a link
 *   type the filter knows and no Ethernet, and the Ethernet ones with VLAN, QinQ, IPv6
 *   extension headers, fragments, ARP, other encapsulations or short snap lengths), with
 *   addresses, ports, VLAN IDs and MACs taken from each capture so that the expressions match
 *   something. WIRESTAT_FILTER_CORPUS=all compares every capture with a known link type.
 * Each record is decoded by the real decoder before the filter sees it, as the CLI will do.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readCapture } from '../../src/capture/reader.js';
import { type CaptureFilter, compileFilter, FILTER_LINKTYPES, FilterError } from '../../src/decode/filter.js';
import { decodePacket } from '../../src/decode/packet.js';
import { L, PacketSummary } from '../../src/decode/summary.js';
import { ROOT } from '../helpers/cli.js';
import { CORPUS } from '../helpers/corpus.js';
import { epb, idb, shb, u32 } from '../helpers/craft.js';
import { A, A6, B, B6, ipv4Packets, MAC_A, writeSweepCaptures } from '../helpers/filter-captures.js';
import { pool } from '../helpers/pool.js';
import { tcpdumpAccepted, tcpdumpCount } from '../helpers/tcpdump.js';

const FIXTURES = join(ROOT, 'fixtures/captures');
const V4 = join(FIXTURES, 'lab-v4.pcap');
const CAPTURE = /\.(pcap|pcapng|cap|trace|dmp)$/;

/** Values an expression template is filled with. */
interface Values {
  A: number;
  B: number;
  A6: string;
  B6: string;
  P: number;
  Q: number;
  V: number;
  M: string;
}

const ip4 = (a: number) => [a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff].join('.');

/**
 * 45 templates: every primitive and qualifier of the subset, the shorthand, `vlan`'s shift
 * across `or`, and combinations whose truncated packets depend on the optimizer.
 */
const TEMPLATES = [
  'ip', 'ip6', 'arp', 'tcp', 'udp', 'icmp', 'icmp6',
  'vlan', 'vlan {V}', 'vlan and ip', 'vlan or ip6', 'vlan and vlan and udp',
  'host {A}', 'src host {A}', 'dst host {B}', 'src and dst net {N16}', 'dst or src net {N24}',
  'net {N16M} mask 255.255.0.0', 'net {S16}', 'ip host {A} and not {B}', 'arp host {A}',
  'host {A} or {B}', 'host ({A} or {B}) and tcp', 'not host {A} or {B}',
  'host {A6}', 'ip6 src net {N6}', 'ip6 dst host {B6}',
  'port {P}', 'tcp port {P} or {Q}', 'udp dst port {Q}', 'tcp src or dst port {Q}', 'src and dst port {P}',
  'portrange {P}-{P2}', 'tcp dst portrange 1-1023', 'udp portrange 1024-65535',
  'ether src {M}', 'ether host {M} and not ip', 'ether dst ff:ff:ff:ff:ff:ff',
  'tcp or udp or icmp', '! tcp && ! udp', 'icmp6 || arp',
  '(tcp port {P} or udp port {Q}) and not host {B}', 'tcp port 80 or ip', 'ip and ip6 or ether src {M}',
  'port {P} or not port {P}',
];

function fill(template: string, v: Values): string {
  const g = v.A6.split(':');
  const prefix6 = `${g[0] || '0'}:${g[1] || '0'}::/32`;
  const net = (bits: number) => ip4(bits === 0 ? 0 : (v.A & (0xffffffff << (32 - bits))) >>> 0);
  const map: Record<string, string> = {
    A: ip4(v.A),
    B: ip4(v.B),
    A6: v.A6,
    B6: v.B6,
    N16: `${net(16)}/16`,
    N24: `${net(24)}/24`,
    N16M: net(16),
    S16: `${v.A >>> 24}.${(v.A >>> 16) & 0xff}`,
    N6: prefix6,
    P: String(v.P),
    Q: String(v.Q),
    P2: String(Math.min(v.P + 100, 65535)),
    V: String(v.V),
    M: v.M,
  };
  return template.replace(/\{(\w+)\}/g, (_, k: string) => map[k]!);
}

/** The most frequent value seen, or `fallback`. */
function top<T>(m: Map<T, number>, fallback: T, not?: T): T {
  let best = fallback;
  let n = 0;
  for (const [k, c] of m) if (c > n && k !== not) [best, n] = [k, c];
  return best;
}

function bump<T>(m: Map<T, number>, k: T): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

const hex4 = (w: number) => [(w >>> 16).toString(16), (w & 0xffff).toString(16)];
const v6Text = (s: Uint32Array) => [0, 1, 2, 3].flatMap((i) => hex4(s[i]!)).join(':');
const macText = (hi: number, lo: number) =>
  [hi >>> 8, hi & 0xff, lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff].map((x) => x.toString(16).padStart(2, '0')).join(':');

/** What a capture holds: its link types, features for the sample, and values for templates. */
interface Survey {
  file: string;
  linktypes: number[];
  features: Set<string>;
  values: Values;
}

async function survey(file: string): Promise<Survey | null> {
  const s = new PacketSummary();
  const features = new Set<string>();
  const a = new Map<number, number>();
  const b = new Map<number, number>();
  const a6 = new Map<string, number>();
  const b6 = new Map<string, number>();
  const ports = new Map<number, number>();
  const vlans = new Map<number, number>();
  const macs = new Map<string, number>();
  let source;
  try {
    source = await readCapture(file, (rec) => {
      decodePacket(rec, s);
      const p = rec.buf;
      const o = rec.offset;
      if (s.vlanDepth > 0) features.add('vlan');
      if (s.vlanDepth > 1) features.add('qinq');
      if (s.layers & L.ARP) features.add('arp');
      if (s.fragment) features.add('fragment');
      if (s.layers & (L.MPLS | L.PPPOE | L.LLC)) features.add('encapsulation');
      if (rec.caplen < rec.wirelen && rec.caplen < 64) features.add('short');
      if (s.ipVersion === 6 && rec.linktype === 1 && rec.caplen > 20 && [0, 43, 44, 51, 60].includes(p[o + 20]!)) features.add('ipv6-extension');
      if (s.vlanId >= 0) bump(vlans, s.vlanId);
      if (s.hasSrcMac) bump(macs, macText(s.srcMacHi, s.srcMacLo));
      if (s.ipVersion === 4) {
        bump(a, s.src[0]!);
        bump(b, s.dst[0]!);
      } else if (s.ipVersion === 6) {
        bump(a6, v6Text(s.src));
        bump(b6, v6Text(s.dst));
      }
      if (s.hasPorts) {
        bump(ports, s.srcPort);
        bump(ports, s.dstPort);
      }
    });
  } catch {
    return null;
  }
  const A_ = top(a, 0xc6120001);
  const P = top(ports, 80);
  const A6_ = top(a6, '2001:db8:0:0:0:0:0:1');
  return {
    file,
    linktypes: source.linktypes,
    features,
    values: { A: A_, B: top(b, 0xc6120002, A_), A6: A6_, B6: top(b6, '2001:db8:0:0:0:0:0:2', A6_), P, Q: top(ports, 53, P), V: top(vlans, 100), M: top(macs, MAC_A) },
  };
}

/**
 * Runs every filter over every record of `file` (decoded first): counts and accepted records,
 * or the refusal (a parse error given as a string, or what matches threw).
 */
async function ourVerdicts(file: string, filters: (CaptureFilter | string)[]): Promise<{ counts: number[]; errors: (string | null)[]; accepted: Set<number>[] }> {
  const s = new PacketSummary();
  const counts = filters.map(() => 0);
  const errors: (string | null)[] = filters.map((f) => (typeof f === 'string' ? f : null));
  const accepted = filters.map(() => new Set<number>());
  await readCapture(file, (rec) => {
    decodePacket(rec, s);
    for (let i = 0; i < filters.length; i++) {
      if (errors[i] !== null) continue;
      try {
        if ((filters[i] as CaptureFilter).matches(rec, s)) {
          counts[i]!++;
          accepted[i]!.add(rec.tsSec);
        }
      } catch (err) {
        if (!(err instanceof FilterError)) throw err;
        errors[i] = err.message;
      }
    }
  });
  return { counts, errors, accepted };
}

/** Each expression compiled, or the message of its FilterError. */
function compileAll(exprs: string[]): (CaptureFilter | string)[] {
  return exprs.map((e) => {
    try {
      const f = compileFilter(e);
      if (!f) throw new Error(`empty expression in the test: ${JSON.stringify(e)}`);
      return f;
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      return err.message;
    }
  });
}

t.test('empty and all-space expressions are no filter', async (t) => {
  t.equal(compileFilter(''), null);
  t.equal(compileFilter('  \t\n'), null);
});

t.test('refusals name the column and the cause; within the grammar, tcpdump refuses them too', async (t) => {
  // [expression, column, message after "filter: column N: ", does libpcap refuse it too]
  const cases: [string, number | null, RegExp | string, boolean][] = [
    ['proto 6', 1, '"proto" is not supported by wirestat on replay (supported: host, net, port, portrange, src, dst, ether host/src/dst, ip, ip6, arp, tcp, udp, icmp, icmp6, vlan, and/&&, or/||, not/!, parentheses)', false],
    ['tcp and ip proto 6', 12, /^"proto" is not supported by wirestat on replay/, false],
    ['tcp[13] & 2 != 0', 4, /^"\[" \(packet data accessors, arithmetic and comparisons\) is not supported/, false],
    ['len > 100', 1, /^"len" is not supported/, false],
    ['tcp-syn', 1, /^"tcp-syn" is not supported/, true],
    ['gateway 198.18.0.1', 1, /^"gateway" is not supported/, false],
    ['host example.com', 6, '"example.com" is not an address: host and port names are not resolved on replay (give the number)', false],
    ['port http', 6, 'port names are not resolved on replay ("http"): give the number', false],
    ['port', 5, 'expected a value after "port", found the end of the expression', true],
    ['80', 1, '"80" needs a qualifier before it (host, net, port, portrange, src, dst)', true],
    ['tcp or 80', 8, /^"80" has no qualifier to repeat/, true],
    ['(host 198.18.0.1) or 198.18.0.2', 22, /^"198.18.0.2" has no qualifier to repeat/, true],
    ['vlan 100 or 200', 13, /^"200" has no qualifier to repeat/, true],
    ['ip 198.18.0.1', 4, 'expected a qualifier (src, dst, host, net, port, portrange) between "ip" and "198.18.0.1"', true],
    ['port 65536', 6, 'port 65536 is greater than 65535', true],
    ['portrange 1-70000', 11, 'port 70000 is greater than 65535', true],
    ['portrange 0x10-0x20', 11, 'expected a port range in decimal (like 1024-2047) after "portrange", found "0x10-0x20"', true],
    ['port 08', 6, 'number 08 begins with 0 (octal) but contains a non-octal digit', true],
    ['vlan 4096', 6, 'VLAN ID 4096 is greater than the maximum 4095', true],
    ['net 198.18.0.1/16', 5, '"198.18.0.1/16" has bits set outside the network', true],
    ['net 198.18.0.0 mask 255.0.255.0', 5, '"198.18.0.0 mask 255.0.255.0" has bits set outside the network', true],
    ['net 10.0.0.0/33', 5, 'prefix length 33 is greater than 32', true],
    ['net 2001:db8::/129', 5, 'prefix length 129 is greater than 128', true],
    ['host 198.18.0.0/16', 6, 'a network mask ("/") needs "net", not "host"', true],
    ['host 256.1.1.1', 6, '"256.1.1.1" is not a valid IPv4 address', true],
    ['tcp host 198.18.0.1', 1, '"tcp" cannot qualify an IPv4 host (use ip, arp or nothing)', true],
    ['ip6 host 198.18.0.1', 1, '"ip6" cannot qualify an IPv4 host', true],
    ['ip host 2001:db8::1', 1, '"ip" cannot qualify an IPv6 host', true],
    ['icmp port 80', 1, '"icmp" cannot qualify "port" (use tcp, udp or nothing)', true],
    ['ether', 1, '"ether" needs host, src or dst and a MAC address after it', true],
    ['ether src 198.18.0.1', 11, '"ether src" needs a MAC address (like 02:00:00:00:00:01), found "198.18.0.1"', true],
    ['host 02:00:00:00:00:01', 6, 'a MAC address needs "ether" before it ("ether host 02:00:00:00:00:01")', true],
    ['ether net 02:00:00:00:00:01', 7, '"ether net" is not a primitive: use ether host, ether src or ether dst', true],
    ['(tcp', 5, 'expected ")" to close the "(" at column 1, found the end of the expression', true],
    ['tcp)', 4, 'unbalanced ")"', true],
    ['tcp and', 8, /^expected a primitive \(host, net/, true],
    ['tcp udp', 5, 'expected "and", "or" or the end of the expression, found "udp"', true],
  ];
  const checks = await pool(cases, 2, async ([expr, column, message, libpcapRefuses]) => {
    let err: unknown = null;
    try {
      compileFilter(expr);
    } catch (e) {
      err = e;
    }
    const oracle = libpcapRefuses ? await tcpdumpCount(V4, expr) : null;
    return { expr, column, message, libpcapRefuses, err, oracle };
  });
  for (const { expr, column, message, libpcapRefuses, err, oracle } of checks) {
    if (!(err instanceof FilterError)) {
      t.fail(`${expr}: no FilterError`, { got: String(err) });
      continue;
    }
    t.equal(err.column, column, `${expr}: column`);
    const prefix = `filter: column ${column}: `;
    t.ok(err.message.startsWith(prefix), `${expr}: message starts with "${prefix}"`);
    if (typeof message === 'string') t.equal(err.message, prefix + message, expr);
    else t.match(err.message.slice(prefix.length), message, expr);
    if (libpcapRefuses) t.not(oracle!.error, null, `${expr}: tcpdump refuses it too (${oracle!.error})`);
  }
});

t.test('link types: refused where libpcap refuses, named in the message', async (t) => {
  const refuse = (expr: string, linktype: number, message: string) => {
    const f = compileFilter(expr)!;
    let err: unknown = null;
    try {
      f.prepare(linktype);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof FilterError, `${expr} on ${linktype}: FilterError`);
    t.equal((err as Error)?.message, message, `${expr} on ${linktype}`);
  };
  refuse('tcp or vlan', 113, 'filter: column 8: "vlan" does not apply to link type LINUX_SLL (Linux cooked v1) (libpcap: no VLAN support for it)');
  refuse('ether src 02:00:00:00:00:01', 101, 'filter: column 11: "ether" does not apply to link type RAW (Raw IP) (libpcap: ethernet addresses are supported only on Ethernet and a few other LANs)');
  refuse('arp', 101, 'filter: the expression rejects every packet on link type RAW (Raw IP) (libpcap refuses it: "expression rejects all packets")');
  refuse('ip and ip6', 1, 'filter: the expression rejects every packet on link type EN10MB (Ethernet) (libpcap refuses it: "expression rejects all packets")');
  refuse('ip', 127, 'filter: link type IEEE802_11_RADIO (802.11 plus radiotap header) is not supported by the replay filter (supported: EN10MB, LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6, NULL, LOOP)');
  t.ok(FILTER_LINKTYPES.includes(1));
});

t.test("the program has libpcap's shape: same-field tests pulled together, a dropped first test's load kept", async (t) => {
  // As `tcpdump -d 'ip host 198.18.0.1 or 198.18.0.2'` prints it: both sources, then both
  // destinations.
  t.equal(
    compileFilter('ip host 198.18.0.1 or 198.18.0.2')!.prepare(1).dump(),
    [
      'root 0',
      '0: ldh [12] jeq 0x800 → 1 / reject',
      '1: ldw [26] jeq 0xc6120001 → accept / 2',
      '2: ldw [26] jeq 0xc6120002 → accept / 3',
      '3: ldw [30] jeq 0xc6120001 → accept / 4',
      '4: ldw [30] jeq 0xc6120002 → accept / reject',
    ].join('\n'),
  );
  // `ip and ip6` can never hold, but libpcap keeps its first load: `ldh [12]` then the MAC.
  t.equal(
    compileFilter('ip and ip6 or ether dst 02:00:00:00:00:01')!.prepare(1).dump(),
    ['root 0 after a load of 2 at 12', '0: ldw [2] jeq 0x1 → 1 / reject', '1: ldh [0] jeq 0x200 → accept / reject'].join('\n'),
  );
});

t.test('a NULL header is read in the byte order of its pcapng section, as libpcap reads it', async (t) => {
  // libpcap 1.10 reads every section in the first one's byte order (a second section of the
  // other order is garbage to it), so one file per order: in each, one frame with the family
  // in the section's order and one in the other.
  const dir = mkdtempSync(join(tmpdir(), 'wirestat-filter-ng-'));
  const packet = ipv4Packets()[0]!;
  const family = (le: boolean) => Buffer.concat([u32(2, le), packet]);
  const exprs = ['ip', 'not ip', 'host 198.18.0.1'];
  for (const le of [false, true]) {
    const file = join(dir, `null-${le ? 'le' : 'be'}.pcapng`);
    writeFileSync(file, Buffer.concat([shb(le), idb(0, [], le), epb(0, 0, 1, family(le), le), epb(0, 0, 2, family(!le), le)]));
    const ours = await ourVerdicts(file, compileAll(exprs));
    for (let i = 0; i < exprs.length; i++) {
      const th = await tcpdumpCount(file, exprs[i]!);
      t.equal(ours.counts[i], th.count, `${le ? 'little' : 'big'}-endian section, ${exprs[i]}: tcpdump ${th.count ?? th.error}`);
    }
    t.equal(ours.counts[0], 1, 'the frame in the section\'s byte order is IP');
  }
});

/** A seeded generator of expressions from the subset's grammar, for the crafted captures. */
function randomExpressions(seed: number, n: number): string[] {
  let x = seed;
  const rnd = () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
  const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
  const v4 = [A, B, '198.18.0.3', '198.18', '10.0.0.1'];
  const v6 = [A6, B6, 'fe80::1'];
  const ports = ['80', '443', '53', '22', '40000', '5353', '1000'];
  const dirs = ['', 'src ', 'dst ', 'src or dst ', 'src and dst '];
  const prim = (depth: number): string => {
    const r = rnd();
    if (r < 0.12) return pick(['ip', 'ip6', 'arp', 'tcp', 'udp', 'icmp', 'icmp6']);
    if (r < 0.18) return pick(['vlan', 'vlan 100', 'vlan 200']);
    if (r < 0.38) return `${pick(['', 'ip ', 'arp '])}${pick(dirs)}host ${pick(v4)}`;
    if (r < 0.45) return `${pick(['', 'ip6 '])}${pick(dirs)}host ${pick(v6)}`;
    if (r < 0.5) return `${pick(dirs)}net ${pick(['198.18.0.0/16', '198.18.0.0/24', '10.0.0.0/8', '2001:db8::/32', '198.18.0.0 mask 255.255.255.252'])}`;
    if (r < 0.75) return `${pick(['', 'tcp ', 'udp '])}${pick(dirs)}port ${pick(ports)}`;
    if (r < 0.82) return `${pick(['', 'tcp ', 'udp '])}${pick(dirs)}portrange ${pick(['1-1024', '50-100', '40000-65535', '53'])}`;
    if (r < 0.87) return `ether ${pick(['host', 'src', 'dst'])} ${pick([MAC_A, '02:00:00:00:00:02'])}`;
    return `(${expr(depth + 1)})`;
  };
  const shorthand = (p: string): string => {
    const m = /(host|port) (\S+)$/.exec(p);
    if (!m || rnd() >= 0.4) return p;
    const v = m[1] === 'host' ? pick(m[2]!.includes(':') ? v6 : v4) : pick(ports);
    return `${p} ${pick(['or', 'and', 'and not', 'or not'])} ${v}`;
  };
  const expr = (depth: number): string => {
    let e = (rnd() < 0.2 ? 'not ' : '') + shorthand(prim(depth));
    const k = depth > 1 ? 0 : Math.floor(rnd() * 4);
    for (let i = 0; i < k; i++) e += ` ${pick(['and', 'or', '&&', '||'])} ${rnd() < 0.15 ? 'not ' : ''}${shorthand(prim(depth))}`;
    return e;
  };
  return Array.from({ length: n }, () => expr(0));
}

t.test('per packet, every truncation of crafted frames, every link type', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wirestat-filter-'));
  const captures = writeSweepCaptures(dir);
  const fixed: Values = { A: 0xc6120001, B: 0xc6120002, A6, B6, P: 80, Q: 53, V: 100, M: MAC_A };
  const templated = TEMPLATES.map((tpl) => fill(tpl, fixed));
  let pairs = 0;
  let verdicts = 0;
  let refusedByBoth = 0;
  const failures: string[] = [];
  for (const cap of captures) {
    const exprs = [...templated, ...randomExpressions(cap.linktype + 1, cap.linktype === 1 ? 150 : 40)];
    const filters = compileAll(exprs);
    const ours = await ourVerdicts(cap.file, filters);
    const theirs = await pool(exprs, 2, (e) => tcpdumpAccepted(cap.file, e));
    exprs.forEach((e, i) => {
      pairs++;
      const th = theirs[i]!;
      if (th.error !== null || ours.errors[i] !== null) {
        if (th.error !== null && ours.errors[i] !== null) refusedByBoth++;
        else failures.push(`${cap.name} [${e}]: tcpdump ${th.error ?? `${th.accepted!.size} packets`}, wirestat ${ours.errors[i] ?? `${ours.counts[i]} packets`}`);
        return;
      }
      const mine = ours.accepted[i]!;
      const differ = [...new Set([...mine, ...th.accepted!])].filter((n) => mine.has(n) !== th.accepted!.has(n));
      verdicts += mine.size + th.accepted!.size;
      if (differ.length > 0) failures.push(`${cap.name} [${e}]: records ${differ.slice(0, 10).join(' ')} differ (tcpdump accepts ${th.accepted!.size}, wirestat ${mine.size})`);
    });
  }
  t.same(failures, [], 'wirestat accepts exactly the records tcpdump accepts');
  t.comment(
    `crafted captures: ${captures.length} link-type files, ${pairs} (capture, expression) pairs compared per packet with tcpdump ` +
      `(${refusedByBoth} refused by both, ${verdicts / 2} records accepted), ${failures.length} mismatches`,
  );
});

function captures(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => CAPTURE.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The corpus sample: what the filter knows beyond plain Ethernet, and up to `cap` Ethernet
 *  captures per feature the decoder reports. */
function sample(surveys: Survey[], cap: number): Survey[] {
  if (process.env.WIRESTAT_FILTER_CORPUS === 'all') return surveys;
  const perFeature = new Map<string, number>();
  return surveys.filter((s) => {
    if (s.linktypes.some((l) => l !== 1)) return true;
    let take = false;
    for (const f of s.features) {
      const n = perFeature.get(f) ?? 0;
      if (n < cap) {
        perFeature.set(f, n + 1);
        take = true;
      }
    }
    return take;
  });
}

t.test('packet counts equal tcpdump -r FILE EXPR on the fixtures and the corpus', async (t) => {
  const fixtureFiles = captures(FIXTURES);
  const corpusFiles = captures(join(CORPUS, 'tcpdump-tests'));
  t.ok(fixtureFiles.length > 0 && corpusFiles.length > 0, 'captures found');
  const surveyed = (await pool([...fixtureFiles, ...corpusFiles], 2, survey)).filter(
    (s): s is Survey => s !== null && s.linktypes.length > 0 && s.linktypes.every((l) => FILTER_LINKTYPES.includes(l)),
  );
  const fixtures = surveyed.filter((s) => s.file.startsWith(FIXTURES));
  const corpus = sample(surveyed.filter((s) => !s.file.startsWith(FIXTURES)), 12);
  const files = [...fixtures, ...corpus];
  let pairs = 0;
  let refusedByBoth = 0;
  let packets = 0;
  const failures: string[] = [];
  await pool(files, 2, async (s) => {
    const exprs = TEMPLATES.map((tpl) => fill(tpl, s.values));
    const ours = await ourVerdicts(s.file, compileAll(exprs));
    for (let i = 0; i < exprs.length; i++) {
      const th = await tcpdumpCount(s.file, exprs[i]!);
      pairs++;
      if (th.error !== null || ours.errors[i] !== null) {
        if (th.error !== null && ours.errors[i] !== null) refusedByBoth++;
        else failures.push(`${s.file} [${exprs[i]}]: tcpdump ${th.error ?? th.count}, wirestat ${ours.errors[i] ?? ours.counts[i]}`);
        continue;
      }
      packets += th.count!;
      if (th.count !== ours.counts[i]) failures.push(`${s.file} [${exprs[i]}]: tcpdump ${th.count}, wirestat ${ours.counts[i]}`);
    }
  });
  t.same(failures, [], 'every count equals tcpdump -r FILE EXPR');
  const features = new Map<string, number>();
  for (const s of corpus) for (const f of s.features) bump(features, f);
  t.comment(
    `captures: ${fixtures.length} fixtures and ${corpus.length} of the corpus (${[...features].map(([f, n]) => `${f} ${n}`).join(', ')}); ` +
      `${pairs} (file, expression) pairs compared with tcpdump -r FILE EXPR (${refusedByBoth} refused by both, ${packets} packets accepted), ${failures.length} mismatches`,
  );
});
