import { IPPROTO } from '../decode/summary.js';
import { formatEndpoint, formatIp, parseEndpoint } from './address.js';
import { conversationProtoName } from './conversations.js';
export const UNEXPLAINED_REASONS = ['no-socket', 'other-address', 'refused', 'kernel'];
/** The wire protocol of a socket table (tcp6 is TCP over either IP version). */
function ipProtocol(proto) {
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
function ownerOf(s) {
    return s.pid === null ? '-' : `${s.pid}/${s.program ?? '-'}`;
}
/** An endpoint read back (parseEndpoint) and written as the report does; null if unreadable. */
function endpoint(text) {
    const p = parseEndpoint(text);
    if (p === null)
        return null;
    return { ip: formatIp(p.version, p.words), port: p.port, text: formatEndpoint(p.version, p.words, 0, p.port) };
}
/** Loopback's MAC, and that of interfaces without one: no identity. */
const NO_MAC = '00:00:00:00:00:00';
const NO_MACS = [null, null];
function isWildcard(ip) {
    return ip === '0.0.0.0' || ip === '::';
}
/** State codes of /proc/net/tcp: LISTEN (10); for udp, 7 is unconnected (netstat prints ''). */
const TCP_LISTEN = 10;
export class LocalJoin {
    /** "proto local remote" (both orders) → owner, for connected sockets. */
    byTuple = new Map();
    /** "proto ip:port" and "proto *:port" (wildcard) → owner, for listeners and bound UDP. */
    byLocal = new Map();
    /** "icmp" / "icmpv6" → the owner of a raw socket of that protocol. */
    rawIcmp = new Map();
    addresses = new Set();
    /** The host's interfaces' MACs (lowercase; not loopback's all-zero one). */
    macs = new Set();
    /** The newest snapshot's inet sockets (the local netstat panel shows the table as it is now). */
    inet = [];
    snapshots = 0;
    /** The earliest and the latest snapshot by time: the span the host's counters grew over. */
    earliest = null;
    latest = null;
    /**
     * Bumped when an address or MAC (resp. a socket key or owner) is added. Labels only move one way as
     * snapshots are added (third-party → local as addresses appear, unexplained → explained as
     * sockets do), so a cache of labels re-checks only third-party rows when the first changed
     * and unexplained rows when the second did.
     */
    addressGeneration = 0;
    socketGeneration = 0;
    constructor(host) {
        const list = host === undefined ? [] : Array.isArray(host) ? host : [host];
        for (const s of list)
            this.add(s);
    }
    /** How many snapshots the join holds. */
    get size() {
        return this.snapshots;
    }
    /** The host's own addresses, as the report writes them. */
    hostAddresses() {
        return [...this.addresses];
    }
    /** The earliest and the latest snapshot joined (by their time), or null before any. */
    span() {
        return this.earliest && this.latest ? { first: this.earliest, last: this.latest } : null;
    }
    /** Adds a snapshot: its addresses and sockets explain from now on. */
    add(host) {
        this.snapshots++;
        if (this.earliest === null || host.time < this.earliest.time)
            this.earliest = host;
        if (this.latest === null || host.time >= this.latest.time)
            this.latest = host;
        for (const i of host.interfaces) {
            const mac = i.mac?.toLowerCase() ?? null;
            if (mac !== null && mac !== NO_MAC && !this.macs.has(mac)) {
                this.macs.add(mac);
                this.addressGeneration++;
            }
            for (const a of [...i.ipv4, ...i.ipv6]) {
                if (this.addresses.has(a.address))
                    continue;
                this.addresses.add(a.address);
                this.addressGeneration++;
            }
        }
        if (host !== this.latest)
            return this.addSockets(host, false);
        this.addSockets(host, true);
    }
    addSockets(host, newest) {
        const inet = host.sockets.filter((s) => s.proto !== 'unix');
        if (newest)
            this.inet = inet;
        for (const s of inet) {
            const owner = { pid: s.pid, program: s.program };
            if (s.proto === 'raw' || s.proto === 'raw6') {
                const l = endpoint(s.local);
                const name = s.proto === 'raw' ? (l?.port === IPPROTO.ICMP ? 'icmp' : null) : l?.port === IPPROTO.ICMPV6 ? 'icmpv6' : null;
                if (name !== null)
                    this.keep(this.rawIcmp, name, owner);
                continue;
            }
            const p = ipProtocol(s.proto);
            const local = endpoint(s.local);
            const remote = endpoint(s.remote);
            if (p === null || local === null || remote === null)
                continue;
            const connected = remote.port !== null && remote.port !== 0 && !isWildcard(remote.ip);
            if (connected && s.state_code !== TCP_LISTEN) {
                for (const key of [`${p.name} ${local.text} ${remote.text}`, `${p.name} ${remote.text} ${local.text}`])
                    this.keep(this.byTuple, key, owner);
            }
            else if (p.name === 'udp' || s.state_code === TCP_LISTEN) {
                this.keep(this.byLocal, `${p.name} ${isWildcard(local.ip) ? '*' : local.ip}:${local.port}`, owner);
            }
        }
    }
    /** A key's owner: the first one known (a later snapshot may show it ownerless: TIME_WAIT). */
    keep(map, key, owner) {
        const had = map.get(key);
        if (had !== undefined && (had.pid !== null || owner.pid === null))
            return;
        map.set(key, owner);
        this.socketGeneration++;
    }
    /** Is this address one of the host's own? */
    isLocalAddress(addr) {
        return this.addresses.has(addr);
    }
    /** The host's MACs, lowercase (as formatMac writes them). */
    hostMacs() {
        return [...this.macs];
    }
    /** Is this MAC one of the host's interfaces'? */
    isLocalMac(mac) {
        return this.macs.has(mac);
    }
    /**
     * The label of a conversation (`a`, `b` as the report writes them; `macs`: the source MACs
     * of their packets, when known), and its owner when explained.
     */
    classify(proto, a, b, macs = NO_MACS) {
        const ea = endpoint(a);
        const eb = endpoint(b);
        const aOwn = ea !== null && this.addresses.has(ea.ip);
        const bOwn = eb !== null && this.addresses.has(eb.ip);
        const aLocal = aOwn || (macs[0] !== null && this.macs.has(macs[0]));
        const bLocal = bOwn || (macs[1] !== null && this.macs.has(macs[1]));
        if (!aLocal && !bLocal)
            return { label: 'third-party', pid: null, program: null, reason: null };
        // Only an end with one of the host's addresses can be a socket's.
        const owner = this.owner(proto, a, b, aOwn ? ea : null, bOwn ? eb : null);
        if (owner !== null)
            return { label: 'explained', pid: owner.pid, program: owner.program, reason: null };
        const reason = !aOwn && !bOwn ? 'other-address' : proto === 'icmp' || proto === 'icmpv6' ? 'kernel' : 'no-socket';
        return { label: 'unexplained', pid: null, program: null, reason };
    }
    /** Conversation `id`'s label: its endpoints originator first, as the report's rows have them, and its MACs. */
    classifyConversation(c, id) {
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
            if (t >= 0 && responder !== null && this.addresses.has(responder.ip) && c.tcp.connState(t, o) === 'REJ')
                x.reason = 'refused';
        }
        return x;
    }
    owner(proto, a, b, aHost, bHost) {
        // ICMP the host started (an echo request from its address) is its raw socket's; ICMP a peer
        // started is answered by the kernel, which no socket stands for.
        if (proto === 'icmp' || proto === 'icmpv6')
            return aHost !== null ? (this.rawIcmp.get(proto) ?? null) : null;
        if (proto !== 'tcp' && proto !== 'udp')
            return null;
        const tuple = this.byTuple.get(`${proto} ${a} ${b}`);
        if (tuple && tuple.pid !== null)
            return tuple;
        // A listener or a bound UDP socket on this host's end (the responder's, usually). It also
        // names the owner of a connection seen only ownerless (an accepted socket in TIME_WAIT).
        for (const e of [bHost, aHost]) {
            if (e === null || e.port === null)
                continue;
            const bound = this.byLocal.get(`${proto} ${e.ip}:${e.port}`) ?? this.byLocal.get(`${proto} *:${e.port}`);
            if (bound)
                return bound;
        }
        return tuple ?? null;
    }
    /** For the dashboard: conversation `id`'s label, whether a socket explains it and its owner ("PID/program"). */
    explain(c, id) {
        const x = this.classifyConversation(c, id);
        return { local: x.label === 'explained', owner: x.label === 'explained' ? ownerOf(x) : null, label: x.label };
    }
    /** The newest socket table as the panel shows it, each with its conversation's wire bytes when seen. */
    sockets(conv) {
        const out = [];
        for (const s of this.inet) {
            const p = ipProtocol(s.proto);
            let wireBytes = null;
            if (p !== null && !s.listening) {
                const id = this.conversationOf(conv, p.number, s);
                if (id >= 0)
                    wireBytes = conv.bytes(id, 0) + conv.bytes(id, 1);
            }
            out.push({ proto: s.proto, local: s.local, remote: s.remote, state: s.state, owner: ownerOf(s), wireBytes });
        }
        return out;
    }
    /** Connected sockets of the newest snapshot whose conversation never appeared on the wire. */
    quietSockets(conv) {
        return this.inet.filter((s) => {
            const p = ipProtocol(s.proto);
            return p !== null && !s.listening && s.state === 'ESTABLISHED' && this.conversationOf(conv, p.number, s) < 0;
        });
    }
    conversationOf(conv, proto, s) {
        const a = parseEndpoint(s.local);
        const b = parseEndpoint(s.remote);
        if (a === null || b === null || a.version !== b.version)
            return -1;
        return conv.find(proto, a.version, a.words, a.port, b.words, b.port);
    }
}
