/**
 * The host's socket table beside the wire: which conversations this host's sockets explain.
 *
 * Every conversation gets one label:
 * - **explained**: one end is this host (one of its interface addresses) and a socket explains it;
 *   an end whose frames came from one of the host's MACs is the host's too, whatever its
 *   address (traffic it forwards, a namespace or container behind it, a forged source): no
 *   socket can explain an address the host does not have, so those are unexplained;
 * - **unexplained**: one end is this host, but no socket does (a raw or packet socket, a process
 *   in another namespace, a hidden one, or a forged source address);
 * - **third-party**: neither end is this host (only a span port or a hub shows these).
 *
 * A socket explains a conversation when it is:
 * - a connected TCP/UDP socket with the same protocol and both endpoints, in either order;
 * - a listening TCP socket, or a bound but unconnected UDP socket, whose local address is this
 *   host's end (or the wildcard 0.0.0.0 / ::, which a dual-stack socket also uses for IPv4) and
 *   whose port is that end's port;
 * - for ICMP and ICMPv6 that this host started (it sent the first packet), a raw socket of that
 *   protocol (ping's). ICMP a peer started (an echo request to this host) is answered by the
 *   kernel: no socket explains it.
 * A raw socket of any other protocol explains nothing: a TCP SYN sent through one is exactly the
 * traffic the socket table does not show. Dual-stack sockets' IPv4-mapped addresses
 * (`::ffff:198.18.0.1`) are the IPv4 endpoints the wire carries.
 *
 * Snapshots are moments: sockets come and go between them. The join takes the union of every
 * snapshot given (a live capture adds one each second), so a socket seen at any moment explains.
 */
import type { HostSnapshot } from '../host/snapshot.js';
import type { InetSocketJson } from '../host/document.js';
import { IPPROTO } from '../decode/summary.js';
import type { ViewSocket } from './dashboard-view.js';
import { formatEndpoint, formatIp, parseEndpoint } from './address.js';
import { type Conversations, conversationProtoName } from './conversations.js';

export type LocalLabel = 'explained' | 'unexplained' | 'third-party';

/**
 * Why no socket explains a conversation of this host, as far as the wire tells:
 * - `refused`: a TCP connection to the host that it answered with a RST (Zeek's REJ): the
 *   kernel refused it, there being no listener;
 * - `kernel`: ICMP no ping socket explains (echo replies, neighbour discovery, MLD, errors: the
 *   kernel's own; a covert channel through a hidden raw socket would hide among them too);
 * - `other-address`: the host's end is known by its MAC only (an address it does not have:
 *   forwarded, a namespace behind it, or forged);
 * - `no-socket`: the rest, the ones to look at: a raw or packet socket, another namespace, a
 *   hidden process, a connection that came and went between snapshots.
 */
export type UnexplainedReason = 'refused' | 'kernel' | 'other-address' | 'no-socket';
export const UNEXPLAINED_REASONS: readonly UnexplainedReason[] = ['no-socket', 'other-address', 'refused', 'kernel'];

export interface Explanation {
  label: LocalLabel;
  /** The socket's owner when a socket explains it (null when unknown, as netstat's "-"). */
  pid: number | null;
  program: string | null;
  /** For unexplained conversations, why (null otherwise). */
  reason: UnexplainedReason | null;
}

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
function ownerOf(s: { pid: number | null; program: string | null }): string {
  return s.pid === null ? '-' : `${s.pid}/${s.program ?? '-'}`;
}

interface Endpoint {
  /** Address text as the report writes it (IPv4-mapped as IPv4). */
  ip: string;
  port: number | null;
  /** The endpoint as the report writes it: `198.18.0.1:80`, `[2001:db8::1]:443`. */
  text: string;
}

/** An endpoint read back (parseEndpoint) and written as the report does; null if unreadable. */
function endpoint(text: string): Endpoint | null {
  const p = parseEndpoint(text);
  if (p === null) return null;
  return { ip: formatIp(p.version, p.words), port: p.port, text: formatEndpoint(p.version, p.words, 0, p.port) };
}

/** Loopback's MAC, and that of interfaces without one: no identity. */
const NO_MAC = '00:00:00:00:00:00';
const NO_MACS: readonly [null, null] = [null, null];

function isWildcard(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

/** State codes of /proc/net/tcp: LISTEN (10); for udp, 7 is unconnected (netstat prints ''). */
const TCP_LISTEN = 10;

interface Owner {
  pid: number | null;
  program: string | null;
}

export class LocalJoin {
  /** "proto local remote" (both orders) → owner, for connected sockets. */
  private readonly byTuple = new Map<string, Owner>();
  /** "proto ip:port" and "proto *:port" (wildcard) → owner, for listeners and bound UDP. */
  private readonly byLocal = new Map<string, Owner>();
  /** "icmp" / "icmpv6" → the owner of a raw socket of that protocol. */
  private readonly rawIcmp = new Map<string, Owner>();
  private readonly addresses = new Set<string>();
  /** The host's interfaces' MACs (lowercase; not loopback's all-zero one). */
  private readonly macs = new Set<string>();
  /** The newest snapshot's inet sockets (the local netstat panel shows the table as it is now). */
  private inet: InetSocketJson[] = [];
  private snapshots = 0;
  /** The earliest and the latest snapshot by time: the span the host's counters grew over. */
  private earliest: HostSnapshot | null = null;
  private latest: HostSnapshot | null = null;
  /**
   * Bumped when an address or MAC (resp. a socket key or owner) is added. Labels only move one way as
   * snapshots are added (third-party → local as addresses appear, unexplained → explained as
   * sockets do), so a cache of labels re-checks only third-party rows when the first changed
   * and unexplained rows when the second did.
   */
  addressGeneration = 0;
  socketGeneration = 0;

  constructor(host?: HostSnapshot | readonly HostSnapshot[]) {
    const list = host === undefined ? [] : Array.isArray(host) ? host : [host as HostSnapshot];
    for (const s of list) this.add(s);
  }

  /** How many snapshots the join holds. */
  get size(): number {
    return this.snapshots;
  }

  /** The host's own addresses, as the report writes them. */
  hostAddresses(): string[] {
    return [...this.addresses];
  }

  /** The earliest and the latest snapshot joined (by their time), or null before any. */
  span(): { first: HostSnapshot; last: HostSnapshot } | null {
    return this.earliest && this.latest ? { first: this.earliest, last: this.latest } : null;
  }

  /** Adds a snapshot: its addresses and sockets explain from now on. */
  add(host: HostSnapshot): void {
    this.snapshots++;
    if (this.earliest === null || host.time < this.earliest.time) this.earliest = host;
    if (this.latest === null || host.time >= this.latest.time) this.latest = host;
    for (const i of host.interfaces) {
      const mac = i.mac?.toLowerCase() ?? null;
      if (mac !== null && mac !== NO_MAC && !this.macs.has(mac)) {
        this.macs.add(mac);
        this.addressGeneration++;
      }
      for (const a of [...i.ipv4, ...i.ipv6]) {
        if (this.addresses.has(a.address)) continue;
        this.addresses.add(a.address);
        this.addressGeneration++;
      }
    }
    if (host !== this.latest) return this.addSockets(host, false);
    this.addSockets(host, true);
  }

  private addSockets(host: HostSnapshot, newest: boolean): void {
    const inet = host.sockets.filter((s): s is InetSocketJson => s.proto !== 'unix');
    if (newest) this.inet = inet;
    for (const s of inet) {
      const owner = { pid: s.pid, program: s.program };
      if (s.proto === 'raw' || s.proto === 'raw6') {
        const l = endpoint(s.local);
        const name = s.proto === 'raw' ? (l?.port === IPPROTO.ICMP ? 'icmp' : null) : l?.port === IPPROTO.ICMPV6 ? 'icmpv6' : null;
        if (name !== null) this.keep(this.rawIcmp, name, owner);
        continue;
      }
      const p = ipProtocol(s.proto);
      const local = endpoint(s.local);
      const remote = endpoint(s.remote);
      if (p === null || local === null || remote === null) continue;
      const connected = remote.port !== null && remote.port !== 0 && !isWildcard(remote.ip);
      if (connected && s.state_code !== TCP_LISTEN) {
        for (const key of [`${p.name} ${local.text} ${remote.text}`, `${p.name} ${remote.text} ${local.text}`]) this.keep(this.byTuple, key, owner);
      } else if (p.name === 'udp' || s.state_code === TCP_LISTEN) {
        this.keep(this.byLocal, `${p.name} ${isWildcard(local.ip) ? '*' : local.ip}:${local.port}`, owner);
      }
    }
  }

  /** A key's owner: the first one known (a later snapshot may show it ownerless: TIME_WAIT). */
  private keep(map: Map<string, Owner>, key: string, owner: Owner): void {
    const had = map.get(key);
    if (had !== undefined && (had.pid !== null || owner.pid === null)) return;
    map.set(key, owner);
    this.socketGeneration++;
  }

  /** Is this address one of the host's own? */
  isLocalAddress(addr: string): boolean {
    return this.addresses.has(addr);
  }

  /** The host's MACs, lowercase (as formatMac writes them). */
  hostMacs(): string[] {
    return [...this.macs];
  }

  /** Is this MAC one of the host's interfaces'? */
  isLocalMac(mac: string): boolean {
    return this.macs.has(mac);
  }

  /**
   * The label of a conversation (`a`, `b` as the report writes them; `macs`: the source MACs
   * of their packets, when known), and its owner when explained.
   */
  classify(proto: string, a: string, b: string, macs: readonly [string | null, string | null] = NO_MACS): Explanation {
    const ea = endpoint(a);
    const eb = endpoint(b);
    const aOwn = ea !== null && this.addresses.has(ea.ip);
    const bOwn = eb !== null && this.addresses.has(eb.ip);
    const aLocal = aOwn || (macs[0] !== null && this.macs.has(macs[0]));
    const bLocal = bOwn || (macs[1] !== null && this.macs.has(macs[1]));
    if (!aLocal && !bLocal) return { label: 'third-party', pid: null, program: null, reason: null };
    // Only an end with one of the host's addresses can be a socket's.
    const owner = this.owner(proto, a, b, aOwn ? ea : null, bOwn ? eb : null);
    if (owner !== null) return { label: 'explained', pid: owner.pid, program: owner.program, reason: null };
    const reason: UnexplainedReason = !aOwn && !bOwn ? 'other-address' : proto === 'icmp' || proto === 'icmpv6' ? 'kernel' : 'no-socket';
    return { label: 'unexplained', pid: null, program: null, reason };
  }

  /** Conversation `id`'s label: its endpoints originator first, as the report's rows have them, and its MACs. */
  classifyConversation(c: Conversations, id: number): Explanation {
    const v = c.version(id);
    const ports = c.hasPorts(id);
    const o = c.origSide(id);
    const keys = c.table.u32;
    const a = formatEndpoint(v, keys, c.addrOffset(id, o), ports ? c.port(id, o) : null);
    const b = formatEndpoint(v, keys, c.addrOffset(id, 1 - o), ports ? c.port(id, 1 - o) : null);
    const x = this.classify(conversationProtoName(c.proto(id)), a, b, this.macs.size > 0 ? [c.txMac(id, o), c.txMac(id, 1 - o)] : NO_MACS);
    if (x.reason === 'no-socket') {
      // A connection to the host that it answered with a RST only: refused by the kernel.
      const t = c.tcpIndex(id);
      const responder = endpoint(b);
      if (t >= 0 && responder !== null && this.addresses.has(responder.ip) && c.tcp.connState(t, o) === 'REJ') x.reason = 'refused';
    }
    return x;
  }

  private owner(proto: string, a: string, b: string, aHost: Endpoint | null, bHost: Endpoint | null): Owner | null {
    // ICMP the host started (an echo request from its address) is its raw socket's; ICMP a peer
    // started is answered by the kernel, which no socket stands for.
    if (proto === 'icmp' || proto === 'icmpv6') return aHost !== null ? (this.rawIcmp.get(proto) ?? null) : null;
    if (proto !== 'tcp' && proto !== 'udp') return null;
    const tuple = this.byTuple.get(`${proto} ${a} ${b}`);
    if (tuple && tuple.pid !== null) return tuple;
    // A listener or a bound UDP socket on this host's end (the responder's, usually). It also
    // names the owner of a connection seen only ownerless (an accepted socket in TIME_WAIT).
    for (const e of [bHost, aHost]) {
      if (e === null || e.port === null) continue;
      const bound = this.byLocal.get(`${proto} ${e.ip}:${e.port}`) ?? this.byLocal.get(`${proto} *:${e.port}`);
      if (bound) return bound;
    }
    return tuple ?? null;
  }

  /** For the dashboard: conversation `id`'s label, whether a socket explains it and its owner ("PID/program"). */
  explain(c: Conversations, id: number): { local: boolean; owner: string | null; label: LocalLabel } {
    const x = this.classifyConversation(c, id);
    return { local: x.label === 'explained', owner: x.label === 'explained' ? ownerOf(x) : null, label: x.label };
  }

  /** The newest socket table as the panel shows it, each with its conversation's wire bytes when seen. */
  sockets(conv: Conversations): ViewSocket[] {
    const out: ViewSocket[] = [];
    for (const s of this.inet) {
      const p = ipProtocol(s.proto);
      let wireBytes: number | null = null;
      if (p !== null && !s.listening) {
        const id = this.conversationOf(conv, p.number, s);
        if (id >= 0) wireBytes = conv.bytes(id, 0) + conv.bytes(id, 1);
      }
      out.push({ proto: s.proto, local: s.local, remote: s.remote, state: s.state, owner: ownerOf(s), wireBytes });
    }
    return out;
  }

  /** Connected sockets of the newest snapshot whose conversation never appeared on the wire. */
  quietSockets(conv: Conversations): InetSocketJson[] {
    return this.inet.filter((s) => {
      const p = ipProtocol(s.proto);
      return p !== null && !s.listening && s.state === 'ESTABLISHED' && this.conversationOf(conv, p.number, s) < 0;
    });
  }

  private conversationOf(conv: Conversations, proto: number, s: InetSocketJson): number {
    const a = parseEndpoint(s.local);
    const b = parseEndpoint(s.remote);
    if (a === null || b === null || a.version !== b.version) return -1;
    return conv.find(proto, a.version, a.words, a.port, b.words, b.port);
  }
}
