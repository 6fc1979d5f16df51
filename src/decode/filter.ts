/**
 * Capture filters on replay: tcpdump's `-f EXPR` (pcap-filter(7)) evaluated by wirestat itself,
 * accepting exactly the packets `tcpdump -r FILE EXPR` accepts (libpcap 1.10.3, checked per
 * packet by test/decode/filter.test.ts). Live capture hands the same text to libpcap instead.
 *
 *   const filter = compileFilter(expr);   // throws FilterError; null for an empty expression
 *   … decodePacket(rec, summary); if (filter && !filter.matches(rec, summary)) skip it;
 *
 * The subset: `host`, `net` (A/LEN, A mask M, short forms: `net 198.18` is 198.18.0.0/16),
 * `port`, `portrange A-B` (or N), `src`/`dst`/`src or dst`/`src and dst`, the protocol
 * qualifiers before them (`ip host`, `ip6 net`, `arp host`, `tcp dst port`, `udp portrange`),
 * `ether host/src/dst MAC`, the protocols `ip ip6 arp tcp udp icmp icmp6`, `vlan [ID]`,
 * `and`/`&&`, `or`/`||`, `not`/`!`, parentheses, and the shorthand where a bare value repeats
 * the qualifiers before it (`port 80 or 443`, `host A and not B`, `host (A or B)`). Anything
 * else — `proto`, `len`, byte accessors like `tcp[13]`, host and port names — is a FilterError
 * naming the column and the cause (`filter: column 1: "proto" is not supported by wirestat on
 * replay (supported: …)`), never a filter that matches everything. Grammar: filter-parse.ts.
 *
 * Semantics are libpcap's compiled program, not the decoder's reading of the packet: the filter
 * reads the record's bytes at libpcap's offsets (filter-program.ts says why and how). Worth
 * knowing, all as libpcap does it:
 * - `and` and `or` have equal precedence, left to right: `a or b and c` is `(a or b) and c`.
 * - `ip`, `ip6`, `arp` test the link layer's type field only: a tagged frame is not `ip`
 *   unless the expression says `vlan` before, and nothing behind MPLS, PPPoE or LLC/SNAP is.
 * - `vlan` (TPID 0x8100, 0x88a8 or 0x9100) moves every primitive after it in the text 4 bytes
 *   further, across `or` and `not` too: `vlan 10 or ip` tests `ip` behind a tag, and
 *   `not vlan and tcp` looks for TCP 4 bytes too far into untagged frames.
 * - `tcp`, `udp`, `icmp6` on IPv6 read the fixed header's next header, or the next header of
 *   a fragment header right behind it (whatever the fragment offset); `port`/`portrange` read
 *   only the fixed header's and take TCP, UDP or SCTP (`tcp port`: TCP only); on IPv4 they need
 *   fragment offset 0 and find the ports behind the IHL. Other IPv6 extension headers and AH are
 *   not walked: the decoder may see TCP where the filter does not.
 * - `host`/`net` with an IPv4 address also match ARP and RARP sender and target addresses
 *   (`ip host` does not; `arp host` is ARP only). Addresses are the headers' own, not a routing
 *   header's final destination (which the decoder keys conversations on).
 * - A test that reads past the captured bytes rejects the packet, and which tests run follows
 *   libpcap's optimizer: `tcp port 80 or ip` accepts an IPv4 packet cut before its ports.
 * - Link types: EN10MB, LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6, NULL (the family read in the
 *   file's byte order; AF_INET6 only as 24, 28 or 30, as libpcap tests it), LOOP. `vlan` and
 *   `ether` apply to Ethernet only, and an expression that matches nothing on a link type
 *   (`arp` on RAW, `ip and ip6`) is refused, as libpcap refuses it.
 *
 * The filter sees a packet after decodePacket() has run on it: the CLI decodes, asks, and counts
 * only what matches. It reads the record's bytes; the summary is accepted so call sites pass what
 * they hold, and is not read. Compiling for a link type takes a few milliseconds for a short
 * expression (0.6 s for 100 hosts or'ed); a packet costs some 20–50 ns, a fifth of its decode.
 */
import type { CaptureRecord } from '../capture/source.js';
import { compileProgram, type Program } from './filter-program.js';
import { type FilterNode, parseFilter } from './filter-parse.js';
import type { PacketSummary } from './summary.js';

export { FilterError } from './filter-parse.js';
export { FILTER_LINKTYPES } from './filter-program.js';

export class CaptureFilter {
  /** Programs by link type (and, for NULL, the file's byte order). */
  private readonly programs = new Map<number, Program>();
  private lastKey = -1;
  private last: Program | null = null;

  constructor(
    readonly expression: string,
    private readonly tree: FilterNode,
  ) {}

  /**
   * Compiles for a link type ahead of the first packet (cached). Throws FilterError where
   * libpcap would refuse the expression on that link type: `vlan` or `ether` without Ethernet,
   * an expression that rejects every packet there, or a link type the filter does not know.
   */
  prepare(linktype: number, littleEndian = true): Program {
    const key = linktype * 2 + (littleEndian ? 1 : 0);
    let p = this.programs.get(key);
    if (!p) {
      p = compileProgram(this.tree, linktype, littleEndian);
      this.programs.set(key, p);
    }
    return p;
  }

  /**
   * Does the packet pass the filter? Never throws on packet contents; throws FilterError at the
   * first record of a link type the expression cannot be compiled for (see prepare).
   */
  matches(rec: CaptureRecord, _summary?: PacketSummary): boolean {
    const key = rec.linktype * 2 + (rec.littleEndian ? 1 : 0);
    let p = this.last;
    if (key !== this.lastKey || !p) {
      p = this.prepare(rec.linktype, rec.littleEndian);
      this.last = p;
      this.lastKey = key;
    }
    return p.run(rec.buf, rec.offset, rec.caplen);
  }
}

/**
 * Parses a pcap-filter expression. Returns null for an empty or all-space one (no filter);
 * throws FilterError (`filter: column 9: …`) for anything outside the subset or malformed.
 */
export function compileFilter(expr: string): CaptureFilter | null {
  const tree = parseFilter(expr);
  return tree ? new CaptureFilter(expr, tree) : null;
}

