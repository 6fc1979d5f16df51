/**
 * The report: an immutable, JSON-ready view of WireStats plus what the source said about itself.
 * This is the `wirestat.report/1` contract (README, "Report JSON"); printers and later the TUI
 * read only this, never the live tables.
 */
import { linktypeName } from '../capture/linktype.js';
import { reasonName } from '../decode/reasons.js';
import { etherTypeName, ipProtocolName } from '../decode/names.js';
import { LAYER_NAMES } from '../decode/summary.js';
import { formatEndpoint, formatIp, formatMac } from './address.js';
import { conversationProtoName } from './conversations.js';
import { KIND_IPV6, KIND_MAC, T } from './endpoints.js';
import { localSection } from './local-report.js';
export const REPORT_SCHEMA = 'wirestat.report/1';
/** Seconds as a float, at µs precision (what the formats carry, and stable in JSON). */
function seconds(t) {
    return Number.isFinite(t) ? Math.round(t * 1e6) / 1e6 : null;
}
/** Ids 0..n-1 sorted by `totals[id]` descending, ties by id (first seen first); the first `top`. */
function rank(totals, top) {
    const n = totals.length;
    const ids = new Uint32Array(n);
    for (let i = 0; i < n; i++)
        ids[i] = i;
    ids.sort((x, y) => totals[y] - totals[x] || x - y);
    return top !== undefined && top >= 0 && top < n ? ids.subarray(0, top) : ids;
}
/** An array as Rows. */
export function rowsOf(list) {
    return { length: list.length, at: (i) => list[i] };
}
/** A made report as parts (to write it the same way). */
export function partsOf(r) {
    return { head: r, conversations: rowsOf(r.conversations), endpoints: rowsOf(r.endpoints) };
}
/** Every row of `rows`, as an array. */
export function allRows(rows) {
    const out = new Array(rows.length);
    for (let i = 0; i < rows.length; i++)
        out[i] = rows.at(i);
    return out;
}
/** The whole report, its lists made. */
export function buildReport(stats, src, opts = {}) {
    return materialize(reportParts(stats, src, opts));
}
export function materialize(p) {
    // Spread then set: the lists keep their places in the key order.
    return { ...p.head, conversations: allRows(p.conversations), endpoints: allRows(p.endpoints) };
}
export function reportParts(stats, src, opts = {}) {
    // Endpoints first: totalling them inserts the ones known only through conversations.
    const endpoints = endpointRows(stats, opts.top);
    const conversations = conversationRows(stats, opts.top, opts.host ?? null);
    const head = {
        schema: REPORT_SCHEMA,
        source: {
            kind: src.live ? 'live' : 'file',
            name: src.name,
            format: src.format,
            linktypes: src.linktypes.map(linktypeName),
            packets: stats.packets,
            bytes: stats.bytes,
            captured_bytes: stats.capturedBytes,
            first_ts: seconds(stats.firstTs),
            last_ts: seconds(stats.lastTs),
            errors: src.errors,
            errors_not_listed: src.errorsNotListed,
            filter: src.filter ?? null,
            duration: src.live ? seconds(src.live.seconds) : null,
            nic: src.live?.nic ?? null,
            capture_loss: src.live ? { packets: src.live.lostPackets } : null,
        },
        protocols: protocolTable(stats),
        malformed: malformedTable(stats),
        conversations: [],
        local: opts.host ? localSection(stats, opts.host, src.live ? src.name : null) : null,
        conversations_total: stats.conversations.size,
        endpoints: [],
        endpoints_total: stats.endpoints.size,
        flow_table: flowTableFacts(stats.conversations),
    };
    return { head, conversations, endpoints };
}
export function flowTableFacts(c) {
    const t = c.timeouts;
    return {
        capacity: c.capacity,
        active: c.size,
        evicted: c.evicted,
        expired: c.expired,
        refused: c.refused,
        tracked: c.tracked,
        when_full: c.whenFull,
        idle_timeouts: { tcp: t.tcp, tcp_closed: t.tcpClosed, udp: t.udp, icmp: t.icmp, other: t.other },
    };
}
/** Packets and bytes per protocol, in the report's order (layers, IP protocols, EtherTypes, malformed). */
export function protocolTable(stats) {
    const p = stats.protocols;
    const out = {};
    const layers = p.layers();
    LAYER_NAMES.forEach((name, i) => {
        if (layers[i * 2] > 0)
            out[name] = { packets: layers[i * 2], bytes: layers[i * 2 + 1] };
    });
    for (let proto = 0; proto < 256; proto++) {
        if (p.ipProtocols[proto * 2] > 0) {
            out[ipProtocolName(proto)] = { packets: p.ipProtocols[proto * 2], bytes: p.ipProtocols[proto * 2 + 1] };
        }
    }
    for (const [type, [packets, bytes]] of [...p.etherTypes].sort((x, y) => x[0] - y[0])) {
        out[etherTypeName(type)] = { packets, bytes };
    }
    if (p.malformedPackets > 0)
        out.malformed = { packets: p.malformedPackets, bytes: p.malformedBytes };
    return out;
}
function malformedTable(stats) {
    const out = {};
    stats.protocols.reasons.forEach((n, code) => {
        if (n > 0)
            out[reasonName(code)] = n;
    });
    return out;
}
/** The rows, largest first; with a host view, each with its label and owner (local-join.ts). */
function conversationRows(stats, top, host) {
    const c = stats.conversations;
    const totals = new Float64Array(c.size);
    for (let id = 0; id < c.size; id++)
        totals[id] = c.bytes(id, 0) + c.bytes(id, 1);
    const ids = rank(totals, top);
    return {
        length: ids.length,
        at(i) {
            const row = conversationRow(c, ids[i]);
            if (host) {
                const x = host.classifyConversation(c, ids[i]);
                row.local = x.label;
                row.pid = x.pid;
                row.program = x.program;
                row.reason = x.reason;
            }
            return row;
        },
    };
}
/** Conversation `id` as the report shows it: originator first, its counters, state and history. */
export function conversationRow(c, id) {
    const keys = c.table.u32;
    const version = c.version(id);
    const o = c.origSide(id);
    const r = 1 - o;
    const hasPorts = c.hasPorts(id);
    const t = c.tcpIndex(id);
    return {
        proto: conversationProtoName(c.proto(id)),
        a: formatEndpoint(version, keys, c.addrOffset(id, o), hasPorts ? c.port(id, o) : null),
        b: formatEndpoint(version, keys, c.addrOffset(id, r), hasPorts ? c.port(id, r) : null),
        a_to_b: { packets: c.packets(id, o), bytes: c.bytes(id, o) },
        b_to_a: { packets: c.packets(id, r), bytes: c.bytes(id, r) },
        first_ts: seconds(c.firstTs(id)),
        last_ts: seconds(c.lastTs(id)),
        state: t >= 0 ? c.tcp.connState(t, o) : null,
        history: t >= 0 ? c.tcp.historyString(t, o) : null,
        local: null,
        pid: null,
        program: null,
        reason: null,
    };
}
function endpointRows(stats, top) {
    const e = stats.endpoints;
    const counts = e.totals(stats.conversations);
    const totals = new Float64Array(e.size);
    for (let id = 0; id < e.size; id++)
        totals[id] = counts[id * T.N + T.TX_BYTES] + counts[id * T.N + T.RX_BYTES];
    const ids = rank(totals, top);
    return { length: ids.length, at: (i) => endpointRow(e, counts, ids[i]) };
}
/** Endpoint `id` as the report shows it, with its counters from `counts` (Endpoints.totals()). */
export function endpointRow(e, counts, id) {
    const keys = e.table.u32;
    const kind = e.kind(id);
    const a = e.addrOffset(id);
    const at = id * T.N;
    return {
        addr: kind === KIND_MAC ? formatMac(keys[a], keys[a + 1]) : formatIp(kind === KIND_IPV6 ? 6 : 4, keys, a),
        tx: { packets: counts[at + T.TX_PKTS], bytes: counts[at + T.TX_BYTES] },
        rx: { packets: counts[at + T.RX_PKTS], bytes: counts[at + T.RX_BYTES] },
    };
}
