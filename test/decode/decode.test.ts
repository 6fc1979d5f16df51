/**
 * The decoder on annotated frames: what each layer reads, and the named reason for each way a
 * header can be cut off or contradict itself. Nothing may throw.
 */
import t from 'tap';
import { CaptureRecord } from '../../src/capture/source.js';
import { decodePacket } from '../../src/decode/packet.js';
import { reasonName } from '../../src/decode/reasons.js';
import { L, LAYER_NAMES, PacketSummary } from '../../src/decode/summary.js';
import { formatIp, formatMac } from '../../src/stats/address.js';
import { bytes, ethernet, ipv4, ipv6, tcp, TCP_FLAGS, u16, udp } from '../helpers/craft.js';

function decode(data: Buffer, linktype = 1, wirelen = data.length): PacketSummary {
  const rec = new CaptureRecord();
  // Put the frame at an offset inside a larger buffer: the decoder must honour rec.offset.
  const buf = Buffer.concat([Buffer.alloc(7, 0xee), data, Buffer.alloc(9, 0xee)]);
  rec.buf = buf;
  rec.offset = 7;
  rec.caplen = data.length;
  rec.wirelen = wirelen;
  rec.linktype = linktype;
  const s = new PacketSummary();
  decodePacket(rec, s);
  return s;
}

function layers(s: PacketSummary): string[] {
  return LAYER_NAMES.filter((_, i) => (s.layers & (1 << i)) !== 0);
}

const A = '198.18.0.1';
const B = '198.18.0.2';
const SYN = tcp(40000, 80, TCP_FLAGS.SYN, { seq: 7 });

t.test('Ethernet → IPv4 → TCP', async (t) => {
  const s = decode(ethernet(0x0800, ipv4(6, A, B, tcp(40000, 80, TCP_FLAGS.ACK | TCP_FLAGS.PSH, { seq: 5, ack: 9, payload: Buffer.from('hello') }))));
  t.same(layers(s), ['ethernet', 'ipv4', 'tcp']);
  t.equal(reasonName(s.reason), '');
  t.equal(formatMac(s.srcMacHi, s.srcMacLo), '02:00:00:00:00:01');
  t.equal(formatMac(s.dstMacHi, s.dstMacLo), '02:00:00:00:00:02');
  t.equal(formatIp(4, s.src), A);
  t.equal(formatIp(4, s.dst), B);
  t.same([s.srcPort, s.dstPort, s.tcpSeq, s.tcpAck, s.tcpFlags, s.payloadLen], [40000, 80, 5, 9, 0x18, 5]);
});

t.test('Ethernet padding is not payload: lengths come from the IP header', async (t) => {
  const frame = Buffer.concat([ethernet(0x0800, ipv4(6, A, B, SYN)), Buffer.alloc(6)]);
  const s = decode(frame);
  t.equal(s.payloadLen, 0);
  t.equal(s.reason, 0);
});

t.test('IPv6 with hop-by-hop, routing (final destination), destination options (home address) and fragment headers', async (t) => {
  const hbh = bytes('2b 00 01 04 00 00 00 00'); // next: routing, PadN
  // RH0 with segments left 1 and one address: the final destination.
  const rh = Buffer.concat([bytes('3c 02 00 01 00 00 00 00'), Buffer.from('20010db8000000000000000000000063', 'hex')]);
  // Destination options with a Home Address option (RFC 6275): the real source.
  const dst = Buffer.concat([bytes('2c 02 c9 10'), Buffer.from('20010db8000000000000000000000042', 'hex'), bytes('01 02 00 00')]);
  const frag = bytes('11 00 00 01 00 00 00 2a'); // next: UDP, offset 0, M set
  const s = decode(ethernet(0x86dd, ipv6(0, '2001:db8::1', '2001:db8::2', Buffer.concat([hbh, rh, dst, frag, udp(53, 5353, Buffer.alloc(4))]))));
  t.same(layers(s), ['ethernet', 'ipv6', 'udp', 'fragment']);
  t.equal(formatIp(6, s.src), '2001:db8::42');
  t.equal(formatIp(6, s.dst), '2001:db8::63');
  t.same([s.ipProto, s.srcPort, s.dstPort, s.fragment, s.laterFragment], [17, 53, 5353, true, false]);
});

t.test('fragments: only the first carries ports', async (t) => {
  const first = decode(ethernet(0x0800, ipv4(17, A, B, udp(1, 2, Buffer.alloc(100), 3000), { flagsFrag: 0x2000 })));
  t.same([first.hasPorts, first.fragment, first.laterFragment], [true, true, false]);
  const later = decode(ethernet(0x0800, ipv4(17, A, B, Buffer.alloc(100), { flagsFrag: 0x0010 })));
  t.same([later.hasPorts, later.fragment, later.laterFragment, later.reason], [false, true, true, 0]);
  t.same(layers(later), ['ethernet', 'ipv4', 'fragment']);
  const later6 = decode(ethernet(0x86dd, ipv6(44, '2001:db8::1', '2001:db8::2', Buffer.concat([bytes('11 00 00 08 00 00 00 01'), Buffer.alloc(30)]))));
  t.same([later6.hasPorts, later6.laterFragment, later6.ipProto], [false, true, 17]);
});

t.test('VLAN, QinQ, SNAP, MPLS, PPPoE, MACsec and the link types', async (t) => {
  const ip = ipv4(17, A, B, udp(1, 2, Buffer.alloc(4)));
  const qinq = ethernet(0x88a8, Buffer.concat([bytes('00 64'), u16(0x8100), bytes('00 c8'), u16(0x0800), ip]));
  let s = decode(qinq);
  t.same([s.vlanDepth, s.vlanId, s.srcPort], [2, 100, 1], 'QinQ: outer VLAN 100');
  s = decode(ethernet(ip.length + 8, Buffer.concat([bytes('aa aa 03 00 00 00 08 00'), ip])));
  t.same(layers(s), ['ethernet', 'llc', 'ipv4', 'udp'], '802.3 + SNAP');
  s = decode(ethernet(0x8847, Buffer.concat([bytes('00 01 00 40  00 02 01 40'), ip])));
  t.same(layers(s), ['ethernet', 'mpls', 'ipv4', 'udp'], 'two MPLS labels');
  s = decode(ethernet(0x8864, Buffer.concat([bytes('11 00 00 01'), u16(ip.length + 2), bytes('00 21'), ip])));
  t.same(layers(s), ['ethernet', 'pppoe', 'ipv4', 'udp']);
  s = decode(ethernet(0x88e5, Buffer.concat([bytes('20 00 00 00 00 01'), Buffer.alloc(8), u16(0x0800), ip, Buffer.alloc(16)])));
  t.same(layers(s), ['ethernet', 'ipv4', 'udp', 'macsec'], 'MACsec integrity-only');
  s = decode(ethernet(0x88e5, Buffer.concat([bytes('2c 00 00 00 00 01'), Buffer.alloc(40)])));
  t.same(layers(s), ['ethernet', 'other', 'macsec'], 'MACsec encrypted stops');
  s = decode(Buffer.concat([bytes('0000 0001 0006 020000000001 0000 0800'), ip]), 113);
  t.same([layers(s), formatMac(s.srcMacHi, s.srcMacLo)], [['linux_sll', 'ipv4', 'udp'], '02:00:00:00:00:01']);
  s = decode(Buffer.concat([bytes('0800 0000 00000002 0001 00 06 020000000009 0000'), ip]), 276);
  t.same([layers(s), formatMac(s.srcMacHi, s.srcMacLo)], [['linux_sll2', 'ipv4', 'udp'], '02:00:00:00:00:09']);
  s = decode(Buffer.concat([bytes('02 00 00 00'), ip]), 0);
  t.same(layers(s), ['loopback', 'ipv4', 'udp'], 'NULL, little-endian family');
  s = decode(Buffer.concat([bytes('00 00 00 02'), ip]), 0);
  t.same(layers(s), ['loopback', 'ipv4', 'udp'], 'NULL written big-endian');
  s = decode(Buffer.concat([bytes('00 00 00 18'), ipv6(17, '::1', '::1', udp(1, 2, Buffer.alloc(0)))]), 108);
  t.same(layers(s), ['loopback', 'ipv6', 'udp'], 'LOOP, AF_INET6 = 24');
  for (const lt of [101, 12, 228]) t.same(layers(decode(ip, lt)), ['ipv4', 'udp', 'raw_ip'], `linktype ${lt}`);
  t.same(layers(decode(ipv6(59, '::1', '::2', Buffer.alloc(0)), 229)), ['ipv6', 'other', 'raw_ip']);
  t.same(layers(decode(ip, 105)), ['unsupported_linktype']);
});

t.test('ARP, ICMP, ICMPv6 and undecoded protocols', async (t) => {
  let s = decode(ethernet(0x0806, bytes('0001 0800 06 04 0001 020000000001 c6120001 000000000000 c6120002')));
  t.same(layers(s), ['ethernet', 'arp']);
  s = decode(ethernet(0x0800, ipv4(1, A, B, bytes('08 00 0000 0001 0001'))));
  t.same([layers(s), s.icmpType, s.icmpCode], [['ethernet', 'ipv4', 'icmp'], 8, 0]);
  s = decode(ethernet(0x86dd, ipv6(58, '2001:db8::1', '2001:db8::2', bytes('87 00 0000 00000000'))));
  t.same([layers(s), s.icmpType], [['ethernet', 'ipv6', 'icmpv6'], 135]);
  s = decode(ethernet(0x0800, ipv4(47, A, B, Buffer.alloc(8))));
  t.same([layers(s), s.ipProto], [['ethernet', 'ipv4', 'other'], 47]);
  s = decode(ethernet(0x88cc, Buffer.alloc(30)));
  t.same([layers(s), s.etherType], [['ethernet', 'other'], 0x88cc]);
});

t.test('malformed and cut-off headers give named reasons', async (t) => {
  const cases: [string, Buffer, string, number?][] = [
    ['frame < 14 bytes', bytes('0200 0000 0001 0200'), 'ethernet-truncated'],
    ['VLAN tag cut off', ethernet(0x8100, bytes('00')), 'vlan-truncated'],
    ['10 stacked tags', ethernet(0x8100, Buffer.concat(Array.from({ length: 10 }, () => bytes('0001 8100')))), 'vlan-too-deep'],
    ['IPv4 version 5', ethernet(0x0800, ipv4(6, A, B, SYN, { version: 5 })), 'ip-bad-version'],
    ['IPv4 IHL < 5', ethernet(0x0800, ipv4(6, A, B, SYN, { ihl: 4 })), 'ipv4-bad-ihl'],
    ['IPv4 IHL past the capture', ethernet(0x0800, ipv4(6, A, B, Buffer.alloc(0), { ihl: 15 })), 'ipv4-truncated'],
    ['IPv4 < 20 bytes', ethernet(0x0800, bytes('45 00 00 14 0000')), 'ipv4-truncated'],
    ['IPv4 total length < header', ethernet(0x0800, ipv4(6, A, B, SYN, { totalLength: 19 })), 'ipv4-bad-total-length'],
    ['IPv4 option length 0', ethernet(0x0800, ipv4(6, A, B, SYN, { options: bytes('07 00 00 00') })), 'ipv4-bad-option'],
    ['IPv4 option length 1', ethernet(0x0800, ipv4(6, A, B, SYN, { options: bytes('07 01 00 00') })), 'ipv4-bad-option'],
    ['IPv4 option too long', ethernet(0x0800, ipv4(6, A, B, SYN, { options: bytes('07 09 00 00') })), 'ipv4-bad-option'],
    ['IPv6 < 40 bytes', ethernet(0x86dd, bytes('60 00 00 00 00 08 11 40')), 'ipv6-truncated'],
    ['IPv6 payload length 0 without jumbo', ethernet(0x86dd, ipv6(6, '::1', '::2', SYN, { payloadLength: 0 })), 'ipv6-zero-payload-length'],
    [
      'IPv6 extension chain of 8000 headers',
      ethernet(0x86dd, ipv6(60, '::1', '::2', Buffer.concat(Array.from({ length: 8000 }, () => bytes('3c 00 01 04 00 00 00 00'))))),
      'ipv6-ext-chain-too-long',
    ],
    ['IPv6 AH length past the end', ethernet(0x86dd, ipv6(51, '::1', '::2', bytes('06 20 0000 00000000 00000000'))), 'ipv6-ext-truncated'],
    ['TCP data offset < 5', ethernet(0x0800, ipv4(6, A, B, tcp(1, 2, 2, { dataOffset: 4 }))), 'tcp-bad-data-offset'],
    ['TCP data offset past the segment', ethernet(0x0800, ipv4(6, A, B, tcp(1, 2, 2, { dataOffset: 15 }))), 'tcp-bad-data-offset'],
    ['TCP header cut', ethernet(0x0800, ipv4(6, A, B, SYN.subarray(0, 12))), 'tcp-truncated'],
    ['UDP length < 8', ethernet(0x0800, ipv4(17, A, B, udp(1, 2, Buffer.alloc(4), 4))), 'udp-bad-length'],
    ['UDP length past the datagram', ethernet(0x0800, ipv4(17, A, B, udp(1, 2, Buffer.alloc(4), 400))), 'udp-length-past-datagram'],
    ['UDP header cut', ethernet(0x0800, ipv4(17, A, B, bytes('0001 0002'))), 'udp-truncated'],
    ['ICMP cut', ethernet(0x0800, ipv4(1, A, B, bytes('08'))), 'icmp-truncated'],
    ['ARP cut', ethernet(0x0806, bytes('0001 0800 06 04 0001')), 'arp-truncated'],
    ['LINUX_SLL cut', bytes('0000 0001 0006'), 'sll-truncated', 113],
    ['NULL cut', bytes('02 00'), 'loopback-truncated', 0],
  ];
  for (const [what, frame, reason, linktype] of cases) {
    let s: PacketSummary | undefined;
    t.doesNotThrow(() => (s = decode(frame, linktype ?? 1)), what);
    t.equal(reasonName(s!.reason), reason, what);
  }
});

t.test('a TCP header cut by the snap length keeps the wire length', async (t) => {
  const frame = ethernet(0x0800, ipv4(6, A, B, tcp(1, 2, TCP_FLAGS.ACK, { payload: Buffer.alloc(1000) })));
  const s = decode(frame.subarray(0, 54), 1, frame.length);
  t.same([s.reason, s.payloadLen, s.wirelen], [0, 1000, frame.length]);
});

t.test('IPv4 total length 0 (segmentation offload) runs to the end of the frame', async (t) => {
  const s = decode(ethernet(0x0800, ipv4(6, A, B, tcp(1, 2, TCP_FLAGS.ACK, { payload: Buffer.alloc(100) }), { totalLength: 0 })));
  t.same([s.reason, s.payloadLen, (s.layers & L.TCP) !== 0], [0, 100, true]);
});
