/**
 * The dashboard's flow filter (`/` in the TUI): the capture-filter language (`-f`, pcap-filter(7),
 * as src/decode/filter-parse.ts parses it) applied to conversations instead of packets. It reads
 * only the parse tree, never the packet program: a conversation has a protocol, two addresses and
 * two ports, and each primitive asks about those.
 *
 *   host, net          either side's address (src: the originator a; dst: the responder b;
 *                      `src and dst`: both sides);
 *   port, portrange    either side's port, in TCP and UDP conversations keyed by ports
 *                      (`tcp port`, `udp port`: that protocol only);
 *   ip, ip6            IPv4 / IPv6 conversations;
 *   tcp, udp           TCP / UDP conversations (with or without readable ports);
 *   icmp, icmp6        ICMP over IPv4 / ICMPv6 over IPv6;
 *   and, or, not, ( )  as in the capture filter.
 *
 * For a primitive that treats both directions alike (`host`, `net`, `port`, `portrange`, the
 * protocols), a conversation matches exactly when its packets do under the capture filter, with
 * these exceptions that follow from what a conversation is: fragments after the first form rows
 * of their own (`fragment`) with no protocol or ports, so `tcp` and `port` never match them
 * (libpcap's `tcp` does match such a fragment); and an IPv6 conversation is keyed by a routing
 * header's final destination where the capture filter reads the header's own. `src` and `dst`
 * are the conversation's roles, not a packet's sender and receiver.
 *
 * What has no meaning for a conversation is a FilterError naming its column: `ether`, `vlan`,
 * `arp` (conversations are IP, keyed without MACs or tags).
 */
import { type FilterNode, FilterError, parseFilter } from '../decode/filter-parse.js';
import { IPPROTO } from '../decode/summary.js';
import type { Conversations } from './conversations.js';

export { FilterError };

/** Does conversation `id` of `c` match? */
export type FlowPredicate = (c: Conversations, id: number) => boolean;

export interface FlowFilter {
  readonly expression: string;
  readonly matches: FlowPredicate;
}

/** Parses `expr` into a flow filter; null for an empty expression. Throws FilterError. */
export function compileFlowFilter(expr: string): FlowFilter | null {
  const tree = parseFilter(expr);
  return tree ? { expression: expr, matches: compileNode(tree) } : null;
}

const NO_MEANING = 'has no meaning for a conversation (conversations are IP, keyed without MACs or VLAN tags)';

function compileNode(node: FilterNode): FlowPredicate {
  switch (node.kind) {
    case 'and': {
      const l = compileNode(node.left);
      const r = compileNode(node.right);
      return (c, id) => l(c, id) && r(c, id);
    }
    case 'or': {
      const l = compileNode(node.left);
      const r = compileNode(node.right);
      return (c, id) => l(c, id) || r(c, id);
    }
    case 'not': {
      const a = compileNode(node.arg);
      return (c, id) => !a(c, id);
    }
    case 'vlan':
      throw new FilterError(node.column, `"vlan" ${NO_MEANING}`);
    case 'ether':
      throw new FilterError(node.column, `"ether" ${NO_MEANING}`);
    case 'proto':
      return protoPredicate(node.proto, node.column);
    case 'ipv4': {
      if (node.only === 'arp') throw new FilterError(node.column, `"arp" ${NO_MEANING}`);
      const { addr, mask } = node;
      return sides(node.dir, (c, id, side) => {
        if (c.version(id) !== 4) return false;
        return ((c.table.u32[c.addrOffset(id, side)]! & mask) >>> 0) === addr;
      });
    }
    case 'ipv6': {
      const [a0, a1, a2, a3] = node.addr as [number, number, number, number];
      const [m0, m1, m2, m3] = node.mask as [number, number, number, number];
      return sides(node.dir, (c, id, side) => {
        if (c.version(id) !== 6) return false;
        const w = c.table.u32;
        const o = c.addrOffset(id, side);
        return (
          ((w[o]! & m0) >>> 0) === a0 &&
          ((w[o + 1]! & m1) >>> 0) === a1 &&
          ((w[o + 2]! & m2) >>> 0) === a2 &&
          ((w[o + 3]! & m3) >>> 0) === a3
        );
      });
    }
    case 'port': {
      const { lo, hi, only } = node;
      const want = only === 'tcp' ? IPPROTO.TCP : only === 'udp' ? IPPROTO.UDP : -1;
      return sides(node.dir, (c, id, side) => {
        if (!c.hasPorts(id)) return false;
        if (want >= 0 && c.proto(id) !== want) return false;
        const p = c.port(id, side);
        return p >= lo && p <= hi;
      });
    }
  }
}

function protoPredicate(proto: string, column: number): FlowPredicate {
  switch (proto) {
    case 'ip':
      return (c, id) => c.version(id) === 4;
    case 'ip6':
      return (c, id) => c.version(id) === 6;
    case 'tcp':
      return (c, id) => c.proto(id) === IPPROTO.TCP;
    case 'udp':
      return (c, id) => c.proto(id) === IPPROTO.UDP;
    case 'icmp':
      return (c, id) => c.version(id) === 4 && c.proto(id) === IPPROTO.ICMP;
    case 'icmp6':
      return (c, id) => c.version(id) === 6 && c.proto(id) === IPPROTO.ICMPV6;
    default:
      throw new FilterError(column, `"${proto}" ${NO_MEANING}`);
  }
}

/**
 * A test of one side lifted to a direction: src is the originator (a), dst the responder (b),
 * in the report's sense (key sides are canonical order, not roles).
 */
function sides(dir: string, test: (c: Conversations, id: number, side: number) => boolean): FlowPredicate {
  switch (dir) {
    case 'src':
      return (c, id) => test(c, id, c.origSide(id));
    case 'dst':
      return (c, id) => test(c, id, 1 - c.origSide(id));
    case 'src-and-dst':
      return (c, id) => test(c, id, 0) && test(c, id, 1);
    default:
      return (c, id) => test(c, id, 0) || test(c, id, 1);
  }
}
