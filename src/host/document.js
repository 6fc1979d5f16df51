/** USER_HZ: /proc/net timers are in clock ticks of 1/100 s (netstat divides by HZ = 100). */
const TICKS_PER_SECOND = 100;
function timerJson(t) {
    return { kind: t.kind, seconds: t.when_ticks / TICKS_PER_SECOND, retransmits: t.retransmits, probes: t.timeout };
}
export function socketJson(s) {
    if (s.proto === 'unix') {
        return {
            proto: 'unix',
            path: s.path,
            type: s.type,
            state: s.state,
            listening: s.listening,
            ref_count: s.ref_count,
            flags: s.flags,
            inode: s.inode,
            pid: s.pid,
            program: s.program,
            exe: s.exe,
        };
    }
    return {
        proto: s.proto,
        local: s.local,
        remote: s.remote,
        state: s.state,
        state_code: s.state_code,
        listening: s.listening,
        recv_q: s.recv_q,
        send_q: s.send_q,
        uid: s.uid,
        inode: s.inode,
        pid: s.pid,
        program: s.program,
        exe: s.exe,
        timer: timerJson(s.timer),
    };
}
export function packetSocketJson(p) {
    return {
        type: p.type,
        protocol: p.protocol,
        ifindex: p.ifindex,
        running: p.running,
        uid: p.uid,
        inode: p.inode,
        pid: p.pid,
        program: p.program,
        exe: p.exe,
    };
}
/** camelCase DevCounters → the snake_case JSON names. */
function snake(s) {
    return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
export function interfaceJson(i) {
    return {
        name: i.name,
        device: i.device,
        index: i.index,
        mtu: i.mtu,
        flags: i.flagNames,
        promisc: i.promisc,
        operstate: i.operstate,
        mac: i.mac,
        tx_queue_len: i.txQueueLen,
        ipv4: (i.alias ? (i.ipv4 ? [i.ipv4] : []) : i.ipv4All).map((a) => ({
            address: a.address,
            prefix_length: a.prefixLength,
            broadcast: a.broadcast === '0.0.0.0' ? null : a.broadcast,
            label: a.label,
        })),
        ipv6: i.ipv6.map((a) => ({ address: a.address, prefix_length: a.prefixLength, scope: a.scope })),
        counters: i.counters ? Object.fromEntries(Object.entries(i.counters).map(([k, v]) => [snake(k), v])) : null,
        statistics: i.statistics,
    };
}
function prefixLength(mask) {
    let n = 0;
    for (const part of mask.split('.')) {
        let b = Number(part) & 0xff;
        while (b & 0x80) {
            n++;
            b = (b << 1) & 0xff;
        }
    }
    return n;
}
export function ipv4RouteJson(r) {
    return {
        destination: r.destination,
        prefix_length: prefixLength(r.mask),
        gateway: r.gateway,
        iface: r.iface,
        flags: r.flags,
        metric: r.metric,
        mtu: r.mtu,
        window: r.window,
        irtt: r.irtt,
        ref_count: r.refcnt,
        use: r.use,
    };
}
export function ipv6RouteJson(r) {
    return {
        destination: r.destination,
        prefix_length: r.prefixLength,
        next_hop: r.nextHop,
        iface: r.iface,
        flags: r.flags,
        metric: r.metric,
        ref_count: r.refcnt,
        use: r.use,
    };
}
export function groupJson(g) {
    return { family: g.family, iface: g.iface, group: g.group, users: g.users };
}
