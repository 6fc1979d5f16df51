/**
 * `netstat -s` against netstat 2.10's output from the same files: the lab namespace, and crafted
 * texts that reach net-tools' quirks (unsorted tables missed by bsearch, unknown counters and
 * sections, u64 values, the ICMP histogram state carried into the next section).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { formatStats, formatStats6, statsSelection } from '../../src/host/format-stats.js';
import { parseSnmpLines, parseSnmpPairs, readSnmp, snmpJson } from '../../src/host/snmp.js';
import { ROOT } from '../helpers/cli.js';

const FX = join(ROOT, 'fixtures/host-tables');
const expected = (p: string): string[] => readFileSync(join(FX, p), 'utf8').split('\n').slice(0, -1);
const sel = (o: Partial<{ tcp: boolean; udp: boolean; udplite: boolean; raw: boolean }> = {}) =>
  statsSelection({ tcp: false, udp: false, udplite: false, raw: false, ...o });

for (const dir of ['lab', 'crafted/stats']) {
  t.test(`${dir}: every -s form equals netstat`, async (t) => {
    const s = await readSnmp({ procRoot: join(FX, dir, 'proc') });
    for (const f of [s.snmp, s.netstat, s.snmp6]) t.same(f!.skipped, []);
    const v4 = (x: ReturnType<typeof sel>): string[] => formatStats(s.snmp!, s.netstat, s.sctp, x);
    const v6 = (x: ReturnType<typeof sel>): string[] => formatStats6(s.snmp6!, s.snmp!, x);
    t.same(v4(sel()), expected(`${dir}/expected/s.txt`), '-s');
    t.same(v4(sel({ tcp: true })), expected(`${dir}/expected/s_t.txt`), '-s -t');
    t.same(v4(sel({ udp: true })), expected(`${dir}/expected/s_u.txt`), '-s -u');
    t.same(v4(sel({ raw: true })), expected(`${dir}/expected/s_w.txt`), '-s -w');
    t.same(v4(sel({ udplite: true })), expected(`${dir}/expected/s_U.txt`), '-s -U');
    t.same(v6(sel()), expected(`${dir}/expected/s_6.txt`), '-s -6');
    t.same(v6(sel({ tcp: true })), expected(`${dir}/expected/s_6_t.txt`), '-s -6 -t');
  });
}

t.test('JSON records: raw counters by section', async (t) => {
  const s = await readSnmp({ procRoot: join(FX, 'crafted/stats/proc') });
  const j = snmpJson(s.snmp, s.netstat, s.snmp6);
  t.equal(j.Tcp!.MaxConn, -1);
  t.equal(j.Ip!.InReceives, 18446744073709551615, 'u64 max as the nearest double');
  t.equal(s.snmp!.sections[0]!.counters[2]![1], '18446744073709551615', 'the text stays exact');
  t.equal(j.FooExt!.Beta, 7);
  t.equal(j.Icmp6!.Icmp6OutRouterAdvertisements, 4);
  t.equal(j.UdpLite6!.UdpLite6InErrors, 3);
});

t.test('malformed pairs and lines are skipped with their line numbers', async (t) => {
  const p = parseSnmpPairs(
    [
      '',
      'Ip: Forwarding DefaultTTL',
      'Ip: 1 64',
      'Icmp: InMsgs InErrors',
      'Tcp: 1 2',
      'Udp: InDatagrams NoPorts',
      'Udp: 1',
      'Foo: A B',
      'Foo: 1 x',
      'Bar: A',
    ].join('\n'),
  );
  t.same(p.sections.map((s) => s.name), ['Ip']);
  t.same(p.skipped, [
    { line: 4, reason: 'header and values disagree' },
    { line: 6, reason: 'values do not match names' },
    { line: 8, reason: 'values do not match names' },
    { line: 10, reason: 'header without values' },
  ]);
  const l = parseSnmpLines('Ip6InReceives 3\nIp6InDelivers\nIcmp6InMsgs x\nIcmp6OutMsgs 4\n');
  t.same(l.sections.map((s) => [s.name, s.counters.length]), [['Ip6', 1], ['Icmp6', 1]]);
  t.same(l.skipped.map((s) => s.line), [2, 3]);
});
