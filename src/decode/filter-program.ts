/**
 * Compiles a parsed filter (filter-parse.ts) for one link type into a Program: a decision graph
 * of byte tests at the offsets libpcap's compiler uses, run over the record's bytes.
 *
 * Why a graph of its own and not the decoder's summary: libpcap tests fixed offsets from the
 * link-layer header (`ip` on Ethernet is "the half-word at 12 is 0x0800", whatever the decoder
 * would have found behind MPLS or SNAP), reads IPv6's fixed header where the decoder follows
 * extension headers, and reads the addresses in the header where the decoder keys on a routing
 * header's final destination. Reading the same bytes libpcap reads is the only way to agree with
 * it on every packet, and leaves the decoder's hot path untouched.
 *
 * Why a graph and not a walk of the expression tree: the answers only differ when a packet is
 * cut short, but then they do. A BPF load past the captured length ends the program with
 * "reject", so the verdict depends on which loads run and in what order, and libpcap's optimizer
 * decides that: it skips tests whose outcome is known (`tcp port 80 or ip` accepts a truncated
 * IPv4 packet without reading its ports), pulls tests of one field together (`host A or B`
 * reads both sources before either destination), and sometimes keeps a load whose value it no
 * longer needs. This file reproduces those steps (libpcap 1.10's gencode.c and optimize.c, as
 * `tcpdump -d` shows their output; facts only, no code):
 * 1. each primitive becomes tests (load, mask, comparison) in the shape libpcap's generator
 *    gives it: `host` repeats the link-type test per direction and per protocol (IPv4, ARP,
 *    RARP), `port` repeats the protocol, fragment and port tests per protocol (SCTP, TCP, UDP)
 *    with the IPv6 half first; the optimizer's knowledge depends on that shape;
 * 2. the tests are laid out left to right with short-circuit jumps, one node per use, the code
 *    after a sub-expression shared (libpcap's backpatching);
 * 3. until nothing changes: constants are folded; each edge into a test whose outcome follows
 *    from the edges that dominate it, or into a test whose ways meet, is moved past it (jump
 *    threading, dominators found once per pass, leaves' side first); the or/and pull-ups run;
 * 4. identical nodes are merged (only now, as libpcap does last), and a first test whose ways
 *    meet is dropped but its load kept (opt_root);
 * 5. the graph is flattened into typed arrays; `run` walks it, rejecting at a load past the
 *    captured length, as bpf_filter() does.
 * An expression that is "reject" from the start is refused, as libpcap refuses it
 * ("expression rejects all packets"). test/decode/filter.test.ts compares the verdicts with
 * tcpdump per packet, on every truncation of crafted frames of every link type.
 */
import { LINKTYPE, linktypeDescription, linktypeName } from '../capture/linktype.js';
import { type Dir, FilterError, type FilterNode, type ProtoName } from './filter-parse.js';

/** DLT_RAW as some writers store it in the file header (see packet.ts). */
const LINKTYPE_RAW_DLT = 12;

const OP_EQ = 0;
const OP_GT = 1;
const OP_GE = 2;
/** True when any of the bits of k are set (BPF jset). */
const OP_SET = 3;
/** A constant (k 1 or 0): loads nothing, and the optimizer removes it. */
const OP_CONST = 4;

/** One BPF-style comparison: load `size` bytes at `off` (plus 4 × the IHL at `xbase` when
 *  xbase ≥ 0), AND with `mask`, compare with `k`. */
interface Test {
  off: number;
  xbase: number;
  size: 1 | 2 | 4;
  mask: number;
  op: number;
  k: number;
  /** Index of (off, xbase, size, mask): libpcap's "same value". */
  load: number;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_RARP = 0x8035;
const ETHERTYPE_IPV6 = 0x86dd;
/** TPIDs libpcap's `vlan` accepts. */
const VLAN_TPIDS = [0x8100, 0x88a8, 0x9100];
const VLAN_TAG_LEN = 4;
const VLAN_VID_MASK = 0x0fff;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_FRAGMENT = 44;
const IPPROTO_SCTP = 132;
/** Offsets inside the headers libpcap reads. */
const IP4 = { FRAG: 6, PROTO: 9, SRC: 12, DST: 16 } as const;
const IP4_FRAG_OFFSET_MASK = 0x1fff;
/** BPF's `ldxb 4*([k]&0xf)`: the IPv4 header length, in bytes, from its first byte. */
const IHL_MASK = 0x0f;
const IHL_UNIT = 4;
const IP6 = { NEXT: 6, SRC: 8, DST: 24, HEADER_LEN: 40 } as const;
const TRANSPORT = { SRC_PORT: 0, DST_PORT: 2 } as const;
/** ARP for IPv4 over Ethernet: sender and target protocol addresses (fixed offsets, as libpcap). */
const ARP_SPA = 14;
const ARP_TPA = 24;
/** Ethernet addresses: the 32 low bits at +2, the 16 high bits at +0. */
const ETH_DST = 0;
const ETH_SRC = 6;
/** Address families of the NULL/LOOP header: AF_INET, and the BSD AF_INET6 values libpcap
 *  tests (30 Darwin, 24 Net/OpenBSD, 28 FreeBSD; not Linux's 10). */
const AF_INET = 2;
const AF_INET6_BSD = [30, 24, 28];
const RAW_VERSION_MASK = 0xf0;
const RAW_V4 = 0x40;
const RAW_V6 = 0x60;
const ALL = 0xffffffff;

/** Graph nodes, and optimizer rounds, beyond these make the expression "too complex" (a bound
 *  on compile time). */
const MAX_NODES = 200_000;
const MAX_ROUNDS = 10_000;

/** Terminal node numbers in a Graph. */
const REJECT = 0;
const ACCEPT = 1;

/**
 * A boolean combination of tests, before it is laid out as a graph. Constants stay in it (a
 * link type without ARP makes `arp` false): libpcap's generator makes a block of them too, and
 * where such a block stands first it decides which load the program starts with.
 */
type Expr = boolean | { test: number } | { op: 'and' | 'or'; a: Expr; b: Expr } | { op: 'not'; a: Expr };

function and(a: Expr, b: Expr): Expr {
  return { op: 'and', a, b };
}

function or(a: Expr, b: Expr): Expr {
  return { op: 'or', a, b };
}

function not(a: Expr): Expr {
  return { op: 'not', a };
}

/** Test numbers of the constants; real tests follow. */
const TEST_TRUE = 0;
const TEST_FALSE = 1;

/**
 * A decision graph: node n runs test[n] and goes to hi[n] when it holds, else to lo[n]. Nodes 0
 * and 1 are reject and accept. While it is optimised, the last node is a holder whose two ways
 * both name the first test (the root moves; the holder does not).
 */
class Graph {
  readonly test: number[] = [-1, -1];
  readonly hi: number[] = [REJECT, ACCEPT];
  readonly lo: number[] = [REJECT, ACCEPT];
  private readonly unique = new Map<string, number>();

  /** The node (t, hi, lo), made once: a second request returns the first. */
  merged(t: number, hi: number, lo: number): number {
    const key = `${t},${hi},${lo}`;
    let n = this.unique.get(key);
    if (n === undefined) {
      n = this.test.length;
      if (n > MAX_NODES) throw new FilterError(null, 'the expression is too complex for the replay filter');
      this.test.push(t);
      this.hi.push(hi);
      this.lo.push(lo);
      this.unique.set(key, n);
    }
    return n;
  }

  /** A new node, never merged with another (libpcap's generator makes a block per use). */
  node(t: number, hi: number, lo: number): number {
    const n = this.test.length;
    if (n > MAX_NODES) throw new FilterError(null, 'the expression is too complex for the replay filter');
    this.test.push(t);
    this.hi.push(hi);
    this.lo.push(lo);
    return n;
  }

  /** Lays `e` out as libpcap's code generator does: left to right, short-circuit, a node for
   *  each use of a test; what follows a sub-expression is shared, not copied. */
  lower(e: Expr, onTrue: number, onFalse: number): number {
    if (e === true) return this.node(TEST_TRUE, onTrue, onFalse);
    if (e === false) return this.node(TEST_FALSE, onTrue, onFalse);
    if ('test' in e) return this.node(e.test, onTrue, onFalse);
    switch (e.op) {
      case 'and':
        return this.lower(e.a, this.lower(e.b, onTrue, onFalse), onFalse);
      case 'or':
        return this.lower(e.a, onTrue, this.lower(e.b, onTrue, onFalse));
      case 'not':
        return this.lower(e.a, onFalse, onTrue);
    }
  }
}

/** How a link type carries the network layer, as libpcap's code generator sees it. */
interface LinkLayer {
  linktype: number;
  /** Offset of the EtherType-like field; -1 when the link type has none. */
  typeOff: number;
  /** Offset of the network-layer header. */
  nl: number;
  /** Ethernet framing: `vlan` and `ether` apply. */
  ethernet: boolean;
  /** NULL: the family is stored in the file's byte order. */
  family: 'none' | 'le' | 'be';
}

function linkLayer(linktype: number, littleEndian: boolean): LinkLayer | null {
  switch (linktype) {
    case LINKTYPE.EN10MB:
      return { linktype, typeOff: 12, nl: 14, ethernet: true, family: 'none' };
    case LINKTYPE.LINUX_SLL:
      return { linktype, typeOff: 14, nl: 16, ethernet: false, family: 'none' };
    case LINKTYPE.LINUX_SLL2:
      return { linktype, typeOff: 0, nl: 20, ethernet: false, family: 'none' };
    case LINKTYPE.RAW:
    case LINKTYPE_RAW_DLT:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return { linktype, typeOff: -1, nl: 0, ethernet: false, family: 'none' };
    case LINKTYPE.NULL:
      return { linktype, typeOff: -1, nl: 4, ethernet: false, family: littleEndian ? 'le' : 'be' };
    case LINKTYPE.LOOP:
      return { linktype, typeOff: -1, nl: 4, ethernet: false, family: 'be' };
    default:
      return null;
  }
}

export const FILTER_LINKTYPES: readonly number[] = [
  LINKTYPE.EN10MB,
  LINKTYPE.LINUX_SLL,
  LINKTYPE.LINUX_SLL2,
  LINKTYPE.RAW,
  LINKTYPE_RAW_DLT,
  LINKTYPE.IPV4,
  LINKTYPE.IPV6,
  LINKTYPE.NULL,
  LINKTYPE.LOOP,
];

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

function linkLabel(linktype: number): string {
  const d = linktypeDescription(linktype);
  return d ? `${linktypeName(linktype)} (${d})` : linktypeName(linktype);
}

/** Turns the tree into an Expr over interned tests, for one link layer. */
class CodeGen {
  /** Starts with the two constants (TEST_TRUE, TEST_FALSE), which load nothing. */
  readonly tests: Test[] = [
    { off: 0, xbase: -1, size: 1, mask: 0, op: OP_CONST, k: 1, load: -1 },
    { off: 0, xbase: -1, size: 1, mask: 0, op: OP_CONST, k: 0, load: -1 },
  ];
  private readonly testIndex = new Map<string, number>();
  private readonly loadIndex = new Map<string, number>();

  constructor(private readonly link: LinkLayer) {}

  private test(off: number, size: 1 | 2 | 4, op: number, k: number, mask = ALL, xbase = -1): Expr {
    const lkey = `${xbase},${off},${size},${mask}`;
    let load = this.loadIndex.get(lkey);
    if (load === undefined) {
      load = this.loadIndex.size;
      this.loadIndex.set(lkey, load);
    }
    const tkey = `${lkey},${op},${k}`;
    let v = this.testIndex.get(tkey);
    if (v === undefined) {
      v = this.tests.length;
      this.tests.push({ off, xbase, size, mask, op, k: k >>> 0, load });
      this.testIndex.set(tkey, v);
    }
    return { test: v };
  }

  private and(...xs: Expr[]): Expr {
    return xs.reduce(and);
  }

  private or(...xs: Expr[]): Expr {
    return xs.reduce(or);
  }

  /** The source side, the destination side, or both, source first (as gen_hostop orders them). */
  private dir(d: Dir, src: () => Expr, dst: () => Expr): Expr {
    switch (d) {
      case 'src':
        return src();
      case 'dst':
        return dst();
      case 'src-or-dst':
        return this.or(src(), dst());
      case 'src-and-dst':
        return this.and(src(), dst());
    }
  }

  /** A masked comparison of a 32-bit word; a zero mask compares nothing (libpcap folds it). */
  private word(off: number, value: number, mask: number): Expr {
    if (mask === 0) return true;
    return this.test(off, 4, OP_EQ, (value & mask) >>> 0, mask);
  }

  /** "The network layer is `ethertype`", `vlans` tags in. */
  private proto(ethertype: number, vlans: number): Expr {
    const l = this.link;
    if (l.typeOff >= 0) return this.test(l.typeOff + VLAN_TAG_LEN * vlans, 2, OP_EQ, ethertype);
    if (l.family !== 'none') {
      const fam = (af: number) => this.test(0, 4, OP_EQ, l.family === 'le' ? bswap32(af) : af);
      if (ethertype === ETHERTYPE_IPV4) return fam(AF_INET);
      if (ethertype === ETHERTYPE_IPV6) return this.or(...AF_INET6_BSD.map(fam));
      return false;
    }
    switch (l.linktype) {
      case LINKTYPE.IPV4:
        return ethertype === ETHERTYPE_IPV4;
      case LINKTYPE.IPV6:
        return ethertype === ETHERTYPE_IPV6;
      default: // RAW: the version nibble
        if (ethertype === ETHERTYPE_IPV4) return this.test(0, 1, OP_EQ, RAW_V4, RAW_VERSION_MASK);
        if (ethertype === ETHERTYPE_IPV6) return this.test(0, 1, OP_EQ, RAW_V6, RAW_VERSION_MASK);
        return false;
    }
  }

  private nl(vlans: number): number {
    return this.link.nl + VLAN_TAG_LEN * vlans;
  }

  /** libpcap's `tcp`/`udp`/`icmp6`: the IPv4 protocol, or IPv6's next header, or a fragment
   *  header's next header right after the fixed header (at any fragment offset). */
  private transport(proto: number, v4: boolean, v6: boolean, vlans: number): Expr {
    const nl = this.nl(vlans);
    const a = v4 ? this.and(this.proto(ETHERTYPE_IPV4, vlans), this.test(nl + IP4.PROTO, 1, OP_EQ, proto)) : false;
    const b = v6
      ? this.and(
          this.proto(ETHERTYPE_IPV6, vlans),
          this.or(
            this.test(nl + IP6.NEXT, 1, OP_EQ, proto),
            this.and(this.test(nl + IP6.NEXT, 1, OP_EQ, IPPROTO_FRAGMENT), this.test(nl + IP6.HEADER_LEN, 1, OP_EQ, proto)),
          ),
        )
      : false;
    return this.or(a, b);
  }

  private protocol(p: ProtoName, vlans: number): Expr {
    switch (p) {
      case 'ip':
        return this.proto(ETHERTYPE_IPV4, vlans);
      case 'ip6':
        return this.proto(ETHERTYPE_IPV6, vlans);
      case 'arp':
        return this.proto(ETHERTYPE_ARP, vlans);
      case 'tcp':
        return this.transport(IPPROTO_TCP, true, true, vlans);
      case 'udp':
        return this.transport(IPPROTO_UDP, true, true, vlans);
      case 'icmp':
        return this.transport(IPPROTO_ICMP, true, false, vlans);
      case 'icmp6':
        return this.transport(IPPROTO_ICMPV6, false, true, vlans);
    }
  }

  gen(n: FilterNode): Expr {
    switch (n.kind) {
      case 'and':
        return and(this.gen(n.left), this.gen(n.right));
      case 'or':
        return or(this.gen(n.left), this.gen(n.right));
      case 'not':
        return not(this.gen(n.arg));
      case 'proto':
        return this.protocol(n.proto, n.vlans);
      case 'vlan': {
        if (!this.link.ethernet) {
          throw new FilterError(n.column, `"vlan" does not apply to link type ${linkLabel(this.link.linktype)} (libpcap: no VLAN support for it)`);
        }
        const at = this.link.typeOff + VLAN_TAG_LEN * n.vlans;
        const tagged = this.or(...VLAN_TPIDS.map((t) => this.test(at, 2, OP_EQ, t)));
        return n.id === null ? tagged : this.and(tagged, this.test(at + 2, 2, OP_EQ, n.id, VLAN_VID_MASK));
      }
      case 'ipv4': {
        // One copy of the link-type test per direction and protocol, as libpcap's gen_hostop
        // makes them: the optimizer's knowledge depends on that shape.
        const nl = this.nl(n.vlans);
        const hostop = (ethertype: number, src: number, dst: number) =>
          this.dir(
            n.dir,
            () => this.and(this.proto(ethertype, n.vlans), this.word(nl + src, n.addr, n.mask)),
            () => this.and(this.proto(ethertype, n.vlans), this.word(nl + dst, n.addr, n.mask)),
          );
        if (n.only === 'ip') return hostop(ETHERTYPE_IPV4, IP4.SRC, IP4.DST);
        if (n.only === 'arp') return hostop(ETHERTYPE_ARP, ARP_SPA, ARP_TPA);
        return this.or(hostop(ETHERTYPE_IPV4, IP4.SRC, IP4.DST), hostop(ETHERTYPE_ARP, ARP_SPA, ARP_TPA), hostop(ETHERTYPE_RARP, ARP_SPA, ARP_TPA));
      }
      case 'ipv6': {
        const nl = this.nl(n.vlans);
        const hostop = (off: number) => this.and(this.proto(ETHERTYPE_IPV6, n.vlans), ...[0, 1, 2, 3].map((w) => this.word(nl + off + 4 * w, n.addr[w]!, n.mask[w]!)));
        return this.dir(n.dir, () => hostop(IP6.SRC), () => hostop(IP6.DST));
      }
      case 'ether': {
        if (!this.link.ethernet) {
          throw new FilterError(n.column, `"ether" does not apply to link type ${linkLabel(this.link.linktype)} (libpcap: ethernet addresses are supported only on Ethernet and a few other LANs)`);
        }
        const mac = (off: number) => this.and(this.test(off + 2, 4, OP_EQ, n.lo), this.test(off, 2, OP_EQ, n.hi));
        return this.dir(n.dir, () => mac(ETH_SRC), () => mac(ETH_DST));
      }
      case 'port': {
        // As libpcap's gen_port/gen_portop: per protocol (SCTP, then TCP, then UDP) a test of
        // it, the fragment test on IPv4, and the port comparisons; the IPv6 half first.
        // IPv6: the fixed header's next header only. IPv4: the first fragment only, the ports
        // behind the IHL.
        const nl = this.nl(n.vlans);
        const protos = n.only === 'tcp' ? [IPPROTO_TCP] : n.only === 'udp' ? [IPPROTO_UDP] : [IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP];
        const portIs = (off: number, xbase: number) =>
          n.range
            ? this.and(this.test(off, 2, OP_GE, n.lo, ALL, xbase), not(this.test(off, 2, OP_GT, n.hi, ALL, xbase)))
            : this.test(off, 2, OP_EQ, n.lo, ALL, xbase);
        const ports = (base: number, xbase: number) =>
          this.dir(n.dir, () => portIs(base + TRANSPORT.SRC_PORT, xbase), () => portIs(base + TRANSPORT.DST_PORT, xbase));
        const v6 = this.and(
          this.proto(ETHERTYPE_IPV6, n.vlans),
          this.or(...protos.map((p) => this.and(this.test(nl + IP6.NEXT, 1, OP_EQ, p), ports(nl + IP6.HEADER_LEN, -1)))),
        );
        const v4 = this.and(
          this.proto(ETHERTYPE_IPV4, n.vlans),
          this.or(
            ...protos.map((p) =>
              this.and(this.test(nl + IP4.PROTO, 1, OP_EQ, p), not(this.test(nl + IP4.FRAG, 2, OP_SET, IP4_FRAG_OFFSET_MASK)), ports(nl, nl)),
            ),
          ),
        );
        return this.or(v6, v4);
      }
    }
  }
}

/**
 * libpcap's last step: rebuilds the graph from its root, dropping what is unreachable and
 * merging identical nodes. A node whose two ways now meet (they led to copies that merged)
 * stays, and its load still runs: no threading pass comes after this one. The last node holds
 * the root.
 */
function canon(g: Graph, holder: number): Graph {
  const out = new Graph();
  const memo = new Map<number, number>();
  const rec = (u: number): number => {
    if (u <= ACCEPT) return u;
    let r = memo.get(u);
    if (r === undefined) {
      r = out.merged(g.test[u]!, rec(g.hi[u]!), rec(g.lo[u]!));
      memo.set(u, r);
    }
    return r;
  };
  const root = rec(g.hi[holder]!);
  out.test.push(-2);
  out.hi.push(root);
  out.lo.push(root);
  return out;
}

/** Nodes reachable from `holder`, each before its successors. */
function topoOrder(g: Graph, holder: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const visit = (n: number): void => {
    if (n <= ACCEPT || seen.has(n)) return;
    seen.add(n);
    visit(g.hi[n]!);
    visit(g.lo[n]!);
    out.push(n);
  };
  visit(holder);
  return out.reverse();
}

/**
 * Step 3, libpcap's jump threading: an edge into a test whose outcome follows from the edges
 * that dominate it (lie on every path to it) is sent straight to where the test would go; so
 * is an edge into a test whose two ways lead to the same place. Follows: the same test taken
 * before, or an equality on the same load that held with another constant (false). Only
 * dominating edges count, not what every path happens to know: after `port`'s "protocol is 132,
 * 6 or 17" the three ways meet, and `icmp`'s "protocol is 1" after them is still tested (libpcap
 * does not refuse `port 80 and icmp`). One pass; the caller repeats until nothing moves.
 */
function threadPass(g: Graph, tests: Test[], holder: number): boolean {
  let changed = false;
  // A constant's jump is decided: both ways lead where it goes (libpcap folds a known
  // accumulator so), and what leads to it is threaded past it below.
  for (const n of topoOrder(g, holder)) {
    if (n !== holder && tests[g.test[n]!]!.op === OP_CONST && g.hi[n] !== g.lo[n]) {
      if (tests[g.test[n]!]!.k) g.lo[n] = g.hi[n]!;
      else g.hi[n] = g.lo[n]!;
      changed = true;
    }
  }
  const topo = topoOrder(g, holder);
  // Edges are named node * 2 + (1 for the true way). The edges that dominate a node form a
  // path in a tree: each edge's parent is the nearest edge dominating the node it leaves.
  const parent = new Map<number, number>();
  const depth = new Map<number, number>();
  /** The nearest edge dominating each node (-1: none, the root). */
  const idom = new Map<number, number>([[holder, -1]]);
  const up = (e: number) => parent.get(e) ?? -1;
  const deep = (e: number) => (e < 0 ? -1 : depth.get(e)!);
  const nca = (a: number, b: number): number => {
    while (a !== b) {
      if (deep(a) >= deep(b)) a = up(a);
      else b = up(b);
    }
    return a;
  };
  const leave = (q: number) => {
    for (const e of q === holder ? [q * 2 + 1] : [q * 2 + 1, q * 2]) {
      parent.set(e, q === holder ? -1 : idom.get(q)!);
      depth.set(e, q === holder ? 0 : deep(idom.get(q)!) + 1);
    }
  };
  // Found once, on the graph as the pass finds it, as libpcap finds them once per pass: what
  // an earlier redirect in the pass changed is seen in the next pass.
  const into = new Map<number, number[]>();
  const addInto = (n: number, e: number) => {
    if (n > ACCEPT) (into.get(n) ?? into.set(n, []).get(n)!).push(e);
  };
  addInto(g.hi[holder]!, holder * 2 + 1);
  leave(holder);
  for (const n of topo) {
    if (n === holder) continue;
    idom.set(n, into.get(n)!.reduce(nca));
    leave(n);
    addInto(g.hi[n]!, n * 2 + 1);
    addInto(g.lo[n]!, n * 2);
  }
  /** The outcome of test ti known from the edges dominating (and including) `edge`. */
  const decide = (ti: number, edge: number): boolean | undefined => {
    const t = tests[ti]!;
    for (let e = edge; e >= 0; e = up(e)) {
      const q = e >> 1;
      if (q === holder) continue;
      const tj = g.test[q]!;
      const held = (e & 1) === 1;
      if (tj === ti) return held;
      const u = tests[tj]!;
      if (held && t.op === OP_EQ && u.op === OP_EQ && u.load === t.load) return false;
    }
    return undefined;
  };
  // Edges are threaded from the leaves' side up (libpcap's levels).
  const level = new Map<number, number>();
  const lv = (n: number): number => (n <= ACCEPT ? 0 : level.get(n)!);
  for (let i = topo.length - 1; i >= 0; i--) {
    const n = topo[i]!;
    level.set(n, n === holder ? Infinity : 1 + Math.max(lv(g.hi[n]!), lv(g.lo[n]!)));
  }
  const order = [...topo].sort((a, b) => lv(a) - lv(b));
  for (const p of order) {
    // The root has no edge into it: libpcap leaves it in place while it optimises.
    if (p === holder) continue;
    for (const br of [true, false]) {
      const edge = p * 2 + (br ? 1 : 0);
      const from = br ? g.hi[p]! : g.lo[p]!;
      let to = from;
      while (to > ACCEPT) {
        if (g.hi[to] === g.lo[to]) {
          to = g.hi[to]!;
          continue;
        }
        const d = decide(g.test[to]!, edge);
        if (d === undefined) break;
        to = d ? g.hi[to]! : g.lo[to]!;
      }
      if (to === from) continue;
      if (br) g.hi[p] = to;
      else g.lo[p] = to;
      changed = true;
    }
  }
  return changed;
}

/**
 * Step 3, libpcap's or/and pull-ups. In a chain of tests joined by their false edges (or) that
 * all jump to the same place when true, a later test of the value the chain's predecessor
 * tested is moved up to the front of the first test of another value (and the same along true
 * edges for and). Moves that would change the meaning in this graph (a moved-over node with
 * a second predecessor, which libpcap's own code never has) are skipped.
 */
function pullUps(g: Graph, tests: Test[], rootHolder: number): boolean {
  const value = (n: number) => (n <= ACCEPT || g.test[n]! < 0 ? -1 : tests[g.test[n]!]!.load);
  // One pass, each node once, from the leaves' side up, on one analysis of the graph (as
  // libpcap runs them once per pass); a move only where no earlier move of the pass touched.
  const { order, preds, dominates } = analyse(g, rootHolder);
  const touched = new Set<number>();
  let changed = false;
  for (const b of order) {
    if (b === rootHolder || preds.get(b)!.length === 0) continue;
    if (pullUp(g, b, preds, dominates, value, touched, 'or') || pullUp(g, b, preds, dominates, value, touched, 'and')) changed = true;
  }
  return changed;
}

interface Analysis {
  /** Reachable nodes, leaves' side first (libpcap visits by level from the bottom). */
  order: number[];
  preds: Map<number, number[]>;
  /** Does a dominate n (every path from the root to n passes a)? */
  dominates: (a: number, n: number) => boolean;
}

function analyse(g: Graph, root: number): Analysis {
  const preds = new Map<number, number[]>();
  const topo = topoOrder(g, root);
  for (const n of topo) preds.set(n, []);
  for (const n of topo) {
    for (const s of g.hi[n] === g.lo[n] ? [g.hi[n]!] : [g.hi[n]!, g.lo[n]!]) if (s > ACCEPT) preds.get(s)!.push(n);
  }
  // Immediate dominators, in topological order (a DAG needs one pass); then each node's span
  // in a depth-first walk of the dominator tree answers "dominates" at once.
  const index = new Map(topo.map((n, i) => [n, i]));
  const idom = new Map<number, number>();
  const children = new Map<number, number[]>(topo.map((n) => [n, []]));
  for (const n of topo) {
    const ps = preds.get(n)!;
    if (ps.length === 0) continue;
    let d = ps[0]!;
    for (const p of ps.slice(1)) {
      let a = d;
      let b = p;
      while (a !== b) {
        while (index.get(a)! > index.get(b)!) a = idom.get(a)!;
        while (index.get(b)! > index.get(a)!) b = idom.get(b)!;
      }
      d = a;
    }
    idom.set(n, d);
    children.get(d)!.push(n);
  }
  const enter = new Map<number, number>();
  const exit = new Map<number, number>();
  let clock = 0;
  const stack: [number, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [n, done] = stack.pop()!;
    if (done) {
      exit.set(n, clock++);
      continue;
    }
    enter.set(n, clock++);
    stack.push([n, true]);
    for (const c of children.get(n)!) stack.push([c, false]);
  }
  const dominates = (a: number, n: number) => enter.get(a)! <= enter.get(n)! && exit.get(n)! <= exit.get(a)!;
  const level = new Map<number, number>();
  const lv = (s: number) => (s <= ACCEPT ? 0 : level.get(s)!);
  for (let i = topo.length - 1; i >= 0; i--) {
    const n = topo[i]!;
    level.set(n, 1 + Math.max(lv(g.hi[n]!), lv(g.lo[n]!)));
  }
  const order = [...topo].sort((a, b) => level.get(a)! - level.get(b)!);
  return { order, preds, dominates };
}

function pullUp(
  g: Graph,
  b: number,
  preds: Map<number, number[]>,
  dominates: (a: number, n: number) => boolean,
  value: (n: number) => number,
  touched: Set<number>,
  kind: 'or' | 'and',
): boolean {
  // or: chains run along false edges and share the true target; and: the reverse.
  const next = kind === 'or' ? g.lo : g.hi;
  const same = kind === 'or' ? g.hi : g.lo;
  const ps = preds.get(b)!;
  const v = value(ps[0]!);
  if (v < 0 || ps.some((p) => value(p) !== v || touched.has(p))) return false;
  const inChain = (n: number) => n > ACCEPT && same[n] === same[b] && dominates(b, n) && !touched.has(n);
  const single = (n: number) => preds.get(n)!.length === 1;
  const walked: number[] = [];
  let parent = -1;
  let d = b;
  for (;;) {
    if (!inChain(d) || (d !== b && !single(d))) return false;
    walked.push(d);
    if (value(d) !== v) break;
    parent = d;
    d = next[d]!;
  }
  let before = d;
  let s = next[d]!;
  for (;;) {
    if (!inChain(s) || !single(s)) return false;
    walked.push(s);
    if (value(s) === v) break;
    before = s;
    s = next[s]!;
  }
  next[before] = next[s]!;
  next[s] = d;
  if (parent < 0) {
    for (const p of ps) {
      if (g.hi[p] === b) g.hi[p] = s;
      if (g.lo[p] === b) g.lo[p] = s;
    }
  } else next[parent] = s;
  // The analysis no longer describes these nodes; the next pass looks at them again.
  for (const n of [...ps, ...walked]) touched.add(n);
  return true;
}

/** The compiled filter for one link layer: flat arrays, walked by `run`. */
export class Program {
  /** Node numbers ≥ 0; these two mark the ends. */
  static readonly ACCEPT = -1;
  static readonly REJECT = -2;

  readonly root: number;
  readonly off: Int32Array;
  readonly xbase: Int32Array;
  readonly size: Uint8Array;
  readonly op: Uint8Array;
  readonly mask: Uint32Array;
  readonly k: Uint32Array;
  readonly hi: Int32Array;
  readonly lo: Int32Array;

  /** A load made before the graph runs (its value unused), or size 0. */
  readonly preOff: number;
  readonly preXbase: number;
  readonly preSize: number;

  constructor(g: Graph, tests: Test[], rootHolder: number, preload: Test | null) {
    this.preOff = preload?.off ?? 0;
    this.preXbase = preload?.xbase ?? -1;
    this.preSize = preload?.size ?? 0;
    const index = new Map<number, number>();
    const nodes: number[] = [];
    const number = (n: number): number => {
      // A constant loads nothing: go where it goes (threading leaves none behind; this is a guard).
      while (n > ACCEPT && tests[g.test[n]!]!.op === OP_CONST) n = tests[g.test[n]!]!.k ? g.hi[n]! : g.lo[n]!;
      if (n === ACCEPT) return Program.ACCEPT;
      if (n === REJECT) return Program.REJECT;
      let i = index.get(n);
      if (i === undefined) {
        i = nodes.length;
        index.set(n, i);
        nodes.push(n);
      }
      return i;
    };
    this.root = number(g.hi[rootHolder]!);
    const hi: number[] = [];
    const lo: number[] = [];
    for (let i = 0; i < nodes.length; i++) {
      hi.push(number(g.hi[nodes[i]!]!));
      lo.push(number(g.lo[nodes[i]!]!));
    }
    const ts = nodes.map((n) => tests[g.test[n]!]!);
    this.off = Int32Array.from(ts, (t) => t.off);
    this.xbase = Int32Array.from(ts, (t) => t.xbase);
    this.size = Uint8Array.from(ts, (t) => t.size);
    this.op = Uint8Array.from(ts, (t) => t.op);
    this.mask = Uint32Array.from(ts, (t) => t.mask);
    this.k = Uint32Array.from(ts, (t) => t.k);
    this.hi = Int32Array.from(hi);
    this.lo = Int32Array.from(lo);
  }

  /** Number of tests in the graph. */
  get length(): number {
    return this.off.length;
  }

  /**
   * Runs the graph over `b[start, start + caplen)`. A load that does not fit in the captured
   * bytes rejects the packet, as bpf_filter() does.
   */
  run(b: Uint8Array, start: number, caplen: number): boolean {
    if (this.preSize > 0) {
      let o = this.preOff;
      if (this.preXbase >= 0) {
        if (this.preXbase >= caplen) return false;
        o += (b[start + this.preXbase]! & IHL_MASK) * IHL_UNIT;
      }
      if (o + this.preSize > caplen) return false;
    }
    let n = this.root;
    while (n >= 0) {
      let o = this.off[n]!;
      const xb = this.xbase[n]!;
      if (xb >= 0) {
        if (xb >= caplen) return false;
        o += (b[start + xb]! & IHL_MASK) * IHL_UNIT;
      }
      const size = this.size[n]!;
      if (o + size > caplen) return false;
      const p = start + o;
      const raw = size === 1 ? b[p]! : size === 2 ? (b[p]! << 8) | b[p + 1]! : (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
      const v = (raw & this.mask[n]!) >>> 0;
      const k = this.k[n]!;
      let t: boolean;
      switch (this.op[n]) {
        case OP_EQ:
          t = v === k;
          break;
        case OP_GT:
          t = v > k;
          break;
        case OP_GE:
          t = v >= k;
          break;
        default:
          t = (v & k) !== 0;
      }
      n = t ? this.hi[n]! : this.lo[n]!;
    }
    return n === Program.ACCEPT;
  }

  /** The graph in tcpdump -d's spirit, for tests and debugging. */
  dump(): string {
    const ops = ['jeq', 'jgt', 'jge', 'jset'];
    const end = (n: number) => (n === Program.ACCEPT ? 'accept' : n === Program.REJECT ? 'reject' : String(n));
    const lines = [`root ${end(this.root)}${this.preSize ? ` after a load of ${this.preSize} at ${this.preOff}` : ''}`];
    for (let i = 0; i < this.length; i++) {
      const w = ['', 'b', 'h', '', 'w'][this.size[i]!];
      const at = this.xbase[i]! >= 0 ? `x(${this.xbase[i]})+${this.off[i]}` : `${this.off[i]}`;
      const m = this.mask[i] === ALL ? '' : ` & 0x${this.mask[i]!.toString(16)}`;
      lines.push(`${i}: ld${w} [${at}]${m} ${ops[this.op[i]!]} 0x${this.k[i]!.toString(16)} → ${end(this.hi[i]!)} / ${end(this.lo[i]!)}`);
    }
    return lines.join('\n');
  }
}

/**
 * Compiles `tree` for `linktype` (`littleEndian`: the byte order of the file, which a NULL
 * header is written in). Throws FilterError where libpcap refuses: a primitive the link type
 * lacks (`vlan`, `ether`), an expression that rejects every packet, an unsupported link type.
 */
export function compileProgram(tree: FilterNode, linktype: number, littleEndian: boolean): Program {
  const link = linkLayer(linktype, littleEndian);
  if (!link) {
    throw new FilterError(
      null,
      `link type ${linkLabel(linktype)} is not supported by the replay filter (supported: ${FILTER_LINKTYPES.map(linktypeName).filter((n, i, a) => a.indexOf(n) === i).join(', ')})`,
    );
  }
  const cg = new CodeGen(link);
  let g = new Graph();
  const root = g.lower(cg.gen(tree), ACCEPT, REJECT);
  g.test.push(-2);
  g.hi.push(root);
  g.lo.push(root);
  // libpcap repeats its passes until the program stops changing, and merges identical blocks
  // only at the end; so does this.
  const holder = g.test.length - 1;
  for (let round = 0; ; round++) {
    if (round > MAX_ROUNDS) throw new FilterError(null, 'the expression is too complex for the replay filter');
    const threaded = threadPass(g, cg.tests, holder);
    const pulled = pullUps(g, cg.tests, holder);
    if (!threaded && !pulled) break;
  }
  g = canon(g, holder);
  const top = g.test.length - 1;
  // libpcap's opt_root: a first test whose two ways meet is dropped (with any such tests
  // after it), but the first block's load is kept in front of what now comes first:
  // `ip and ip6 or ether dst M` still reads the type field, and rejects a frame too short to
  // have one. A program that is a constant loads nothing (`ip or not ip` accepts an empty frame).
  let first = g.hi[top]!;
  const preload = first > ACCEPT && g.hi[first] === g.lo[first] && cg.tests[g.test[first]!]!.op !== OP_CONST ? cg.tests[g.test[first]!]! : null;
  while (first > ACCEPT && g.hi[first] === g.lo[first]) first = g.hi[first]!;
  g.hi[top] = g.lo[top] = first;
  if (first === REJECT) {
    throw new FilterError(null, `the expression rejects every packet on link type ${linkLabel(linktype)} (libpcap refuses it: "expression rejects all packets")`);
  }
  return new Program(g, cg.tests, top, first > ACCEPT ? preload : null);
}
