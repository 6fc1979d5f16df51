/**
 * `wirestat report FILE -f EXPR` as a user runs it: for every fixture and 24 expressions, the
 * report counts exactly the packets `tcpdump -r FILE EXPR` prints; on one thread and on two
 * (WIRESTAT_WORKER=1) alike; and an expression outside the subset is one line, exit 2.
 * (test/decode/filter.test.ts checks the evaluator itself on the corpus.)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Report } from '../../src/stats/snapshot.js';
import { looksLikeStackTrace, ROOT, runCli } from '../helpers/cli.js';

const CAPTURES = join(ROOT, 'fixtures/captures');
const EXPRESSIONS = [
  'tcp',
  'udp',
  'icmp',
  'icmp6',
  'arp',
  'ip',
  'ip6',
  'tcp port 8080',
  'udp port 5005',
  'port 8080 or 5005',
  'src port 8080',
  'dst portrange 8000-8100',
  'host 198.18.0.2',
  'src host 198.18.0.1',
  'dst host 2001:db8::2',
  'net 198.18.0.0/24',
  'net 2001:db8::/64 and tcp',
  'host 198.18.0.1 and not tcp',
  'not (tcp or udp)',
  'ip6 and (icmp6 or udp)',
  'ether host 02:00:00:00:00:01',
  'vlan',
  'tcp and (port 8080 or port 8081) and host 198.18.0.3',
  'ip and not arp and src net 198.18.0.0/16',
];

const tcpdumpCount = (file: string, expr: string): number | null => {
  const r = spawnSync('tcpdump', ['-n', '-r', file, expr], { encoding: 'utf8', maxBuffer: 1 << 26 });
  // tcpdump refuses some expressions on some link types (vlan on a cooked capture): so do we.
  if (r.status !== 0) return null;
  return r.stdout.split('\n').filter(Boolean).length;
};

t.test('packet counts equal tcpdump -r FILE EXPR on every fixture', async (t) => {
  let compared = 0;
  // The captures only: demo-host.json (a host snapshot) lives beside them.
  for (const name of readdirSync(CAPTURES).filter((f) => /\.pcap(ng)?$/.test(f)).sort()) {
    const file = join(CAPTURES, name);
    for (const expr of EXPRESSIONS) {
      const want = tcpdumpCount(file, expr);
      const r = await runCli(['report', file, '--json', '-f', expr], { plain: true });
      if (want === null) {
        t.equal(r.code, 2, `${name} '${expr}': tcpdump refuses it, and so does wirestat`);
        t.match(r.stderr, /^wirestat: filter: /);
        continue;
      }
      t.equal(r.code, 0, `${name} '${expr}': exit 0 ${r.stderr}`);
      const got = JSON.parse(r.stdout) as Report;
      t.equal(got.source.packets, want, `${name} '${expr}': ${want} packets`);
      t.equal(got.source.filter, expr);
      compared++;
    }
  }
  t.ok(compared >= 20 * 9, `${compared} (file, expression) pairs compared`);
});

t.test('two threads filter as one does', async (t) => {
  const file = join(CAPTURES, 'demo.pcap');
  for (const expr of ['tcp port 8080', 'udp or arp', 'ip6']) {
    const one = await runCli(['report', file, '--json', '-f', expr], { plain: true, env: { WIRESTAT_WORKER: '0' } });
    const two = await runCli(['report', file, '--json', '-f', expr], { plain: true, env: { WIRESTAT_WORKER: '1' } });
    t.same(JSON.parse(two.stdout), JSON.parse(one.stdout), `'${expr}': the same report`);
  }
});

t.test('an expression outside the subset: one line naming the column, exit 2', async (t) => {
  for (const [expr, re] of [
    ['tcp[13] = 2', /^wirestat: filter: column 4: /],
    ['port http', /^wirestat: filter: column 6: /],
    ['host', /^wirestat: filter: /],
    ['tcp and (udp', /^wirestat: filter: /],
  ] as const) {
    for (const worker of ['0', '1']) {
      const r = await runCli(['report', join(CAPTURES, 'demo.pcap'), '-f', expr], { plain: true, env: { WIRESTAT_WORKER: worker } });
      t.equal(r.code, 2, `'${expr}': exit 2`);
      t.match(r.stderr, re);
      t.equal(r.stderr.trimEnd().split('\n').length, 1, 'one line');
      t.notOk(looksLikeStackTrace(r.stderr));
    }
  }
});
