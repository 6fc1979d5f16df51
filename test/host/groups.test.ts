/**
 * Group memberships against netstat 2.10's output from the same /proc files (lab namespace and
 * crafted texts run through netstat; see fixtures/host-tables/README.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { formatGroups } from '../../src/host/format-groups.js';
import { parseIgmp, parseIgmp6, readGroups } from '../../src/host/groups.js';
import { namesFromFiles } from '../../src/host/routes.js';
import { ROOT } from '../helpers/cli.js';

const FX = join(ROOT, 'fixtures/host-tables');
const read = (p: string): string => readFileSync(join(FX, p), 'utf8');
const expected = (p: string): string[] => read(p).split('\n').slice(0, -1);
/** With -4/-6 netstat also lists the inet sockets first; the group table is what follows. */
const groupPart = (ls: string[]): string[] => ls.slice(ls.indexOf('IPv6/IPv4 Group Memberships'));
const names = namesFromFiles(read('names/hosts'), read('names/networks'));
const both = { inet4: false, inet6: false };

t.test('lab namespace: -g and -gn equal netstat', async (t) => {
  const g = await readGroups({ procRoot: join(FX, 'lab/proc') });
  t.same(g.ipv4!.skipped, []);
  t.same(g.ipv6!.skipped, []);
  const all = [...g.ipv4!.records, ...g.ipv6!.records];
  t.same(formatGroups(all, { numeric: true, ...both }), expected('lab/expected/gn.txt'));
  t.same(formatGroups(all, { numeric: false, ...both }), expected('lab/expected/g.txt'));
  t.match(
    g.ipv6!.records.find((r) => r.group === 'ff02::1:5'),
    { iface: 'wst0', users: 2 },
    'two sockets joined: RefCnt 2',
  );
});

t.test('crafted: byte order, long device names, names, -4 and -6', async (t) => {
  const g = await readGroups({ procRoot: join(FX, 'crafted/groups/proc') });
  const all = [...g.ipv4!.records, ...g.ipv6!.records];
  t.same(formatGroups(all, { numeric: true, ...both }), expected('crafted/groups/expected/gn.txt'));
  t.same(formatGroups(all, { numeric: false, ...both, names }), expected('crafted/groups/expected/g.txt'));
  t.same(formatGroups(all, { numeric: false, inet4: true, inet6: false, names }), groupPart(expected('crafted/groups/expected/g_4.txt')));
  t.same(formatGroups(all, { numeric: true, inet4: false, inet6: true }), groupPart(expected('crafted/groups/expected/gn_6.txt')));
});

t.test('malformed lines are skipped and counted', async (t) => {
  const v4 = parseIgmp(
    [
      'Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter',
      '\t\t\t\t010000E0     1 0:00000000\t\t0',
      '2\teth0      :     1      V3',
      '\t\t\t\t010000E     1 0:00000000\t\t0',
      '\t\t\t\t020000E0     1 0:00000000\t\t0',
      'garbage',
      '\t\t\t\t030000E0     1 0:00000000\t\t0',
    ].join('\n'),
    true,
  );
  t.same(v4.records.map((r) => r.group), ['224.0.0.2']);
  t.same(v4.skipped, [
    { line: 2, reason: 'group line without a device' },
    { line: 4, reason: 'bad group line' },
    { line: 6, reason: 'bad device line' },
    { line: 7, reason: 'group line without a device' },
  ]);
  t.same(parseIgmp('Idx\tDevice\n1\tlo        :     1      V3\n\t\t\t\tE0000001     1 0:00000000\t\t0\n', false).records[0]!.group, '224.0.0.1', 'big-endian host');
  const v6 = parseIgmp6('1    lo              ff020000000000000000000000000001     1 0000000C 0\n1 lo ff02 1 0000000C 0\n');
  t.equal(v6.records.length, 1);
  t.same(v6.skipped, [{ line: 2, reason: 'bad igmp6 line' }]);
});
