/**
 * The host-to-wire join: a socket explains the conversation with the same protocol and
 * endpoints in either order (IPv4-mapped dual-stack sockets included), a conversation touching
 * one of the host's addresses is local, and each socket gets its conversation's wire bytes.
 * Also parseEndpoint, the inverse of the report's endpoint text, on both address families.
 */
import t from 'tap';
import type { HostSnapshot } from '../../src/host/snapshot.js';
import { formatEndpoint, parseEndpoint } from '../../src/stats/address.js';
import { LocalJoin } from '../../src/stats/local-join.js';
import { buildReport, conversationRow } from '../../src/stats/snapshot.js';
import { WireStats } from '../../src/stats/wire-stats.js';
import { ingestFrames } from '../helpers/ingest.js';
import { ethernet, ipv4, ipv6, tcp, TCP_FLAGS, udp } from '../helpers/craft.js';

const inet = (proto: string, local: string, remote: string, state: string, pid: number | null, program: string | null, listening = false) => ({
  proto,
  local,
  remote,
  state,
  state_code: 1,
  listening,
  recv_q: 0,
  send_q: 0,
  uid: 0,
  inode: 1,
  pid,
  program,
  exe: null,
  timer: { active: 0, kind: 'off', when_ticks: 0, retransmits: 0, timeout: 0 },
});

const host = {
  schema: 'wirestat.snapshot/1',
  sockets: [
    inet('tcp', '198.18.0.1:41000', '198.18.0.2:8080', 'ESTABLISHED', 100, 'curl'),
    inet('tcp6', '[::ffff:198.18.0.1]:8081', '[::ffff:198.18.0.3]:50000', 'ESTABLISHED', 200, 'server'),
    inet('tcp', '0.0.0.0:22', '0.0.0.0:*', 'LISTEN', 1, 'sshd', true),
    inet('udp6', '[2001:db8::1]:5353', '[2001:db8::2]:5353', 'ESTABLISHED', null, null),
    { proto: 'unix', path: '/run/x.sock', type: 'STREAM', state: 'LISTENING', inode: 9, pid: 1, program: 'init', exe: null },
  ],
  interfaces: [
    { name: 'eth0', ipv4: [{ address: '198.18.0.1', prefix_length: 24, broadcast: null, label: 'eth0' }], ipv6: [{ address: '2001:db8::1', prefix_length: 64, scope: 0 }] },
  ],
} as unknown as HostSnapshot;

t.test('parseEndpoint reads back what formatEndpoint writes', async (t) => {
  for (const s of ['198.18.0.1:80', '[2001:db8::1]:443', '2001:db8:1234:5678:9abc:def0:1234:5678', '::', '198.18.255.255', '[fe80::1]:0']) {
    const p = parseEndpoint(s);
    t.ok(p, s);
    t.equal(formatEndpoint(p!.version, p!.words, 0, p!.port), s, s);
  }
  t.same(parseEndpoint('[::ffff:198.18.0.1]:8080'), { version: 4, words: [0xc6120001, 0, 0, 0], port: 8080 }, 'IPv4-mapped is IPv4');
  t.same(parseEndpoint('::ffff:1.2.3.4')?.version, 4);
  for (const bad of ['1.2.3', '256.1.1.1', '1::2::3', '[::1]:65536', 'host:80', '1:2:3:4:5:6:7:8:9', '']) t.equal(parseEndpoint(bad), null, `'${bad}' rejected`);
});

t.test('sockets explain conversations; the host addresses make flows local', async (t) => {
  const stats = new WireStats();
  ingestFrames(stats, [
    // 198.18.0.1:41000 → 198.18.0.2:8080 and back: curl's connection.
    ethernet(0x0800, ipv4(6, '198.18.0.1', '198.18.0.2', tcp(41000, 8080, TCP_FLAGS.SYN))),
    ethernet(0x0800, ipv4(6, '198.18.0.2', '198.18.0.1', tcp(8080, 41000, TCP_FLAGS.SYN | TCP_FLAGS.ACK))),
    // A peer reaching the dual-stack server over IPv4.
    ethernet(0x0800, ipv4(6, '198.18.0.3', '198.18.0.1', tcp(50000, 8081, TCP_FLAGS.SYN))),
    // IPv6 UDP.
    ethernet(0x86dd, ipv6(17, '2001:db8::2', '2001:db8::1', udp(5353, 5353, Buffer.alloc(20)))),
    // Two other hosts: on the wire, not this host's.
    ethernet(0x0800, ipv4(17, '198.18.0.7', '198.18.0.8', udp(1000, 2000, Buffer.alloc(10)))),
  ]);
  const report = buildReport(stats, { name: 'x', format: 'pcap', linktypes: [1], errors: [], errorsNotListed: 0 });
  const join = new LocalJoin(host);
  const c = stats.conversations;
  const rows = Array.from({ length: c.size }, (_, id) => ({ ...conversationRow(c, id), ...join.explain(c, id) }));
  const by = (a: string) => rows.find((r) => r.a === a)!;
  t.equal(by('198.18.0.1:41000').owner, '100/curl');
  t.equal(by('198.18.0.1:41000').local, true);
  t.equal(by('198.18.0.3:50000').owner, '200/server', 'the IPv4-mapped socket explains the IPv4 flow, responder side');
  t.equal(by('[2001:db8::2]:5353').owner, '-', 'owner unknown: netstat prints -');
  t.equal(by('198.18.0.7:1000').local, false, 'a flow between two other hosts');
  t.equal(by('198.18.0.7:1000').owner, null);

  const sockets = join.sockets(stats.conversations);
  t.equal(sockets.length, 4, 'inet sockets only');
  const wire = (local: string) => sockets.find((s) => s.local === local)!.wireBytes;
  t.equal(wire('198.18.0.1:41000'), report.conversations.find((c) => c.a === '198.18.0.1:41000')!.a_to_b.bytes + report.conversations.find((c) => c.a === '198.18.0.1:41000')!.b_to_a.bytes);
  t.ok(wire('[::ffff:198.18.0.1]:8081')! > 0, 'dual-stack socket: its IPv4 conversation');
  t.ok(wire('[2001:db8::1]:5353')! > 0, 'IPv6 UDP');
  t.equal(wire('0.0.0.0:22'), null, 'a listener explains no single conversation');
  t.equal(sockets.find((s) => s.local === '0.0.0.0:22')!.owner, '1/sshd');
  t.equal(stats.conversations.size, 4, 'looking up inserted nothing');
});

t.test('labels: explained by a 5-tuple, a listener, a wildcard bind or ping; unexplained; third party', async (t) => {
  const snap = {
    schema: 'wirestat.snapshot/1',
    sockets: [
      { ...inet('tcp', '198.18.0.1:41000', '198.18.0.2:8080', 'ESTABLISHED', 100, 'curl'), state_code: 1 },
      { ...inet('tcp', '198.18.0.1:8080', '0.0.0.0:0', 'LISTEN', 300, 'httpd', true), state_code: 10 },
      { ...inet('tcp6', '[::]:9000', '[::]:0', 'LISTEN', 400, 'dual', true), state_code: 10 },
      { ...inet('udp', '0.0.0.0:5353', '0.0.0.0:0', '', 500, 'mdns', true), state_code: 7 },
      { ...inet('raw', '0.0.0.0:1', '0.0.0.0:0', '7', 600, 'ping'), state_code: 7 },
      // A raw TCP socket: the SYNs it forges are what the socket table does not explain.
      { ...inet('raw', '0.0.0.0:6', '0.0.0.0:0', '7', 700, 'forger'), state_code: 7 },
    ],
    interfaces: [{ name: 'e0', ipv4: [{ address: '198.18.0.1', prefix_length: 24, broadcast: null, label: 'e0' }], ipv6: [{ address: '2001:db8::1', prefix_length: 64, scope: 0 }] }],
  } as unknown as HostSnapshot;
  const j = new LocalJoin(snap);
  const cases: [string, string, string, string, number | null][] = [
    ['tcp', '198.18.0.1:41000', '198.18.0.2:8080', 'explained', 100],
    ['tcp', '198.18.0.7:50000', '198.18.0.1:8080', 'explained', 300],
    ['tcp', '198.18.0.7:50001', '198.18.0.1:9000', 'explained', 400],
    ['tcp', '[2001:db8::7]:50002', '[2001:db8::1]:9000', 'explained', 400],
    ['udp', '198.18.0.9:5353', '198.18.0.1:5353', 'explained', 500],
    ['icmp', '198.18.0.1', '198.18.0.2', 'explained', 600],
    ['icmp', '198.18.0.2', '198.18.0.1', 'unexplained', null],
    ['tcp', '198.18.0.1:40000', '198.18.0.5:22', 'unexplained', null],
    ['tcp', '198.18.0.7:50003', '198.18.0.1:7777', 'unexplained', null],
    ['udp', '198.18.0.1:6000', '198.18.0.5:53', 'unexplained', null],
    ['tcp', '198.18.0.7:1000', '198.18.0.8:80', 'third-party', null],
    ['icmpv6', '2001:db8::7', '2001:db8::8', 'third-party', null],
  ];
  for (const [proto, a, b, label, pid] of cases) {
    const x = j.classify(proto, a, b);
    t.equal(x.label, label, `${proto} ${a} → ${b}: ${label}`);
    t.equal(x.pid, pid);
    t.equal(x.reason, label !== 'unexplained' ? null : proto.startsWith('icmp') ? 'kernel' : 'no-socket', 'the reason, for unexplained only');
  }
  t.same(j.hostAddresses().sort(), ['198.18.0.1', '2001:db8::1']);
});

t.test('snapshots add up: a socket seen in any of them explains', async (t) => {
  const at = (sockets: unknown[]) => ({ ...host, sockets }) as unknown as HostSnapshot;
  const j = new LocalJoin([at([inet('tcp', '198.18.0.1:41000', '198.18.0.2:8080', 'ESTABLISHED', 1, 'a')]), at([inet('tcp', '198.18.0.1:41001', '198.18.0.2:8080', 'ESTABLISHED', 2, 'b')])]);
  t.equal(j.size, 2);
  t.equal(j.classify('tcp', '198.18.0.1:41000', '198.18.0.2:8080').pid, 1, 'from the first snapshot');
  t.equal(j.classify('tcp', '198.18.0.1:41001', '198.18.0.2:8080').pid, 2, 'from the second');
});

t.test("the host's MACs: an end whose frames came from the host is its own, whatever the address", async (t) => {
  const macHost = { ...host, interfaces: [{ ...host.interfaces[0], mac: '02:00:00:00:00:0A' }] } as unknown as HostSnapshot;
  const withListener = { ...macHost, sockets: [{ ...inet('tcp', '0.0.0.0:80', '0.0.0.0:0', 'LISTEN', 7, 'httpd', true), state_code: 10 }] } as unknown as HostSnapshot;
  const j = new LocalJoin(withListener);
  t.ok(j.isLocalMac('02:00:00:00:00:0a'), 'MACs compared in lowercase');
  // 198.18.5.1 → 198.18.5.2:80 in frames from the host's MAC (it forwards them, or they are forged).
  const x = j.classify('tcp', '198.18.5.1:40000', '198.18.5.2:80', ['02:00:00:00:00:0a', '02:00:00:00:00:0b']);
  t.equal(x.label, 'unexplained', 'local by MAC; the wildcard listener on :80 cannot explain another address');
  t.equal(x.reason, 'other-address');
  t.equal(j.classify('tcp', '198.18.5.1:40000', '198.18.5.2:80', ['02:00:00:00:00:0c', '02:00:00:00:00:0b']).label, 'third-party');
  t.equal(j.classify('tcp', '198.18.5.1:40000', '198.18.0.1:80', ['02:00:00:00:00:0c', null]).label, 'explained', 'by address, as before');
  const lo = new LocalJoin({ ...host, interfaces: [{ ...host.interfaces[0], mac: '00:00:00:00:00:00' }] } as unknown as HostSnapshot);
  t.notOk(lo.isLocalMac('00:00:00:00:00:00'), "loopback's all-zero MAC is nobody's");

  // From the wire: the conversation's MACs come from its frames.
  const stats = new WireStats();
  const HOST_MAC = '02 00 00 00 00 0a';
  const PEER_MAC = '02 00 00 00 00 0b';
  ingestFrames(stats, [
    ethernet(0x0800, ipv4(6, '198.18.5.1', '198.18.5.2', tcp(40000, 80, TCP_FLAGS.SYN)), PEER_MAC, HOST_MAC),
    ethernet(0x0800, ipv4(6, '198.18.5.3', '198.18.5.4', tcp(40001, 80, TCP_FLAGS.SYN)), PEER_MAC, '02 00 00 00 00 0c'),
    // A SYN to the host's closed port 23, answered with RST-ACK: refused by its kernel.
    ethernet(0x0800, ipv4(6, '198.18.0.9', '198.18.0.1', tcp(40002, 23, TCP_FLAGS.SYN, { seq: 7 })), HOST_MAC, PEER_MAC),
    ethernet(0x0800, ipv4(6, '198.18.0.1', '198.18.0.9', tcp(23, 40002, TCP_FLAGS.RST | TCP_FLAGS.ACK, { seq: 0, ack: 8 })), PEER_MAC, HOST_MAC),
    // The host's own SYN to a closed port elsewhere, refused there: not the host refusing.
    ethernet(0x0800, ipv4(6, '198.18.0.1', '198.18.0.9', tcp(40003, 23, TCP_FLAGS.SYN, { seq: 7 })), PEER_MAC, HOST_MAC),
    ethernet(0x0800, ipv4(6, '198.18.0.9', '198.18.0.1', tcp(23, 40003, TCP_FLAGS.RST | TCP_FLAGS.ACK, { seq: 0, ack: 8 })), HOST_MAC, PEER_MAC),
  ]);
  const rep = buildReport(stats, { name: 'x', format: 'pcap', linktypes: [1], errors: [], errorsNotListed: 0 }, { host: j });
  t.same(
    rep.conversations.map((c) => [c.a, c.local, c.state, c.reason]).sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    [
      ['198.18.0.1:40003', 'unexplained', 'REJ', 'no-socket'],
      ['198.18.0.9:40002', 'unexplained', 'REJ', 'refused'],
      ['198.18.5.1:40000', 'unexplained', 'S0', 'other-address'],
      ['198.18.5.3:40001', 'third-party', 'S0', null],
    ],
  );
  t.equal(rep.local!.unexplained.conversations, 3, 'the local section counts them the same way');
  t.same(
    Object.fromEntries(Object.entries(rep.local!.unexplained_by_reason).map(([k, v]) => [k, v.conversations])),
    { no_socket: 1, other_address: 1, refused: 1, kernel: 0 },
  );
});
