/**
 * The socket listing of net-tools netstat 2.10, line for line (netstat.c main, tcp_do_one,
 * udp_do_one, raw_do_one, unix_do_one, finish_this_one, addr_do_one; lib/inet.c get_sname and
 * INET_rresolve; lib/inet6.c INET6_rresolve and fix_v4_address). Checked byte for byte against
 * the real netstat in test/host/sockets-lab.test.ts.
 *
 * Widths are counted in bytes, as C's printf and strncpy count them; every cell whose text comes
 * from outside (program names, paths, executables, host, service and user names) goes through
 * `printable` once padded, so a hostile name shows as escapes and never acts on the terminal (a
 * line without control characters is exactly netstat's). Numbers, numeric addresses and the
 * fixed words need no escaping: skipping them keeps a 10,000-socket listing from scanning every
 * line again.
 */
import { readFileSync } from 'node:fs';
import { numericHosts, numericPorts, numericUsers, type NetstatFlags } from './flags.js';
import { inet6Ntop } from './kernel-text.js';
import { byteLength, padBytes, printable, sliceBytes } from './sanitize.js';
import {
  netstatSelection,
  type NetstatSelection,
  selectSockets,
  SO_ACCEPTCON,
  SO_NOSPACE,
  SO_WAITDATA,
  type HostSocket,
  type InetSocket,
  type SocketsView,
  type UnixSocket,
} from './sockets.js';

/** USER_HZ: /proc reports timers in clock ticks of 1/100 s (netstat divides by sysconf(_SC_CLK_TCK), 100 on Linux). */
const USER_HZ = 100;

/** netstat.c addr_do_one(…, 22, …): "address:port" longer than 22 bytes is cut unless -W. */
const ADDR_SHORT_LEN = 22;
/** netstat.c PROGNAME_WIDTH: the "PID/Program name" column and its 20-byte buffer (19 + NUL). */
const PROGNAME_WIDTH = 20;

/**
 * A host name for an address, given its numeric text: what gethostbyaddr/getnameinfo would
 * return, or the numeric text itself. Called only without -n.
 */
export type HostResolver = (version: 4 | 6, words: readonly number[], numeric: string) => string;

/**
 * netstat's names without any lookup: IPv6 `::` is "[::]" (lib/inet6.c INET6_rresolve), IPv4
 * 0.0.0.0 stays "0.0.0.0" (lib/inet.c INET_rresolve with netmask 0xffffff00), the rest numeric.
 * A DNS-backed resolver should fall back to this.
 */
export const netstatHostNames: HostResolver = (version, words, numeric) =>
  version === 6 && words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 ? '[::]' : numeric;

/** Service, protocol and user names (/etc/services, /etc/protocols, /etc/passwd). */
export interface LocalNames {
  service(port: number, proto: 'tcp' | 'udp' | 'raw'): string | undefined;
  user(uid: number): string | undefined;
}

/**
 * lib/inet.c read_services: entries of /etc/services by protocol, and for "raw" also
 * /etc/protocols by number; each list is built by prepending, so the last line for a number wins.
 */
export function parseServiceNames(services: string, protocols: string): Map<string, string> {
  const m = new Map<string, string>(); // `${proto}/${port}` → name
  for (const raw of services.split('\n')) {
    const f = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (f.length < 2) continue;
    const pm = /^([0-9]+)\/(\S+)$/.exec(f[1]!);
    if (!pm || !['tcp', 'udp', 'raw'].includes(pm[2]!)) continue;
    m.set(`${pm[2]}/${Number(pm[1])}`, f[0]!);
  }
  for (const raw of protocols.split('\n')) {
    const f = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (f.length < 2 || !/^[0-9]+$/.test(f[1]!)) continue;
    m.set(`raw/${Number(f[1])}`, f[0]!);
  }
  return m;
}

/** getpwuid over /etc/passwd: the first line with the uid. */
export function parsePasswd(passwd: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || !/^[0-9]+$/.test(f[2]!)) continue;
    const uid = Number(f[2]);
    if (!m.has(uid)) m.set(uid, f[0]!);
  }
  return m;
}

export function localNames(services: string, protocols: string, passwd: string): LocalNames {
  const s = parseServiceNames(services, protocols);
  const u = parsePasswd(passwd);
  return { service: (port, proto) => s.get(`${proto}/${port}`), user: (uid) => u.get(uid) };
}

let systemNames: LocalNames | null = null;

/** The machine's own /etc files, read once. A missing file gives no names from it. */
export function loadLocalNames(etc = '/etc'): LocalNames {
  const text = (f: string): string => {
    try {
      return readFileSync(`${etc}/${f}`, 'utf8');
    } catch {
      return '';
    }
  };
  if (etc === '/etc' && systemNames) return systemNames;
  const names = localNames(text('services'), text('protocols'), text('passwd'));
  if (etc === '/etc') systemNames = names;
  return names;
}

/** IPv6 text as glibc's inet_ntop writes it (kernel-text.ts inet6Ntop), from network-order words. */
export function inetNtop6(words: readonly number[]): string {
  const b = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const w = words[i]! >>> 0;
    b[4 * i] = w >>> 24;
    b[4 * i + 1] = (w >>> 16) & 0xff;
    b[4 * i + 2] = (w >>> 8) & 0xff;
    b[4 * i + 3] = w & 0xff;
  }
  return inet6Ntop(b);
}

function isV4Mapped(words: readonly number[]): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0x0000ffff;
}

/** lib/inet6.c fix_v4_address: for an IPv4-mapped address, drop everything up to the ':' before the first '.'. */
function fixV4Address(text: string, words: readonly number[]): string {
  if (!isV4Mapped(words)) return text;
  const dot = text.indexOf('.');
  if (dot < 0) return text;
  const colon = text.lastIndexOf(':', dot);
  return colon < 0 ? text : text.slice(colon + 1);
}

/** The numeric host text netstat -n prints. */
export function netstatNumericHost(version: 4 | 6, words: readonly number[]): string {
  if (version === 4) {
    const w = words[0]! >>> 0;
    return `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;
  }
  return fixV4Address(inetNtop6(words), words);
}

/** netstat.c addr_do_one: "host:port", cut to 22 bytes + ':' unless -W, keeping at most 18 bytes of port. */
export function netstatAddress(host: string, port: string, wide: boolean): string {
  const hostLen = byteLength(host);
  let portLen = byteLength(port);
  if (wide || hostLen + portLen <= ADDR_SHORT_LEN) return `${host}:${port}`;
  portLen = Math.min(portLen, ADDR_SHORT_LEN - 4);
  return `${sliceBytes(host, ADDR_SHORT_LEN - portLen)}:${sliceBytes(port, portLen)}`;
}

/** The -o column (netstat.c tcp_do_one, udp_do_one, raw_do_one: "%s (%2.2f/%ld/%d)"). */
export function netstatTimer(s: InetSocket): string {
  const t = s.timer;
  const secs = t.kind === 'off' ? '0.00' : (t.when_ticks / USER_HZ).toFixed(2);
  return `${t.kind} (${secs}/${t.retransmits}/${t.timeout})`;
}

/** The "PID/Program name" cell: '-' when unknown, else "PID/NAME" cut to 19 bytes. */
export function programCell(s: { pid: number | null; program: string | null }): string {
  if (s.pid === null) return '-';
  return sliceBytes(`${s.pid}/${s.program ?? ''}`, PROGNAME_WIDTH - 1);
}

function modeWords(flags: NetstatFlags): string {
  if (flags.all) return '(servers and established)';
  return flags.listening ? '(only servers)' : '(w/o servers)';
}

const INET_HEADER = 'Proto Recv-Q Send-Q Local Address           Foreign Address         State      ';
const UNIX_HEADER = 'Proto RefCnt Flags       Type       State         I-Node  ';

function serviceProto(proto: string): 'tcp' | 'udp' | 'raw' {
  return proto.startsWith('tcp') ? 'tcp' : proto.startsWith('raw') ? 'raw' : 'udp';
}

/** Whether the socket's /proc file is among those the flags select. */
function inSelection(s: HostSocket, sel: NetstatSelection): boolean {
  if (s.proto === 'unix') return sel.unix;
  const v6 = s.proto.endsWith('6');
  if (!(v6 ? sel.inet6 : sel.inet4)) return false;
  const fam = s.proto.startsWith('tcp') ? sel.tcp : s.proto.startsWith('raw') ? sel.raw : s.proto.startsWith('udpl') ? sel.udplite : sel.udp;
  return fam;
}

/**
 * What every row of one listing shares, decided once: a listing of 10,000 sockets is formatted
 * cold by a short-lived process, so per-row work is what costs.
 */
interface RowContext {
  flags: NetstatFlags;
  resolve: HostResolver;
  names: LocalNames | null;
  numericHosts: boolean;
  numericPorts: boolean;
  numericUsers: boolean;
  /** The padded "PID/Program name" cell by PID (many sockets share one process). */
  programCells: Map<number | null, string>;
}

function rowContext(flags: NetstatFlags, resolve: HostResolver, names: LocalNames | null): RowContext {
  return {
    flags,
    resolve,
    names,
    numericHosts: numericHosts(flags),
    numericPorts: numericPorts(flags),
    numericUsers: numericUsers(flags),
    programCells: new Map(),
  };
}

function endpointCell(a: InetSocket['local_addr'], sp: 'tcp' | 'udp' | 'raw', ctx: RowContext): string {
  const numeric = netstatNumericHost(a.version, a.words);
  const host = ctx.numericHosts ? numeric : fixV4Address(ctx.resolve(a.version, a.words, numeric), a.words);
  const service = a.port === 0 || ctx.numericPorts ? undefined : ctx.names?.service(a.port, sp);
  // lib/inet.c get_sname: port 0 is "*".
  const port = a.port === 0 ? '*' : service ?? String(a.port);
  const cell = netstatAddress(host, port, ctx.flags.wide);
  // Digits, dots, colons and hex: one byte a character and nothing to escape.
  if (ctx.numericHosts && service === undefined) return cell.padEnd(23);
  return printable(padBytes(cell, 23));
}

function programColumn(s: { pid: number | null; program: string | null }, ctx: RowContext): string {
  let cell = ctx.programCells.get(s.pid);
  if (cell === undefined) {
    cell = printable(padBytes(programCell(s), PROGNAME_WIDTH));
    // A PID names one program within a listing (its argv[0] was read once, processes.ts).
    ctx.programCells.set(s.pid, cell);
  }
  return cell;
}

function inetRow(s: InetSocket, ctx: RowContext): string {
  const flags = ctx.flags;
  const sp = serviceProto(s.proto);
  // udp_do_one prints "%-5s " where tcp_do_one and raw_do_one print "%-4s  ".
  const protoCell = sp === 'udp' ? `${s.proto.padEnd(5)} ` : `${s.proto.padEnd(4)}  `;
  const state = sp === 'raw' ? String(s.state_code) : s.state;
  let line =
    `${protoCell}${String(s.recv_q).padStart(6)} ${String(s.send_q).padStart(6)} ` +
    `${endpointCell(s.local_addr, sp, ctx)} ${endpointCell(s.remote_addr, sp, ctx)} ${state.padEnd(11)}`;
  // netstat.c finish_this_one.
  if (flags.extend >= 1) {
    const user = ctx.numericUsers ? undefined : ctx.names?.user(s.uid);
    line += ` ${user === undefined ? String(s.uid).padEnd(10) : printable(padBytes(user, 10))} ${String(s.inode).padEnd(10)}`;
  }
  if (flags.program) line += ` ${programColumn(s, ctx)}`;
  if (flags.timers) line += ` ${netstatTimer(s)}`;
  return line;
}

function unixFlags(flags: number): string {
  let f = '[ ';
  if (flags & SO_ACCEPTCON) f += 'ACC ';
  if (flags & SO_WAITDATA) f += 'W ';
  if (flags & SO_NOSPACE) f += 'N ';
  return `${f}]`;
}

/** netstat.c unix_do_one scans the path with sscanf "%s": it stops at the first white space. */
export function unixPathCell(path: string | null): string {
  if (path === null) return '';
  const m = /^[ \t\n\v\f\r]*([^ \t\n\v\f\r]*)/.exec(path);
  return m ? m[1]! : '';
}

function unixRow(s: UnixSocket, ctx: RowContext): string {
  const flags = ctx.flags;
  let line =
    `${(s.protocol === 0 ? 'unix' : '??').padEnd(5)} ${String(s.ref_count).padEnd(6)} ${unixFlags(s.flags).padEnd(11)} ` +
    `${s.type.padEnd(10)} ${s.state.padEnd(13)} ${String(s.inode).padEnd(8)}`;
  if (flags.program) line += ` ${programColumn(s, ctx)}`;
  return `${line} ${printable(unixPathCell(s.path))}`;
}

/**
 * netstat's socket listing for `flags`: the Internet section (when selected) then the UNIX one,
 * each a header, a column header and one line per socket, in the view's (/proc) order.
 * `resolve` names hosts when -n is not given (default: `netstatHostNames`, no lookups);
 * `names` gives services and users (default: this machine's /etc, read only without -n).
 * With -b (not a net-tools flag) each socket line is followed by ` [EXECUTABLE]` (`[-]` when
 * unknown), as Windows netstat -b prints the owner under each connection.
 */
export function formatSockets(view: Pick<SocketsView, 'sockets'>, flags: NetstatFlags, resolve: HostResolver = netstatHostNames, names?: LocalNames): string[] {
  const sel = netstatSelection(flags);
  const nameSource = names ?? (numericPorts(flags) && numericUsers(flags) ? null : loadLocalNames());
  const ctx = rowContext(flags, resolve, nameSource);
  const out: string[] = [];
  const shown = selectSockets(view.sockets.filter((s) => inSelection(s, sel)), flags);
  const exeLine = (s: HostSocket): void => {
    if (flags.executable) out.push(` [${printable(s.exe ?? '-')}]`);
  };
  if (sel.inetHeader) {
    out.push(`Active Internet connections ${modeWords(flags)}`);
    let h = INET_HEADER;
    if (flags.extend >= 1) h += ' User       Inode     ';
    if (flags.program) h += ` ${'PID/Program name'.padEnd(PROGNAME_WIDTH)}`;
    if (flags.timers) h += ' Timer';
    out.push(h);
    for (const s of shown) {
      if (s.proto === 'unix') continue;
      out.push(inetRow(s, ctx));
      exeLine(s);
    }
  }
  if (sel.unix) {
    out.push(`Active UNIX domain sockets ${modeWords(flags)}`);
    out.push(`${UNIX_HEADER}${flags.program ? ` ${'PID/Program name'.padEnd(PROGNAME_WIDTH)}` : ''} Path`);
    for (const s of shown) {
      if (s.proto !== 'unix') continue;
      out.push(unixRow(s, ctx));
      exeLine(s);
    }
  }
  return out;
}

/**
 * What netstat -p writes to standard error after reading the process table (netstat.c
 * prg_cache_load), or null: nothing when every process could be read.
 */
export function processNotice(view: Pick<SocketsView, 'processesRead' | 'processesComplete' | 'processesFound'>, euid: number): string | null {
  if (!view.processesRead || view.processesComplete) return null;
  if (!view.processesFound) return `(No info could be read for "-p": geteuid()=${euid} but you should be root.)\n`;
  return '(Not all processes could be identified, non-owned process info\n will not be shown, you would have to be root to see it all.)\n';
}

/** The word netstat.c's *_do_one functions use for a file in "warning, got bogus … line." */
const BOGUS_WORD: Record<string, string> = { tcp: 'tcp', tcp6: 'tcp', udp: 'udp', udp6: 'udp', udplite: 'udp', udplite6: 'udp', raw: 'raw', raw6: 'raw', unix: 'unix' };

/**
 * What netstat writes to standard error for lines of the socket tables it cannot scan, one per
 * line, in reading order (netstat.c tcp_do_one, udp_do_one, raw_do_one, unix_do_one). netstat
 * accepts a line once its first 11 (tcp) or 10 (udp, raw) or 6 (unix) fields scan and prints
 * whatever the rest held; wirestat needs every field up to the inode, so a cut line is a
 * warning here and a row with unset fields there.
 */
export function bogusLineWarnings(view: Pick<SocketsView, 'malformed'>): string[] {
  const out: string[] = [];
  for (const m of view.malformed) {
    const word = BOGUS_WORD[m.source.slice(m.source.lastIndexOf('/') + 1)];
    if (word) out.push(`warning, got bogus ${word} line.`);
  }
  return out;
}

/** The distinct addresses a listing without -n would name, for a caller that resolves ahead (DNS). */
export function addressesToResolve(view: Pick<SocketsView, 'sockets'>, flags: NetstatFlags): { version: 4 | 6; words: readonly number[]; numeric: string }[] {
  if (numericHosts(flags)) return [];
  const sel = netstatSelection(flags);
  const seen = new Map<string, { version: 4 | 6; words: readonly number[]; numeric: string }>();
  for (const s of selectSockets(view.sockets.filter((x) => inSelection(x, sel)), flags)) {
    if (s.proto === 'unix') continue;
    for (const a of [s.local_addr, s.remote_addr]) {
      const numeric = netstatNumericHost(a.version, a.words);
      const key = `${a.version}/${a.words.join(',')}`;
      if (!seen.has(key)) seen.set(key, { version: a.version, words: a.words, numeric });
    }
  }
  return [...seen.values()];
}
