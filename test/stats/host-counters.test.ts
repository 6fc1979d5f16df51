/**
 * The reconciliation of the report's `local` section: the growth of the host's counters between
 * its earliest and latest snapshot beside what the wire showed of its addresses (segments sent
 * and received, RSTs, retransmissions), the captured interface inferred from a file, and the
 * LocalJoin's span and generations that the dashboard's label cache relies on.
 */
import t from 'tap';
import type { HostSnapshot } from '../../src/host/snapshot.js';
import { hostCounters, emptyHostWire } from '../../src/stats/host-counters.js';
import { LocalJoin } from '../../src/stats/local-join.js';
import { localSection } from '../../src/stats/local-report.js';
import { WireStats } from '../../src/stats/wire-stats.js';
import { ingestFrames } from '../helpers/ingest.js';
import { ethernet, ipv4, tcp, TCP_FLAGS, udp } from '../helpers/craft.js';

const iface = (name: string, address: string | null, stats: Record<string, number>) => ({
  name,
  device: name,
  ipv4: address === null ? [] : [{ address, prefix_length: 24, broadcast: null, label: name }],
  ipv6: [],
  statistics: stats,
});

function snapshot(time: number, tcpStats: Record<string, number>, udpOut: number, eth: Record<string, number>, lo: Record<string, number>): HostSnapshot {
  return {
    schema: 'wirestat.snapshot/1',
    time,
    sockets: [],
    interfaces: [iface('eth0', '198.18.0.1', eth), iface('lo', '127.0.0.1', lo)],
    routes: { ipv4: [], ipv6: [] },
    stats: { Tcp: tcpStats, Udp: { OutDatagrams: udpOut, InDatagrams: 0 }, Udp6: { Udp6OutDatagrams: 1, Udp6InDatagrams: 0 } },
  } as unknown as HostSnapshot;
}

const nic = (rx: number, tx: number) => ({ rx_packets: rx, tx_packets: tx, rx_bytes: rx * 100, tx_bytes: tx * 100, rx_dropped: 0 });
const first = snapshot(100, { OutSegs: 10, InSegs: 20, OutRsts: 1, RetransSegs: 5 }, 3, nic(50, 40), nic(7, 7));
const last = snapshot(105, { OutSegs: 14, InSegs: 23, OutRsts: 2, RetransSegs: 6 }, 4, nic(55, 45), nic(9, 9));

t.test('the wire of the host against the growth of its counters', async (t) => {
  const stats = new WireStats();
  const seq = (n: number) => ({ seq: n, ack: 1 });
  ingestFrames(stats, [
    // The host (198.18.0.1) talks to .2: SYN, SYN-ACK, data, the same data again, and a RST.
    ethernet(0x0800, ipv4(6, '198.18.0.1', '198.18.0.2', tcp(41000, 80, TCP_FLAGS.SYN, seq(100)))),
    ethernet(0x0800, ipv4(6, '198.18.0.2', '198.18.0.1', tcp(80, 41000, TCP_FLAGS.SYN | TCP_FLAGS.ACK, { seq: 500, ack: 101 }))),
    ethernet(0x0800, ipv4(6, '198.18.0.1', '198.18.0.2', tcp(41000, 80, TCP_FLAGS.ACK, { seq: 101, ack: 501, payload: Buffer.alloc(10) }))),
    ethernet(0x0800, ipv4(6, '198.18.0.1', '198.18.0.2', tcp(41000, 80, TCP_FLAGS.ACK, { seq: 101, ack: 501, payload: Buffer.alloc(10) }))),
    ethernet(0x0800, ipv4(6, '198.18.0.1', '198.18.0.2', tcp(41000, 80, TCP_FLAGS.RST, { seq: 111 }))),
    // A UDP datagram from the host, and two other hosts' traffic (not the host's).
    ethernet(0x0800, ipv4(17, '198.18.0.1', '198.18.0.9', udp(5000, 53, Buffer.alloc(8)))),
    ethernet(0x0800, ipv4(6, '198.18.0.7', '198.18.0.8', tcp(1, 2, TCP_FLAGS.RST))),
  ]);
  const join = new LocalJoin([last, first]);
  t.same(join.span(), { first, last }, 'the span is by time, whatever the order given');
  const l = localSection(stats, join);
  t.equal(l.interface, 'eth0', 'from a file: the interface holding the host address seen');
  const k = l.counters!;
  t.same(k.tcp.wire, { sent: 4, received: 1, resets_sent: 1, retransmissions_sent: 1 });
  t.same(k.tcp.kernel, { out_segs: 4, in_segs: 3, out_rsts: 1, retrans_segs: 1 });
  t.same(k.udp.wire, { sent: 1, received: 0 });
  t.same(k.udp.kernel, { out_datagrams: 1, in_datagrams: 0 }, 'Udp and Udp6 together');
  t.same(k.interface, { name: 'eth0', rx_packets: 5, tx_packets: 5, rx_bytes: 500, tx_bytes: 500, rx_dropped: 0 });
  t.same(k.captured, { packets: 7, bytes: stats.bytes });
  t.same(k.other_interfaces.map((i) => [i.name, i.rx_packets + i.tx_packets]), [['lo', 4]], 'lo moved too');
  t.equal(k.to - k.from, 5);
  t.equal(localSection(stats, join, 'lo').interface, 'lo', 'live: the interface named');
});

t.test('no growth without two moments; a counter that went back is unknown', async (t) => {
  t.equal(hostCounters(null, 'eth0', { packets: 0, bytes: 0 }, emptyHostWire()), null);
  t.equal(hostCounters({ first, last: first }, 'eth0', { packets: 0, bytes: 0 }, emptyHostWire()), null, 'one moment');
  const reset = hostCounters({ first: last, last: { ...first, time: 200 } }, 'eth0', { packets: 0, bytes: 0 }, emptyHostWire())!;
  t.equal(reset.tcp.kernel.out_segs, null, 'OutSegs went down: null, not negative');
  t.equal(reset.interface, null, 'eth0 re-created (its counters went down)');
  t.equal(hostCounters({ first, last }, 'eth9', { packets: 0, bytes: 0 }, emptyHostWire())!.interface, null, 'an interface not in the snapshots');
});

t.test('generations move only when something new is joined', async (t) => {
  const join = new LocalJoin();
  join.add(first);
  const [a, s] = [join.addressGeneration, join.socketGeneration];
  join.add(last);
  t.equal(join.addressGeneration, a, 'the same addresses again: no change');
  t.equal(join.socketGeneration, s, 'no sockets: no change');
  join.add({ ...last, time: 106, interfaces: [iface('eth1', '198.18.1.1', {})], sockets: [] } as unknown as HostSnapshot);
  t.equal(join.addressGeneration, a + 1, 'a new address');
  t.ok(join.isLocalAddress('198.18.1.1'));
});

t.test('a quiet connection: the interface its route takes, and whether that is another', async (t) => {
  const route = (destination: string, prefix_length: number, iface: string) => ({ destination, prefix_length, gateway: '0.0.0.0', iface, flags: 1, metric: 0, mtu: 0, window: 0, irtt: 0, ref_count: 0, use: 0 });
  const sock = (remote: string) => ({ proto: 'tcp', local: '198.18.0.1:40000', remote, state: 'ESTABLISHED', state_code: 1, listening: false, pid: 9, program: 'ssh' });
  const snap = {
    ...last,
    sockets: [sock('198.18.9.9:22'), sock('198.18.0.5:22'), sock('198.19.5.5:22')],
    routes: { ipv4: [route('198.18.0.0', 24, 'eth0'), route('198.18.9.0', 24, 'eth1')], ipv6: [] },
  } as unknown as HostSnapshot;
  const l = localSection(new WireStats(), new LocalJoin([first, snap]), 'eth0');
  t.same(
    l.quiet_sockets.map((s) => [s.remote, s.interface, s.elsewhere]),
    [
      ['198.18.9.9:22', 'eth1', true],
      ['198.18.0.5:22', 'eth0', false],
      ['198.19.5.5:22', null, null],
    ],
  );
});
