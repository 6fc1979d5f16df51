/**
 * The differential test of the socket listing: known sockets in a network namespace, then the
 * real net-tools netstat and wirestat's readers + formatter (dist/host, through
 * helpers/netstat-clone.mjs) both run inside it, and their lines must be byte-equal as sets
 * (timers compared by kind, since their countdowns move between the two runs; the one row whose
 * program name holds an ESC compared with netstat's line passed through `printable`). The socket
 * set is also checked against iproute2's ss: tuples, states, inodes and owning PIDs.
 *
 * Lab: namespace ws-sock-PID (lo with 198.18.0.1, 2001:db8::1 and a long 2001:db8:… address;
 * veth wsa 198.18.1.1/24, 2001:db8:1::1/64) and ws-sockb-PID (veth wsb 198.18.1.2, 2001:db8:1::2)
 * running helpers/sockets-lab.py. Nothing is sent outside 198.18.0.0/15 and 2001:db8::/32.
 * Needs root; skipped otherwise, and a failure when CI=true.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { defaultFlags } from '../../src/host/flags.js';
import { decodeProc, printable } from '../../src/host/sanitize.js';
import { readSockets } from '../../src/host/sockets.js';
import { ROOT } from '../helpers/cli.js';

const NS_A = `ws-sock-${process.pid}`;
const NS_B = `ws-sockb-${process.pid}`;
const HELPER = join(ROOT, 'test/host/helpers/sockets-lab.py');
/** The real command: `wirestat netstat ARGS` is `node CLI netstat ARGS`. */
const CLI = join(ROOT, 'dist/cli/main.js');
const STEP_TIMEOUT_MS = 20_000;

const isRoot = process.getuid?.() === 0;
const inCi = process.env.CI === 'true';

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

interface Run {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * What runs inside the namespace gets a plain environment: the C locale for netstat and the
 * clone alike, and no NODE_OPTIONS (tap's child_process wrapper adds its hooks to every spawn,
 * and a clone running as another user could not write their output).
 */
const CLEAN_ENV = ['env', '-i', `PATH=${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, 'LC_ALL=C'];

function run(cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, { timeout: STEP_TIMEOUT_MS, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? Buffer.alloc(0), stderr: (r.stderr ?? Buffer.alloc(0)).toString() };
}

function must(cmd: string, args: string[]): Buffer {
  const r = run(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

function inA(cmd: string, args: string[]): Run {
  return run('ip', ['netns', 'exec', NS_A, ...CLEAN_ENV, cmd, ...args]);
}

/**
 * As `inA`, with standard output and error in files and standard input /dev/null: Node gives a
 * child socketpairs for its stdio, which -p would find as the child's own sockets.
 */
function inAToFiles(cmd: string, args: string[]): Run {
  const dir = mkdtempSync(join(tmpdir(), 'ws-sock-out-'));
  const out = openSync(join(dir, 'out'), 'w');
  const err = openSync(join(dir, 'err'), 'w');
  try {
    const r = spawnSync('ip', ['netns', 'exec', NS_A, ...CLEAN_ENV, cmd, ...args], { timeout: STEP_TIMEOUT_MS, stdio: ['ignore', out, err] });
    return { status: r.status, stdout: readFileSync(join(dir, 'out')), stderr: readFileSync(join(dir, 'err'), 'utf8') };
  } finally {
    closeSync(out);
    closeSync(err);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A line of output as wirestat would print it: decoded keeping odd bytes, then made printable. */
function lines(out: Buffer): string[] {
  const text = decodeProc(out);
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all.map(printable);
}

/** `kind (secs/retrans/probes)` at the end of a -o row → `kind`. */
function timerKindOnly(line: string): string {
  return line.replace(/ ([a-z0-9-]+) \([0-9.]+\/-?[0-9]+\/-?[0-9]+\)$/, ' $1');
}

function sortedCopy(a: string[]): string[] {
  return [...a].sort();
}

/** The lines only one side has (multiset difference both ways). */
function difference(a: string[], b: string[]): { onlyA: string[]; onlyB: string[] } {
  const count = new Map<string, number>();
  for (const x of a) count.set(x, (count.get(x) ?? 0) + 1);
  const onlyB: string[] = [];
  for (const x of b) {
    const n = count.get(x) ?? 0;
    if (n > 0) count.set(x, n - 1);
    else onlyB.push(x);
  }
  const onlyA: string[] = [];
  for (const [x, n] of count) for (let i = 0; i < n; i++) onlyA.push(x);
  return { onlyA, onlyB };
}

const started: ChildProcess[] = [];
let tmp = '';

function startHelper(ns: string, args: string[]): Promise<{ child: ChildProcess; info: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, 'python3', HELPER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    started.push(child);
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${args[0]} helper not ready in ${STEP_TIMEOUT_MS} ms: ${err}`)), STEP_TIMEOUT_MS);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        try {
          resolve({ child, info: JSON.parse(out.slice(0, nl)) as Record<string, unknown> });
        } catch (e) {
          reject(e);
        }
      }
    });
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} helper exited ${code}: ${err}`));
    });
  });
}

function teardown(): void {
  for (const c of started) {
    c.stdin?.end();
    if (c.pid !== undefined && c.exitCode === null) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  // Whatever still runs inside our namespaces is ours (the helpers' children): end it by PID.
  for (const ns of [NS_A, NS_B]) {
    const pids = run('ip', ['netns', 'pids', ns]).stdout.toString().split(/\s+/).filter(Boolean);
    for (const p of pids) {
      try {
        process.kill(Number(p), 'SIGKILL');
      } catch {
        // gone
      }
    }
    run('ip', ['netns', 'del', ns]);
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

function setUpNamespaces(): void {
  must('ip', ['netns', 'add', NS_A]);
  must('ip', ['netns', 'add', NS_B]);
  must('ip', ['link', 'add', 'wsa', 'netns', NS_A, 'type', 'veth', 'peer', 'name', 'wsb', 'netns', NS_B]);
  const a = (...args: string[]): Buffer => must('ip', ['-n', NS_A, ...args]);
  const b = (...args: string[]): Buffer => must('ip', ['-n', NS_B, ...args]);
  a('link', 'set', 'lo', 'up');
  b('link', 'set', 'lo', 'up');
  a('link', 'set', 'wsa', 'up');
  b('link', 'set', 'wsb', 'up');
  a('addr', 'add', '198.18.0.1/32', 'dev', 'lo');
  a('addr', 'add', '2001:db8::1/128', 'dev', 'lo', 'nodad');
  a('addr', 'add', '2001:db8:1234:5678:9abc:def0:1234:5678/128', 'dev', 'lo', 'nodad');
  a('addr', 'add', '198.18.1.1/24', 'dev', 'wsa');
  a('addr', 'add', '2001:db8:1::1/64', 'dev', 'wsa', 'nodad');
  b('addr', 'add', '198.18.1.2/24', 'dev', 'wsb');
  b('addr', 'add', '2001:db8:1::2/64', 'dev', 'wsb', 'nodad');
  // SYN_SENT: a neighbour nobody is, reached over the lab's own veth.
  a('neigh', 'add', '198.18.1.99', 'lladdr', '02:00:00:00:00:99', 'dev', 'wsa');
}

if (!isRoot) {
  if (inCi) t.fail('needs root for network namespaces (CI=true: not skipped)');
  else t.plan(0, 'skip: needs root for network namespaces');
} else if (!have('netstat') || !have('ss') || !have('python3')) {
  if (inCi) t.fail('netstat, ss and python3 are needed');
  else t.plan(0, 'skip: needs netstat (net-tools), ss (iproute2) and python3');
} else if (!existsSync(join(ROOT, 'dist/host/format-sockets.js'))) {
  t.fail('dist/host is not built: run npm run build');
} else {
  t.teardown(teardown);
  process.once('exit', teardown); // also when tap times the file out
  let info: Record<string, unknown> = {};

  t.before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'ws-sock-'));
    setUpNamespaces();
    await startHelper(NS_B, ['peer']);
    info = (await startHelper(NS_A, ['main', tmp])).info;
  });

  /** netstat and the clone with the same arguments, compared line by line as multisets. */
  const variants: { args: string[]; timers?: boolean; cloneArgs?: string[] }[] = [
    { args: ['-tuanp'] },
    { args: ['-tuanpW'] },
    { args: ['-xanp'] },
    { args: ['-tuanpeo'], timers: true },
    { args: ['-tuanpeeoW'], timers: true },
    { args: ['-anp'] },
    { args: ['-an'] },
    { args: ['-tunp'] },
    { args: ['-tulnp'] },
    { args: ['-ulnW'] },
    { args: ['-xnp'] },
    { args: ['-xlnp'] },
    { args: ['-awn'] },
    { args: ['-aUnp'] },
    { args: ['-4anp'] },
    { args: ['-6anpW'] },
    { args: ['-t6lnp'] },
    { args: ['-tuawneo'], timers: true },
    // Names for ports (/etc/services, /etc/protocols) and users (/etc/passwd); hosts numeric
    // so no lookup leaves the namespace.
    { args: ['--numeric-hosts', '-tuwae'], cloneArgs: ['--numeric-hosts', '-tuwae'] },
    { args: ['--numeric-hosts', '-tuwaeWp'], cloneArgs: ['--numeric-hosts', '-tuwaeWp'] },
  ];

  t.test('netstat and wirestat print the same lines', async (t) => {
    let compared = 0;
    let sanitized = 0;
    for (const v of variants) {
      const ns = inA('netstat', v.args);
      const ours = inA(process.execPath, [CLI, 'netstat', ...(v.cloneArgs ?? v.args)]);
      t.equal(ours.status, 0, `wirestat netstat ${v.args.join(' ')} exits 0`);
      t.equal(ours.stderr, ns.stderr, `${v.args.join(' ')}: same standard error`);
      let expected = lines(ns.stdout);
      let got = lines(ours.stdout);
      sanitized += decodeProc(ns.stdout).split('\n').filter((l) => printable(l) !== l).length;
      if (v.timers) {
        expected = expected.map(timerKindOnly);
        got = got.map(timerKindOnly);
      }
      const d = difference(expected, got);
      t.same(d, { onlyA: [], onlyB: [] }, `netstat ${v.args.join(' ')}: ${expected.length} lines, none only on one side`);
      t.same(sortedCopy(got), sortedCopy(expected));
      const sameOrder = expected.length === got.length && expected.every((l, i) => l === got[i]);
      t.ok(sameOrder, `netstat ${v.args.join(' ')}: same order`);
      compared += expected.length;
    }
    t.comment(`compared ${compared} lines over ${variants.length} invocations; ${sanitized} netstat lines held control bytes`);
    t.ok(sanitized >= 2, 'the hostile program name was listed (tcp and unix rows)');
  });

  t.test('wirestat netstat -N NAME from outside equals netstat inside', async (t) => {
    for (const args of [['-tuanp'], ['-xanp']]) {
      const ns = inA('netstat', args);
      const ours = run('env', ['-i', `PATH=${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, 'LC_ALL=C', process.execPath, CLI, 'netstat', '-N', NS_A, ...args]);
      t.equal(ours.status, 0, `-N ${NS_A} ${args.join(' ')} exits 0`);
      t.same(difference(lines(ns.stdout), lines(ours.stdout)), { onlyA: [], onlyB: [] }, `-N ${args.join(' ')}: same lines`);
    }
    // -c under -N: stopping wirestat stops the copy running inside the namespace too.
    const parent = spawn(process.execPath, [CLI, 'netstat', '-N', NS_A, '-tnc', '0.2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    parent.stdout!.on('data', (b: Buffer) => (printed += b.toString()));
    await new Promise((r) => setTimeout(r, 1500));
    parent.kill('SIGTERM');
    const status = await new Promise<number | null>((r) => parent.once('exit', (code) => r(code)));
    t.ok(printed.split('Active Internet connections').length > 2, 'it repeated');
    t.equal(status, 143, 'exits as terminated (128 + SIGTERM)');
    await new Promise((r) => setTimeout(r, 300));
    const left = run('pgrep', ['-f', `netstat -N ${NS_A} -tnc`]);
    t.equal(left.stdout.toString().trim(), '', 'no copy left running inside the namespace');
    const missing = run(process.execPath, [CLI, 'netstat', '-N', 'ws-no-such-ns', '-tn']);
    t.equal(missing.status, 2, 'a namespace that does not exist: exit 2');
    t.match(missing.stderr, /^wirestat netstat: network namespace 'ws-no-such-ns' not found/);
  });

  t.test('as another user: the same lines and the same note on standard error', async (t) => {
    if (!have('setpriv')) {
      t.fail('setpriv (util-linux) is needed');
      return;
    }
    // uid 65534 owns one lab process with sockets and cannot read root's /proc/PID/fd: "Not all
    // processes could be identified". uid 65533 owns no socket anywhere: "No info could be read".
    for (const [uid, args, note] of [
      [65534, ['-tuanp'], /^\(Not all processes could be identified/],
      [65534, ['-xlp'], /^\(Not all processes could be identified/],
      [65533, ['-tanp'], /^\(No info could be read for "-p": geteuid\(\)=65533/],
    ] as const) {
      const as = [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
      const theirs = inAToFiles('setpriv', [...as, 'netstat', ...args]);
      const ours = inAToFiles('setpriv', [...as, process.execPath, CLI, 'netstat', ...args]);
      t.match(theirs.stderr, note, `netstat ${args.join(' ')} as uid ${uid}: its note`);
      t.equal(ours.stderr, theirs.stderr, `${args.join(' ')}: standard error byte-equal`);
      t.same(difference(lines(theirs.stdout), lines(ours.stdout)), { onlyA: [], onlyB: [] }, `${args.join(' ')}: same lines`);
    }
  });

  t.test('the rows the lab set up are there', async (t) => {
    const out = lines(inA('netstat', ['-anpW']).stdout).join('\n');
    const strange = info['strange'] as number;
    const blank = info['blank'] as number;
    for (const state of ['LISTEN', 'ESTABLISHED', 'SYN_SENT', 'FIN_WAIT2', 'CLOSE_WAIT', 'TIME_WAIT']) t.match(out, new RegExp(`^tcp6? .* ${state} `, 'm'), state);
    t.match(out, /^tcp6 +0 +0 198\.18\.0\.1:8443 +198\.18\.0\.1:\d+ +ESTABLISHED/m, 'IPv4-mapped shown as IPv4 under tcp6');
    t.match(out, /^udpl +0 +0 198\.18\.0\.1:6000 /m, 'udplite');
    t.match(out, /^raw +0 +0 198\.18\.0\.1:253 +198\.18\.0\.1:\* +1 /m, 'connected raw socket, numeric state');
    t.match(out, new RegExp(`${strange}/\\\\x1b\\[31mw`), 'ESC shown as \\x1b');
    t.match(out, new RegExp(` ${blank}/ +$`, 'm'), 'empty argv[0] shows as PID/');
    t.match(out, /@ws-lab@abs$/m, 'abstract unix name with its NUL as @');
    t.match(out, new RegExp(`${tmp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/ws$`, 'm'), 'unix path cut at its space');
  });

  t.test('the socket set equals ss -tuwanpe and ss -0anpe', async (t) => {
    const doc = JSON.parse(inA(process.execPath, [CLI, 'netstat', '-an', '--json']).stdout.toString()) as {
      schema: string;
      sockets: { proto: string; local: string; remote: string; state_code: number; inode: number; pid: number | null }[];
      packet_sockets: { type: string; protocol: number; ifindex: number; inode: number; pid: number | null }[];
    };
    t.equal(doc.schema, 'wirestat.netstat/1');
    const view = { sockets: doc.sockets, packetSockets: doc.packet_sockets };
    const SS_STATE: Record<string, number> = {
      ESTAB: 1,
      'SYN-SENT': 2,
      'SYN-RECV': 3,
      'FIN-WAIT-1': 4,
      'FIN-WAIT-2': 5,
      'TIME-WAIT': 6,
      UNCONN: 7,
      'CLOSE-WAIT': 8,
      'LAST-ACK': 9,
      LISTEN: 10,
      CLOSING: 11,
    };
    // ss writes the IPv6 wildcard of a dual-stack socket as "*" and port 0 as "*".
    const ssEnd = (s: string): string => {
      const colon = s.lastIndexOf(':');
      let host = s.slice(0, colon);
      const port = s.slice(colon + 1);
      if (host === '*') host = '[::]';
      return `${host}:${port === '*' ? '0' : port}`;
    };
    const ssOut = inA('ss', ['-H', '-tuwanpe']).stdout.toString();
    const theirs: string[] = [];
    for (const line of ssOut.split('\n')) {
      if (!line || line.startsWith('\t')) continue;
      const f = line.trim().split(/\s+/);
      const pids = [...line.matchAll(/pid=(\d+),fd=/g)].map((m) => Number(m[1]));
      const ino = /\bino:(\d+)/.exec(line);
      // ss -e gives no inode for raw sockets; TIME_WAIT has inode 0 in both.
      theirs.push([f[0], SS_STATE[f[1]!] ?? f[1], ssEnd(f[4]!), ssEnd(f[5]!), f[0] === 'raw' ? '-' : ino ? ino[1] : '0', pids.length ? Math.min(...pids) : '-'].join(' '));
    }
    const ours = view.sockets
      .filter((s) => /^(tcp|udp|raw)6?$/.test(s.proto))
      .map((s) => [s.proto.replace('6', ''), s.state_code, s.local, s.remote, s.proto.startsWith('raw') ? '-' : s.inode, s.pid ?? '-'].join(' '));
    t.ok(theirs.length >= 30, `ss listed ${theirs.length} tcp/udp/raw sockets`);
    t.same(difference(theirs, ours), { onlyA: [], onlyB: [] }, `${ours.length} sockets: tuple, state, inode and lowest PID equal`);

    const link = JSON.parse(must('ip', ['-n', NS_A, '-j', 'link', 'show', 'wsa']).toString()) as { ifindex: number }[];
    const wsa = link[0]!.ifindex;
    const pss: string[] = [];
    for (const line of inA('ss', ['-H', '-0anpe']).stdout.toString().split('\n')) {
      if (!line || line.startsWith('\t')) continue;
      const f = line.trim().split(/\s+/);
      const [proto, iface] = [f[4]!.slice(0, f[4]!.lastIndexOf(':')), f[4]!.slice(f[4]!.lastIndexOf(':') + 1)];
      const pids = [...line.matchAll(/pid=(\d+),fd=/g)].map((m) => Number(m[1]));
      const ino = /\bino:(\d+)/.exec(line);
      const protoNum = proto === '*' ? 3 : /^\[(\d+)\]$/.test(proto) ? Number(proto.slice(1, -1)) : proto;
      pss.push([f[0] === 'p_raw' ? 'RAW' : 'DGRAM', protoNum, iface === '*' ? 0 : iface === 'wsa' ? wsa : iface, ino ? ino[1] : '?', pids.length ? Math.min(...pids) : '-'].join(' '));
    }
    const pours = view.packetSockets.map((p) => [p.type, p.protocol, p.ifindex, p.inode, p.pid ?? '-'].join(' '));
    t.equal(pours.length, 2, 'two packet sockets');
    t.same(difference(pss, pours), { onlyA: [], onlyB: [] }, 'packet sockets: type, protocol, interface, inode and PID equal');
  });

  t.test('-i ends with who else is capturing, as ss -0p lists them', async (t) => {
    // The counters may move between the two reads (a neighbour solicitation on wsa): read both
    // again until the tables agree, a few times at most; a formatting difference stays.
    let out: string[] = [];
    let theirs: string[] = [];
    for (let i = 0; i < 5; i++) {
      out = lines(inA(process.execPath, [CLI, 'netstat', '-i']).stdout);
      theirs = lines(inA('netstat', ['-i']).stdout);
      const cut = out.indexOf('Packet sockets (capturing on this host)');
      if (cut > 0 && JSON.stringify(out.slice(0, cut - 1)) === JSON.stringify(theirs)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const at = out.indexOf('Packet sockets (capturing on this host)');
    t.ok(at > 0, 'the section is there');
    t.same(out.slice(0, at - 1), theirs, "netstat's table first, unchanged, then a blank line");
    const rows = out.slice(at + 2);
    const ss = inA('ss', ['-H', '-0anp']).stdout.toString();
    const ssInodes = [...ss.matchAll(/pid=(\d+),fd=\d+/g)].map((m) => Number(m[1]));
    t.equal(rows.length, 2, 'two packet sockets');
    for (const r of rows) {
      const pid = Number(/ (\d+)\/\S*$/.exec(r)?.[1]);
      t.ok(ssInodes.includes(pid), `owner ${pid} is one ss names: ${r}`);
    }
    t.ok(rows.some((r) => /^wsa\s+RAW\s+all /.test(r)), 'the ETH_P_ALL raw socket bound to wsa, named');
    t.ok(rows.some((r) => /^\*\s+DGRAM\s+0x0800 /.test(r)), 'the cooked IPv4 socket on every interface');
  });

  t.test('reading another namespace through /proc/PID/net gives the same sockets', async (t) => {
    // The test process stays in its own namespace and points netRoot at a lab process's view.
    const flags = { ...defaultFlags(), all: true, numeric: true };
    const there = readSockets('/proc', flags, { netRoot: `/proc/${info['pid'] as number}/net`, packet: false });
    const inside = JSON.parse(inA(process.execPath, [CLI, 'netstat', '-an', '--json']).stdout.toString()) as { sockets: { inode: number; local: string; remote: string }[] };
    const key = (s: { inode: number; local?: string; remote?: string }): string => `${s.inode} ${s.local ?? ''} ${s.remote ?? ''}`;
    t.same(there.errors, []);
    t.same(difference(there.sockets.map(key), inside.sockets.map(key)), { onlyA: [], onlyB: [] });
  });
}
