export function emptyHostWire() {
    return { tcp: { sent: 0, received: 0, resets_sent: 0, retransmissions_sent: 0 }, udp: { sent: 0, received: 0 } };
}
/** A counter's growth between two snapshots, or null when missing or gone backwards (a reset). */
function growth(first, last, section, name) {
    const a = first.stats?.[section]?.[name];
    const b = last.stats?.[section]?.[name];
    if (a === undefined || b === undefined || b < a)
        return null;
    return b - a;
}
function sum(...xs) {
    let t = 0;
    for (const x of xs) {
        if (x === null)
            return null;
        t += x;
    }
    return t;
}
const IFACE_COUNTERS = ['rx_packets', 'tx_packets', 'rx_bytes', 'tx_bytes', 'rx_dropped'];
function interfaceGrowth(first, last, name) {
    const a = first.interfaces.find((i) => i.name === name)?.statistics;
    const b = last.interfaces.find((i) => i.name === name)?.statistics;
    if (a == null || b == null)
        return null;
    const out = { name, rx_packets: 0, tx_packets: 0, rx_bytes: 0, tx_bytes: 0, rx_dropped: 0 };
    for (const k of IFACE_COUNTERS) {
        const x = a[k];
        const y = b[k];
        // An interface re-created between the snapshots starts from zero again: its growth is unknown.
        if (x === undefined || y === undefined || y < x)
            return null;
        out[k] = y - x;
    }
    return out;
}
/**
 * The reconciliation over `span`; null with fewer than two snapshots at different times (one
 * moment has no growth). `iface` is the captured interface (live: the one named; from a file:
 * the one holding the host address seen most), null when unknown.
 */
export function hostCounters(span, iface, captured, wire) {
    if (span === null || span.last.time <= span.first.time)
        return null;
    const { first, last } = span;
    const others = [];
    for (const i of last.interfaces) {
        if (i.name === iface || i.device !== i.name)
            continue;
        const g = interfaceGrowth(first, last, i.name);
        if (g !== null && g.rx_packets + g.tx_packets > 0)
            others.push(g);
    }
    return {
        from: first.time,
        to: last.time,
        interface: iface === null ? null : interfaceGrowth(first, last, iface),
        captured,
        other_interfaces: others,
        tcp: {
            wire: wire.tcp,
            kernel: {
                out_segs: growth(first, last, 'Tcp', 'OutSegs'),
                in_segs: growth(first, last, 'Tcp', 'InSegs'),
                out_rsts: growth(first, last, 'Tcp', 'OutRsts'),
                retrans_segs: growth(first, last, 'Tcp', 'RetransSegs'),
            },
        },
        udp: {
            wire: wire.udp,
            kernel: {
                out_datagrams: sum(growth(first, last, 'Udp', 'OutDatagrams'), growth(first, last, 'Udp6', 'Udp6OutDatagrams')),
                in_datagrams: sum(growth(first, last, 'Udp', 'InDatagrams'), growth(first, last, 'Udp6', 'Udp6InDatagrams')),
            },
        },
    };
}
