/**
 * Which interface a host would send to an address by, read from a snapshot's routing tables:
 * the longest matching prefix, then the lowest metric (what the kernel's FIB lookup picks from
 * the main table). Reject routes (unreachable, prohibit; IPv6 blackholes carry the flag too) and
 * IPv4 blackholes (device "*", no flag) match like any other, and route nowhere (null).
 * An address of the host itself goes by `lo`: the kernel's local table, which /proc/net/route
 * does not list, delivers it there. Policy routing (ip rule) and other tables are not seen.
 */
import type { Ipv4RouteJson, Ipv6RouteJson } from './document.js';
import { ipv4FromString, parseIpv6Text } from '../inet-text.js';
import { RTF } from './routes.js';

export const LOOPBACK_INTERFACE = 'lo';

/** How /proc/net/route names the device of a route that has none (unreachable, blackhole). */
const NO_DEVICE = '*';

interface Candidate {
  iface: string | null;
  prefix: number;
  metric: number;
}

/** Whether the first `prefix` bits of `a` and `b` agree. */
function samePrefix(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  const whole = prefix >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[whole]! & mask) === (b[whole]! & mask);
}

function v4Bytes(w: number): Uint8Array {
  return Uint8Array.of(w >>> 24, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff);
}

function better(best: Candidate | null, c: Candidate): Candidate {
  if (best === null || c.prefix > best.prefix || (c.prefix === best.prefix && c.metric < best.metric)) return c;
  return best;
}

/**
 * The interface for `address` (IPv4 dotted or IPv6 text; IPv4-mapped IPv6 counts as IPv4),
 * or null when no route matches. `own` says whether an address is one of the host's.
 */
export function routeInterface(
  routes: { ipv4: readonly Ipv4RouteJson[]; ipv6: readonly Ipv6RouteJson[] },
  address: string,
  own: (address: string) => boolean,
): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const text = mapped ? mapped[1]! : address;
  if (own(text)) return LOOPBACK_INTERFACE;
  let best: Candidate | null = null;
  if (!text.includes(':')) {
    const w = ipv4FromString(text);
    if (w === null) return null;
    const a = v4Bytes(w);
    for (const r of routes.ipv4) {
      const d = ipv4FromString(r.destination);
      if (d === null || !samePrefix(a, v4Bytes(d), r.prefix_length)) continue;
      const iface = (r.flags & RTF.REJECT) !== 0 || r.iface === NO_DEVICE ? null : r.iface;
      best = better(best, { iface, prefix: r.prefix_length, metric: r.metric });
    }
    return best?.iface ?? null;
  }
  const a = parseIpv6Text(text);
  if (a === null) return null;
  for (const r of routes.ipv6) {
    const d = parseIpv6Text(r.destination);
    if (d === null || !samePrefix(a, d, r.prefix_length)) continue;
    // A local route (RTF_LOCAL) names the address's own device, but the packet goes by lo.
    const iface = (r.flags & RTF.REJECT) !== 0 ? null : (r.flags & RTF.LOCAL) !== 0 ? LOOPBACK_INTERFACE : r.iface;
    best = better(best, { iface, prefix: r.prefix_length, metric: r.metric });
  }
  return best?.iface ?? null;
}
