/**
 * The host's socket table as net-tools netstat reads it: /proc/net/{tcp,tcp6,udp,udp6,udplite,
 * udplite6,raw,raw6,unix,packet}, joined with the owning processes (processes.ts).
 *
 * `readSockets` reads the files the flags ask for (netstat's own selection, `netstatSelection`)
 * and returns every socket in them, each marked `listening` by netstat's rule; `selectSockets`
 * then keeps what -a / -l / neither would show. A file that cannot be read is an entry in
 * `errors` and the rest is still returned; a line that does not parse is an entry in `malformed`.
 */
import { formatEndpoint } from '../stats/address.js';
import { parseInetTable, parsePacketTable, parseUnixTable, } from './procnet.js';
import { nodeProcFs, readSocketOwners } from './processes.js';
import { decodeProc } from './sanitize.js';
export function netstatSelection(flags) {
    let { tcp, udp, udplite, raw } = flags;
    const family = flags.inet4 || flags.inet6;
    // -4/-6 alone mean every inet protocol (netstat.c: "flag_noprot = flag_tcp = … = 1").
    if (family && !(tcp || udp || udplite || raw))
        tcp = udp = udplite = raw = true;
    // A protocol without -4/-6 means both families.
    const anyInet = tcp || udp || udplite || raw;
    const inet4 = anyInet && !family ? true : flags.inet4;
    const inet6 = anyInet && !family ? true : flags.inet6;
    const arg = anyInet || flags.unix;
    return {
        inetHeader: !arg || anyInet,
        tcp: !arg || tcp,
        udp: !arg || udp,
        udplite: !arg || udplite,
        raw: !arg || raw,
        inet4: !arg || inet4,
        inet6: !arg || inet6,
        unix: !arg || flags.unix,
    };
}
/** netstat.c tcp_state[]; index 0 is "" there too. */
const TCP_STATES = ['', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING'];
const TCP_ESTABLISHED = 1;
const TCP_CLOSE = 7;
const TCP_TIMERS = ['off', 'on', 'keepalive', 'timewait', 'probe'];
const UNIX_TYPES = { 1: 'STREAM', 2: 'DGRAM', 3: 'RAW', 4: 'RDM', 5: 'SEQPACKET' };
const SS_UNCONNECTED = 1;
export const SO_ACCEPTCON = 1 << 16;
export const SO_WAITDATA = 1 << 17;
export const SO_NOSPACE = 1 << 18;
const UNIX_STATES = { 0: 'FREE', 2: 'CONNECTING', 3: 'CONNECTED', 4: 'DISCONNECTING' };
function family(proto) {
    return proto.startsWith('tcp') ? 'tcp' : proto.startsWith('raw') ? 'raw' : 'udp';
}
function isZero(a) {
    return a.words[0] === 0 && a.words[1] === 0 && a.words[2] === 0 && a.words[3] === 0;
}
function stateWord(proto, state) {
    switch (family(proto)) {
        case 'tcp':
            return TCP_STATES[state] ?? 'UNKNOWN';
        case 'udp':
            return state === TCP_ESTABLISHED ? 'ESTABLISHED' : state === TCP_CLOSE ? '' : 'UNKNOWN';
        case 'raw':
            return String(state);
    }
}
function timerKind(proto, active) {
    if (family(proto) === 'tcp')
        return TCP_TIMERS[active] ?? `unkn-${active}`;
    if (active === 0)
        return 'off';
    return active === 1 || active === 2 ? `on${active}` : `unkn-${active}`;
}
const NO_OWNER = { pid: null, program: null, exe: null };
function owned(o) {
    return o ? { pid: o.pid, program: o.program, exe: o.exe } : NO_OWNER;
}
export function inetSocket(r, owner) {
    const fam = family(r.proto);
    const v = r.local.version;
    return {
        proto: r.proto,
        local: formatEndpoint(v, r.local.words, 0, r.local.port),
        remote: formatEndpoint(v, r.remote.words, 0, r.remote.port),
        state: stateWord(r.proto, r.state),
        state_code: r.state,
        listening: fam === 'tcp' ? r.remote.port === 0 : isZero(r.remote),
        recv_q: r.rxQueue,
        send_q: r.txQueue,
        uid: r.uid,
        inode: r.inode,
        pid: owner ? owner.pid : null,
        program: owner ? owner.program : null,
        exe: owner ? owner.exe : null,
        timer: {
            active: r.timerActive,
            kind: timerKind(r.proto, r.timerActive),
            when_ticks: r.timerWhen,
            // netstat.c udp_do_one and raw_do_one: "retr = 0L" whatever the file says.
            retransmits: fam === 'tcp' ? r.retransmits : 0,
            timeout: r.timeout,
        },
        local_addr: r.local,
        remote_addr: r.remote,
    };
}
const INET_FILES = [
    { proto: 'tcp', file: 'tcp', v6: false, sel: 'tcp' },
    { proto: 'tcp6', file: 'tcp6', v6: true, sel: 'tcp' },
    { proto: 'udp', file: 'udp', v6: false, sel: 'udp' },
    { proto: 'udp6', file: 'udp6', v6: true, sel: 'udp' },
    { proto: 'udpl', file: 'udplite', v6: false, sel: 'udplite' },
    { proto: 'udpl6', file: 'udplite6', v6: true, sel: 'udplite' },
    { proto: 'raw', file: 'raw', v6: false, sel: 'raw' },
    { proto: 'raw6', file: 'raw6', v6: true, sel: 'raw' },
];
function causeOf(e) {
    if (e && typeof e === 'object') {
        const o = e;
        if (typeof o.code === 'string')
            return o.code;
        if (typeof o.message === 'string')
            return o.message;
    }
    return String(e);
}
export function readSockets(procRoot, flags, opts = {}) {
    const fs = opts.fs ?? nodeProcFs;
    const netRoot = opts.netRoot ?? `${procRoot}/net`;
    const sel = netstatSelection(flags);
    const errors = [];
    const malformed = [];
    const parseOpts = opts.littleEndian === undefined ? {} : { littleEndian: opts.littleEndian };
    const read = (file) => {
        const source = `${netRoot}/${file}`;
        try {
            return decodeProc(fs.readFile(source));
        }
        catch (e) {
            errors.push({ source, cause: causeOf(e) });
            return null;
        }
    };
    const note = (file, bad) => {
        for (const m of bad)
            malformed.push({ source: `${netRoot}/${file}`, line: m.line, text: m.text });
    };
    const inet = [];
    const tables = opts.sockets !== false;
    for (const f of INET_FILES) {
        if (!tables || !sel[f.sel] || !(f.v6 ? sel.inet6 : sel.inet4))
            continue;
        const text = read(f.file);
        if (text === null)
            continue;
        const parsed = parseInetTable(text, f.proto, parseOpts);
        inet.push(...parsed.records);
        note(f.file, parsed.malformed);
    }
    const unixText = tables && sel.unix ? read('unix') : null;
    const unix = unixText === null ? null : parseUnixTable(unixText);
    if (unix)
        note('unix', unix.malformed);
    const packetText = opts.packet === false ? null : read('packet');
    const packet = packetText === null ? null : parsePacketTable(packetText);
    if (packet)
        note('packet', packet.malformed);
    const wantOwners = opts.owners ?? (flags.program || flags.executable);
    const owners = wantOwners ? readSocketOwners(procRoot, { fs, exe: flags.executable }) : null;
    const ownerOf = (inode) => owners?.byInode.get(inode);
    const sockets = inet.map((r) => inetSocket(r, ownerOf(r.inode)));
    if (unix) {
        for (const r of unix.records) {
            const acc = (r.flags & SO_ACCEPTCON) !== 0;
            sockets.push({
                proto: 'unix',
                path: r.path,
                type: UNIX_TYPES[r.type] ?? 'UNKNOWN',
                type_code: r.type,
                state: r.state === SS_UNCONNECTED ? (acc ? 'LISTENING' : '') : (UNIX_STATES[r.state] ?? 'UNKNOWN'),
                state_code: r.state,
                flags: r.flags,
                ref_count: r.refCount,
                protocol: r.protocol,
                listening: r.state === SS_UNCONNECTED && acc,
                inode: r.inode,
                ...owned(ownerOf(r.inode)),
            });
        }
    }
    const packetSockets = (packet?.records ?? []).map((r) => ({
        type: r.type === 3 ? 'RAW' : r.type === 2 ? 'DGRAM' : String(r.type),
        protocol: r.protocol,
        ifindex: r.ifindex,
        running: r.running,
        rmem: r.rmem,
        uid: r.uid,
        inode: r.inode,
        ...owned(ownerOf(r.inode)),
    }));
    return {
        sockets,
        packetSockets,
        errors,
        malformed,
        processesComplete: owners ? owners.complete : true,
        processesRead: owners !== null,
        processesFound: owners ? owners.byInode.size > 0 : false,
    };
}
/**
 * The sockets netstat lists for -a, -l or neither: without -a, listening ones only with -l and
 * only without it (netstat.c tcp_do_one, udp_do_one, raw_do_one, unix_do_one).
 */
export function selectSockets(sockets, flags) {
    if (flags.all)
        return sockets.slice();
    return sockets.filter((s) => s.listening === flags.listening);
}
