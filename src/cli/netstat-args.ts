/**
 * `wirestat netstat` reads its command line the way net-tools netstat does (getopt_long:
 * bundled letters `-tuanp`, `--long` names, `-A af` and `-Aaf`), so a user's habits and
 * scripts carry over. Additions: `-b` (executable path), `-f` (fully qualified remote names),
 * `-c [seconds]`, `-N NAME` / `--netns NAME` (another network namespace, as `ss -N`; net-tools'
 * own -N, "resolve hardware names", changes nothing on Ethernet and is not kept) and `--json`.
 */
import { defaultFlags, type NetstatFlags } from '../host/flags.js';
import { validNetnsName } from './netns.js';

/** Which table is asked for; net-tools allows one at a time. */
export type NetstatView = 'sockets' | 'routes' | 'interfaces' | 'groups' | 'stats';

export interface NetstatArgs {
  view: NetstatView;
  flags: NetstatFlags;
  /** -c: repeat every `interval` seconds until interrupted; null for once. */
  interval: number | null;
  /** -N/--netns: the named network namespace (/run/netns/NAME), or null for our own. */
  netns: string | null;
  json: boolean;
  help: boolean;
  /** -C: the routing cache instead of the FIB (net-tools; empty on kernels since 3.6). */
  routeCache: boolean;
  /** Address families in the order given (-4, -6, -A, --inet…): netstat -r prints them in that order. */
  families: ('inet' | 'inet6' | 'unix')[];
}

/** A command line netstat would refuse: its message, then the usage text, exit status 3 as netstat. */
export class NetstatUsageError extends Error {
  override readonly name = 'NetstatUsageError';
}

export const NETSTAT_USAGE = `usage: wirestat netstat [-vWeenNcCF] [<Af>] -r
       wirestat netstat [-vWnNcaeolbf] [<Socket> ...]
       wirestat netstat { [-vWeenNac] -i | -s [-6tuw] | -g }

        -r, --route              display routing table
        -i, --interfaces         display interface table
        -g, --groups             display multicast group memberships
        -s, --statistics         display networking statistics (like SNMP)

        -v, --verbose            be verbose
        -W, --wide               don't truncate IP addresses
        -n, --numeric            don't resolve names
        --numeric-hosts          don't resolve host names
        --numeric-ports          don't resolve port names
        --numeric-users          don't resolve user names
        -e, --extend             display other/more information
        -p, --programs           display PID/Program name for sockets
        -b, --executables        display the executable path of each socket's process
        -f, --fqdn               display fully qualified remote host names
        -o, --timers             display timers
        -c, --continuous [SECS]  continuous listing, every SECS seconds (default 1)
        -N, --netns NAME         read the view of network namespace NAME
        --json                   print the wirestat.netstat/1 JSON document

        -l, --listening          display listening server sockets
        -a, --all                display all sockets (default: connected)
        -F, --fib                display Forwarding Information Base (default)
        -C, --cache              display routing cache instead of FIB

  <Socket>={-t|--tcp} {-u|--udp} {-U|--udplite} {-w|--raw} {-x|--unix}
  <AF>=Use '-6|-4' or '-A <af>' or '--<af>'; default: inet
  List of possible address families: inet (DARPA Internet) inet6 (IPv6) unix (UNIX Domain Sockets)
`;

/** Long options: name → the short letter it stands for, or a handler key of its own. */
const LONG: Record<string, string> = {
  route: 'r',
  interfaces: 'i',
  groups: 'g',
  statistics: 's',
  verbose: 'v',
  wide: 'W',
  numeric: 'n',
  'numeric-hosts': '',
  'numeric-ports': '',
  'numeric-users': '',
  extend: 'e',
  programs: 'p',
  executables: 'b',
  fqdn: 'f',
  timers: 'o',
  continuous: 'c',
  listening: 'l',
  all: 'a',
  fib: 'F',
  cache: 'C',
  tcp: 't',
  udp: 'u',
  udplite: 'U',
  raw: 'w',
  unix: 'x',
  inet: '4',
  inet6: '6',
  help: 'h',
  protocol: 'A',
  netns: 'N',
  json: '',
};

/** The longest -c interval a timer can hold (2^31 - 1 ms). */
const MAX_INTERVAL_S = 2147483;

/** Letters that take an argument (net-tools: A; ours: N). */
const WITH_ARG = new Set(['A', 'N']);

export function parseNetstatArgs(argv: readonly string[]): NetstatArgs {
  const a: NetstatArgs = {
    view: 'sockets',
    flags: defaultFlags(),
    interval: null,
    netns: null,
    json: false,
    help: false,
    routeCache: false,
    families: [],
  };
  const views: NetstatView[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    /** The next argument, for an option that needs one. */
    const value = (opt: string): string => {
      const v = argv[++i];
      if (v === undefined) throw new NetstatUsageError(`option requires an argument -- '${opt}'`);
      return v;
    };
    /** `-c 5`: an optional number right after -c. */
    const maybeInterval = (): void => {
      const next = argv[i + 1];
      if (next !== undefined && /^\d+(\.\d+)?$/.test(next)) {
        a.interval = Number(next);
        i++;
      }
      if (a.interval === 0) throw new NetstatUsageError(`-c interval must be above 0 seconds`);
      // setTimeout holds at most 2^31 - 1 ms; beyond it Node fires at once, every millisecond.
      if (a.interval !== null && a.interval > MAX_INTERVAL_S) throw new NetstatUsageError(`-c interval must be at most ${MAX_INTERVAL_S} seconds`);
    };
    if (arg === '--') break; // getopt: the end of the options
    if (arg.startsWith('--')) {
      const [given, inline] = splitLong(arg.slice(2));
      const name = longName(given, arg);
      const letter = LONG[name]!;
      if (letter === '') {
        // Long-only options.
        if (inline !== undefined) throw new NetstatUsageError(`option '--${name}' doesn't allow an argument`);
        if (name === 'json') a.json = true;
        else if (name === 'numeric-hosts') a.flags.numericHosts = true;
        else if (name === 'numeric-ports') a.flags.numericPorts = true;
        else a.flags.numericUsers = true;
        continue;
      }
      if (WITH_ARG.has(letter)) {
        apply(a, views, letter, inline ?? value(name));
        continue;
      }
      if (inline !== undefined) throw new NetstatUsageError(`option '--${name}' doesn't allow an argument`);
      apply(a, views, letter, null);
      if (letter === 'c') maybeInterval();
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        if (WITH_ARG.has(letter)) {
          // getopt: the rest of this word, else the next word.
          const rest = arg.slice(j + 1);
          apply(a, views, letter, rest !== '' ? rest : value(letter));
          break;
        }
        apply(a, views, letter, null);
        if (letter === 'c' && j === arg.length - 1) maybeInterval();
      }
      continue;
    }
    // A word that is no option: getopt leaves it and netstat never looks at it.
  }
  if (views.length > 1) {
    throw new NetstatUsageError(`only one of -r, -i, -g, -s may be given (got ${views.map((v) => VIEW_LETTER[v]).join(', ')})`);
  }
  a.view = views[0] ?? 'sockets';
  return a;
}

const VIEW_LETTER: Record<NetstatView, string> = { sockets: '', routes: '-r', interfaces: '-i', groups: '-g', stats: '-s' };

/** getopt_long: a long option may be shortened to any prefix that names only one. */
function longName(given: string, arg: string): string {
  if (LONG[given] !== undefined) return given;
  const matches = Object.keys(LONG).filter((n) => n.startsWith(given));
  // Prefixes of several names that stand for the same thing (--numeric-h…) are not ambiguous.
  if (given !== '' && matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new NetstatUsageError(`option '${arg}' is ambiguous; possibilities: ${matches.map((m) => `'--${m}'`).join(' ')}`);
  throw new NetstatUsageError(`unrecognized option '${arg}'`);
}

function splitLong(s: string): [string, string | undefined] {
  const eq = s.indexOf('=');
  return eq < 0 ? [s, undefined] : [s.slice(0, eq), s.slice(eq + 1)];
}

function apply(a: NetstatArgs, views: NetstatView[], letter: string, value: string | null): void {
  const f = a.flags;
  switch (letter) {
    case 'r':
      views.push('routes');
      return;
    case 'i':
      views.push('interfaces');
      return;
    case 'g':
      views.push('groups');
      return;
    case 's':
      views.push('stats');
      return;
    case 'v':
    case 'F':
      // -v only adds warnings about unsupported families; -F is the default (the FIB).
      return;
    case 'C':
      a.routeCache = true;
      return;
    case 'W':
      f.wide = true;
      return;
    case 'n':
      f.numeric = true;
      return;
    case 'e':
      f.extend++;
      return;
    case 'p':
      f.program = true;
      return;
    case 'b':
      f.executable = true;
      return;
    case 'f':
      f.fqdn = true;
      return;
    case 'o':
      f.timers = true;
      return;
    case 'c':
      a.interval ??= 1;
      return;
    case 'l':
      f.listening = true;
      return;
    case 'a':
      f.all = true;
      return;
    case 't':
      f.tcp = true;
      return;
    case 'u':
      f.udp = true;
      return;
    case 'U':
      f.udplite = true;
      return;
    case 'w':
      f.raw = true;
      return;
    case 'x':
      // netstat.c: -x is also the unix address family (so -r -x and -s -x refuse it).
      addFamily(a, 'unix');
      return;
    case '4':
      addFamily(a, 'inet');
      return;
    case '6':
      addFamily(a, 'inet6');
      return;
    case 'h':
      a.help = true;
      return;
    case 'A':
      for (const af of value!.split(',')) addFamily(a, af);
      return;
    case 'N':
      if (!validNetnsName(value!)) {
        throw new NetstatUsageError(`bad namespace name '${value}'`);
      }
      a.netns = value;
      return;
    default:
      throw new NetstatUsageError(`invalid option -- '${letter}'`);
  }
}

/** `-A` families (net-tools lib/af.c names); the ones wirestat has no table for are refused. */
function addFamily(a: NetstatArgs, af: string): void {
  const f = a.flags;
  switch (af) {
    case 'inet':
      f.inet4 = true;
      break;
    case 'inet6':
      f.inet6 = true;
      break;
    case 'unix':
      f.unix = true;
      break;
    default:
      throw new NetstatUsageError(`unsupported address family '${af}' (wirestat knows inet, inet6, unix)`);
  }
  if (!a.families.includes(af)) a.families.push(af);
}
