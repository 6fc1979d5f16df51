/**
 * The socket listing's text, checked against what the real net-tools netstat 2.10 printed:
 *  - fixtures/host/crafted: hand-made /proc (tables, PID entries, cmdlines) and /etc names that
 *    crafted.py ran the real netstat on in a private mount namespace; every argument list's
 *    output must come out byte-equal (lines holding control bytes compared in their printable
 *    form) and its standard-error warnings equal;
 *  - fixtures/host/lab: tables recorded from a live namespace with netstat's output of the
 *    same second;
 *  - widths, truncation and IPv6 text rules against those recorded lines, glibc's inet_ntop
 *    (through python3's socket.inet_ntop) and getent.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { defaultFlags, type NetstatFlags } from '../../src/host/flags.js';
import {
  addressesToResolve,
  bogusLineWarnings,
  formatSockets,
  inetNtop6,
  localNames,
  loadLocalNames,
  netstatAddress,
  netstatHostNames,
  netstatNumericHost,
  netstatTimer,
  processNotice,
  programCell,
  unixPathCell,
  type HostResolver,
} from '../../src/host/format-sockets.js';
import { decodeProc, printable } from '../../src/host/sanitize.js';
import { readSockets, type InetSocket } from '../../src/host/sockets.js';
import { ROOT } from '../helpers/cli.js';

const CRAFTED = join(ROOT, 'fixtures/host/crafted');
const LAB = join(ROOT, 'fixtures/host/lab');

/** netstat's letters (and --numeric-hosts) to flags; `numericHosts` keeps hosts numeric without -n. */
function parseArgs(args: string[]): { flags: NetstatFlags; numericHosts: boolean } {
  const flags = defaultFlags();
  let numericHosts = false;
  for (const a of args) {
    if (a === '--numeric-hosts') {
      numericHosts = true;
      continue;
    }
    for (const c of a.slice(1)) {
      switch (c) {
        case 'a': flags.all = true; break;
        case 'l': flags.listening = true; break;
        case 't': flags.tcp = true; break;
        case 'u': flags.udp = true; break;
        case 'U': flags.udplite = true; break;
        case 'w': flags.raw = true; break;
        case 'x': flags.unix = true; break;
        case '4': flags.inet4 = true; break;
        case '6': flags.inet6 = true; break;
        case 'n': flags.numeric = true; break;
        case 'p': flags.program = true; break;
        case 'e': flags.extend++; break;
        case 'o': flags.timers = true; break;
        case 'W': flags.wide = true; break;
        default: throw new Error(`option -${c}`);
      }
    }
  }
  return { flags, numericHosts };
}

function outputLines(b: Buffer): string[] {
  const all = decodeProc(b).split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all.map(printable);
}

const identity: HostResolver = (_v, _w, numeric) => numeric;

t.test('crafted /proc: every argument list prints what netstat printed', async (t) => {
  const names = localNames(
    readFileSync(join(CRAFTED, 'etc/services'), 'utf8'),
    readFileSync(join(CRAFTED, 'etc/protocols'), 'utf8'),
    readFileSync(join(CRAFTED, 'etc/passwd'), 'utf8'),
  );
  const argLists = readFileSync(join(CRAFTED, 'expected/ARGS'), 'utf8').trim().split('\n').map((l) => l.split(' '));
  t.ok(argLists.length >= 20);
  let lines = 0;
  for (const args of argLists) {
    const key = args.map((a) => (a === '--numeric-hosts' ? 'H' : a.replace(/^-+/, ''))).join('');
    const { flags, numericHosts } = parseArgs(args);
    const view = readSockets(join(CRAFTED, 'proc'), flags, { packet: false });
    t.same(view.errors, [], `${key}: every selected file read`);
    const got = formatSockets(view, flags, numericHosts ? identity : netstatHostNames, names);
    const want = outputLines(readFileSync(join(CRAFTED, `expected/${key}.out`)));
    t.same(got, want, `netstat ${args.join(' ')}: ${want.length} lines, byte-equal and in order`);
    const err = readFileSync(join(CRAFTED, `expected/${key}.err`), 'utf8');
    t.same(bogusLineWarnings(view), err.split('\n').filter(Boolean), `netstat ${args.join(' ')}: the same warnings`);
    lines += want.length;
  }
  t.comment(`${lines} lines over ${argLists.length} argument lists`);
});

t.test('recorded lab tables print what netstat printed in the same second', async (t) => {
  for (const [file, args] of [
    ['netstat-anWe.txt', ['-anWe']],
    ['netstat-an.txt', ['-an']],
    ['netstat-tuwn.txt', ['-tuwn']],
    ['netstat-tuwlnW.txt', ['-tuwlnW']],
  ] as const) {
    const { flags } = parseArgs([...args]);
    const view = readSockets('/nonexistent-proc', flags, { netRoot: join(LAB, 'net'), packet: false });
    t.same(view.errors, []);
    t.same(formatSockets(view, flags), outputLines(readFileSync(join(LAB, file))), `netstat ${args.join(' ')}`);
  }
});

t.test('address cells: netstat cuts "host:port" at 22 bytes unless -W', async (t) => {
  // Each expectation is a cell of the recorded netstat output named beside it.
  t.equal(netstatAddress('2001:db8:1234:5678:9abc:def0:1234:5678', '65000', false), '2001:db8:1234:567:65000', 'lab/netstat-an.txt');
  t.equal(netstatAddress('2001:db8:1234:5678:9abc:def0:1234:5678', '65000', true), '2001:db8:1234:5678:9abc:def0:1234:5678:65000', 'lab/netstat-anWe.txt');
  t.equal(netstatAddress('198.18.0.1', 'a-very-long-service-name-here', false), '198.:a-very-long-servic', 'crafted Hape.out: the port keeps 18 bytes');
  t.equal(netstatAddress('2001:db8:1234:5678:9abc:def0:1234:5678', 'ssh', false), '2001:db8:1234:5678::ssh', 'crafted Hape.out');
  t.equal(netstatAddress('2001:db8:0:1:1:1:1:1', '86', false), '2001:db8:0:1:1:1:1:1:86', 'crafted an.out: 22 bytes exactly is not cut');
  t.equal(netstatAddress('255.255.255.255', '65535', false), '255.255.255.255:65535');
  // Bytes, not characters: a cut through a UTF-8 name keeps the bytes as escapes.
  t.equal(printable(netstatAddress('ä'.repeat(12), '1', false)), `${'ä'.repeat(10)}\\xc3:1`);
});

t.test('program cells: PID/argv[0] in 19 bytes, padded to 20 by bytes', async (t) => {
  t.equal(programCell({ pid: null, program: null }), '-');
  t.equal(programCell({ pid: 333, program: 'sshd: root@pts/0' }), '333/sshd: root@pts/', 'crafted anpeW.out');
  t.equal(printable(programCell({ pid: 66, program: decodeProc(Buffer.from('中文名字测试\xff', 'utf8')) })), '66/中文名字测\\xe8', 'crafted: the cut lands inside 试');
  t.equal(programCell({ pid: 4444, program: '' }), '4444/');
});

t.test('unix path cells stop at white space, as sscanf %s', async (t) => {
  t.equal(unixPathCell('/run/ws crafted.sock'), '/run/ws');
  t.equal(unixPathCell('/run/tab\there'), '/run/tab');
  t.equal(unixPathCell('@ws-lab@abs'), '@ws-lab@abs');
  t.equal(unixPathCell(null), '');
});

t.test('IPv6 text equals glibc inet_ntop (python3 socket.inet_ntop)', async (t) => {
  const cases: number[][] = [
    [0, 0, 0, 0],
    [0, 0, 0, 1],
    [0, 0, 0xffff, 0xc6120001],
    [0, 0, 0, 0xc6120001],
    [0, 0, 0, 2],
    [0, 0, 1, 0],
    [0, 0, 0x0000ffff, 0],
    [0x20010db8, 0, 0x00010000, 1],
    [0x20010000, 0x00000001, 0, 1],
    [0x20010db8, 0, 0, 0],
    [0xfe800000, 0, 0, 1],
    [0x20010db8, 0x12345678, 0x9abcdef0, 0x12345678],
    [0, 0x00010000, 0, 0],
    [0, 0xffff, 0, 0],
    [0x00000000, 0x00000000, 0xffff0000, 0x01020304],
  ];
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed;
  };
  for (let i = 0; i < 400; i++) {
    // Mostly zero groups, to exercise the run choice.
    const w = [0, 0, 0, 0].map(() => {
      const hi = rnd() % 3 === 0 ? rnd() & 0xffff : 0;
      const lo = rnd() % 3 === 0 ? rnd() & 0xffff : 0;
      return ((hi << 16) | lo) >>> 0;
    });
    cases.push(w);
  }
  const hex = cases.map((w) => w.map((x) => x.toString(16).padStart(8, '0')).join('')).join('\n') + '\n';
  const r = spawnSync('python3', ['-c', 'import sys,socket\nfor l in sys.stdin: print(socket.inet_ntop(socket.AF_INET6, bytes.fromhex(l.strip())))'], { input: hex });
  t.equal(r.status, 0, 'python3 ran');
  const want = r.stdout.toString().trim().split('\n');
  t.equal(want.length, cases.length);
  let bad = 0;
  for (let i = 0; i < cases.length; i++) if (inetNtop6(cases[i]!) !== want[i]) bad++;
  t.equal(bad, 0, `${cases.length} addresses, all as glibc writes them`);
  t.equal(netstatNumericHost(6, [0, 0, 0xffff, 0xc6120005]), '198.18.0.5', 'IPv4-mapped: fix_v4_address keeps the dotted quad');
  t.equal(netstatNumericHost(6, [0, 0, 0, 0xc6120007]), '::198.18.0.7', 'IPv4-compatible keeps its prefix');
});

t.test('service, protocol and user names equal what the C library returns', async (t) => {
  const names = loadLocalNames();
  const services = readFileSync('/etc/services', 'utf8');
  const ports = new Set<string>();
  const dup = new Set<string>();
  for (const line of services.split('\n')) {
    const m = /^\S+\s+(\d+)\/(tcp|udp)/.exec(line.replace(/#.*/, ''));
    if (!m) continue;
    const k = `${m[1]}/${m[2]}`;
    if (ports.has(k)) dup.add(k);
    ports.add(k);
  }
  const list = [...ports].filter((k) => !dup.has(k)); // the C library's first match vs netstat's last: checked on crafted duplicates
  const py = spawnSync('python3', ['-c', 'import sys,socket\nfor l in sys.stdin:\n p,q=l.split("/")\n print(socket.getservbyport(int(p),q.strip()))'], { input: list.join('\n') + '\n' });
  if (py.status !== 0) {
    t.fail('python3 getservbyport failed');
    return;
  }
  const want = py.stdout.toString().trim().split('\n');
  let bad = 0;
  list.forEach((k, i) => {
    const [p, q] = k.split('/') as [string, 'tcp' | 'udp'];
    if (names.service(Number(p), q) !== want[i]) bad++;
  });
  t.equal(bad, 0, `${list.length} services from /etc/services`);
  const proto = spawnSync('getent', ['protocols', '58']).stdout.toString().split(/\s+/)[0];
  t.equal(names.service(58, 'raw'), proto, 'raw sockets name their protocol (/etc/protocols)');
  const root = spawnSync('getent', ['passwd', '0']).stdout.toString().split(':')[0];
  t.equal(names.user(0), root);
});

t.test('timers: kind (seconds/retransmits/probes) with USER_HZ ticks', async (t) => {
  const base = readSockets('/nonexistent', { ...defaultFlags(), tcp: true, inet4: true }, { netRoot: join(CRAFTED, 'proc/net'), packet: false });
  const byInode = new Map(base.sockets.map((s) => [s.inode, s as InetSocket]));
  // crafted anpeo.out shows these, from tr:tm->when retrnsmt ... timeout.
  t.equal(netstatTimer(byInode.get(1003)!), 'on (1.00/10/2)', 'retrnsmt is hex in the file');
  t.equal(netstatTimer(byInode.get(1004)!), 'keepalive (7199.51/0/0)');
  t.equal(netstatTimer(byInode.get(1005)!), 'probe (5.00/0/3)');
  t.equal(netstatTimer(byInode.get(1006)!), 'unkn-5 (0.07/0/0)');
  t.equal(netstatTimer(byInode.get(1001)!), 'off (0.00/0/0)');
  const expected = readFileSync(join(CRAFTED, 'expected/anpeo.out'), 'utf8');
  for (const s of ['on (1.00/10/2)', 'keepalive (7199.51/0/0)', 'probe (5.00/0/3)', 'unkn-5 (0.07/0/0)', 'timewait (60.00/0/0)', 'on1 (0.16/0/0)', 'on2 (0.32/0/0)', 'unkn-3 (0.48/0/0)']) {
    t.ok(expected.includes(` ${s}\n`), `netstat printed ${s}`);
  }
});

t.test('the -p notes', async (t) => {
  t.equal(processNotice({ processesRead: false, processesComplete: true, processesFound: false }, 0), null);
  t.equal(processNotice({ processesRead: true, processesComplete: true, processesFound: true }, 0), null);
  t.equal(
    processNotice({ processesRead: true, processesComplete: false, processesFound: true }, 1000),
    '(Not all processes could be identified, non-owned process info\n will not be shown, you would have to be root to see it all.)\n',
  );
  t.equal(processNotice({ processesRead: true, processesComplete: false, processesFound: false }, 1000), '(No info could be read for "-p": geteuid()=1000 but you should be root.)\n');
});

t.test('-b adds the executable under each socket; addresses to resolve', async (t) => {
  const flags = { ...defaultFlags(), tcp: true, inet4: true, all: true, numeric: true, program: true, executable: true };
  const view = readSockets(join(CRAFTED, 'proc'), flags, { packet: false });
  const lines = formatSockets(view, flags);
  const i = lines.findIndex((l) => l.includes(' 1/sshd'));
  t.equal(lines[i + 1], ' [-]', 'no exe link in the fixture');
  const names = addressesToResolve(view, { ...flags, numeric: false });
  t.ok(names.some((n) => n.numeric === '198.18.0.2'));
  t.equal(new Set(names.map((n) => `${n.version}/${n.words.join()}`)).size, names.length, 'each address once');
  t.same(addressesToResolve(view, flags), [], 'none with -n');
  // A resolver's name replaces the host; netstat's cut still applies.
  const named = formatSockets(view, { ...flags, numeric: false, executable: false }, (_v, _w, n) => (n === '198.18.0.2' ? 'peer.example.test' : n), localNames('', '', ''));
  t.ok(named.some((l) => l.includes(' peer.example.test:80 ')));
});

t.test('names from outside show as escapes in every cell that carries one', async (t) => {
  const flags = { ...defaultFlags(), tcp: true, unix: true, inet4: true, all: true, program: true, executable: true, extend: 1, wide: true };
  const view = readSockets(join(CRAFTED, 'proc'), flags, { packet: false });
  const ESC = '\x1b[31m';
  const hostile = (s: string): string => `${ESC}${s}\x07`;
  for (const sock of view.sockets) {
    sock.exe = hostile('/bin/x');
    if (sock.pid !== null) sock.program = hostile('prog');
    if (sock.proto === 'unix') sock.path = hostile('/run/s');
  }
  const lines = formatSockets(
    view,
    flags,
    (_v, _w, n) => hostile(n),
    { service: () => hostile('svc'), user: () => hostile('usr') },
  );
  const body = lines.join('\n');
  t.notOk(/[\x00-\x08\x0b-\x1f\x7f]/.test(body), 'no control character reaches the terminal');
  t.ok(lines.some((l) => /^tcp .*\\x1b\[31m198\.18\.0\.2\\x07:\\x1b\[31msvc\\x07/.test(l)), 'host and service names escaped');
  t.ok(lines.some((l) => l.includes('\\x1b[31musr\\x07')), 'user names escaped');
  t.ok(lines.some((l) => /^tcp .* \d+\/\\x1b\[31mprog/.test(l)), 'program names escaped');
  t.ok(lines.some((l) => /^unix .*\\x1b\[31m\/run\/s\\x07$/.test(l)), 'unix paths escaped');
  t.ok(lines.includes(' [\\x1b[31m/bin/x\\x07]'), 'executables escaped');
});
