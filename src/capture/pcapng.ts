/**
 * pcapng: a sequence of blocks, each `type, total length, body, total length`, grouped into
 * sections that each start with a Section Header Block declaring the byte order. Interfaces
 * (IDBs) are numbered per section and give each packet its link type and time resolution.
 * Spec: https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/ (§3 blocks, §4.1-4.5).
 */
import { u16, u32 } from '../bytes.js';
import {
  type CaptureRecord,
  type FormatParser,
  type InterfaceInfo,
  type RecordSink,
  CaptureOpenError,
  ErrorLog,
  MAX_RECORD_BYTES,
} from './source.js';
import { TsResolution, setTsFromUnits } from './timestamp.js';

export const BLOCK = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  /** Obsolete Packet Block (spec appendix): still written by old tools. */
  PB: 0x00000002,
  SPB: 0x00000003,
  EPB: 0x00000006,
} as const;

/** Byte-order magic of a Section Header Block, as read little-endian. */
const BOM_LE = 0x1a2b3c4d;
const BOM_BE = 0x4d3c2b1a;
const SUPPORTED_MAJOR = 1;

/** Common block header: type, total length; the same length again closes the block. */
const BLOCK_HEADER_LEN = 8;
const BLOCK_TRAILER_LEN = 4;
const MIN_BLOCK_LEN = BLOCK_HEADER_LEN + BLOCK_TRAILER_LEN;
/** Longest block we accept at all (libpcap's limit too): beyond it the length is corruption. */
export const MAX_BLOCK_LEN = 16 * 1024 * 1024;
/** Longest block we hold in memory to decode; a packet block's options get this much slack. */
export const MAX_HELD_BLOCK_LEN = MAX_RECORD_BYTES + 64 * 1024;

/** Field offsets from the start of each block. */
const SHB = { BOM: 8, MAJOR: 12, MINOR: 14, OPTIONS: 24 } as const;
const IDB = { LINKTYPE: 8, SNAPLEN: 12, OPTIONS: 16 } as const;
const EPB = { IFACE: 8, TS_HIGH: 12, TS_LOW: 16, CAPLEN: 20, ORIGLEN: 24, DATA: 28 } as const;
const PB = { IFACE: 8, TS_HIGH: 12, TS_LOW: 16, CAPLEN: 20, ORIGLEN: 24, DATA: 28 } as const;
const SPB = { ORIGLEN: 8, DATA: 12 } as const;

/** Option header: code, length; value padded to 32 bits (spec §3.5). */
const OPT_HEADER_LEN = 4;
const OPT = { END: 0, IF_NAME: 2, IF_TSRESOL: 9, IF_TSOFFSET: 14 } as const;
const TSOFFSET_LEN = 8;

const TWO32 = 4294967296;

function pad4(n: number): number {
  return (n + 3) & ~3;
}

interface Iface {
  /** Index across all sections: what records report as ifIndex. */
  global: number;
  linktype: number;
  snaplen: number;
  res: TsResolution;
  offsetSec: number;
}

export class PcapngParser implements FormatParser {
  readonly format = 'pcapng' as const;
  readonly errors = new ErrorLog();
  readonly interfaces: InterfaceInfo[] = [];
  stopped = false;
  started = false;

  private le = true;
  /** Interfaces of the current section, by their local number. */
  private section: Iface[] = [];
  /** Length of the block that did not fit, for the cut-off message. */
  private need = MIN_BLOCK_LEN;

  constructor(
    private readonly name: string,
    private readonly rec: CaptureRecord,
  ) {}

  /** Fatal framing error: before the first section the file is unreadable, after it we stop. */
  private fail(offset: number, reason: string): void {
    if (!this.started) throw new CaptureOpenError(this.name, offset, reason);
    this.errors.add(offset, `${reason}; stopped reading`);
    this.stopped = true;
  }

  consume(buf: Buffer, pos: number, end: number, base: number, sink: RecordSink): number {
    while (!this.stopped && end - pos >= MIN_BLOCK_LEN) {
      let type = u32(buf, pos, this.le);
      if (type === BLOCK.SHB) {
        // The SHB type reads the same in both byte orders; its byte-order magic decides.
        const bom = u32(buf, pos + SHB.BOM, true);
        if (bom !== BOM_LE && bom !== BOM_BE) {
          this.fail(base + pos + SHB.BOM, `bad pcapng byte-order magic 0x${bom.toString(16)}`);
          break;
        }
        this.le = bom === BOM_LE;
        this.rec.littleEndian = this.le;
        type = BLOCK.SHB;
      } else if (!this.started) {
        this.fail(base + pos, 'pcapng file does not start with a section header block');
        break;
      }
      const len = u32(buf, pos + 4, this.le);
      if (len < MIN_BLOCK_LEN || len % 4 !== 0 || len > MAX_BLOCK_LEN) {
        const why =
          len < MIN_BLOCK_LEN
            ? `shorter than ${MIN_BLOCK_LEN}`
            : len % 4 !== 0
              ? 'not a multiple of 4'
              : `over ${MAX_BLOCK_LEN}`;
        this.fail(base + pos + 4, `block length ${len} is ${why}`);
        break;
      }
      if (len > MAX_HELD_BLOCK_LEN) {
        // Too big to hold: skip unread. Its trailer goes unchecked; packet and interface blocks
        // this large cannot be valid, so they are reported.
        if (type === BLOCK.SHB || type === BLOCK.IDB) {
          this.fail(base + pos, `${type === BLOCK.SHB ? 'section' : 'interface'} block of ${len} bytes is too large`);
          break;
        }
        if (type === BLOCK.EPB || type === BLOCK.PB || type === BLOCK.SPB) {
          this.errors.add(base + pos, `packet block of ${len} bytes exceeds ${MAX_HELD_BLOCK_LEN}; skipped`);
        }
        pos += len;
        if (pos > end) return pos;
        continue;
      }
      if (end - pos < len) {
        this.need = len;
        break;
      }
      const trailer = u32(buf, pos + len - BLOCK_TRAILER_LEN, this.le);
      if (trailer !== len) {
        this.fail(base + pos + len - BLOCK_TRAILER_LEN, `block trailer length ${trailer} differs from header length ${len}`);
        break;
      }
      switch (type) {
        case BLOCK.SHB:
          this.readSection(buf, pos, len, base);
          break;
        case BLOCK.IDB:
          this.readInterface(buf, pos, len, base);
          break;
        case BLOCK.EPB:
          this.readPacket(buf, pos, len, base, sink, EPB.IFACE, true);
          break;
        case BLOCK.PB:
          this.readPacket(buf, pos, len, base, sink, PB.IFACE, false);
          break;
        case BLOCK.SPB:
          this.readSimplePacket(buf, pos, len, base, sink);
          break;
        default:
          // Name resolution, statistics, custom and future blocks: skipped by their length.
          break;
      }
      pos += len;
    }
    return pos;
  }

  private readSection(buf: Buffer, pos: number, len: number, base: number): void {
    const major = u16(buf, pos + SHB.MAJOR, this.le);
    const minor = u16(buf, pos + SHB.MINOR, this.le);
    if (len < SHB.OPTIONS + BLOCK_TRAILER_LEN) {
      this.fail(base + pos + 4, `section header block length ${len} is too short`);
      return;
    }
    if (major !== SUPPORTED_MAJOR) {
      this.fail(base + pos + SHB.MAJOR, `unsupported pcapng version ${major}.${minor}`);
      return;
    }
    this.section = [];
    this.started = true;
  }

  private readInterface(buf: Buffer, pos: number, len: number, base: number): void {
    if (len < IDB.OPTIONS + BLOCK_TRAILER_LEN) {
      this.errors.add(base + pos + 4, `interface block length ${len} is too short; interface ignored`);
      return;
    }
    const iface: Iface = {
      global: this.interfaces.length,
      linktype: u16(buf, pos + IDB.LINKTYPE, this.le),
      snaplen: u32(buf, pos + IDB.SNAPLEN, this.le),
      res: TsResolution.MICRO,
      offsetSec: 0,
    };
    let name: string | null = null;
    let sawResolution = false;
    const limit = pos + len - BLOCK_TRAILER_LEN;
    let o = pos + IDB.OPTIONS;
    while (o < limit) {
      if (limit - o < OPT_HEADER_LEN) {
        this.errors.add(base + o, 'option header runs past its block');
        break;
      }
      const code = u16(buf, o, this.le);
      const olen = u16(buf, o + 2, this.le);
      if (code === OPT.END) break;
      const v = o + OPT_HEADER_LEN;
      if (v + olen > limit) {
        this.errors.add(base + o, `option ${code} of ${olen} bytes runs past its block`);
        break;
      }
      if (code === OPT.IF_NAME) {
        name = buf.toString('utf8', v, v + olen);
      } else if (code === OPT.IF_TSRESOL) {
        const res = olen === 1 ? TsResolution.fromOption(buf[v]!) : null;
        if (sawResolution) {
          this.errors.add(base + o, 'if_tsresol repeated; ignored (the first one decides)');
        } else if (!res) {
          this.errors.add(base + o, `if_tsresol ${olen === 1 ? `0x${buf[v]!.toString(16)}` : `of length ${olen}`} is out of range; microseconds used`);
        } else {
          iface.res = res;
        }
        sawResolution = true;
      } else if (code === OPT.IF_TSOFFSET) {
        if (olen === TSOFFSET_LEN) {
          const lo = u32(buf, v + (this.le ? 0 : 4), this.le);
          const hi = u32(buf, v + (this.le ? 4 : 0), this.le) | 0;
          iface.offsetSec = hi * TWO32 + lo;
        } else {
          this.errors.add(base + o, `if_tsoffset of length ${olen} is not 8; ignored`);
        }
      }
      o = v + pad4(olen);
    }
    this.section.push(iface);
    this.interfaces.push({ linktype: iface.linktype, snaplen: iface.snaplen, name });
  }

  private interfaceFor(local: number, base: number, pos: number): Iface | null {
    const iface = this.section[local];
    if (!iface) {
      this.errors.add(base + pos, `packet for undeclared interface ${local}; skipped`);
      return null;
    }
    return iface;
  }

  /** EPB (interface id 32 bits) and the obsolete PB (16 bits) share their layout otherwise. */
  private readPacket(
    buf: Buffer,
    pos: number,
    len: number,
    base: number,
    sink: RecordSink,
    ifaceField: number,
    epb: boolean,
  ): void {
    if (len < EPB.DATA + BLOCK_TRAILER_LEN) {
      this.errors.add(base + pos + 4, `packet block length ${len} is too short; skipped`);
      return;
    }
    const local = epb ? u32(buf, pos + ifaceField, this.le) : u16(buf, pos + ifaceField, this.le);
    const iface = this.interfaceFor(local, base, pos);
    if (!iface) return;
    const caplen = u32(buf, pos + (epb ? EPB.CAPLEN : PB.CAPLEN), this.le);
    const wirelen = u32(buf, pos + (epb ? EPB.ORIGLEN : PB.ORIGLEN), this.le);
    const room = len - EPB.DATA - BLOCK_TRAILER_LEN;
    if (caplen > MAX_RECORD_BYTES || pad4(caplen) > room) {
      this.errors.add(base + pos + EPB.CAPLEN, `captured length ${caplen} does not fit its ${len}-byte block; skipped`);
      return;
    }
    if (caplen > wirelen) {
      this.errors.add(base + pos + EPB.CAPLEN, `record captured length ${caplen} exceeds its wire length ${wirelen}`);
    }
    const r = this.rec;
    setTsFromUnits(r, u32(buf, pos + EPB.TS_HIGH, this.le), u32(buf, pos + EPB.TS_LOW, this.le), iface.res, iface.offsetSec);
    this.emit(buf, pos, base, iface, EPB.DATA, caplen, wirelen, sink);
  }

  /** SPB: no interface id (always 0), no timestamp, captured length implied by the block. */
  private readSimplePacket(buf: Buffer, pos: number, len: number, base: number, sink: RecordSink): void {
    if (len < SPB.DATA + BLOCK_TRAILER_LEN) {
      this.errors.add(base + pos + 4, `simple packet block length ${len} is too short; skipped`);
      return;
    }
    const iface = this.interfaceFor(0, base, pos);
    if (!iface) return;
    const wirelen = u32(buf, pos + SPB.ORIGLEN, this.le);
    let caplen = Math.min(wirelen, len - SPB.DATA - BLOCK_TRAILER_LEN);
    if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
    const r = this.rec;
    r.tsSec = 0;
    r.tsNsec = 0;
    r.hasTs = false;
    this.emit(buf, pos, base, iface, SPB.DATA, caplen, wirelen, sink);
  }

  private emit(
    buf: Buffer,
    pos: number,
    base: number,
    iface: Iface,
    dataField: number,
    caplen: number,
    wirelen: number,
    sink: RecordSink,
  ): void {
    const r = this.rec;
    r.buf = buf;
    r.offset = pos + dataField;
    r.caplen = caplen;
    r.wirelen = wirelen;
    r.linktype = iface.linktype;
    r.ifIndex = iface.global;
    r.fileOffset = base + pos;
    sink(r);
  }

  endOfInput(offset: number, leftover: number): void {
    if (!this.started) {
      throw new CaptureOpenError(this.name, 0, `truncated pcapng section header (${leftover} bytes)`);
    }
    if (leftover === 0 || this.stopped) return;
    const what = leftover < MIN_BLOCK_LEN ? `block header (${leftover} bytes)` : `block (${leftover} of ${this.need} bytes)`;
    this.errors.add(offset, `file ends inside a ${what}`);
  }
}
