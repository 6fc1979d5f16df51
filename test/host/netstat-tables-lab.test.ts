/**
 * Differential test against net-tools netstat 2.10 in a network namespace lab
 * (fixtures/host-tables/lab.sh: namespaces ws-tbl-PID and ws-tblb-PID joined by a veth pair,
 * 198.18.0.0/15 and 2001:db8::/32 only, routes of every kind, multicast members, a promiscuous
 * interface, a little ICMP/TCP/UDP traffic). Inside the namespace, netstat and wirestat's
 * readers+formatters (test/host/helpers-tables/tables.mjs on dist/) print the same tables.
 *
 * Comparison: lines as multisets, then their order. Counters can move between two runs, so
 * each table is taken three times back to back: ours, netstat's, ours again. A netstat line
 * matching neither of our runs must have the same shape (its text with every number replaced)
 * as ours in both, and each of its numbers must lie between ours before and ours after: the
 * only tolerance, and only for values that really moved in that window (counted and reported).
 * Needs root; skips with one line otherwise, and fails instead when CI=true.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/cli.js';
import { routeInterface } from '../../src/host/route-lookup.js';
import type { HostSnapshot } from '../../src/host/snapshot.js';

const LAB = join(ROOT, 'fixtures/host-tables/lab.sh');
const HELPER = join(ROOT, 'test/host/helpers-tables/tables.mjs');
const CLI = join(ROOT, 'dist/cli/main.js');
const A = `ws-tbl-${process.pid}`;
const B = `ws-tblb-${process.pid}`;


function teardown(): void {
  spawnSync('sh', [LAB, 'teardown', A, B], { timeout: 30000, stdio: 'ignore' });
}

function inNs(cmd: string, args: string[]): string[] {
  const out = execFileSync('ip', ['netns', 'exec', A, cmd, ...args], { timeout: 60000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').slice(0, -1);
}

/** `-i` adds who else is capturing after netstat's table (a blank line, then its title). */
function withoutCaptureSection(ls: string[]): string[] {
  const at = ls.findIndex((l, i) => l === '' && ls[i + 1] === 'Packet sockets (capturing on this host)');
  return at < 0 ? ls : ls.slice(0, at);
}

const shape = (l: string): string => l.replace(/\d+/g, '#');
const numbers = (l: string): number[] => (l.match(/\d+/g) ?? []).map(Number);
const multiset = (ls: string[]): string => [...ls].sort().join('\n');

interface Tally {
  lines: number;
  moved: number;
  mismatched: number;
}

function run(): void {
  const tally: Tally = { lines: 0, moved: 0, mismatched: 0 };
  t.teardown(teardown);
  process.on('exit', teardown);
  t.before(() => {
    if (!existsSync(join(ROOT, 'dist/host/format-stats.js'))) throw new Error('dist/ is missing: npm run build first');
    teardown();
    const r = spawnSync('sh', [LAB, 'setup', A, B], { timeout: 120000, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`lab setup failed: ${r.stderr || r.error?.message}`);
  });

  /** netstat ARGS against our KIND, sandwiched as described at the top. */
  const compare = (netstatArgs: string[], kind: string, ipv4Source = 'auto'): void => {
    t.test(`netstat ${netstatArgs.join(' ')}${ipv4Source === 'auto' ? '' : ` (IPv4 from ${ipv4Source})`}`, async (t) => {
      // The command itself; the helper script only for the forced `ip` source of IPv4 addresses.
      const ours = (): string[] =>
        ipv4Source === 'auto' ? withoutCaptureSection(inNs(process.execPath, [CLI, 'netstat', ...netstatArgs])) : inNs(process.execPath, [HELPER, kind, ipv4Source]);
      let before: string[] = [];
      let theirs: string[] = [];
      let after: string[] = [];
      // A counter crossing zero adds a line in -s; retry (bounded) until our two runs agree in shape.
      for (let attempt = 0; attempt < 5; attempt++) {
        before = ours();
        theirs = inNs('netstat', netstatArgs);
        after = ours();
        if (before.length === after.length && before.every((l, i) => shape(l) === shape(after[i]!))) break;
      }
      tally.lines += theirs.length;
      t.ok(theirs.length > 2, 'netstat printed a table');
      const exact = multiset(theirs) === multiset(before) ? before : multiset(theirs) === multiset(after) ? after : null;
      if (exact) {
        t.pass(`${theirs.length} lines equal as a set`);
        t.same(theirs, exact, 'and in the same order');
        return;
      }
      t.equal(theirs.length, before.length, 'as many lines as ours');
      let moved = 0;
      const bad: string[] = [];
      theirs.forEach((l, i) => {
        const b = before[i] ?? '';
        const a = after[i] ?? '';
        if (l === b || l === a) return;
        if (shape(l) !== shape(b) || shape(l) !== shape(a)) {
          bad.push(`netstat: ${JSON.stringify(l)}\n   ours: ${JSON.stringify(b)}`);
          return;
        }
        const [nl, nb, na] = [numbers(l), numbers(b), numbers(a)];
        nl.forEach((v, k) => {
          const lo = Math.min(nb[k]!, na[k]!);
          const hi = Math.max(nb[k]!, na[k]!);
          if (v < lo || v > hi) bad.push(`netstat: ${JSON.stringify(l)} (value ${v} outside ours ${lo}..${hi})`);
          else if (lo !== hi) moved++;
        });
      });
      tally.moved += moved;
      tally.mismatched += bad.length;
      t.same(bad, [], `every line equal, or a counter that moved between our runs (${moved} moved)`);
    });
  };

  compare(['-rn'], 'rn');
  compare(['-rne'], 'rne');
  compare(['-rnee'], 'rnee');
  compare(['-r'], 'r');
  compare(['-rn', '-6'], 'rn6');
  compare(['-rn', '-A', 'inet6'], 'rn6');
  compare(['-r', '-6'], 'r6');
  compare(['-g'], 'g');
  compare(['-gn'], 'gn');
  compare(['-i'], 'i');
  compare(['-ia'], 'ia');
  compare(['-ie'], 'ie');
  compare(['-iae'], 'iae');
  compare(['-ie'], 'ie', 'ip');
  compare(['-s'], 's');
  compare(['-s', '-t'], 's_t');
  compare(['-s', '-u'], 's_u');
  compare(['-s', '-w'], 's_w');
  compare(['-s', '-6'], 's_6');

  // The interface a quiet connection's route takes (compare's quiet_sockets), from the routes
  // in a snapshot, against the kernel's own lookup: `ip route get` (no packet is sent).
  t.test('route lookup from a snapshot = ip route get', async (t) => {
    const snap = JSON.parse(execFileSync(process.execPath, [CLI, 'snapshot', '-N', A], { encoding: 'utf8', timeout: 60000 })) as HostSnapshot;
    const own = new Set(snap.interfaces.flatMap((i) => [...i.ipv4, ...i.ipv6].map((a) => a.address)));
    const addresses = [
      '198.18.0.2', '198.18.0.1', '198.18.0.77', '198.19.3.4', '198.18.5.5', '198.18.5.6', '198.18.7.9', '198.18.9.1',
      '198.18.11.1', '198.18.11.2', '198.18.10.1', '198.18.200.1', '127.0.0.1', '::ffff:198.18.0.2',
      '2001:db8::2', '2001:db8::1', '2001:db8::ffff', '2001:db8:1::1', '2001:db8:2::1', '2001:db8:3::1', '2001:db8:4::5',
      '2001:db8:4::6', '2001:db8:5::1', '::1',
    ];
    for (const addr of addresses) {
      const target = addr.replace(/^::ffff:/, '');
      const r = spawnSync('ip', ['-n', A, 'route', 'get', target], { encoding: 'utf8', timeout: 10000 });
      // "local 198.18.0.1 dev lo ...", "198.18.0.2 dev wst0 ...", or an error (no route, unreachable, prohibit, blackhole).
      const kernel = r.status === 0 ? (/\bdev (\S+)/.exec(r.stdout)?.[1] ?? null) : null;
      t.equal(routeInterface(snap.routes, addr, (x) => own.has(x)), kernel, `${addr}: ${r.status === 0 ? r.stdout.split('\n')[0] : r.stderr.trim()}`);
    }
  });

  t.test('summary', async (t) => {
    t.comment(`lines compared: ${tally.lines}; numbers that moved between runs: ${tally.moved}; mismatches: ${tally.mismatched}`);
    t.equal(tally.mismatched, 0);
  });
}

const isRoot = process.getuid?.() === 0;
if (!isRoot) {
  if (process.env.CI === 'true') t.fail('needs root for network namespaces (CI=true: not skipped)');
  else t.plan(0, 'skip: needs root for network namespaces');
} else {
  run();
}
