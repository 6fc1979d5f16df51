/**
 * Names versus numbers (`n`) and services versus ports (`p`). The view holds numbers only;
 * names come from lookups the owner injects, and the renderer asks only for the cells it draws.
 *
 * No lookup here may block or go to the network: `host` answers from a cache the owner fills
 * (returning null for an address it has no name for yet), `service` from /etc/services read
 * once (src/host/format-sockets.ts `loadLocalNames().service` fits as it is).
 */

export interface NameLookup {
  /** A host name for an address ("198.18.0.1", "2001:db8::1", a MAC), or null. Never blocks. */
  host?(addr: string): string | null;
  /** A service name for a port, as /etc/services has it. */
  service?(port: number, proto: 'tcp' | 'udp'): string | undefined;
}

export interface NameModes {
  names: boolean;
  services: boolean;
}

/** An endpoint split into its address and port, as the view writes it. */
export interface SplitEndpoint {
  host: string;
  /** The port text ("80", "*"), or null when the endpoint has none. */
  port: string | null;
  bracketed: boolean;
}

/**
 * "198.18.0.1:80", "[2001:db8::1]:443", "198.18.0.9", "2001:db8::9", "0.0.0.0:*",
 * "02:00:00:00:00:01" (a MAC: more than one colon and no brackets, so no port).
 */
export function splitEndpoint(s: string): SplitEndpoint {
  if (s.startsWith('[')) {
    const close = s.lastIndexOf(']');
    if (close > 0) {
      const rest = s.slice(close + 1);
      return { host: s.slice(1, close), port: rest.startsWith(':') ? rest.slice(1) : null, bracketed: true };
    }
  }
  const colon = s.indexOf(':');
  if (colon >= 0 && colon === s.lastIndexOf(':')) return { host: s.slice(0, colon), port: s.slice(colon + 1), bracketed: false };
  return { host: s, port: null, bracketed: false };
}

/** The transport whose service names apply to a view's protocol ("tcp6" → tcp, "icmp" → none). */
export function serviceProto(proto: string): 'tcp' | 'udp' | null {
  if (proto.startsWith('tcp')) return 'tcp';
  if (proto.startsWith('udp')) return 'udp';
  return null;
}

/**
 * The endpoint as the modes ask, still raw (the caller sanitises it with `cell()`): a host
 * name when `names` and the lookup has one, a service name when `services` and there is one.
 */
export function showEndpoint(s: string, proto: string, modes: NameModes, lookup: NameLookup): string {
  if ((!modes.names || !lookup.host) && (!modes.services || !lookup.service)) return s;
  const e = splitEndpoint(s);
  let host = e.bracketed ? `[${e.host}]` : e.host;
  if (modes.names && lookup.host) {
    const name = lookup.host(e.host);
    if (name) host = name;
  }
  if (e.port === null) return host;
  let port = e.port;
  const tp = serviceProto(proto);
  if (modes.services && lookup.service && tp && /^[0-9]{1,5}$/.test(port)) {
    const name = lookup.service(Number(port), tp);
    if (name) port = name;
  }
  return `${host}:${port}`;
}

/** A host address alone (the endpoints panel), named when `names` asks and the lookup knows. */
export function showHost(addr: string, modes: NameModes, lookup: NameLookup): string {
  if (!modes.names || !lookup.host) return addr;
  return lookup.host(addr) ?? addr;
}
