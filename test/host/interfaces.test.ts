/**
 * Interfaces against netstat 2.10's -i/-ia/-ie/-iae recorded in the lab namespace from the same
 * /proc and /sys state (fixtures/host-tables/lab), through both IPv4 sources: the /proc
 * derivation and `ip -j -4 addr show`. Plus net-tools' own nstrcmp cases and the derivation's
 * refusals.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { formatInterfaces, humanBytes, longFlags, shortFlags } from '../../src/host/format-interfaces.js';
import {
  buildInterfaces,
  deriveIpv4Addresses,
  IFF,
  ioctlFlags,
  nstrcmp,
  netToolsOrder,
  parseFibTrie,
  parseIfInet6,
  parseIpAddrJson,
  parseProcNetDev,
  readInterfaces,
  type SysLink,
} from '../../src/host/interfaces.js';
import { parseIpv4Routes } from '../../src/host/routes.js';
import { ROOT } from '../helpers/cli.js';

const FX = join(ROOT, 'fixtures/host-tables');
const LAB = join(FX, 'lab');
const read = (p: string): string => readFileSync(join(FX, p), 'utf8');
const expected = (p: string): string[] => read(p).split('\n').slice(0, -1);
const roots = { procRoot: join(LAB, 'proc'), sysRoot: join(LAB, 'sys') };
const ipJson = read('lab/ip-addr.json');

for (const source of ['proc', 'ip'] as const) {
  t.test(`lab namespace, IPv4 from ${source}: -i, -ia, -ie, -iae equal netstat`, async (t) => {
    const r = await readInterfaces({ ...roots, ipv4Source: source, runIp: async () => ipJson });
    t.equal(r.ipv4Source, source);
    t.same(r.ipv4Unplaced, []);
    t.same(r.skipped, []);
    t.same(formatInterfaces(r.interfaces, { all: false, extend: 0 }), expected('lab/expected/i.txt'));
    t.same(formatInterfaces(r.interfaces, { all: true, extend: 0 }), expected('lab/expected/ia.txt'));
    t.same(formatInterfaces(r.interfaces, { all: false, extend: 1 }), expected('lab/expected/ie.txt'));
    t.same(formatInterfaces(r.interfaces, { all: true, extend: 1 }), expected('lab/expected/iae.txt'));
  });
}

t.test('records carry what JSON needs', async (t) => {
  const r = await readInterfaces({ ...roots, ipv4Source: 'proc' });
  const w = r.interfaces.find((i) => i.name === 'wst0')!;
  t.match(w, { index: Number(read('lab/sys/class/net/wst0/ifindex')), type: 1, mtu: 1500, promisc: true, alias: false, txQueueLen: 1000 });
  t.ok(w.flagNames.includes('PROMISC') && w.flagNames.includes('RUNNING'));
  t.match(w.mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  t.match(w.ipv4, { address: '198.18.0.1', netmask: '255.255.255.0', broadcast: '198.18.0.255', prefixLength: 24 });
  t.same(w.ipv6.map((a) => a.address).sort(), ['2001:db8::1', w.ipv6.find((a) => a.scope === 0x20)!.address].sort());
  t.ok(w.counters!.rxPackets > 0 && w.counters!.txBytes > 0);
  const x = r.interfaces.find((i) => i.name === 'wsx0')!;
  t.equal(x.flags & IFF.UP, 0);
  t.equal(x.mtu, 1400);
  t.equal(x.ipv4, null);
});

t.test('IPv4 from /proc refuses what it cannot know; auto asks ip then', async (t) => {
  const fib = parseFibTrie(read('lab/proc/net/fib_trie'));
  t.same(fib.skipped, []);
  const routes = parseIpv4Routes(read('lab/proc/net/route')).records;
  const links = [
    { name: 'lo', flags: IFF.UP | IFF.LOOPBACK },
    { name: 'wst0', flags: IFF.UP | IFF.BROADCAST },
  ];
  const d = deriveIpv4Addresses(fib.records, routes, links);
  t.same(d.addrs.map((a) => [a.iface, a.address, a.prefixLength, a.broadcast]), [
    ['lo', '127.0.0.1', 8, '0.0.0.0'],
    ['wst0', '198.18.0.1', 24, '198.18.0.255'],
  ]);
  // A second address on wst0: which one SIOCGIFADDR returns depends on the kernel's list order.
  const two = [...fib.records, { table: 'Local', prefix: '198.18.0.9', prefixLength: 32, scope: 'host', type: 'LOCAL' }];
  t.same(deriveIpv4Addresses(two, routes, links).ambiguous, ['wst0']);
  // A point-to-point address with a peer has no prefix route covering it.
  const ptp = [...fib.records, { table: 'Local', prefix: '203.0.113.1', prefixLength: 32, scope: 'host', type: 'LOCAL' }];
  t.same(deriveIpv4Addresses(ptp, routes, links).unplaced, ['203.0.113.1']);

  const alias = JSON.parse(ipJson) as { ifname: string; addr_info: Record<string, unknown>[] }[];
  alias.find((l) => l.ifname === 'wst0')!.addr_info.push({ family: 'inet', local: '198.18.0.9', prefixlen: 24, broadcast: '198.18.0.255', label: 'wst0:1' });
  let asked = 0;
  const runIp = async (): Promise<string> => {
    asked++;
    return JSON.stringify(alias);
  };
  const r = await readInterfaces({ ...roots, procRoot: join(LAB, 'proc'), runIp });
  t.equal(asked, 0, 'the lab state is unambiguous: no ip');
  t.equal(r.ipv4Source, 'proc');
  const r2 = await readInterfaces({ ...roots, ipv4Source: 'ip', runIp });
  const names = r2.interfaces.map((i) => i.name);
  t.same(names, ['lo', 'wst0', 'wst0:1', 'wsx0', 'wsx1'], 'the alias sorts after its device');
  const a = r2.interfaces.find((i) => i.name === 'wst0:1')!;
  t.match(a, { alias: true, device: 'wst0', counters: null, ipv4: { address: '198.18.0.9' } });
  const line = formatInterfaces(r2.interfaces, { all: false, extend: 0 }).find((l) => l.startsWith('wst0:1'));
  t.equal(line, `wst0:1           1500      - no statistics available -                        BMPRU`);
  const broken = await readInterfaces({ ...roots, ipv4Source: 'ip', runIp: async () => Promise.reject(new Error('ip: not found')) });
  t.equal(broken.ipv4Source, 'proc');
  t.match(broken.skipped, [{ file: 'ip -j -4 addr show', reason: 'ip: not found' }]);
});

t.test('net-tools nstrcmp order (its own test cases)', async (t) => {
  const cases: [string, string, number][] = [
    ['eth1', 'eth1', 0], ['eth0:1', 'eth0:1', 0], ['a', 'aa', -1], ['eth0', 'eth1', -1], ['eth1', 'eth20', -1],
    ['eth20', 'eth100', -1], ['eth', 'eth2', -1], ['eth0:1', 'eth0:2', -1], ['eth1:10', 'eth13:10', -1],
    ['eth1:1', 'eth1:13', -1], ['a', 'a:', -1], ['aa', 'a', 1], ['eth13', 'eth1', 1], ['eth2:10', 'eth2:1', 1],
    ['eth3:2', 'eth2:3', 1], ['a:', 'a', 1], ['a1b12', 'a1b2', 1], ['eth1', 'eth01', 1], ['eth01', 'eth1', -1],
    ['eth1:1', 'eth01:1', 1], ['eth01:01', 'eth1:1', -1],
  ];
  for (const [a, b, want] of cases) t.equal(Math.sign(nstrcmp(a, b)), want, `${a} vs ${b}`);
  t.same(netToolsOrder(['lo', 'eth10', 'eth2', 'eth2', 'eth2:1', 'br0']), ['br0', 'eth2', 'eth2:1', 'eth10', 'lo']);
});

t.test('flags, byte units and malformed lines', async (t) => {
  t.equal(ioctlFlags({ sysFlags: 0x1003, operstate: 'up', carrier: true }), 0x11043, 'RUNNING and LOWER_UP computed');
  t.equal(ioctlFlags({ sysFlags: 0x1002, operstate: 'down', carrier: null }), 0x1002);
  t.equal(ioctlFlags({ sysFlags: 0x9, operstate: 'unknown', carrier: true }), 0x10049);
  t.equal(shortFlags(0), '[NO FLAGS]');
  t.equal(shortFlags(IFF.POINTOPOINT | IFF.NOARP | IFF.UP | IFF.RUNNING), 'OPRU');
  t.equal(longFlags(0), 'flags=0<');
  t.equal(longFlags(0x8001), 'flags=-32767<UP,DYNAMIC>');
  t.same([0, 1024, 1025, 1048577, 1073741825, 2 ** 53].map(humanBytes), ['0.0 B', '1024.0 B', '1.0 KiB', '1.0 MiB', '1.0 GiB', '8.0 PiB']);
  const dev = parseProcNetDev(
    [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:    6438      59    0    0    0     0          0         0     6438      59    0    0    0     0       0          0',
      '  eth0 1 2 3',
      '  eth1:  1 2 3',
      'a-long-name0:123456789012 5 0 0 0 0 0 7 1 2 0 0 0 0 0 0',
    ].join('\n'),
  );
  t.same(dev.records.map((d) => [d.name, d.counters.rxBytes, d.counters.rxMulticast]), [['lo', 6438, 0], ['a-long-name0', 123456789012, 7]]);
  t.same(dev.skipped.map((s) => s.line), [4, 5]);
  const v6 = parseIfInet6('fe8000000000000000fc00fffe000001 04 40 20 80     eth0\nzz 04 40 20 80 eth0\n');
  t.same(v6.records[0], { iface: 'eth0', index: 4, address: 'fe80::fc:ff:fe00:1', prefixLength: 64, scope: 0x20, flags: 0x80 });
  t.same(v6.skipped, [{ line: 2, reason: 'bad if_inet6 line' }]);
  t.same(parseFibTrie('Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 10.0.0.1\n        /32 host LOCAL\n   what\n').skipped, [{ line: 5, reason: 'unexpected line' }]);
  t.same(parseIpAddrJson('{').skipped, [{ line: 1, reason: 'not JSON' }]);
  t.same(parseIpAddrJson('[{"ifname":"x","addr_info":[{"family":"inet","local":"1.2.3"}]}]').skipped, [{ line: 1, reason: 'bad addr_info' }]);
});

t.test('unspec and tunnel hardware types print as net-tools does', async (t) => {
  const link = (name: string, type: number, hw: number[]): SysLink => ({
    name, index: 9, type, mtu: 1480, sysFlags: IFF.UP | IFF.NOARP, operstate: 'unknown', carrier: true,
    hwaddr: Uint8Array.from(hw), txQueueLen: 1000, statistics: {},
  });
  const recs = buildInterfaces([], new Map(), [], []);
  t.same(recs, []);
  const gre = buildInterfaces(
    [{ name: 'gre1', counters: parseProcNetDev('a\nb\n gre1: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n').records[0]!.counters }],
    new Map([['gre1', link('gre1', 778, [198, 18, 0, 1])]]),
    [],
    [],
  );
  const block = formatInterfaces(gre, { all: false, extend: 1 });
  t.equal(block[2], '        unspec C6-12-00-01-00-00-00-00-00-00-00-00-00-00-00-00  txqueuelen 1000  (UNSPEC)');
  const ipip = buildInterfaces([{ name: 'tunl0', counters: gre[0]!.counters! }], new Map([['tunl0', link('tunl0', 768, [0, 0, 0, 0])]]), [], []);
  t.equal(formatInterfaces(ipip, { all: false, extend: 1 })[2], '        tunnel   txqueuelen 1000  (IPIP Tunnel)');
});
