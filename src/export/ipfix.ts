/**
 * IPFIX (RFC 7011) messages for flow records: the encoding only, no socket. A message is a
 * 16-byte header and sets; the templates (one for IPv4 flows, one for IPv6) go first and again
 * every `templateEvery` messages, as RFC 7011 §8.4 asks of an exporter over UDP, where a
 * collector that started late or lost a datagram would otherwise never learn them.
 *
 * Each record is one direction of a conversation (a uniflow, as NetFlow collectors expect):
 * standard information elements of RFC 7012 (IANA "IPFIX Information Elements" registry).
 */

/** RFC 7011 §3.1: the version of an IPFIX message header. */
const VERSION = 10;
const MESSAGE_HEADER = 16;
const SET_HEADER = 4;
/** Set IDs (RFC 7011 §3.3.2): 2 is a Template Set; data sets carry their template's ID. */
const TEMPLATE_SET = 2;
export const TEMPLATE_V4 = 256;
export const TEMPLATE_V6 = 257;

/** Information elements (IANA registry id, length in octets). */
const IE = {
  octetDeltaCount: [1, 8],
  packetDeltaCount: [2, 8],
  protocolIdentifier: [4, 1],
  tcpControlBits: [6, 2],
  sourceTransportPort: [7, 2],
  sourceIPv4Address: [8, 4],
  destinationTransportPort: [11, 2],
  destinationIPv4Address: [12, 4],
  sourceIPv6Address: [27, 16],
  destinationIPv6Address: [28, 16],
  flowEndReason: [136, 1],
  flowStartMilliseconds: [152, 8],
  flowEndMilliseconds: [153, 8],
} as const;
type IeName = keyof typeof IE;

/** flowEndReason values (IANA registry, RFC 5102 §5.11.3). */
export const END_REASON = { IDLE_TIMEOUT: 1, ACTIVE_TIMEOUT: 2, END_OF_FLOW: 3, FORCED_END: 4, LACK_OF_RESOURCES: 5 } as const;

function fields(v6: boolean): IeName[] {
  return [
    'flowStartMilliseconds',
    'flowEndMilliseconds',
    'octetDeltaCount',
    'packetDeltaCount',
    v6 ? 'sourceIPv6Address' : 'sourceIPv4Address',
    v6 ? 'destinationIPv6Address' : 'destinationIPv4Address',
    'sourceTransportPort',
    'destinationTransportPort',
    'protocolIdentifier',
    'tcpControlBits',
    'flowEndReason',
  ];
}
const FIELDS_V4 = fields(false);
const FIELDS_V6 = fields(true);
const recordLength = (f: IeName[]): number => f.reduce((n, name) => n + IE[name][1], 0);
export const RECORD_V4 = recordLength(FIELDS_V4);
export const RECORD_V6 = recordLength(FIELDS_V6);

/** One direction of a conversation, from its first to its last packet (or a piece of it). */
export interface IpfixFlow {
  version: 4 | 6;
  /** Addresses as the flow keys hold them: IPv4 in word 0, IPv6 in words 0..3 (big-endian words). */
  src: ArrayLike<number>;
  srcOff: number;
  dst: ArrayLike<number>;
  dstOff: number;
  srcPort: number;
  dstPort: number;
  proto: number;
  packets: number;
  bytes: number;
  startMs: number;
  endMs: number;
  tcpFlags: number;
  endReason: number;
}

export interface IpfixOptions {
  observationDomain: number;
  /** Largest message, in bytes: a UDP datagram that needs no fragmenting on Ethernet. */
  maxMessage?: number;
  /** Templates again every this many messages. */
  templateEvery?: number;
  /** Called with each finished message (the buffer is not reused). */
  send(message: Buffer): void;
  /** Export time, seconds since the epoch (the message header's). */
  nowSec(): number;
}

const DEFAULT_MAX_MESSAGE = 1400;
const DEFAULT_TEMPLATE_EVERY = 64;

export class IpfixWriter {
  /** Data records sent so far (the next message's sequence number, mod 2^32). */
  records = 0;
  messages = 0;
  private readonly max: number;
  private readonly templateEvery: number;
  private buf: Buffer;
  private len = 0;
  /** The open data set: its template and where its header is, or -1. */
  private setTemplate = 0;
  private setAt = -1;
  private inMessage = 0;

  constructor(private readonly opts: IpfixOptions) {
    this.max = opts.maxMessage ?? DEFAULT_MAX_MESSAGE;
    this.templateEvery = opts.templateEvery ?? DEFAULT_TEMPLATE_EVERY;
    if (this.max < MESSAGE_HEADER + SET_HEADER * 2 + RECORD_V6 + templateSetLength()) throw new Error(`IPFIX message limit ${this.max} is too small`);
    this.buf = Buffer.alloc(this.max);
  }

  add(f: IpfixFlow): void {
    const template = f.version === 6 ? TEMPLATE_V6 : TEMPLATE_V4;
    const size = f.version === 6 ? RECORD_V6 : RECORD_V4;
    if (this.len === 0) this.begin();
    if (this.setTemplate !== template || this.setAt < 0) {
      if (this.len + SET_HEADER + size > this.max) {
        this.flush();
        this.begin();
      }
      this.closeSet();
      this.setAt = this.len;
      this.setTemplate = template;
      this.len += SET_HEADER;
    } else if (this.len + size > this.max) {
      this.flush();
      this.begin();
      this.setAt = this.len;
      this.setTemplate = template;
      this.len += SET_HEADER;
    }
    this.len = writeRecord(this.buf, this.len, f);
    this.inMessage++;
  }

  /** Sends the message being filled, if it holds any record. */
  flush(): void {
    if (this.len === 0) return;
    this.closeSet();
    const b = this.buf;
    b.writeUInt16BE(VERSION, 0);
    b.writeUInt16BE(this.len, 2);
    b.writeUInt32BE(Math.max(0, Math.floor(this.opts.nowSec())) >>> 0, 4);
    b.writeUInt32BE(this.records >>> 0, 8);
    b.writeUInt32BE(this.opts.observationDomain >>> 0, 12);
    const msg = Buffer.from(b.subarray(0, this.len));
    this.records = (this.records + this.inMessage) % 2 ** 32;
    this.inMessage = 0;
    this.len = 0;
    this.setAt = -1;
    this.messages++;
    this.opts.send(msg);
  }

  /** A new message: its header's room, then the templates when they are due. */
  private begin(): void {
    this.len = MESSAGE_HEADER;
    this.setAt = -1;
    if (this.messages % this.templateEvery === 0) this.len = writeTemplates(this.buf, this.len);
  }

  private closeSet(): void {
    if (this.setAt < 0) return;
    this.buf.writeUInt16BE(this.setTemplate, this.setAt);
    this.buf.writeUInt16BE(this.len - this.setAt, this.setAt + 2);
    this.setAt = -1;
  }
}

function templateSetLength(): number {
  return SET_HEADER + 4 + FIELDS_V4.length * 4 + 4 + FIELDS_V6.length * 4;
}

function writeTemplates(b: Buffer, at: number): number {
  const start = at;
  at += SET_HEADER;
  for (const [id, list] of [
    [TEMPLATE_V4, FIELDS_V4],
    [TEMPLATE_V6, FIELDS_V6],
  ] as const) {
    b.writeUInt16BE(id, at);
    b.writeUInt16BE(list.length, at + 2);
    at += 4;
    for (const name of list) {
      b.writeUInt16BE(IE[name][0], at);
      b.writeUInt16BE(IE[name][1], at + 2);
      at += 4;
    }
  }
  b.writeUInt16BE(TEMPLATE_SET, start);
  b.writeUInt16BE(at - start, start + 2);
  return at;
}

/** An unsigned 64-bit field from a count (exact below 2^53, which counts never reach). */
function u64(b: Buffer, at: number, v: number): void {
  const n = Math.max(0, Math.floor(v));
  b.writeUInt32BE(Math.floor(n / 2 ** 32) >>> 0, at);
  b.writeUInt32BE(n % 2 ** 32, at + 4);
}

function writeRecord(b: Buffer, at: number, f: IpfixFlow): number {
  u64(b, at, f.startMs);
  u64(b, at + 8, f.endMs);
  u64(b, at + 16, f.bytes);
  u64(b, at + 24, f.packets);
  at += 32;
  const words = f.version === 6 ? 4 : 1;
  for (let i = 0; i < words; i++) b.writeUInt32BE(f.src[f.srcOff + i]! >>> 0, at + i * 4);
  at += words * 4;
  for (let i = 0; i < words; i++) b.writeUInt32BE(f.dst[f.dstOff + i]! >>> 0, at + i * 4);
  at += words * 4;
  b.writeUInt16BE(f.srcPort, at);
  b.writeUInt16BE(f.dstPort, at + 2);
  b[at + 4] = f.proto & 0xff;
  b.writeUInt16BE(f.tcpFlags & 0xffff, at + 5);
  b[at + 7] = f.endReason;
  return at + 8;
}
