/**
 * Routing tables against what net-tools netstat 2.10 printed from the same files: the lab
 * namespace's /proc (fixtures/host-tables/lab) and hand-made /proc texts run through netstat in
 * a private mount namespace (fixtures/host-tables/crafted, names from fixtures/host-tables/names).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { formatIpv4Routes, formatIpv6Routes, ipv4RouteFlags, routeExtendLevel } from '../../src/host/format-routes.js';
import { inet6Ntop, kernelHexIpv4, netToolsIpv6, namesFromFiles, parseIpv4Routes, parseIpv6Routes, parseIpv6Text, readRoutes, RTF } from '../../src/host/routes.js';
import { ROOT } from '../helpers/cli.js';

const FX = join(ROOT, 'fixtures/host-tables');
const read = (p: string): string => readFileSync(join(FX, p), 'utf8');
const expected = (p: string): string[] => read(p).split('\n').slice(0, -1);
const names = namesFromFiles(read('names/hosts'), read('names/networks'));

t.test('lab namespace: -rn, -rne, -rnee, -r, -rn -6, -r -6 equal netstat', async (t) => {
  const r = await readRoutes({ procRoot: join(FX, 'lab/proc') });
  t.same(r.ipv4!.skipped, []);
  t.same(r.ipv6!.skipped, []);
  const v4 = r.ipv4!.records;
  const v6 = r.ipv6!.records;
  t.same(formatIpv4Routes(v4, { numeric: true, extend: 0 }), expected('lab/expected/rn.txt'));
  t.same(formatIpv4Routes(v4, { numeric: true, extend: 1 }), expected('lab/expected/rne.txt'));
  t.same(formatIpv4Routes(v4, { numeric: true, extend: 2 }), expected('lab/expected/rnee.txt'));
  t.same(formatIpv4Routes(v4, { numeric: false, extend: 0 }), expected('lab/expected/r.txt'));
  t.same(formatIpv6Routes(v6, { numeric: true, extend: 0 }), expected('lab/expected/rn6.txt'));
  t.same(formatIpv6Routes(v6, { numeric: false, extend: 0 }), expected('lab/expected/r6.txt'));
});

t.test('crafted routes: flags, MTU/window/irtt, names, reject, cache and v4-mapped entries', async (t) => {
  const r = await readRoutes({ procRoot: join(FX, 'crafted/routes/proc') });
  // Line 10 has three fields: netstat's sscanf gets fewer than 10 and skips it too.
  t.same(r.ipv4!.skipped, [{ line: 10, reason: 'too few fields' }]);
  const v4 = r.ipv4!.records;
  const v6 = r.ipv6!.records;
  t.same(formatIpv4Routes(v4, { numeric: true, extend: 0 }), expected('crafted/routes/expected/rn.txt'));
  t.same(formatIpv4Routes(v4, { numeric: false, extend: 0, names }), expected('crafted/routes/expected/r.txt'));
  t.same(formatIpv4Routes(v4, { numeric: true, extend: 1 }), expected('crafted/routes/expected/rne.txt'));
  t.same(formatIpv4Routes(v4, { numeric: true, extend: 2 }), expected('crafted/routes/expected/rnee.txt'));
  t.same(formatIpv6Routes(v6, { numeric: true, extend: 0 }), expected('crafted/routes/expected/rn_6.txt'));
  t.same(formatIpv6Routes(v6, { numeric: false, extend: 0, names }), expected('crafted/routes/expected/r_6.txt'));
});

t.test('malformed lines are skipped with their line numbers, the rest still read', async (t) => {
  const text = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'eth0\t000012C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'eth0\t0000ZZC6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'eth0\t000012C6\t00000000\tQQ\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'eth0\t000012C6',
    '',
    'eth1\t000013C6\t00000000\t0001\t0\t0\tx\t0000FFFF\t0\t0\t0',
  ].join('\n');
  const p = parseIpv4Routes(text);
  t.same(p.records.map((r) => r.destination), ['198.18.0.0']);
  t.same(p.skipped, [
    { line: 3, reason: 'bad address' },
    { line: 4, reason: 'bad number' },
    { line: 5, reason: 'too few fields' },
    { line: 7, reason: 'bad number' },
  ]);
  const noMask = parseIpv4Routes('Iface\tDestination\tGateway\tFlags\n eth0 00000000 00000000 0001\n');
  t.equal(noMask.records.length, 0);
  t.match(noMask.skipped[0], { line: 2, reason: /header lacks .*Mask/ });

  const v6 = parseIpv6Routes(
    [
      '20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0',
      '20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000',
      '20010db800000000000000000000000g 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth0',
      '20010db8000000000000000000000000 4 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth0',
    ].join('\n'),
  );
  t.equal(v6.records.length, 1);
  t.same(v6.skipped.map((s) => s.line), [2, 3, 4]);
});

t.test('address forms: kernel hex, glibc inet_ntop, net-tools v4-mapped', async (t) => {
  t.equal(kernelHexIpv4('0100A8C0', true), 0xc0a80001);
  t.equal(kernelHexIpv4('C0A80001', false), 0xc0a80001);
  t.equal(kernelHexIpv4('C0A8001', true), null);
  const n = (s: string): string => inet6Ntop(parseIpv6Text(s)!);
  t.equal(n('0:0:0:0:0:0:0:0'), '::');
  t.equal(n('0:0:0:0:0:0:0:1'), '::1');
  t.equal(n('1:0:0:1:0:0:0:1'), '1:0:0:1::1', 'the longest zero run');
  t.equal(n('1:0:0:2:0:0:3:4'), '1::2:0:0:3:4', 'the first of equal runs');
  t.equal(n('1:2:3:4:5:6:7:0'), '1:2:3:4:5:6:7:0', 'a single zero group stays');
  t.equal(n('::102:304'), '::1.2.3.4', 'IPv4-compatible keeps its dotted tail');
  t.equal(n('::ffff:1.2.3.4'), '::ffff:1.2.3.4');
  t.equal(netToolsIpv6(parseIpv6Text('::ffff:1.2.3.4')!), '1.2.3.4', 'fix_v4_address drops the prefix');
  t.equal(n('2001:DB8::A'), '2001:db8::a');
  t.equal(parseIpv6Text('1::2::3'), null);
  t.equal(parseIpv6Text('1:2:3:4:5:6:7'), null);
});

t.test('-e levels and flag letters', async (t) => {
  t.same([0, 1, 2, 3, 4].map(routeExtendLevel), [2, 1, 3, 0, 1]);
  t.equal(ipv4RouteFlags(RTF.UP | RTF.GATEWAY | RTF.REJECT | RTF.HOST), '!H', 'a reject flag replaces U and G');
  t.equal(ipv4RouteFlags(RTF.UP | RTF.DYNAMIC | RTF.MODIFIED), 'UDM');
  t.equal(formatIpv4Routes([], { numeric: true, extend: 3 }).length, 1, '-eeee prints the title alone');
});
