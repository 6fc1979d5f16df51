/**
 * Network interfaces as `netstat -i` / `-ie` show them, read without ioctl:
 *  - /proc/net/dev: the list and netstat's counters (what net-tools reads too);
 *  - /sys/class/net/IF/{ifindex,type,mtu,flags,operstate,carrier,address,tx_queue_len,statistics/*};
 *  - /proc/net/if_inet6: IPv6 addresses (as net-tools reads them);
 *  - IPv4 addresses: net-tools asks SIOCGIFADDR, which has no /proc twin. They are derived from
 *    /proc/net/fib_trie (every local address is a "/32 host LOCAL" leaf, its subnet broadcast a
 *    "/32 link BROADCAST" leaf) and /proc/net/route (the prefix route names the device and the
 *    mask). That is exact when each interface has one address with its kernel prefix route;
 *    it cannot see address labels (eth0:1 aliases), the order of several addresses on one
 *    device, peer addresses, or a broadcast configured to something other than the subnet's.
 *    When the derivation leaves an address unplaced or ambiguous, `ip -j -4 addr show`
 *    (netlink, exact) is asked instead, if it can run; `ipv4Source` says which view was used.
 *
 * Kept in the records but not visible to netstat's ioctls: /sys `flags` is dev->flags, where
 * IFF_PROMISC is set for any promiscuity (a running capture included), while SIOCGIFFLAGS
 * reports only the promiscuity asked for through the flags (`ip link set X promisc on`).
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatIpv4 } from '../stats/address.js';
import { ipv4FromString, ipv6FromHex, netToolsIpv6, parseIpv4Routes, readTextOrNull, RTF, } from './routes.js';
/** linux/if.h. */
export const IFF = {
    UP: 0x1,
    BROADCAST: 0x2,
    DEBUG: 0x4,
    LOOPBACK: 0x8,
    POINTOPOINT: 0x10,
    NOTRAILERS: 0x20,
    RUNNING: 0x40,
    NOARP: 0x80,
    PROMISC: 0x100,
    ALLMULTI: 0x200,
    MASTER: 0x400,
    SLAVE: 0x800,
    MULTICAST: 0x1000,
    PORTSEL: 0x2000,
    AUTOMEDIA: 0x4000,
    DYNAMIC: 0x8000,
    LOWER_UP: 0x10000,
    DORMANT: 0x20000,
    ECHO: 0x40000,
};
export function flagNames(flags) {
    return Object.entries(IFF)
        .filter(([, bit]) => (flags & bit) !== 0)
        .map(([name]) => name);
}
const COUNTER_ORDER = {
    // net-tools lib/interface.c get_dev_fields: the three layouts /proc/net/dev has had.
    3: ['rxBytes', 'rxPackets', 'rxErrors', 'rxDropped', 'rxFifo', 'rxFrame', 'rxCompressed', 'rxMulticast', 'txBytes', 'txPackets', 'txErrors', 'txDropped', 'txFifo', 'collisions', 'txCarrier', 'txCompressed'],
    2: ['rxBytes', 'rxPackets', 'rxErrors', 'rxDropped', 'rxFifo', 'rxFrame', 'txBytes', 'txPackets', 'txErrors', 'txDropped', 'txFifo', 'collisions', 'txCarrier'],
    1: ['rxPackets', 'rxErrors', 'rxDropped', 'rxFifo', 'rxFrame', 'txPackets', 'txErrors', 'txDropped', 'txFifo', 'collisions', 'txCarrier'],
};
/** /proc/net/dev: two header lines (the second tells the layout), then "name: counters". */
export function parseProcNetDev(text) {
    const ls = text.split('\n');
    const records = [];
    const skipped = [];
    const h = ls[1] ?? '';
    const vsn = h.includes('compressed') ? 3 : h.includes('bytes') ? 2 : 1;
    const order = COUNTER_ORDER[vsn];
    for (let i = 2; i < ls.length; i++) {
        const l = ls[i];
        if (l.trim() === '')
            continue;
        const colon = l.indexOf(':');
        const name = colon < 0 ? '' : l.slice(0, colon).trim();
        const f = l.slice(colon + 1).trim().split(/\s+/);
        if (name === '' || /\s/.test(name) || f.length < order.length || !f.every((x) => /^\d+$/.test(x))) {
            skipped.push({ line: i + 1, reason: 'bad device line' });
            continue;
        }
        const c = {
            rxBytes: 0, rxPackets: 0, rxErrors: 0, rxDropped: 0, rxFifo: 0, rxFrame: 0, rxCompressed: 0, rxMulticast: 0,
            txBytes: 0, txPackets: 0, txErrors: 0, txDropped: 0, txFifo: 0, collisions: 0, txCarrier: 0, txCompressed: 0,
        };
        order.forEach((k, j) => (c[k] = Number(f[j])));
        records.push({ name, counters: c });
    }
    return { records, skipped };
}
/** /proc/net/if_inet6 (net/ipv6/addrconf.c if6_seq_show): "%pi6 %02x %02x %02x %02x %8s". */
export function parseIfInet6(text) {
    const records = [];
    const skipped = [];
    text.split('\n').forEach((l, i) => {
        const f = l.trim().split(/\s+/);
        if (f.length === 1 && f[0] === '')
            return;
        const b = f.length === 6 ? ipv6FromHex(f[0]) : null;
        if (!b || !f.slice(1, 5).every((x) => /^[0-9A-Fa-f]{2,8}$/.test(x))) {
            skipped.push({ line: i + 1, reason: 'bad if_inet6 line' });
            return;
        }
        const hex = (s) => parseInt(s, 16);
        records.push({ iface: f[5], index: hex(f[1]), address: netToolsIpv6(b), prefixLength: hex(f[2]), scope: hex(f[3]), flags: hex(f[4]) });
    });
    return { records, skipped };
}
/**
 * /proc/net/fib_trie: a table title at the left margin, then the trie: "+--" nodes, "|-- a.b.c.d"
 * leaves and under each leaf one "/len scope TYPE" line per route. With no policy rules the
 * kernel merges local and main into one trie and prints it under both titles.
 */
export function parseFibTrie(text) {
    const records = [];
    const skipped = [];
    let table = '';
    let leaf = null;
    text.split('\n').forEach((l, i) => {
        if (l.trim() === '')
            return;
        if (/^\S.*:$/.test(l)) {
            table = l.slice(0, -1);
            leaf = null;
            return;
        }
        const t = l.trim();
        if (t.startsWith('+--'))
            return;
        let m = /^\|-- (\d+\.\d+\.\d+\.\d+)$/.exec(t);
        if (m) {
            leaf = ipv4FromString(m[1]) === null ? null : m[1];
            if (leaf === null)
                skipped.push({ line: i + 1, reason: 'bad leaf address' });
            return;
        }
        m = /^\/(\d+) (\S+) (\S+)(?: tos=\d+)?$/.exec(t);
        if (m && leaf !== null && table !== '' && Number(m[1]) <= 32) {
            records.push({ table, prefix: leaf, prefixLength: Number(m[1]), scope: m[2], type: m[3] });
            return;
        }
        skipped.push({ line: i + 1, reason: 'unexpected line' });
    });
    return { records, skipped };
}
function popcount(v) {
    let n = 0;
    for (let x = v >>> 0; x !== 0; x = (x & (x - 1)) >>> 0)
        n++;
    return n;
}
function maskOf(len) {
    return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}
/**
 * Places each local address of fib_trie's Local table on a device: the longest up, direct
 * (no gateway, not reject) route of /proc/net/route covering it; an address under a LOCAL
 * prefix route (127.0.0.0/8) is on the loopback device. `links` are the devices with their
 * IFF_* flags.
 */
export function deriveIpv4Addresses(fib, routes, links) {
    const local = fib.some((l) => l.table === 'Local') ? fib.filter((l) => l.table === 'Local') : [...fib];
    const broadcasts = new Set(local.filter((l) => l.type === 'BROADCAST' && l.prefixLength === 32).map((l) => l.prefix));
    const loopbacks = links.filter((k) => (k.flags & IFF.LOOPBACK) !== 0);
    const direct = routes
        .filter((r) => (r.flags & RTF.UP) !== 0 && (r.flags & (RTF.GATEWAY | RTF.REJECT)) === 0)
        .map((r) => ({ iface: r.iface, dst: ipv4FromString(r.destination), mask: ipv4FromString(r.mask) }));
    const canBroadcast = (name) => links.some((k) => k.name === name && (k.flags & IFF.BROADCAST) !== 0);
    const addrs = [];
    const unplaced = [];
    const ambiguous = [];
    const seen = new Set();
    for (const l of local) {
        if (l.type !== 'LOCAL' || l.prefixLength !== 32 || seen.has(l.prefix))
            continue;
        seen.add(l.prefix);
        const a = ipv4FromString(l.prefix);
        let best = [];
        for (const r of direct) {
            if (((a & r.mask) >>> 0) !== r.dst)
                continue;
            const len = popcount(r.mask);
            if (best.length === 0 || len > best[0].len)
                best = [{ iface: r.iface, len }];
            else if (len === best[0].len && !best.some((b) => b.iface === r.iface))
                best.push({ iface: r.iface, len });
        }
        // A /32 on a route of its own (a host route to itself) is no prefix route.
        best = best.filter((b) => b.len < 32);
        if (best.length === 0 && loopbacks.length === 1) {
            const lo = local.find((p) => p.type === 'LOCAL' && p.prefixLength < 32 && ((a & maskOf(p.prefixLength)) >>> 0) === ipv4FromString(p.prefix));
            if (lo)
                best = [{ iface: loopbacks[0].name, len: lo.prefixLength }];
        }
        if (best.length === 0) {
            unplaced.push(l.prefix);
            continue;
        }
        if (best.length > 1) {
            ambiguous.push(l.prefix);
            continue;
        }
        const { iface, len } = best[0];
        const mask = maskOf(len);
        const bcast = (a | ~mask) >>> 0;
        addrs.push({
            label: iface,
            iface,
            address: l.prefix,
            prefixLength: len,
            netmask: formatIpv4(mask),
            // The subnet broadcast route exists whatever ifa_broadcast holds; assume the usual
            // (iproute2 "brd +", DHCP clients) on devices that broadcast, none elsewhere (lo).
            broadcast: len < 31 && canBroadcast(iface) && broadcasts.has(formatIpv4(bcast)) ? formatIpv4(bcast) : '0.0.0.0',
            destination: l.prefix,
        });
    }
    const perIface = new Map();
    for (const x of addrs)
        perIface.set(x.iface, (perIface.get(x.iface) ?? 0) + 1);
    for (const [iface, count] of perIface)
        if (count > 1)
            ambiguous.push(iface);
    return { addrs, unplaced, ambiguous };
}
/**
 * `ip -j -4 addr show`: the addresses in the kernel's list order per device (primaries
 * first), each with its label. Entries that are not IPv4 or lack fields are skipped.
 */
export function parseIpAddrJson(text) {
    const records = [];
    const skipped = [];
    let doc;
    try {
        doc = JSON.parse(text);
    }
    catch {
        return { records, skipped: [{ line: 1, reason: 'not JSON' }] };
    }
    if (!Array.isArray(doc))
        return { records, skipped: [{ line: 1, reason: 'not a list' }] };
    doc.forEach((link, i) => {
        const l = link;
        if (typeof l?.ifname !== 'string' || !Array.isArray(l.addr_info)) {
            if (l && Object.keys(l).length > 0)
                skipped.push({ line: i + 1, reason: 'link without ifname/addr_info' });
            return;
        }
        for (const ai of l.addr_info) {
            if (ai?.family !== 'inet')
                continue;
            const local = typeof ai.local === 'string' ? ai.local : null;
            const len = typeof ai.prefixlen === 'number' ? ai.prefixlen : -1;
            if (local === null || ipv4FromString(local) === null || len < 0 || len > 32) {
                skipped.push({ line: i + 1, reason: 'bad addr_info' });
                continue;
            }
            const peer = typeof ai.address === 'string' ? ai.address : local;
            records.push({
                label: typeof ai.label === 'string' ? ai.label : l.ifname,
                iface: l.ifname,
                address: local,
                prefixLength: len,
                netmask: formatIpv4(maskOf(len)),
                broadcast: typeof ai.broadcast === 'string' ? ai.broadcast : '0.0.0.0',
                destination: peer,
            });
        }
    });
    return { records, skipped };
}
/**
 * net-tools lib/nstrcmp.c: names compare by their non-digit stem, then by the number that
 * ends them, then as strings, then by a numeric ":N" alias suffix ("eth2" < "eth10" < "eth10:1").
 */
export function nstrcmp(ap, bp) {
    const cutAlias = (s) => {
        let digit = false;
        for (let pos = s.length; pos > 0; pos--) {
            const c = s[pos - 1];
            if (c === ':' && digit)
                return [s.slice(0, pos - 1), s.slice(pos)];
            if (!/[0-9]/.test(c))
                break;
            digit = true;
        }
        return [s, null];
    };
    const stemEnd = (s) => {
        for (let pos = s.length; pos > 0; pos--)
            if (!/[0-9]/.test(s[pos - 1]))
                return pos;
        return 0;
    };
    const cmp = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
    const atoi = (s) => {
        const m = /^\s*[+-]?\d+/.exec(s);
        return m ? parseInt(m[0], 10) : 0;
    };
    const [a, aalias] = cutAlias(ap);
    const [b, balias] = cutAlias(bp);
    const ai = stemEnd(a);
    const bi = stemEnd(b);
    const n = Math.min(ai, bi);
    const res = cmp(a.slice(0, n), b.slice(0, n));
    if (res !== 0)
        return res;
    if (ai !== bi)
        return ai > bi ? 1 : -1;
    const av = atoi(a.slice(ai));
    const bv = atoi(b.slice(bi));
    if (av !== bv)
        return av < bv ? -1 : 1;
    const s = cmp(a, b);
    if (s !== 0)
        return s;
    const aa = aalias === null ? -1 : atoi(aalias);
    const ba = balias === null ? -1 : atoi(balias);
    if (aa !== ba)
        return aa < ba ? -1 : 1;
    return aalias !== null && balias !== null ? cmp(aalias, balias) : 0;
}
/**
 * net-tools' interface list: names added one by one (first /proc/net/dev, then the labels
 * SIOCGIFCONF lists), each inserted by walking back from the tail while nstrcmp says the new
 * name is smaller; an equal name is not added twice.
 */
export function netToolsOrder(names) {
    const list = [];
    for (const name of names) {
        let k = list.length - 1;
        let dup = false;
        for (; k >= 0; k--) {
            const c = nstrcmp(list[k], name);
            if (c === 0) {
                dup = true;
                break;
            }
            if (c < 0)
                break;
        }
        if (!dup)
            list.splice(k + 1, 0, name);
    }
    return list;
}
/**
 * The flags SIOCGIFFLAGS returns (net/core/dev.c dev_get_flags): IFF_RUNNING when the device
 * is up and its operstate is up or unknown, IFF_LOWER_UP with carrier, IFF_DORMANT when dormant.
 */
export function ioctlFlags(l) {
    let f = l.sysFlags & ~(IFF.RUNNING | IFF.LOWER_UP | IFF.DORMANT);
    if (f & IFF.UP) {
        if (l.operstate === 'up' || l.operstate === 'unknown')
            f |= IFF.RUNNING;
        if (l.carrier)
            f |= IFF.LOWER_UP;
        if (l.operstate === 'dormant')
            f |= IFF.DORMANT;
    }
    return f >>> 0;
}
function hexBytes(s) {
    const parts = s.trim() === '' ? [] : s.trim().split(':');
    if (!parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p)))
        return new Uint8Array(0);
    return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}
/** Joins the sources into records (pure). `links` may lack a /proc/net/dev name: it is left out. */
export function buildInterfaces(dev, links, ipv4, ipv6) {
    const counters = new Map(dev.map((d) => [d.name, d.counters]));
    const labels = ipv4.map((a) => a.label);
    const names = netToolsOrder([...dev.map((d) => d.name), ...labels]);
    const out = [];
    for (const name of names) {
        // SIOCGIF* on "eth0:1" strip the alias and answer for eth0.
        const colon = name.indexOf(':');
        const device = counters.has(name) || colon < 0 ? name : name.slice(0, colon);
        const link = links.get(device);
        if (!link)
            continue;
        const flags = ioctlFlags(link);
        out.push({
            name,
            device,
            alias: device !== name,
            index: link.index,
            type: link.type,
            mtu: link.mtu,
            flags,
            flagNames: flagNames(flags),
            promisc: (link.sysFlags & IFF.PROMISC) !== 0,
            operstate: link.operstate,
            mac: link.hwaddr.length > 0 ? Array.from(link.hwaddr, (b) => b.toString(16).padStart(2, '0')).join(':') : null,
            hwaddr: link.hwaddr,
            txQueueLen: link.txQueueLen,
            ipv4: ipv4.find((a) => a.label === name) ?? null,
            ipv4All: ipv4.filter((a) => a.iface === device),
            ipv6: ipv6.filter((a) => a.iface === name),
            counters: counters.get(name) ?? null,
            statistics: link.statistics,
        });
    }
    return out;
}
async function readSysLink(sysRoot, name) {
    const dir = join(sysRoot, 'class/net', name);
    const get = (f) => readTextOrNull(join(dir, f));
    const [index, type, mtu, flags, operstate, carrier, address, txq] = await Promise.all(['ifindex', 'type', 'mtu', 'flags', 'operstate', 'carrier', 'address', 'tx_queue_len'].map(get));
    if (index === null || flags === null)
        return null;
    const statistics = {};
    const files = await readdir(join(dir, 'statistics')).catch(() => []);
    await Promise.all(files.map(async (f) => {
        const v = await get(join('statistics', f));
        if (v !== null && /^\d+\s*$/.test(v))
            statistics[f] = Number(v);
    }));
    const num = (s, dflt) => (s !== null && /^\s*-?\d+\s*$/.test(s) ? Number(s) : dflt);
    return {
        name,
        index: num(index, 0),
        type: num(type, -1),
        mtu: num(mtu, 0),
        sysFlags: parseInt(flags.trim(), 16) >>> 0,
        operstate: (operstate ?? 'unknown').trim(),
        // Reading carrier of a device that is down fails (EINVAL): no carrier.
        carrier: carrier === null ? null : carrier.trim() === '1',
        hwaddr: hexBytes(address ?? ''),
        txQueueLen: num(txq, -1),
        statistics,
    };
}
/** Runs `ip -j -4 addr show` in the namespace `procRoot` belongs to; resolves to its stdout. */
export function defaultIpRunner(procRoot) {
    const own = procRoot === '/proc' || procRoot === '/proc/self';
    const [cmd, args] = own
        ? ['ip', ['-j', '-4', 'addr', 'show']]
        : ['nsenter', [`--net=${join(procRoot, 'ns/net')}`, 'ip', '-j', '-4', 'addr', 'show']];
    return () => new Promise((resolve, reject) => {
        execFile(cmd, args, { timeout: 5000, maxBuffer: 16 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
}
export async function readInterfaces(opts = {}) {
    const proc = opts.procRoot ?? '/proc';
    const sys = opts.sysRoot ?? '/sys';
    const skipped = [];
    const note = (file, p) => {
        for (const s of p.skipped)
            skipped.push({ file, ...s });
    };
    const [devText, inet6Text, fibText, routeText] = await Promise.all(['net/dev', 'net/if_inet6', 'net/fib_trie', 'net/route'].map((f) => readTextOrNull(join(proc, f))));
    const dev = parseProcNetDev(devText ?? '');
    note('net/dev', dev);
    const links = new Map();
    for (const d of dev.records) {
        const l = await readSysLink(sys, d.name);
        if (l)
            links.set(d.name, l);
        else
            skipped.push({ file: `class/net/${d.name}`, line: 0, reason: 'no sysfs entry' });
    }
    const inet6 = parseIfInet6(inet6Text ?? '');
    note('net/if_inet6', inet6);
    const mode = opts.ipv4Source ?? 'auto';
    let ipv4 = [];
    let source = 'proc';
    let unplaced = [];
    if (mode !== 'ip') {
        const fib = parseFibTrie(fibText ?? '');
        const routes = parseIpv4Routes(routeText ?? '');
        note('net/fib_trie', fib);
        note('net/route', routes);
        const linkFlags = [...links.values()].map((l) => ({ name: l.name, flags: l.sysFlags }));
        const d = deriveIpv4Addresses(fib.records, routes.records, linkFlags);
        ipv4 = d.addrs;
        unplaced = [...d.unplaced, ...d.ambiguous];
    }
    if (mode === 'ip' || (mode === 'auto' && unplaced.length > 0)) {
        try {
            const j = parseIpAddrJson(await (opts.runIp ?? defaultIpRunner(proc))());
            note('ip -j -4 addr show', j);
            ipv4 = j.records;
            source = 'ip';
            unplaced = [];
        }
        catch (e) {
            skipped.push({ file: 'ip -j -4 addr show', line: 0, reason: e.message.split('\n')[0] });
        }
    }
    return { interfaces: buildInterfaces(dev.records, links, ipv4, inet6.records), ipv4Source: source, ipv4Unplaced: unplaced, skipped };
}
