/**
 * `wirestat netstat` argument parsing, against what net-tools netstat (getopt_long) accepts.
 */
import t from 'tap';
import { parseNetstatArgs } from '../../src/cli/netstat-args.js';

t.test('bundled letters, as netstat -tuanp', (t) => {
  const a = parseNetstatArgs(['-tuanp']);
  t.equal(a.view, 'sockets');
  t.match(a.flags, { tcp: true, udp: true, all: true, numeric: true, program: true, unix: false, listening: false });
  t.equal(a.interval, null);
  t.end();
});

t.test('views and their letters', (t) => {
  t.equal(parseNetstatArgs(['-rn']).view, 'routes');
  t.equal(parseNetstatArgs(['-i']).view, 'interfaces');
  t.equal(parseNetstatArgs(['-s', '-t']).view, 'stats');
  t.equal(parseNetstatArgs(['--groups']).view, 'groups');
  t.equal(parseNetstatArgs(['-ee']).flags.extend, 2, '-e counts');
  t.equal(parseNetstatArgs(['-e', '--extend']).flags.extend, 2);
  t.throws(() => parseNetstatArgs(['-r', '-i']), { name: 'NetstatUsageError', message: /only one of -r, -i/ }, 'one table at a time');
  t.end();
});

t.test('-A and the family options', (t) => {
  t.match(parseNetstatArgs(['-A', 'inet6']).flags, { inet6: true, inet4: false });
  t.match(parseNetstatArgs(['-Ainet,unix']).flags, { inet4: true, unix: true }, 'getopt: argument glued to the letter');
  t.match(parseNetstatArgs(['--protocol=inet']).flags, { inet4: true });
  t.match(parseNetstatArgs(['-rnA', 'inet6']).flags, { inet6: true, numeric: true });
  t.match(parseNetstatArgs(['--inet6', '-4']).flags, { inet6: true, inet4: true });
  t.throws(() => parseNetstatArgs(['-A', 'ax25']), /unsupported address family 'ax25'/);
  t.throws(() => parseNetstatArgs(['-A']), /requires an argument -- 'A'/);
  t.end();
});

t.test('-c with and without seconds', (t) => {
  t.equal(parseNetstatArgs(['-c']).interval, 1);
  t.equal(parseNetstatArgs(['-tnc', '5']).interval, 5);
  t.equal(parseNetstatArgs(['-c', '0.5', '-t']).interval, 0.5);
  t.equal(parseNetstatArgs(['--continuous', '2']).interval, 2);
  t.match(parseNetstatArgs(['-c', '-t']), { interval: 1, flags: { tcp: true } });
  t.throws(() => parseNetstatArgs(['-c', '0']), /above 0/);
  t.end();
});

t.test('-N names a namespace; --json; our additions', (t) => {
  t.equal(parseNetstatArgs(['-N', 'lab1', '-tn']).netns, 'lab1');
  t.equal(parseNetstatArgs(['-Nlab1']).netns, 'lab1');
  t.equal(parseNetstatArgs(['--netns=lab-2']).netns, 'lab-2');
  t.throws(() => parseNetstatArgs(['-N', '../etc']), /bad namespace name/);
  t.throws(() => parseNetstatArgs(['-N']), /requires an argument/);
  t.equal(parseNetstatArgs(['--json']).json, true);
  t.match(parseNetstatArgs(['-bf']).flags, { executable: true, fqdn: true });
  t.end();
});

t.test("netstat's own refusals", (t) => {
  t.throws(() => parseNetstatArgs(['-k']), /invalid option -- 'k'/);
  t.throws(() => parseNetstatArgs(['--bogus']), /unrecognized option '--bogus'/);
  t.throws(() => parseNetstatArgs(['--tcp=1']), /doesn't allow an argument/);
  t.throws(() => parseNetstatArgs(['--nume']), /option '--nume' is ambiguous; possibilities: '--numeric' '--numeric-hosts'/);
  t.throws(() => parseNetstatArgs(['-c', '99999999999']), /at most 2147483 seconds/);
  t.end();
});

t.test('getopt_long habits: --, shortened long options, words that are no option', (t) => {
  t.match(parseNetstatArgs(['-tn', '--', '-u']).flags, { tcp: true, udp: false }, '-- ends the options');
  t.match(parseNetstatArgs(['--listen', '--prog', '--rou']), { view: 'routes', flags: { listening: true, program: true } });
  t.match(parseNetstatArgs(['-t', 'foo']).flags, { tcp: true }, 'a stray word is ignored, as netstat does');
  t.match(parseNetstatArgs(['-x']), { flags: { unix: true }, families: ['unix'] }, '-x is also the unix family');
  t.end();
});

t.test('--numeric-hosts, --numeric-ports, --numeric-users are separate, -n is all three', (t) => {
  t.match(parseNetstatArgs(['--numeric-hosts']).flags, { numeric: false, numericHosts: true, numericPorts: false, numericUsers: false });
  t.match(parseNetstatArgs(['--numeric-ports', '--numeric-users']).flags, { numericHosts: false, numericPorts: true, numericUsers: true });
  t.throws(() => parseNetstatArgs(['--numeric-hosts=1']), /doesn't allow an argument/);
  t.end();
});
