/**
 * Writes the benchmark capture: classic pcap (µs), Ethernet, a seeded mix of IPv4/IPv6 and
 * TCP/UDP conversations. TCP conversations open with a handshake, exchange data both ways and
 * close with FINs; UDP ones trade datagrams. Frame sizes vary from 60 to 1514 bytes, so the file
 * is about 410 bytes a packet (825 MB for 2,000,000), like the capture issue 7 measured. Deterministic for a given seed.
 */
import { openSync, writeSync, closeSync } from 'node:fs';

export interface GenOptions {
  packets: number;
  flows: number;
  seed?: number;
}

/** xorshift32: fast, seeded, good enough to scatter sizes and choices. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const ETH = 14;
const IP4 = 20;
const IP6 = 40;
const TCP = 20;
const UDP = 8;
const CHUNK = 8 * 1024 * 1024;

interface Flow {
  v6: boolean;
  tcp: boolean;
  a: number; // host index
  b: number;
  pa: number;
  pb: number;
  seqA: number;
  seqB: number;
  step: number;
  length: number; // packets in this flow's life
}

export function generate(path: string, opts: GenOptions): { packets: number; bytes: number } {
  const rand = rng(opts.seed ?? 0x5eed);
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(CHUNK + 2048);
  let n = 0;
  // File header: µs magic, 2.4, snaplen 65535, EN10MB.
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(65535, 16);
  buf.writeUInt32LE(1, 20);
  n = 24;
  let bytes = 0;

  const newFlow = (i: number): Flow => ({
    v6: rand() < 0.3,
    tcp: rand() < 0.7,
    a: 1 + (i % 250),
    b: 1 + Math.floor(rand() * 4000),
    pa: 1024 + Math.floor(rand() * 60000),
    pb: [80, 443, 53, 8080, 22, 5005][Math.floor(rand() * 6)]!,
    seqA: Math.floor(rand() * 4294967295),
    seqB: Math.floor(rand() * 4294967295),
    step: 0,
    length: 6 + Math.floor(rand() * 400),
  });
  const flows: Flow[] = Array.from({ length: opts.flows }, (_, i) => newFlow(i));
  let flowIds = opts.flows;
  let t = 1_700_000_000;
  let usec = 0;

  for (let p = 0; p < opts.packets; p++) {
    const fi = Math.floor(rand() * flows.length);
    const f = flows[fi]!;
    // Direction and flags: handshake, data, then FINs.
    const fromA = f.tcp ? (f.step < 3 ? f.step !== 1 : rand() < 0.5) : rand() < 0.6;
    let flags = 0x10; // ACK
    let payload = 0;
    if (f.tcp) {
      if (f.step === 0) flags = 0x02;
      else if (f.step === 1) flags = 0x12;
      else if (f.step >= f.length - 2) flags = 0x11;
      else payload = rand() < 0.5 ? 0 : Math.floor(rand() * 1150);
    } else {
      payload = 20 + Math.floor(rand() * 900);
    }
    const l3 = f.v6 ? IP6 : IP4;
    const l4 = f.tcp ? TCP : UDP;
    let frame = ETH + l3 + l4 + payload;
    if (frame < 60) frame = 60;
    // Record header.
    usec += 1 + Math.floor(rand() * 40);
    if (usec >= 1e6) {
      t++;
      usec -= 1e6;
    }
    buf.writeUInt32LE(t, n);
    buf.writeUInt32LE(usec, n + 4);
    buf.writeUInt32LE(frame, n + 8);
    buf.writeUInt32LE(frame, n + 12);
    let o = n + 16;
    const start = o;
    buf.fill(0, o, o + frame);
    // Ethernet: locally administered MACs from the host numbers.
    buf.writeUInt16BE(0x0200, o);
    buf.writeUInt32BE(fromA ? f.b : f.a + 100000, o + 2);
    buf.writeUInt16BE(0x0200, o + 6);
    buf.writeUInt32BE(fromA ? f.a + 100000 : f.b, o + 8);
    buf.writeUInt16BE(f.v6 ? 0x86dd : 0x0800, o + 12);
    o += ETH;
    const src = fromA ? f.a : f.b + 1000;
    const dst = fromA ? f.b + 1000 : f.a;
    const ipLen = l3 + l4 + payload;
    if (f.v6) {
      buf[o] = 0x60;
      buf.writeUInt16BE(l4 + payload, o + 4);
      buf[o + 6] = f.tcp ? 6 : 17;
      buf[o + 7] = 64;
      buf.writeUInt32BE(0x20010db8, o + 8);
      buf.writeUInt32BE(src, o + 20);
      buf.writeUInt32BE(0x20010db8, o + 24);
      buf.writeUInt32BE(dst, o + 36);
    } else {
      buf[o] = 0x45;
      buf.writeUInt16BE(ipLen, o + 2);
      buf[o + 8] = 64;
      buf[o + 9] = f.tcp ? 6 : 17;
      buf.writeUInt32BE(((198 << 24) | (18 << 16) | src) >>> 0, o + 12);
      buf.writeUInt32BE(((198 << 24) | (19 << 16) | dst) >>> 0, o + 16);
    }
    o += l3;
    buf.writeUInt16BE(fromA ? f.pa : f.pb, o);
    buf.writeUInt16BE(fromA ? f.pb : f.pa, o + 2);
    if (f.tcp) {
      const seq = fromA ? f.seqA : f.seqB;
      buf.writeUInt32BE(seq >>> 0, o + 4);
      buf.writeUInt32BE((fromA ? f.seqB : f.seqA) >>> 0, o + 8);
      buf[o + 12] = 0x50;
      buf[o + 13] = flags;
      buf.writeUInt16BE(65535, o + 14);
      const used = payload + (flags & 0x03 ? 1 : 0);
      if (fromA) f.seqA = (f.seqA + used) % 4294967296;
      else f.seqB = (f.seqB + used) % 4294967296;
    } else {
      buf.writeUInt16BE(UDP + payload, o + 4);
    }
    n = start + frame;
    bytes += frame;
    f.step++;
    if (f.step >= f.length) flows[fi] = newFlow(flowIds++);
    if (n >= CHUNK) {
      writeSync(fd, buf, 0, n);
      n = 0;
    }
  }
  writeSync(fd, buf, 0, n);
  closeSync(fd);
  return { packets: opts.packets, bytes };
}

/**
 * A SYN flood from random sources: `packets` TCP SYNs of 60 bytes, 1 µs apart (a 1 Mpps flood),
 * each from a different source (address in 198.18.0.0/15 and port) to 198.19.255.1:80, so every
 * packet offers a new conversation. The sources are a scrambled counter (an odd multiplier is a
 * bijection on 32 bits: 17 bits of address, 15 of port), random-looking and never repeated.
 */
export function generateFlood(path: string, packets: number): { packets: number; bytes: number } {
  const fd = openSync(path, 'w');
  const FRAME = 60;
  const buf = Buffer.alloc(CHUNK + 2048);
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(65535, 16);
  buf.writeUInt32LE(1, 20);
  let n = 24;
  const t0 = 1_700_000_000;
  for (let i = 0; i < packets; i++) {
    const x = Math.imul(i, 0x9e3779b1) >>> 0;
    const src = (((198 << 24) | (18 << 16)) + (x & 0x1ffff)) >>> 0;
    const sport = 1024 + (x >>> 17);
    buf.writeUInt32LE(t0 + Math.floor(i / 1e6), n);
    buf.writeUInt32LE(i % 1e6, n + 4);
    buf.writeUInt32LE(FRAME, n + 8);
    buf.writeUInt32LE(FRAME, n + 12);
    const o = n + 16;
    buf.fill(0, o, o + FRAME);
    buf.writeUInt32BE(0x02000000, o); // destination MAC 02:00:00:00:00:01
    buf[o + 5] = 1;
    buf.writeUInt32BE(0x02000000, o + 6); // source MAC 02:00:00:00:00:02
    buf[o + 11] = 2;
    buf.writeUInt16BE(0x0800, o + 12);
    const ip = o + ETH;
    buf[ip] = 0x45;
    buf.writeUInt16BE(IP4 + TCP, ip + 2);
    buf[ip + 8] = 64;
    buf[ip + 9] = 6;
    buf.writeUInt32BE(src, ip + 12);
    buf.writeUInt32BE(0xc613ff01, ip + 16); // 198.19.255.1
    const tcp = ip + IP4;
    buf.writeUInt16BE(sport, tcp);
    buf.writeUInt16BE(80, tcp + 2);
    buf.writeUInt32BE(x, tcp + 4);
    buf[tcp + 12] = 0x50;
    buf[tcp + 13] = 0x02; // SYN
    buf.writeUInt16BE(64240, tcp + 14);
    n = o + FRAME;
    if (n >= CHUNK) {
      writeSync(fd, buf, 0, n);
      n = 0;
    }
  }
  writeSync(fd, buf, 0, n);
  closeSync(fd);
  return { packets, bytes: packets * FRAME };
}
