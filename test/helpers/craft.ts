/**
 * Builders for crafted capture files: every byte is written here on purpose, so each test says
 * exactly which edge it exercises. Frames are built from annotated layers.
 */

/** Concatenates byte pieces: numbers are single bytes, strings are hex ("0800 4500"). */
export function bytes(...parts: (number | string | Uint8Array | number[])[]): Buffer {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p & 0xff);
    else if (typeof p === 'string') {
      const hex = p.replace(/#.*$/gm, '').replace(/[^0-9a-fA-F]/g, '');
      if (hex.length % 2 !== 0) throw new Error(`odd hex length: ${p}`);
      for (let i = 0; i < hex.length; i += 2) out.push(parseInt(hex.slice(i, i + 2), 16));
    } else out.push(...p);
  }
  return Buffer.from(out);
}

export function u16(v: number, le = false): Buffer {
  const b = Buffer.alloc(2);
  if (le) b.writeUInt16LE(v & 0xffff);
  else b.writeUInt16BE(v & 0xffff);
  return b;
}

export function u32(v: number, le = false): Buffer {
  const b = Buffer.alloc(4);
  if (le) b.writeUInt32LE(v >>> 0);
  else b.writeUInt32BE(v >>> 0);
  return b;
}

export interface PcapRecord {
  sec?: number;
  frac?: number;
  data: Buffer;
  /** Defaults to data.length. */
  caplen?: number;
  wirelen?: number;
}

export interface PcapOptions {
  le?: boolean;
  nanos?: boolean;
  linktype?: number;
  snaplen?: number;
  major?: number;
  minor?: number;
}

export function pcapHeader(o: PcapOptions = {}): Buffer {
  const le = o.le ?? true;
  return Buffer.concat([
    u32(o.nanos ? 0xa1b23c4d : 0xa1b2c3d4, le),
    u16(o.major ?? 2, le),
    u16(o.minor ?? 4, le),
    u32(0, le),
    u32(0, le),
    u32(o.snaplen ?? 262144, le),
    u32(o.linktype ?? 1, le),
  ]);
}

export function pcapRecord(r: PcapRecord, le = true): Buffer {
  return Buffer.concat([
    u32(r.sec ?? 1700000000, le),
    u32(r.frac ?? 0, le),
    u32(r.caplen ?? r.data.length, le),
    u32(r.wirelen ?? r.data.length, le),
    r.data,
  ]);
}

export function pcapFile(records: PcapRecord[], o: PcapOptions = {}): Buffer {
  const le = o.le ?? true;
  return Buffer.concat([pcapHeader(o), ...records.map((r) => pcapRecord(r, le))]);
}

// --- pcapng ---

function pad4(b: Buffer): Buffer {
  const n = (4 - (b.length % 4)) % 4;
  return n ? Buffer.concat([b, Buffer.alloc(n)]) : b;
}

export function option(code: number, value: Buffer, le = true): Buffer {
  return Buffer.concat([u16(code, le), u16(value.length, le), pad4(value)]);
}

export function endOfOptions(le = true): Buffer {
  return Buffer.concat([u16(0, le), u16(0, le)]);
}

/** A block with correct lengths; `lengthOverride` writes a chosen (wrong) length instead. */
export function block(type: number, body: Buffer, le = true, o: { length?: number; trailer?: number } = {}): Buffer {
  const len = 12 + body.length;
  return Buffer.concat([u32(type, le), u32(o.length ?? len, le), body, u32(o.trailer ?? o.length ?? len, le)]);
}

export function shb(le = true, major = 1): Buffer {
  return block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d, le), u16(major, le), u16(0, le), Buffer.alloc(8, 0xff)]), le);
}

export function idb(linktype: number, opts: Buffer[] = [], le = true, snaplen = 0): Buffer {
  const body = Buffer.concat([u16(linktype, le), u16(0, le), u32(snaplen, le), ...opts, ...(opts.length ? [endOfOptions(le)] : [])]);
  return block(1, body, le);
}

export function epb(iface: number, tsHigh: number, tsLow: number, data: Buffer, le = true, wirelen?: number): Buffer {
  const body = Buffer.concat([u32(iface, le), u32(tsHigh, le), u32(tsLow, le), u32(data.length, le), u32(wirelen ?? data.length, le), pad4(data)]);
  return block(6, body, le);
}

export function spb(data: Buffer, le = true, wirelen?: number): Buffer {
  return block(3, Buffer.concat([u32(wirelen ?? data.length, le), pad4(data)]), le);
}

export function pb(iface: number, tsHigh: number, tsLow: number, data: Buffer, le = true): Buffer {
  const body = Buffer.concat([u16(iface, le), u16(0, le), u32(tsHigh, le), u32(tsLow, le), u32(data.length, le), u32(data.length, le), pad4(data)]);
  return block(2, body, le);
}

// --- frames ---

export const MAC_A = '02 00 00 00 00 01';
export const MAC_B = '02 00 00 00 00 02';

export function ethernet(type: number, payload: Buffer, dst = MAC_B, src = MAC_A): Buffer {
  return Buffer.concat([bytes(dst, src), u16(type), payload]);
}

/** IPv4 header (no options unless given) + payload; total length from the payload unless set. */
export function ipv4(
  proto: number,
  src: string,
  dst: string,
  payload: Buffer,
  o: { options?: Buffer; totalLength?: number; flagsFrag?: number; ihl?: number; version?: number } = {},
): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const ihl = o.ihl ?? (20 + opts.length) / 4;
  const h = Buffer.concat([
    bytes(((o.version ?? 4) << 4) | ihl, 0),
    u16(o.totalLength ?? 20 + opts.length + payload.length),
    u16(1),
    u16(o.flagsFrag ?? 0),
    bytes(64, proto, 0, 0),
    Buffer.from(src.split('.').map(Number)),
    Buffer.from(dst.split('.').map(Number)),
    opts,
  ]);
  return Buffer.concat([h, payload]);
}

export function ipv6Addr(a: string): Buffer {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':').filter(Boolean) : [];
  const t = tail ? tail.split(':').filter(Boolean) : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.concat(groups.map((g) => u16(parseInt(g, 16))));
}

export function ipv6(next: number, src: string, dst: string, payload: Buffer, o: { payloadLength?: number } = {}): Buffer {
  return Buffer.concat([
    bytes('60 00 00 00'),
    u16(o.payloadLength ?? payload.length),
    bytes(next, 64),
    ipv6Addr(src),
    ipv6Addr(dst),
    payload,
  ]);
}

export function tcp(sport: number, dport: number, flags: number, o: { seq?: number; ack?: number; payload?: Buffer; options?: Buffer; dataOffset?: number; window?: number } = {}): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const doff = o.dataOffset ?? (20 + opts.length) / 4;
  return Buffer.concat([
    u16(sport),
    u16(dport),
    u32(o.seq ?? 1000),
    u32(o.ack ?? 0),
    bytes(doff << 4, flags),
    u16(o.window ?? 65535),
    u16(0),
    u16(0),
    opts,
    o.payload ?? Buffer.alloc(0),
  ]);
}

export function udp(sport: number, dport: number, payload: Buffer, length?: number): Buffer {
  return Buffer.concat([u16(sport), u16(dport), u16(length ?? 8 + payload.length), u16(0), payload]);
}

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;
