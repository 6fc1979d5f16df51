/**
 * A host snapshot: the whole local view at one moment (sockets with their processes, packet
 * sockets, interfaces with MACs and addresses, routes, protocol counters, multicast groups,
 * host name, kernel, time) as one `wirestat.snapshot/1` JSON document, so a capture can later be
 * replayed beside the host that recorded it. Taking one reads /proc and /sys only (one `ip`
 * call when /proc cannot place an IPv4 address), so it can be taken every second.
 *
 * `parseSnapshot` reads one back and checks its shape, naming the field that is wrong.
 */
import { hostname, release } from 'node:os';
import { groupJson, interfaceJson, ipv4RouteJson, ipv6RouteJson, packetSocketJson, socketJson, } from './document.js';
import { defaultFlags } from './flags.js';
import { readGroups } from './groups.js';
import { readInterfaces } from './interfaces.js';
import { readRoutes } from './routes.js';
import { readSnmp, snmpJson } from './snmp.js';
import { readSockets } from './sockets.js';
import { printable } from './sanitize.js';
export const SNAPSHOT_SCHEMA = 'wirestat.snapshot/1';
export async function takeSnapshot(opts = {}) {
    const now = opts.now ?? Date.now;
    const started = now();
    const procRoot = opts.procRoot ?? '/proc';
    const roots = { procRoot, sysRoot: opts.sysRoot ?? '/sys' };
    const flags = { ...defaultFlags(), all: true, numeric: true, executable: true };
    const view = readSockets(procRoot, flags, { owners: true, packet: true });
    const [ifaces, routes, snmp, groups] = await Promise.all([readInterfaces(roots), readRoutes(roots), readSnmp(roots), readGroups(roots)]);
    const errors = [...view.errors];
    const missing = (what, source) => {
        if (what === null)
            errors.push({ source: `${procRoot}/${source}`, cause: 'unreadable or missing' });
    };
    missing(routes.ipv4, 'net/route');
    missing(routes.ipv6, 'net/ipv6_route');
    missing(snmp.snmp, 'net/snmp');
    missing(groups.ipv4, 'net/igmp');
    if (ifaces.interfaces.length === 0)
        errors.push({ source: `${procRoot}/net/dev`, cause: 'no interfaces read' });
    return {
        schema: SNAPSHOT_SCHEMA,
        time: started / 1000,
        duration: (now() - started) / 1000,
        hostname: hostname(),
        kernel: release(),
        netns: opts.netns ?? null,
        sockets: view.sockets.map(socketJson),
        packet_sockets: view.packetSockets.map(packetSocketJson),
        processes_complete: view.processesComplete,
        interfaces: ifaces.interfaces.map(interfaceJson),
        routes: { ipv4: (routes.ipv4?.records ?? []).map(ipv4RouteJson), ipv6: (routes.ipv6?.records ?? []).map(ipv6RouteJson) },
        stats: snmpJson(snmp.snmp, snmp.netstat, snmp.snmp6, snmp.sctp),
        groups: [...(groups.ipv4?.records ?? []), ...(groups.ipv6?.records ?? [])].map(groupJson),
        errors,
    };
}
/** A snapshot document that cannot be used: names the file and the field. */
export class SnapshotError extends Error {
    name = 'SnapshotError';
}
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const isStr = (v) => typeof v === 'string';
const isBool = (v) => typeof v === 'boolean';
const orNull = (c) => (v) => v === null || c(v);
const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Fields every element of each list must have, and their types. */
const INET_SOCKET = {
    proto: isStr,
    local: isStr,
    remote: isStr,
    state: isStr,
    state_code: isNum,
    listening: isBool,
    recv_q: isNum,
    send_q: isNum,
    uid: isNum,
    inode: isNum,
    pid: orNull(isNum),
    program: orNull(isStr),
    exe: orNull(isStr),
};
const UNIX_SOCKET = {
    proto: isStr,
    path: orNull(isStr),
    type: isStr,
    state: isStr,
    inode: isNum,
    pid: orNull(isNum),
    program: orNull(isStr),
};
const PACKET_SOCKET = { type: isStr, protocol: isNum, ifindex: isNum, inode: isNum, pid: orNull(isNum) };
const INTERFACE = { name: isStr, index: isNum, mtu: isNum, promisc: isBool, mac: orNull(isStr) };
const ROUTE4 = { destination: isStr, prefix_length: isNum, gateway: isStr, iface: isStr, flags: isNum };
const ROUTE6 = { destination: isStr, prefix_length: isNum, next_hop: isStr, iface: isStr, flags: isNum };
const GROUP = { family: isNum, iface: isStr, group: isStr, users: isNum };
/** Parses and checks a `wirestat.snapshot/1` document; `name` is used in errors. */
export function parseSnapshot(text, name) {
    let doc;
    try {
        doc = JSON.parse(text);
    }
    catch (e) {
        // V8's message quotes the text, which may hold line breaks and escape sequences (a capture
        // given as the snapshot, or a hostile file): one line, and nothing a terminal would obey.
        throw new SnapshotError(`${name}: not JSON (${printable(e.message.replace(/\s+/g, ' '))})`);
    }
    if (!isObj(doc))
        throw new SnapshotError(`${name}: not a JSON object`);
    if (doc.schema !== SNAPSHOT_SCHEMA) {
        throw new SnapshotError(`${name}: schema is ${JSON.stringify(doc.schema)}, expected "${SNAPSHOT_SCHEMA}"`);
    }
    const field = (path, ok) => {
        if (!ok)
            throw new SnapshotError(`${name}: field ${path} is missing or of the wrong type`);
    };
    for (const [k, c] of Object.entries({ time: isNum, duration: isNum, hostname: isStr, kernel: isStr, netns: orNull(isStr), processes_complete: isBool })) {
        field(k, c(doc[k]));
    }
    const list = (key, shape, at = doc[key]) => {
        field(key, Array.isArray(at));
        at.forEach((el, i) => {
            field(`${key}[${i}]`, isObj(el));
            for (const [k, c] of Object.entries(shape(el)))
                field(`${key}[${i}].${k}`, c(el[k]));
        });
    };
    list('sockets', (el) => (el.proto === 'unix' ? UNIX_SOCKET : INET_SOCKET));
    list('packet_sockets', () => PACKET_SOCKET);
    list('interfaces', () => INTERFACE);
    field('routes', isObj(doc.routes));
    const routes = doc.routes;
    list('routes.ipv4', () => ROUTE4, routes.ipv4);
    list('routes.ipv6', () => ROUTE6, routes.ipv6);
    field('stats', isObj(doc.stats));
    for (const [section, counters] of Object.entries(doc.stats)) {
        field(`stats.${section}`, isObj(counters) && Object.values(counters).every(isNum));
    }
    list('groups', () => GROUP);
    list('errors', () => ({ source: isStr, cause: isStr }));
    return doc;
}
