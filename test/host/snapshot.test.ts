/**
 * `wirestat snapshot`: the document is written, read back by parseSnapshot, and holds what a
 * namespace with known sockets has (checked against ss and ip, not against ourselves).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseSnapshot, SNAPSHOT_SCHEMA, type HostSnapshot } from '../../src/host/snapshot.js';
import { ROOT, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ws-snap-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('this host: written, read back, every part present', async (t) => {
  const file = join(dir, 'host.json');
  const r = await runCli(['snapshot', '-o', file]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, '', 'nothing on stdout with -o');
  const snap = parseSnapshot(readFileSync(file, 'utf8'), file);
  t.equal(snap.schema, SNAPSHOT_SCHEMA);
  t.ok(snap.interfaces.some((i) => i.name === 'lo'), 'lo is listed');
  t.ok(Object.keys(snap.stats).includes('Tcp'), 'Tcp counters');
  t.ok(snap.duration >= 0 && snap.time > 1.7e9);
  const piped = await runCli(['snapshot']);
  t.equal(parseSnapshot(piped.stdout, 'stdout').schema, SNAPSHOT_SCHEMA, 'standard output too');
});

t.test('-o replaces a symlink at its path, never writes through it', async (t) => {
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'precious\n');
  const out = join(dir, 'link.json');
  symlinkSync(victim, out);
  const r = await runCli(['snapshot', '-o', out]);
  t.equal(r.code, 0, r.stderr);
  t.equal(readFileSync(victim, 'utf8'), 'precious\n', 'the file the link named is untouched');
  t.ok(lstatSync(out).isFile(), 'the output path is now the snapshot itself');
  t.same(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  const bad = await runCli(['snapshot', '-o', join(dir, 'missing-dir', 'x.json')]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^wirestat snapshot: cannot write .*missing-dir\/x\.json: ENOENT\n$/);
});

t.test('parseSnapshot names what is wrong', (t) => {
  const good = readFileSync(join(dir, 'host.json'), 'utf8');
  const doc = JSON.parse(good) as Record<string, unknown>;
  t.throws(() => parseSnapshot('{', 'f.json'), /^f\.json: not JSON/);
  t.throws(() => parseSnapshot(JSON.stringify({ ...doc, schema: 'wirestat.snapshot/9' }), 'f.json'), /schema is "wirestat\.snapshot\/9"/);
  const noKernel = { ...doc };
  delete noKernel.kernel;
  t.throws(() => parseSnapshot(JSON.stringify(noKernel), 'f.json'), /field kernel is missing/);
  const badSocket = { ...doc, sockets: [{ proto: 'tcp', local: '198.18.0.1:1' }] };
  t.throws(() => parseSnapshot(JSON.stringify(badSocket), 'f.json'), /field sockets\[0\]\.remote/);
  const badStats = { ...doc, stats: { Tcp: { ActiveOpens: 'many' } } };
  t.throws(() => parseSnapshot(JSON.stringify(badStats), 'f.json'), /field stats\.Tcp/);
  t.end();
});

t.test('the demo host snapshots: h1 while demo.pcap was recorded (fixtures/lab/record.sh)', async (t) => {
  const file = join(ROOT, 'fixtures/captures/demo-host.json');
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  t.equal(lines.length, 3, 'three snapshots, one per line');
  const snaps = lines.map((l, i) => parseSnapshot(l, `${file}: line ${i + 1}`));
  for (const s of snaps) {
    t.equal(s.netns, 'wirestat-h1', 'taken in h1, the namespace tcpdump recorded in');
    t.equal(s.hostname, 'wirestat-h1', "the lab's UTS name, not the recording machine's");
    t.same(s.errors, []);
  }
  const r = await runCli(['report', join(ROOT, 'fixtures/captures/demo.pcap'), '--json']);
  t.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { source: { first_ts: number; last_ts: number }; conversations: { proto: string; a: string; b: string }[] };
  const [before, snap, after] = snaps as [HostSnapshot, HostSnapshot, HostSnapshot];
  t.ok(before.time < report.source.first_ts, 'the first before the first packet');
  t.ok(snap.time > report.source.first_ts && snap.time < report.source.last_ts, 'the second while the capture ran');
  t.ok(after.time > report.source.last_ts, 'the last after the last packet');
  type Inet = Extract<HostSnapshot['sockets'][number], { local: string }>;
  const inet = snap.sockets.filter((s) => s.proto !== 'unix') as Inet[];
  t.ok(
    inet.some((s) => s.proto === 'tcp6' && s.local === '[::]:9000' && s.listening && s.program === 'python3'),
    "h1's dual-stack line server listens",
  );
  // A v4 peer of a dual-stack socket is listed v4-mapped; the wire carries plain IPv4.
  const unmap = (ep: string): string => ep.replace(/^\[::ffff:(\d+\.\d+\.\d+\.\d+)\]/, '$1');
  const seen = new Set(report.conversations.filter((c) => c.proto === 'tcp').flatMap((c) => [`${c.a} ${c.b}`, `${c.b} ${c.a}`]));
  const connections = inet.filter((s) => /^tcp6?$/.test(s.proto) && !s.listening);
  const onWire = connections.filter((s) => seen.has(`${unmap(s.local)} ${unmap(s.remote)}`));
  t.comment(`${onWire.length} of ${connections.length} TCP connections (${inet.length} inet sockets) are conversations of demo.pcap`);
  const established = connections.filter((s) => s.state === 'ESTABLISHED');
  t.ok(established.length >= 3, 'the two sessions to h1:9000 and the paced download are open');
  t.same(
    established.filter((s) => !onWire.includes(s)).map((s) => `${s.local} ${s.remote}`),
    [],
    'every open connection is a conversation of demo.pcap',
  );
  // Process paths come from the recording machine: only system ones belong in the fixture.
  const paths = [...inet, ...snap.packet_sockets].map((s) => s.exe).filter((e): e is string => e !== null);
  t.ok(paths.length > 0, 'processes are named');
  t.same(
    paths.filter((e) => !/^\/(usr\/)?s?bin\//.test(e)),
    [],
    'executables are system ones (nothing under a home or a checkout)',
  );
});

const isRoot = process.getuid?.() === 0;
if (!isRoot) {
  if (process.env.CI === 'true') t.fail('needs root for network namespaces (CI=true: not skipped)');
  else t.comment('skip: the namespace part needs root for network namespaces');
} else {
  t.test('a namespace with known sockets, taken with -N', async (t) => {
    const ns = `ws-snap-${process.pid}`;
    const sh = (...a: string[]): void => {
      const r = spawnSync(a[0]!, a.slice(1), { encoding: 'utf8', timeout: 20000 });
      if (r.status !== 0) throw new Error(`${a.join(' ')}: ${r.stderr}`);
    };
    let holder: ChildProcess | null = null;
    const teardown = (): void => {
      holder?.kill('SIGKILL');
      spawnSync('ip', ['netns', 'del', ns]);
    };
    t.teardown(teardown);
    process.once('exit', teardown);
    sh('ip', 'netns', 'add', ns);
    sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    sh('ip', '-n', ns, 'addr', 'add', '198.18.77.1/32', 'dev', 'lo');
    sh('ip', '-n', ns, 'addr', 'add', '2001:db8::77/128', 'dev', 'lo', 'nodad');
    // One TCP listener, one connection to it, one UDP socket on IPv6; held until killed.
    const py = `
import socket, sys, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(("198.18.77.1", 7777)); l.listen(4)
c = socket.create_connection(("198.18.77.1", 7777)); a, _ = l.accept()
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(("2001:db8::77", 5353))
print("ready", flush=True)
time.sleep(60)
`;
    holder = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', py], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('python did not get ready')), 15000);
      holder!.stdout!.on('data', (b: Buffer) => {
        if (b.toString().includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const file = join(dir, 'ns.json');
    const r = await runCli(['snapshot', '-N', ns, '-o', file]);
    t.equal(r.code, 0, r.stderr);
    const snap: HostSnapshot = parseSnapshot(readFileSync(file, 'utf8'), file);
    t.equal(snap.netns, ns);
    const inet = snap.sockets.filter((s) => s.proto !== 'unix') as Extract<HostSnapshot['sockets'][number], { local: string }>[];
    const listener = inet.find((s) => s.local === '198.18.77.1:7777' && s.state === 'LISTEN');
    t.ok(listener, 'the listener');
    const pid = listener?.pid ?? -1;
    t.equal(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), 'python3', 'its PID is the python3 process (per /proc/PID/comm)');
    t.equal(listener?.program, 'python3', 'program named as netstat would');
    t.match(listener?.exe ?? '', /python3/, 'with its executable');
    t.ok(inet.some((s) => s.proto === 'udp6' && s.local === '[2001:db8::77]:5353'), 'the IPv6 UDP socket');
    // ss is the oracle for the socket set.
    const ss = spawnSync('ip', ['netns', 'exec', ns, 'ss', '-H', '-tuan'], { encoding: 'utf8' }).stdout;
    const theirs = ss
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .map((f) => `${f[0]} ${f[4]!.replace(/^\*:/, '[::]:').replace(/:\*$/, ':0')} ${f[5]!.replace(/^\*:/, '[::]:').replace(/:\*$/, ':0')}`)
      .sort();
    const ours = inet.filter((s) => /^(tcp|udp)6?$/.test(s.proto)).map((s) => `${s.proto.replace('6', '')} ${s.local} ${s.remote}`).sort();
    t.same(ours, theirs, 'tcp/udp sockets equal to ss -tuan');
    // ip is the oracle for the interface.
    const lo = snap.interfaces.find((i) => i.name === 'lo');
    t.ok(lo?.ipv4.some((a) => a.address === '198.18.77.1'), 'lo has 198.18.77.1');
    t.ok(lo?.ipv6.some((a) => a.address === '2001:db8::77'), 'lo has 2001:db8::77');
  });
}
