/**
 * A live capture that cannot start says why in one line and exits 2, as a file that cannot be
 * read does: no interface, no rights, no libpcap binding, a bad filter, an unknown -Z user, and
 * command lines that mix a file with live options. Plus the pure parts: the NIC counters read
 * from a statistics tree, and the passwd/group lookups behind -Z.
 *
 * The runs that open a real interface (lo) need root; elsewhere they skip with one line, and on
 * CI (CI=true, where tests run as root) a missing root is a failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { counterGrowth, estimateLoss, NIC_COUNTERS, readNicCounters } from '../../src/capture/nic-counters.js';
import { findAccount, groupsOf } from '../../src/cli/privileges.js';
import { CLI, looksLikeStackTrace, runCli } from '../helpers/cli.js';

const isRoot = process.getuid?.() === 0;
const inCi = process.env.CI === 'true';
const rootOnly = isRoot ? {} : { skip: 'live capture needs root (run the tests with sudo)' };
if (!isRoot && inCi) t.fail('CI=true but the tests do not run as root: live capture tests cannot run');

function oneLine(t: Tap.Test, stderr: string, re: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  t.equal(lines.length, 1, `one line: ${JSON.stringify(stderr)}`);
  t.match(lines[0], re);
  t.notOk(looksLikeStackTrace(stderr), 'no stack trace');
}

t.test('usage errors: a file and live options do not mix', async (t) => {
  for (const [args, re] of [
    [['report', 'x.pcap', '-i', 'lo'], /not both/],
    [['report'], /name a capture file or an interface/],
    [['report', 'x.pcap', '--duration', '1'], /--duration applies to a live capture/],
    [['report', 'x.pcap', '-Z', 'nobody'], /-Z applies to a live capture/],
    [['report', '-i', 'lo', '--duration', '0'], /--duration must be a number of seconds above 0/],
    [['report', '-i', 'lo', '--duration', 'soon'], /--duration must be/],
    [['report', '-i', 'lo', '-B', '0'], /--buffer-size must be a whole number above 0/],
    [['report', '-i', 'lo', '-i', 'lo'], /-i may be given once/],
    [['live'], /Missing required argument: interface/],
  ] as const) {
    const r = await runCli([...args], { plain: true });
    t.equal(r.code, 2, `${args.join(' ')}: exit 2`);
    t.match(r.stderr, re, args.join(' '));
    t.notOk(looksLikeStackTrace(r.stderr));
  }
});

t.test('no libpcap binding: says what to install', async (t) => {
  const r = await runCli(['report', '-i', 'lo', '--duration', '1', '--backend', 'cap'], { plain: true, env: { WIRESTAT_NO_CAP: '1' } });
  t.equal(r.code, 2);
  oneLine(t, r.stderr, /^wirestat: lo: live capture needs the cap module.*apt-get install -y libpcap-dev.*npm ci/);
});

t.test('no helper: says what to install', async (t) => {
  // A PATH with `env` (runCli's `plain` runs the CLI through it) and nothing else: no tcpdump.
  const bin = mkdtempSync(join(tmpdir(), 'wirestat-path-'));
  symlinkSync('/usr/bin/env', join(bin, 'env'));
  const r = await runCli(['report', '-i', 'lo', '--duration', '1', '--backend', 'helper'], { plain: true, env: { PATH: bin } });
  t.equal(r.code, 2);
  oneLine(t, r.stderr, /^wirestat: lo: --backend helper runs tcpdump, which is not installed: run `sudo apt-get install -y tcpdump` \(or use --backend cap\)$/);
});

t.test('--backend: only cap or helper, once, and only live', async (t) => {
  for (const [args, re] of [
    [['report', '-i', 'lo', '--backend', 'pcap'], /^wirestat: --backend "pcap" is not one of "cap", "helper"$/m],
    [['report', '-i', 'lo', '--backend', 'cap', '--backend', 'helper'], /--backend may be given once/],
    [['report', 'x.pcap', '--backend', 'cap'], /--backend applies to a live capture/],
  ] as const) {
    const r = await runCli([...args], { plain: true });
    t.equal(r.code, 2, `${args.join(' ')}: exit 2`);
    t.match(r.stderr, re, args.join(' '));
    t.notOk(looksLikeStackTrace(r.stderr));
  }
});

t.test('helper errors: its own line, prefixed with the interface', rootOnly, async (t) => {
  const args = ['--duration', '1', '--backend', 'helper'];
  const missing = await runCli(['report', '-i', 'wsnosuch0', ...args], { plain: true });
  t.equal(missing.code, 2);
  oneLine(t, missing.stderr, /^wirestat: wsnosuch0: tcpdump: wsnosuch0: No such device exists/);

  const filter = await runCli(['report', '-i', 'lo', ...args, '-f', 'tcp port'], { plain: true });
  t.equal(filter.code, 2);
  oneLine(t, filter.stderr, /^wirestat: lo: tcpdump: can't parse filter expression: syntax error$/);

  const user = await runCli(['report', '-i', 'lo', ...args, '-Z', 'wsnosuchuser'], { plain: true });
  t.equal(user.code, 2);
  oneLine(t, user.stderr, /^wirestat: -Z wsnosuchuser: no such user$/);

  // Not root: the helper runs as this user and says what it lacks; wirestat adds the remedy.
  const p = spawnSync(
    'env',
    ['-u', 'NODE_OPTIONS', 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, CLI, 'report', '-i', 'lo', ...args],
    { encoding: 'utf8', timeout: 20000 },
  );
  t.equal(p.status, 2, 'not root: exit 2');
  oneLine(t, p.stderr, /^wirestat: lo: tcpdump: lo: You don't have permission to perform this capture on that device \(socket: Operation not permitted\); run: sudo wirestat report -i lo --duration 1 --backend helper$/);
});

t.test('capture errors name the interface and the remedy', rootOnly, async (t) => {
  const missing = await runCli(['report', '-i', 'wsnosuch0', '--duration', '1', '--backend', 'cap'], { plain: true });
  t.equal(missing.code, 2);
  oneLine(t, missing.stderr, /^wirestat: wsnosuch0: no such interface/);

  const filter = await runCli(['report', '-i', 'lo', '--duration', '1', '--backend', 'cap', '-f', 'tcp port'], { plain: true });
  t.equal(filter.code, 2);
  oneLine(t, filter.stderr, /^wirestat: lo: bad filter: .*syntax error/);

  const user = await runCli(['report', '-i', 'lo', '--duration', '1', '--backend', 'cap', '-Z', 'wsnosuchuser'], { plain: true });
  t.equal(user.code, 2);
  oneLine(t, user.stderr, /^wirestat: -Z wsnosuchuser: no such user$/);

  // Without root: setpriv runs the CLI as nobody with no capabilities.
  // `env -u NODE_OPTIONS`: tap re-adds its coverage hooks to a direct child (see runCli's `plain`).
  const p = spawnSync(
    'env',
    ['-u', 'NODE_OPTIONS', 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, CLI, 'report', '-i', 'lo', '--duration', '1', '--backend', 'cap'],
    { encoding: 'utf8', timeout: 20000 },
  );
  t.equal(p.status, 2, 'not root: exit 2');
  oneLine(t, p.stderr, /^wirestat: lo: capture needs root or CAP_NET_RAW .*; run: sudo wirestat report -i lo --duration 1 --backend cap$/);
});

t.test('NIC counters: read from a statistics tree, grown, and the loss estimate', async (t) => {
  const sys = mkdtempSync(join(tmpdir(), 'wirestat-sys-'));
  const dir = join(sys, 'class/net/e0/statistics');
  mkdirSync(dir, { recursive: true });
  const write = (values: Record<string, string>): void => {
    for (const [k, v] of Object.entries(values)) writeFileSync(join(dir, k), v);
  };
  write({ rx_packets: '100\n', rx_bytes: '6400\n', rx_dropped: '1\n', tx_packets: '3\n', rx_fifo_errors: 'garbage\n' });
  const a = readNicCounters(sys, 'e0');
  t.same(a, { rx_packets: 100, rx_bytes: 6400, rx_dropped: 1, rx_missed_errors: 0, rx_fifo_errors: 0, tx_packets: 3 });
  write({ rx_packets: '250\n', rx_bytes: '16000\n', rx_dropped: '4\n', tx_packets: '5\n' });
  const b = readNicCounters(sys, 'e0')!;
  const g = counterGrowth(a!, b);
  t.same(g, { rx_packets: 150, rx_bytes: 9600, rx_dropped: 3, rx_missed_errors: 0, rx_fifo_errors: 0, tx_packets: 2 });
  t.equal(estimateLoss(g, 140, false), 12, 'received + sent − captured');
  t.equal(estimateLoss(g, 500, false), 0, 'never below 0');
  t.equal(estimateLoss(g, 10, true), null, 'not estimated behind a filter');
  // A counter that went down (the interface was re-created) counts from 0.
  t.equal(counterGrowth(b, { ...b, rx_packets: 7 }).rx_packets, 7);
  t.equal(readNicCounters(sys, 'nosuch'), null, 'no statistics directory: null');
  t.equal(readNicCounters(sys, '../e0'), null, 'a name with a slash is no interface');
  t.equal(NIC_COUNTERS.length, 6);
});

t.test('-Z lookups: passwd and group as getpwnam and initgroups read them', async (t) => {
  const passwd = ['root:x:0:0:root:/root:/bin/bash', 'broken line', 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin', 'svc:x:998:997::/:/bin/false', ''].join('\n');
  t.same(findAccount(passwd, 'nobody'), { name: 'nobody', uid: 65534, gid: 65534 });
  t.same(findAccount(passwd, '998'), { name: 'svc', uid: 998, gid: 997 }, 'a numeric uid');
  t.equal(findAccount(passwd, 'nosuch'), null);
  const group = ['root:x:0:', 'adm:x:4:svc,other', 'pcap:x:120:svc', 'nogroup:x:65534:', 'x:y'].join('\n');
  t.same(groupsOf(group, 'svc', 997), [997, 4, 120]);
  t.same(groupsOf(group, 'nobody', 65534), [65534], 'root\'s groups are never kept');
});
