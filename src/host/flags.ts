/**
 * What a `wirestat netstat` invocation asks for, in net-tools netstat's terms (netstat(8)).
 * The CLI fills this from the command line; readers and formatters in src/host take it.
 */
export interface NetstatFlags {
  /** -a: listening and non-listening sockets (and, with -i, interfaces that are down). */
  all: boolean;
  /** -l: listening sockets only. */
  listening: boolean;
  /** -t, -u, -U (--udplite), -w, -x: protocol families asked for; none set means all of them. */
  tcp: boolean;
  udp: boolean;
  udplite: boolean;
  raw: boolean;
  unix: boolean;
  /** -4 / -6 (also --inet / --inet6): address families; neither means both. */
  inet4: boolean;
  inet6: boolean;
  /** -n: numeric hosts, ports and users (all three of the options below). */
  numeric: boolean;
  /** --numeric-hosts, --numeric-ports, --numeric-users: one kind of name each. */
  numericHosts: boolean;
  numericPorts: boolean;
  numericUsers: boolean;
  /** -p: PID/Program name column. */
  program: boolean;
  /** -b (the seed's Windows netstat): the executable path of each socket's process. */
  executable: boolean;
  /** -e: extended information; given twice, more (netstat counts it). */
  extend: number;
  /** -o: timer column. */
  timers: boolean;
  /** -W: do not truncate addresses. */
  wide: boolean;
  /** -f: fully qualified remote names (reverse DNS, asynchronous, cached, bounded). */
  fqdn: boolean;
}

export function defaultFlags(): NetstatFlags {
  return {
    all: false,
    listening: false,
    tcp: false,
    udp: false,
    udplite: false,
    raw: false,
    unix: false,
    inet4: false,
    inet6: false,
    numeric: false,
    numericHosts: false,
    numericPorts: false,
    numericUsers: false,
    program: false,
    executable: false,
    extend: 0,
    timers: false,
    wide: false,
    fqdn: false,
  };
}

/** Whether hosts, ports or users print as numbers. */
export function numericHosts(f: NetstatFlags): boolean {
  return f.numeric || f.numericHosts;
}
export function numericPorts(f: NetstatFlags): boolean {
  return f.numeric || f.numericPorts;
}
export function numericUsers(f: NetstatFlags): boolean {
  return f.numeric || f.numericUsers;
}
