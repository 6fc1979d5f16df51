/**
 * The report's `local` section: how much of the wire involves this host, how much of that its
 * socket table explains, what it does not, and which of its connections the wire never showed.
 * Every conversation is labelled by LocalJoin (local-join.ts); packets outside conversations
 * (ARP, non-IP) involve no host address and count only in the totals.
 */
import { IPPROTO } from '../decode/summary.js';
import { routeInterface } from '../host/route-lookup.js';
import { formatIp, parseEndpoint } from './address.js';
import { emptyHostWire, hostCounters } from './host-counters.js';
const KEY = {
    explained: 'explained',
    unexplained: 'unexplained',
    'third-party': 'third_party',
};
const REASON_KEY = {
    'no-socket': 'no_socket',
    'other-address': 'other_address',
    refused: 'refused',
    kernel: 'kernel',
};
const ratio = (x, of) => (of > 0 ? x / of : null);
/**
 * The section. `iface` is the captured interface when known (live); from a file it is taken
 * as the interface that holds the host address with the most packets in the capture.
 */
export function localSection(stats, join, iface = null) {
    const c = stats.conversations;
    const count = () => ({ conversations: 0, packets: 0, bytes: 0 });
    const by = { explained: count(), unexplained: count(), third_party: count() };
    const why = { no_socket: count(), other_address: count(), refused: count(), kernel: count() };
    const wire = emptyHostWire();
    /** Host address → packets of conversations with that end (for the inferred interface). */
    const seen = new Map();
    for (let id = 0; id < c.size; id++) {
        const x = join.classifyConversation(c, id);
        const label = x.label;
        const packets = c.packets(id, 0) + c.packets(id, 1);
        const bytes = c.bytes(id, 0) + c.bytes(id, 1);
        for (const k of [by[KEY[label]], x.reason === null ? null : why[REASON_KEY[x.reason]]]) {
            if (k === null)
                continue;
            k.conversations++;
            k.packets += packets;
            k.bytes += bytes;
        }
        if (label !== 'third-party')
            countHostSides(stats, join, id, wire, seen, packets);
    }
    const host = { packets: by.explained.packets + by.unexplained.packets, bytes: by.explained.bytes + by.unexplained.bytes };
    const span = join.span();
    const captured = iface ?? (span ? interfaceOf(span.last, busiest(seen)) : null);
    const own = (addr) => join.isLocalAddress(addr);
    return {
        addresses: join.hostAddresses(),
        snapshots: join.size,
        wire: { packets: stats.packets, bytes: stats.bytes },
        host,
        ...by,
        unexplained_by_reason: why,
        share: {
            host_packets: ratio(host.packets, stats.packets),
            host_bytes: ratio(host.bytes, stats.bytes),
            explained_packets: ratio(by.explained.packets, stats.packets),
            explained_bytes: ratio(by.explained.bytes, stats.bytes),
            explained_of_host_packets: ratio(by.explained.packets, host.packets),
            explained_of_host_bytes: ratio(by.explained.bytes, host.bytes),
        },
        quiet_sockets: join.quietSockets(c).map((s) => {
            const r = parseEndpoint(s.remote);
            const out = span && r ? routeInterface(span.last.routes, formatIp(r.version, r.words), own) : null;
            return {
                proto: s.proto,
                local: s.local,
                remote: s.remote,
                pid: s.pid,
                program: s.program,
                interface: out,
                elsewhere: out === null || captured === null ? null : out !== captured,
            };
        }),
        interface: captured,
        counters: hostCounters(span, captured, { packets: stats.packets, bytes: stats.bytes }, wire),
    };
}
/**
 * Adds a local conversation's TCP/UDP figures to `wire`, for each end that is one of the host's
 * addresses (sent by it, received by it), and its packets to `seen` under that address.
 */
function countHostSides(stats, join, id, wire, seen, packets) {
    const c = stats.conversations;
    const proto = c.proto(id);
    const t = proto === IPPROTO.TCP ? c.tcpIndex(id) : -1;
    for (let side = 0; side < 2; side++) {
        const addr = formatIp(c.version(id), c.table.u32, c.addrOffset(id, side));
        if (!join.isLocalAddress(addr))
            continue;
        seen.set(addr, (seen.get(addr) ?? 0) + packets);
        const sent = c.packets(id, side);
        const received = c.packets(id, 1 - side);
        if (proto === IPPROTO.TCP) {
            wire.tcp.sent += sent;
            wire.tcp.received += received;
            if (t >= 0) {
                wire.tcp.resets_sent += c.tcp.resets(t, side);
                wire.tcp.retransmissions_sent += c.tcp.retransmissions(t, side);
            }
        }
        else if (proto === IPPROTO.UDP) {
            wire.udp.sent += sent;
            wire.udp.received += received;
        }
    }
}
/** The address with the most packets, or null. */
function busiest(seen) {
    let best = null;
    let most = -1;
    for (const [addr, n] of seen)
        if (n > most)
            [best, most] = [addr, n];
    return best;
}
/** The interface of a snapshot that holds `addr`, or null. */
function interfaceOf(snap, addr) {
    if (addr === null)
        return null;
    for (const i of snap.interfaces)
        if ([...i.ipv4, ...i.ipv6].some((a) => a.address === addr))
            return i.device;
    return null;
}
