/**
 * Names for `wirestat netstat` without -n: what the C library's resolver answers (getent is the
 * oracle), within a bound on time when nothing answers.
 */
import { spawnSync } from 'node:child_process';
import { promises as dns } from 'node:dns';
import t from 'tap';
import { resolveAhead } from '../../src/cli/resolve.js';

function getent(addr: string): string | null {
  const r = spawnSync('getent', ['hosts', addr], { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout.trim().split(/\s+/)[1] ?? null) : null;
}

t.test('loopback names come from the system resolver (/etc/hosts)', async (t) => {
  const v4 = { version: 4 as const, words: [0x7f000001, 0, 0, 0], numeric: '127.0.0.1' };
  const resolve = await resolveAhead([v4], { fqdn: false, timeoutMs: 2000 });
  const expected = getent('127.0.0.1') ?? '127.0.0.1';
  t.equal(resolve(4, v4.words, v4.numeric), expected, `127.0.0.1 is ${expected}, as getent says`);
});

t.test('unspecified addresses keep netstat’s forms without a lookup', async (t) => {
  const any6 = { version: 6 as const, words: [0, 0, 0, 0], numeric: '::' };
  const resolve = await resolveAhead([any6], { fqdn: false, timeoutMs: 50 });
  t.equal(resolve(6, any6.words, '::'), '[::]');
});

t.test('a lookup that does not answer in time leaves the address numeric', async (t) => {
  // Documentation-range addresses have no PTR record; a resolver may answer "no" at once or not
  // at all: either way the listing must not wait past the bound.
  const wanted = Array.from({ length: 20 }, (_, i) => ({ version: 4 as const, words: [(198 << 24) | (18 << 16) | (200 << 8) | i, 0, 0, 0], numeric: `198.18.200.${i}` }));
  const t0 = Date.now();
  const resolve = await resolveAhead(wanted, { fqdn: true, timeoutMs: 300 });
  t.ok(Date.now() - t0 < 1500, `returned after ${Date.now() - t0} ms (bound 300 ms)`);
  for (const w of wanted) {
    const name = resolve(4, w.words, w.numeric);
    const expected = getent(w.numeric);
    t.ok(name === w.numeric || name === expected, `${w.numeric} → ${name}`);
  }
});

t.test('-f: the PTR name when DNS answers in time, else the system resolver’s (/etc/hosts)', async (t) => {
  const v4 = { version: 4 as const, words: [0x7f000001, 0, 0, 0], numeric: '127.0.0.1' };
  // What DNS itself says (this sandbox's resolver may or may not answer for 127.0.0.1).
  const ptr = await Promise.race([
    dns.reverse('127.0.0.1').then(
      (n) => n[0] ?? null,
      () => null,
    ),
    new Promise<null>((r) => setTimeout(() => r(null), 1000)),
  ]);
  const resolve = await resolveAhead([v4], { fqdn: true, timeoutMs: 1500 });
  const name = resolve(4, v4.words, v4.numeric);
  t.equal(name, ptr ?? getent('127.0.0.1') ?? '127.0.0.1', `127.0.0.1 → ${name} (PTR: ${ptr}, getent: ${getent('127.0.0.1')})`);
});
