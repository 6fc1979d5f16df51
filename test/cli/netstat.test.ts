/**
 * `wirestat netstat` as a command, on a crafted /proc whose netstat output was recorded with
 * the real net-tools netstat (fixtures/host/crafted): exit codes, an unreadable source, JSON,
 * repetition, and net-tools' refusals.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runNetstat, type NetstatIo } from '../../src/cli/netstat.js';
import { ROOT } from '../helpers/cli.js';

const CRAFTED = join(ROOT, 'fixtures/host/crafted');

function io(procRoot: string, extra: Partial<NetstatIo> = {}): NetstatIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: { write: (s: string) => void (out += s), isTTY: false },
    err: (s: string) => void (err += s),
    procRoot,
    sysRoot: '/nonexistent-sys',
    etcRoot: join(CRAFTED, 'etc'),
    euid: 0,
    script: join(ROOT, 'dist/cli/main.js'),
    resolveTimeoutMs: 100,
    ...extra,
    stdout: () => out,
    stderr: () => err,
  };
}

t.test('-an on the crafted /proc prints what netstat printed', async (t) => {
  const x = io(join(CRAFTED, 'proc'));
  t.equal(await runNetstat(['-an'], x), 0);
  t.equal(x.stdout(), readFileSync(join(CRAFTED, 'expected/an.out'), 'utf8'));
  t.equal(x.stderr(), readFileSync(join(CRAFTED, 'expected/an.err'), 'utf8'), 'the same warnings on stderr');
});

t.test('an unreadable source is named, the rest is printed, exit 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-netstat-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(CRAFTED, 'proc'), join(dir, 'proc'), { recursive: true });
  rmSync(join(dir, 'proc/net/tcp6'));
  const x = io(join(dir, 'proc'));
  t.equal(await runNetstat(['-tan'], x), 1);
  t.match(x.stderr(), new RegExp(`^wirestat netstat: cannot read ${dir}/proc/net/tcp6: ENOENT$`, 'm'));
  const expected = readFileSync(join(CRAFTED, 'expected/an.out'), 'utf8')
    .split('\n')
    .filter((l) => /^tcp /.test(l));
  t.ok(expected.length > 0);
  for (const l of expected) t.ok(x.stdout().includes(`${l}\n`), `still printed: ${l.slice(0, 40)}`);
  t.notMatch(x.stdout(), /^tcp6 /m);
});

t.test('--json: the wirestat.netstat/1 document', async (t) => {
  const x = io(join(CRAFTED, 'proc'));
  // The crafted /proc has no net/packet (netstat never reads it; the JSON's packet_sockets do).
  t.equal(await runNetstat(['-an', '--json'], x), 1, 'a source missing: exit 1, document still written');
  const doc = JSON.parse(x.stdout());
  t.equal(doc.schema, 'wirestat.netstat/1');
  t.equal(typeof doc.time, 'number');
  t.ok(Array.isArray(doc.sockets) && doc.sockets.length > 10);
  const inet = doc.sockets.find((s: { proto: string }) => s.proto === 'tcp');
  t.same(Object.keys(inet).sort(), ['exe', 'inode', 'listening', 'local', 'pid', 'program', 'proto', 'recv_q', 'remote', 'send_q', 'state', 'state_code', 'timer', 'uid'].sort());
  t.match(inet.local, /^\d+\.\d+\.\d+\.\d+:\d+$/);
  const v6 = doc.sockets.find((s: { proto: string; local: string }) => s.proto === 'tcp6' && s.local.startsWith('[2001:db8'));
  t.match(v6?.local, /^\[2001:db8:[0-9a-f:]*\]:\d+$/, 'IPv6 endpoints bracketed');
  t.ok(doc.sockets.some((s: { proto: string }) => s.proto === 'unix'));
  t.same(doc.errors, [{ source: join(CRAFTED, 'proc/net/packet'), cause: 'ENOENT' }], 'the missing source, in the document');
  t.same(doc.packet_sockets, []);
  t.equal(doc.routes, undefined, 'tables only when asked for');
});

t.test('--json lists the sockets the flags select, as the text does', async (t) => {
  const listening = io(join(CRAFTED, 'proc'));
  await runNetstat(['-tl', '--json'], listening);
  const l = JSON.parse(listening.stdout()).sockets as { proto: string; listening: boolean }[];
  t.ok(l.length > 0 && l.every((s) => s.listening && s.proto.startsWith('tcp')), `-tl: ${l.length} listening tcp sockets only`);
  const connected = io(join(CRAFTED, 'proc'));
  await runNetstat(['-t', '--json'], connected);
  const c = JSON.parse(connected.stdout()).sockets as { listening: boolean }[];
  t.ok(c.length > 0 && c.every((s) => !s.listening), `-t: ${c.length} sockets, none listening`);
  const all = io(join(CRAFTED, 'proc'));
  await runNetstat(['-ta', '--json'], all);
  t.equal(JSON.parse(all.stdout()).sockets.length, l.length + c.length, '-ta: both');
});

t.test('-c repeats until stopped', async (t) => {
  const ac = new AbortController();
  let n = 0;
  const x = io(join(CRAFTED, 'proc'), { signal: ac.signal });
  const write = x.out.write;
  x.out.write = (s: string) => {
    write(s);
    if (++n === 3) ac.abort();
  };
  t.equal(await runNetstat(['-tnc', '0.01'], x), 0);
  t.equal(x.stdout().split('Active Internet connections').length - 1, 3, 'three listings');
});

t.test("net-tools' refusals: message, usage, exit 3", async (t) => {
  for (const [args, msg] of [
    [['-k'], "invalid option -- 'k'"],
    [['--bogus'], "unrecognized option '--bogus'"],
    [['-r', '-s'], 'only one of'],
  ] as const) {
    const x = io(join(CRAFTED, 'proc'));
    t.equal(await runNetstat(args, x), 3, args.join(' '));
    t.ok(x.stderr().startsWith(`wirestat netstat: ${msg}`), x.stderr().split('\n')[0]);
    t.match(x.stderr(), /^usage: wirestat netstat/m);
    t.equal(x.stdout(), '');
  }
  const s = io(join(CRAFTED, 'proc'));
  t.equal(await runNetstat(['-s', '-4', '-6'], s), 1);
  t.equal(s.stderr(), 'wirestat netstat: No statistics support for specified address family: inet,inet6\n');
});

t.test('-N: a missing namespace is one line, exit 2', async (t) => {
  const x = io(join(CRAFTED, 'proc'));
  t.equal(await runNetstat(['-N', 'ws-surely-absent', '-tn'], x), 2);
  t.match(x.stderr(), /^wirestat netstat: network namespace 'ws-surely-absent' not found/);
});
