/**
 * The host's socket table beside the wire: which conversations a local socket explains, and
 * how many wire bytes each socket's conversation carried. A first, exact-match join for the
 * dashboard; what the wire shows that no socket explains (and why) is issue 6's.
 *
 * A socket explains a conversation when the protocol and both endpoints are equal, in either
 * order (a socket's local end may be the conversation's originator or its responder). A
 * dual-stack socket's IPv4-mapped addresses (`::ffff:198.18.0.1`) are the IPv4 endpoints the
 * wire carries. Listening and unconnected sockets explain no single conversation; they are
 * listed with no wire bytes. A conversation is "local" when one of its addresses is one of the
 * host's own (its interfaces' addresses), whether or not a socket was found for it.
 */
import type { HostSnapshot } from '../host/snapshot.js';
import type { InetSocketJson } from '../host/document.js';
import { IPPROTO } from '../decode/summary.js';
import type { ViewConversation, ViewSocket } from './dashboard-view.js';
import { parseEndpoint } from './address.js';
import type { Conversations } from './conversations.js';

/** The wire protocol of a socket table (tcp6 is TCP over either IP version). */
function ipProtocol(proto: InetSocketJson['proto']): { number: number; name: string } | null {
  switch (proto) {
    case 'tcp':
    case 'tcp6':
      return { number: IPPROTO.TCP, name: 'tcp' };
    case 'udp':
    case 'udp6':
    case 'udpl':
    case 'udpl6':
      return { number: IPPROTO.UDP, name: 'udp' };
    default:
      return null;
  }
}

/** "1234/curl" as netstat -p prints it, "-" when the owner is unknown. */
function ownerOf(s: InetSocketJson): string {
  return s.pid === null ? '-' : `${s.pid}/${s.program ?? '-'}`;
}

/** An endpoint in the report's form, IPv4-mapped addresses as IPv4. */
function canonical(text: string): string | null {
  const p = parseEndpoint(text);
  if (p === null) return null;
  if (p.version === 4) {
    const w = p.words[0];
    const ip = `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;
    return p.port === null ? ip : `${ip}:${p.port}`;
  }
  return text;
}

/** Strips the port: "198.18.0.1:80" → "198.18.0.1", "[2001:db8::1]:443" → "2001:db8::1". */
function addressPart(endpoint: string): string {
  const v6 = /^\[(.+)\]:\d+$/.exec(endpoint);
  if (v6) return v6[1]!;
  const v4 = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(endpoint);
  return v4 ? v4[1]! : endpoint;
}

export class LocalJoin {
  /** proto + both endpoints (either order) → the socket's owner. */
  private readonly byTuple = new Map<string, string>();
  private readonly addresses = new Set<string>();
  private readonly inet: InetSocketJson[];

  constructor(readonly host: HostSnapshot) {
    this.inet = host.sockets.filter((s): s is InetSocketJson => s.proto !== 'unix');
    for (const i of host.interfaces) {
      for (const a of i.ipv4) this.addresses.add(a.address);
      for (const a of i.ipv6) this.addresses.add(a.address);
    }
    for (const s of this.inet) {
      const p = ipProtocol(s.proto);
      const local = canonical(s.local);
      const remote = canonical(s.remote);
      if (p === null || local === null || remote === null || s.listening) continue;
      this.byTuple.set(`${p.name} ${local} ${remote}`, ownerOf(s));
      this.byTuple.set(`${p.name} ${remote} ${local}`, ownerOf(s));
    }
  }

  /** Is this address one of the host's own? */
  isLocalAddress(addr: string): boolean {
    return this.addresses.has(addr);
  }

  /** Whether the host explains a conversation, and the owning process ("PID/program") if a socket does. */
  explain(c: Pick<ViewConversation, 'proto' | 'a' | 'b'>): { local: boolean; owner: string | null } {
    const owner = this.byTuple.get(`${c.proto} ${c.a} ${c.b}`) ?? null;
    const local = owner !== null || this.isLocalAddress(addressPart(c.a)) || this.isLocalAddress(addressPart(c.b));
    return { local, owner };
  }

  /** The row with `local` and `owner` filled (a new object: views are immutable). */
  conversation(c: ViewConversation): ViewConversation {
    return { ...c, ...this.explain(c) };
  }

  /** The socket table as the panel shows it, each with its conversation's wire bytes when seen. */
  sockets(conv: Conversations): ViewSocket[] {
    const out: ViewSocket[] = [];
    for (const s of this.inet) {
      const p = ipProtocol(s.proto);
      let wireBytes: number | null = null;
      if (p !== null && !s.listening) {
        const a = parseEndpoint(s.local);
        const b = parseEndpoint(s.remote);
        if (a !== null && b !== null && a.version === b.version) {
          const id = conv.find(p.number, a.version, a.words, a.port, b.words, b.port);
          if (id >= 0) wireBytes = conv.bytes(id, 0) + conv.bytes(id, 1);
        }
      }
      out.push({ proto: s.proto, local: s.local, remote: s.remote, state: s.state, owner: ownerOf(s), wireBytes });
    }
    return out;
  }
}
