/**
 * `--export ipfix://HOST:PORT` (UDP) and `ipfix+tcp://HOST:PORT` (TCP, RFC 7011 §10.4):
 * conversations as IPFIX to a collector (nfcapd, pmacct, ntopng …), one record per direction.
 * Sending never waits: what is not yet handed to the kernel is bounded, and a message that would
 * go past the bound is dropped whole and counted (`dropped`; the collector sees the gap in the
 * sequence numbers), so a slow or absent collector cannot stall a capture.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { connect, isIP, type Socket as TcpSocket } from 'node:net';
import { PROTO_FRAGMENT } from '../stats/conversations.js';
import type { FlowPiece } from './flow-export.js';
import type { ExportSink, ExportTarget } from './targets.js';
import { type IpfixFlow, IpfixWriter } from './ipfix.js';

/** UDP: messages handed to the socket and not yet sent, at most (about 1.4 MB). */
const MAX_IN_FLIGHT = 1024;
/** TCP: bytes queued behind a slow collector, at most. */
const MAX_QUEUED_BYTES = 4 << 20;
/** Over TCP the templates go once, first: the stream loses nothing a refresh would restore. */
const TCP_TEMPLATE_EVERY = 2 ** 31;

export interface IpfixTarget {
  transport: 'udp' | 'tcp';
  host: string;
  port: number;
}

/** `ipfix://HOST:PORT` or `ipfix+tcp://HOST:PORT` (an IPv6 host in brackets); throws a one-line Error otherwise. */
export function parseIpfixTarget(text: string): IpfixTarget {
  const m = /^ipfix(\+tcp)?:\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : 0;
  if (!m || port < 1 || port > 65535) throw new Error(`"${text}" is not ipfix://HOST:PORT (UDP) or ipfix+tcp://HOST:PORT, port 1-65535`);
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  if (m[2]!.startsWith('[') && isIP(host) !== 6) throw new Error(`"${host}" in ${text} is not an IPv6 address`);
  return { transport: m[1] ? 'tcp' : 'udp', host, port };
}

/** The host's address, resolved once: a name that does not resolve is said in one line. */
async function resolve(host: string): Promise<{ address: string; family: number }> {
  return lookup(host).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot resolve ${host} (${err.code ?? err.message})`);
  });
}

/** What both transports share: pieces to records, records to messages, the counters. */
abstract class IpfixSink implements ExportSink {
  /** Messages dropped because the transport's queue was full. */
  dropped = 0;
  /** Send errors (the collector's port closed, the connection lost). */
  errors = 0;
  /** Conversations not exported: later fragments, whose protocol no header names. */
  skipped = 0;
  protected readonly writer: IpfixWriter;
  private readonly flow: IpfixFlow = {
    version: 4,
    src: [],
    srcOff: 0,
    dst: [],
    dstOff: 0,
    srcPort: 0,
    dstPort: 0,
    proto: 0,
    packets: 0,
    bytes: 0,
    startMs: 0,
    endMs: 0,
    tcpFlags: 0,
    endReason: 0,
  };

  constructor(
    readonly target: ExportTarget,
    observationDomain: number,
    templateEvery?: number,
  ) {
    this.writer = new IpfixWriter({
      observationDomain,
      nowSec: () => Date.now() / 1000,
      send: (msg) => this.send(msg),
      ...(templateEvery !== undefined ? { templateEvery } : {}),
    });
  }

  protected abstract send(msg: Buffer): void;
  abstract close(): Promise<void>;

  problems(): string | null {
    return this.dropped > 0 || this.errors > 0 ? `${this.dropped} messages dropped (queue full), ${this.errors} send errors` : null;
  }

  get records(): number {
    return this.writer.records;
  }

  get messages(): number {
    return this.writer.messages;
  }

  write(p: FlowPiece): void {
    const c = p.conv;
    const id = p.id;
    const proto = c.proto(id);
    if (proto === PROTO_FRAGMENT) {
      this.skipped++;
      return;
    }
    const f = this.flow;
    const keys = c.table.u32;
    const ports = c.hasPorts(id);
    f.version = c.version(id) === 6 ? 6 : 4;
    f.proto = proto;
    f.src = keys;
    f.dst = keys;
    f.startMs = p.firstTs !== null ? Math.round(p.firstTs * 1000) : 0;
    f.endMs = p.lastTs !== null ? Math.round(p.lastTs * 1000) : 0;
    f.endReason = p.endReason;
    const t = c.tcpIndex(id);
    // The originator's direction first, as the report lists it.
    const o = c.origSide(id);
    for (const side of [o, 1 - o]) {
      if (p.packets[side] === 0) continue;
      f.srcOff = c.addrOffset(id, side);
      f.dstOff = c.addrOffset(id, 1 - side);
      f.srcPort = ports ? c.port(id, side) : 0;
      f.dstPort = ports ? c.port(id, 1 - side) : 0;
      f.packets = p.packets[side]!;
      f.bytes = p.bytes[side]!;
      f.tcpFlags = t >= 0 ? c.tcp.flagsSent(t, side) : 0;
      this.writer.add(f);
    }
  }
}

export class IpfixUdpSink extends IpfixSink {
  private inFlight = 0;
  private drained: (() => void) | null = null;

  private constructor(
    private readonly socket: UdpSocket,
    target: ExportTarget,
    observationDomain: number,
  ) {
    super(target, observationDomain);
  }

  /** Resolves the host and opens the socket; throws a one-line Error when it cannot. */
  static async open(target: ExportTarget & IpfixTarget, observationDomain = 1): Promise<IpfixUdpSink> {
    const { address, family } = await resolve(target.host);
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    await new Promise<void>((ok, fail) => {
      socket.once('error', fail);
      socket.connect(target.port, address, () => {
        socket.off('error', fail);
        ok();
      });
    }).catch((err: Error) => {
      socket.close();
      throw err;
    });
    const sink = new IpfixUdpSink(socket, target, observationDomain);
    socket.on('error', () => sink.errors++);
    return sink;
  }

  async close(): Promise<void> {
    this.writer.flush();
    if (this.inFlight > 0) await new Promise<void>((r) => (this.drained = r));
    await new Promise<void>((r) => this.socket.close(() => r()));
  }

  protected send(msg: Buffer): void {
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.dropped++;
      return;
    }
    this.inFlight++;
    try {
      this.socket.send(msg, (err) => this.sent(err));
    } catch {
      this.sent(new Error('send failed'));
    }
  }

  /** A message left (or failed): one fewer in flight. */
  private sent(err: Error | null | undefined): void {
    if (err) this.errors++;
    if (--this.inFlight === 0 && this.drained) {
      const d = this.drained;
      this.drained = null;
      d();
    }
  }
}

export class IpfixTcpSink extends IpfixSink {
  private broken = false;

  private constructor(
    private readonly socket: TcpSocket,
    target: ExportTarget,
    observationDomain: number,
  ) {
    super(target, observationDomain, TCP_TEMPLATE_EVERY);
    socket.on('error', () => {
      this.errors++;
      this.broken = true;
    });
  }

  /** Resolves the host and connects; throws a one-line Error when it cannot. */
  static async open(target: ExportTarget & IpfixTarget, observationDomain = 1): Promise<IpfixTcpSink> {
    const { address } = await resolve(target.host);
    const socket = connect({ host: address, port: target.port });
    await new Promise<void>((ok, fail) => {
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.off('error', fail);
        ok();
      });
    }).catch((err: NodeJS.ErrnoException) => {
      socket.destroy();
      throw new Error(`cannot connect (${err.code ?? err.message})`);
    });
    socket.setNoDelay(true);
    return new IpfixTcpSink(socket, target, observationDomain);
  }

  async close(): Promise<void> {
    this.writer.flush();
    if (this.broken) {
      this.socket.destroy();
      return;
    }
    await new Promise<void>((r) => this.socket.end(() => r()));
  }

  protected send(msg: Buffer): void {
    if (this.broken || this.socket.writableLength + msg.length > MAX_QUEUED_BYTES) {
      this.dropped++;
      return;
    }
    this.socket.write(msg);
  }
}
