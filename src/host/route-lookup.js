import { ipv4FromString, parseIpv6Text } from '../inet-text.js';
import { RTF } from './routes.js';
export const LOOPBACK_INTERFACE = 'lo';
/** How /proc/net/route names the device of a route that has none (unreachable, blackhole). */
const NO_DEVICE = '*';
/** Whether the first `prefix` bits of `a` and `b` agree. */
function samePrefix(a, b, prefix) {
    const whole = prefix >> 3;
    for (let i = 0; i < whole; i++)
        if (a[i] !== b[i])
            return false;
    const rest = prefix & 7;
    if (rest === 0)
        return true;
    const mask = (0xff << (8 - rest)) & 0xff;
    return (a[whole] & mask) === (b[whole] & mask);
}
function v4Bytes(w) {
    return Uint8Array.of(w >>> 24, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff);
}
function better(best, c) {
    if (best === null || c.prefix > best.prefix || (c.prefix === best.prefix && c.metric < best.metric))
        return c;
    return best;
}
/**
 * The interface for `address` (IPv4 dotted or IPv6 text; IPv4-mapped IPv6 counts as IPv4),
 * or null when no route matches. `own` says whether an address is one of the host's.
 */
export function routeInterface(routes, address, own) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const text = mapped ? mapped[1] : address;
    if (own(text))
        return LOOPBACK_INTERFACE;
    let best = null;
    if (!text.includes(':')) {
        const w = ipv4FromString(text);
        if (w === null)
            return null;
        const a = v4Bytes(w);
        for (const r of routes.ipv4) {
            const d = ipv4FromString(r.destination);
            if (d === null || !samePrefix(a, v4Bytes(d), r.prefix_length))
                continue;
            const iface = (r.flags & RTF.REJECT) !== 0 || r.iface === NO_DEVICE ? null : r.iface;
            best = better(best, { iface, prefix: r.prefix_length, metric: r.metric });
        }
        return best?.iface ?? null;
    }
    const a = parseIpv6Text(text);
    if (a === null)
        return null;
    for (const r of routes.ipv6) {
        const d = parseIpv6Text(r.destination);
        if (d === null || !samePrefix(a, d, r.prefix_length))
            continue;
        // A local route (RTF_LOCAL) names the address's own device, but the packet goes by lo.
        const iface = (r.flags & RTF.REJECT) !== 0 ? null : (r.flags & RTF.LOCAL) !== 0 ? LOOPBACK_INTERFACE : r.iface;
        best = better(best, { iface, prefix: r.prefix_length, metric: r.metric });
    }
    return best?.iface ?? null;
}
