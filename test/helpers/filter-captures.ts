/**
 * Crafted captures for the filter's differential test: for each link type the filter knows, a
 * set of frames that exercise what libpcap's compiled filters look at (types and tags, IPv4
 * options and fragments, IPv6 fragment and hop-by-hop headers, ARP, SCTP, AH), each frame
 * repeated at every captured length from 0 to whole, so that every load of every test falls
 * off the end somewhere. Record n carries n as its timestamp's seconds: tcpdump -w names the
 * records it accepted.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytes, ethernet, ipv4, ipv6, pcapFile, type PcapRecord, tcp, TCP_FLAGS, u16, u32, udp } from './craft.js';

export const A = '198.18.0.1';
export const B = '198.18.0.2';
export const C = '198.18.0.3';
export const A6 = '2001:db8::1';
export const B6 = '2001:db8::2';
export const MAC_A = '02:00:00:00:00:01';
export const MAC_B = '02:00:00:00:00:02';

const IPPROTO = { HOPOPTS: 0, ICMP: 1, TCP: 6, UDP: 17, FRAGMENT: 44, AH: 51, ICMPV6: 58, SCTP: 132 } as const;

/** IPv4 packets: TCP both ways, UDP, options, a first and a later fragment, SCTP, ICMP, AH. */
export function ipv4Packets(): Buffer[] {
  const sctp = Buffer.concat([u16(1000), u16(80), bytes('00000001 00000000'), Buffer.alloc(8)]);
  const ah = Buffer.concat([bytes(IPPROTO.TCP, 4, '0000 00000100 00000001'), Buffer.alloc(12), tcp(40000, 80, TCP_FLAGS.SYN)]);
  return [
    ipv4(IPPROTO.TCP, A, B, tcp(40000, 80, TCP_FLAGS.SYN)),
    ipv4(IPPROTO.TCP, B, A, tcp(80, 40000, TCP_FLAGS.ACK)),
    ipv4(IPPROTO.UDP, A, C, udp(5353, 53, Buffer.alloc(4))),
    ipv4(IPPROTO.TCP, A, B, tcp(443, 22, TCP_FLAGS.ACK), { options: bytes('01 01 01 00') }),
    ipv4(IPPROTO.UDP, A, B, udp(53, 53, Buffer.alloc(16)), { flagsFrag: 0x2000 }),
    ipv4(IPPROTO.UDP, A, B, Buffer.alloc(16), { flagsFrag: 0x0003 }),
    ipv4(IPPROTO.SCTP, C, A, sctp),
    ipv4(IPPROTO.ICMP, C, A, bytes('08 00 0000 0001 0001')),
    ipv4(IPPROTO.AH, A, B, ah),
  ];
}

/** IPv6 packets: TCP, a first and a later fragment, UDP back, hop-by-hop before TCP, ICMPv6. */
export function ipv6Packets(): Buffer[] {
  return [
    ipv6(IPPROTO.TCP, A6, B6, tcp(40000, 80, TCP_FLAGS.SYN)),
    ipv6(IPPROTO.FRAGMENT, A6, B6, Buffer.concat([bytes(IPPROTO.TCP, '00 0001 00000001'), tcp(80, 443, TCP_FLAGS.ACK)])),
    ipv6(IPPROTO.FRAGMENT, A6, B6, Buffer.concat([bytes(IPPROTO.UDP, '00 0008 00000001'), Buffer.alloc(16)])),
    ipv6(IPPROTO.UDP, B6, A6, udp(53, 1000, Buffer.alloc(4))),
    ipv6(IPPROTO.HOPOPTS, A6, B6, Buffer.concat([bytes(IPPROTO.TCP, '00 01 04 00000000'), tcp(22, 80, TCP_FLAGS.SYN)])),
    ipv6(IPPROTO.ICMPV6, A6, 'fe80::1', bytes('80 00 0000 0001 0001')),
  ];
}

/** ARP request from A (MAC_A) for B, Ethernet/IPv4 sizes. */
export function arpRequest(): Buffer {
  return bytes('0001 0800 06 04 0001', MAC_A.replace(/:/g, ''), 'c6120001', '000000000000', 'c6120002');
}

const ETHERTYPE = { IPV4: 0x0800, ARP: 0x0806, RARP: 0x8035, VLAN: 0x8100, QINQ: 0x88a8, QINQ_9100: 0x9100, IPV6: 0x86dd, MPLS: 0x8847 } as const;

/** Ethernet frames: untagged, 802.1Q, QinQ (0x88a8 and 0x9100), MPLS, LLC/SNAP, broadcast. */
function ethernetFrames(): Buffer[] {
  const [tcp4, , udp4] = ipv4Packets();
  const tcp6 = ipv6Packets()[0]!;
  const arp = arpRequest();
  const withTags = (tags: Buffer, inner: number, payload: Buffer) =>
    Buffer.concat([bytes(MAC_B.replace(/:/g, ''), MAC_A.replace(/:/g, '')), tags, u16(inner), payload]);
  return [
    ...ipv4Packets().map((p) => ethernet(ETHERTYPE.IPV4, p)),
    ...ipv6Packets().map((p) => ethernet(ETHERTYPE.IPV6, p)),
    ethernet(ETHERTYPE.ARP, arp, 'ff ff ff ff ff ff'),
    ethernet(ETHERTYPE.RARP, arp),
    withTags(Buffer.concat([u16(ETHERTYPE.VLAN), u16(100)]), ETHERTYPE.IPV4, tcp4!),
    withTags(Buffer.concat([u16(ETHERTYPE.QINQ), u16(100), u16(ETHERTYPE.VLAN), u16(200)]), ETHERTYPE.IPV4, udp4!),
    withTags(Buffer.concat([u16(ETHERTYPE.QINQ_9100), u16(0x2000 | 300)]), ETHERTYPE.IPV6, tcp6),
    withTags(Buffer.concat([u16(ETHERTYPE.VLAN), u16(200)]), ETHERTYPE.ARP, arp),
    ethernet(ETHERTYPE.MPLS, Buffer.concat([bytes('00010140'), tcp4!])),
    ethernet(tcp4!.length + 8, Buffer.concat([bytes('aa aa 03 00 00 00'), u16(ETHERTYPE.IPV4), tcp4!])),
    withTags(Buffer.concat([u16(ETHERTYPE.VLAN), u16(100)]), ETHERTYPE.IPV4, Buffer.alloc(0)), // a tag and nothing behind it
  ];
}

/** Every frame at every captured length. */
function sweep(frames: Buffer[]): PcapRecord[] {
  const out: PcapRecord[] = [];
  for (const f of frames) {
    for (let len = 0; len <= f.length; len++) out.push({ sec: out.length, data: f.subarray(0, len), wirelen: f.length });
  }
  return out;
}

function sll(protocol: number, payload: Buffer): Buffer {
  return Buffer.concat([u16(0), u16(1), u16(6), bytes(MAC_A.replace(/:/g, ''), '0000'), u16(protocol), payload]);
}

function sll2(protocol: number, payload: Buffer): Buffer {
  return Buffer.concat([u16(protocol), u16(0), u32(2), u16(1), bytes(0, 6), bytes(MAC_A.replace(/:/g, ''), '0000'), payload]);
}

/** NULL/LOOP: a 4-byte address family, here in the byte order `le` says. */
function loopback(af: number, le: boolean, payload: Buffer): Buffer {
  return Buffer.concat([u32(af, le), payload]);
}

export interface SweepCapture {
  name: string;
  file: string;
  /** Link-type value written in the file header. */
  linktype: number;
}

/** Writes the crafted captures into `dir`. */
export function writeSweepCaptures(dir: string): SweepCapture[] {
  const v4 = ipv4Packets();
  const v6 = ipv6Packets();
  const ip = [...v4, ...v6];
  const cooked = (wrap: (p: number, b: Buffer) => Buffer) => [
    ...v4.map((p) => wrap(ETHERTYPE.IPV4, p)),
    ...v6.map((p) => wrap(ETHERTYPE.IPV6, p)),
    wrap(ETHERTYPE.ARP, arpRequest()),
    wrap(ETHERTYPE.VLAN, Buffer.concat([u16(100), u16(ETHERTYPE.IPV4), v4[0]!])),
  ];
  // AF_INET 2; AF_INET6 as Linux (10), NetBSD/OpenBSD (24), FreeBSD (28) and Darwin (30) write it.
  const families = (le: boolean) => [
    ...v4.map((p) => loopback(2, le, p)),
    ...[10, 24, 28, 30].map((af) => loopback(af, le, v6[0]!)),
    ...v6.slice(1).map((p) => loopback(30, le, p)),
  ];
  const sets: [string, number, Buffer[], boolean][] = [
    ['en10mb', 1, ethernetFrames(), true],
    ['linux-sll', 113, cooked(sll), true],
    ['linux-sll2', 276, cooked(sll2), true],
    ['raw', 101, ip, true],
    ['raw-dlt12', 12, ip, true],
    ['ipv4', 228, [...v4, v6[0]!], true],
    ['ipv6', 229, [...v6, v4[0]!], true],
    ['null-le', 0, families(true), true],
    // A big-endian file: libpcap reads the family in the file's byte order, so the frames
    // written little-endian are not IP to it.
    ['null-be', 0, [...families(false), ...families(true).slice(0, 2)], false],
    ['loop', 108, families(false), true],
  ];
  return sets.map(([name, linktype, frames, le]) => {
    const file = join(dir, `${name}.pcap`);
    writeFileSync(file, pcapFile(sweep(frames), { linktype, le }));
    return { name, file, linktype };
  });
}
