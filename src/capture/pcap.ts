/**
 * Classic libpcap files: a 24-byte file header, then records of a 16-byte header and caplen
 * bytes. Four magics: microsecond or nanosecond timestamps, each in either byte order.
 * Format: https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/ (§4 file header, §5 record).
 */
import { u16, u32, u32be, u32le } from '../bytes.js';
import { LINKTYPE_FIELD_MASK } from './linktype.js';
import {
  type CaptureRecord,
  type FormatParser,
  type InterfaceInfo,
  type RecordSink,
  CaptureOpenError,
  ErrorLog,
  MAX_RECORD_BYTES,
} from './source.js';

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
/** The same magics as read with the wrong byte order. */
export const PCAP_MAGIC_USEC_SWAPPED = 0xd4c3b2a1;
export const PCAP_MAGIC_NSEC_SWAPPED = 0x4d3cb2a1;

export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

/** File header field offsets (the reader and pcap-writer.ts share this layout). */
export const PCAP_FILE_FIELD = {
  MAGIC: 0,
  VERSION_MAJOR: 4,
  VERSION_MINOR: 6,
  THISZONE: 8,
  SIGFIGS: 12,
  SNAPLEN: 16,
  LINKTYPE: 20,
} as const;
const F = PCAP_FILE_FIELD;

/** Record header field offsets. */
export const PCAP_RECORD_FIELD = {
  TS_SEC: 0,
  TS_FRAC: 4,
  INCL_LEN: 8,
  ORIG_LEN: 12,
} as const;
const R = PCAP_RECORD_FIELD;

const SUPPORTED_MAJOR = 2;

/** Is this 32-bit value (read little-endian) one of the pcap magics? */
export function isPcapMagic(le32: number): boolean {
  return (
    le32 === PCAP_MAGIC_USEC ||
    le32 === PCAP_MAGIC_NSEC ||
    le32 === PCAP_MAGIC_USEC_SWAPPED ||
    le32 === PCAP_MAGIC_NSEC_SWAPPED
  );
}

export class PcapParser implements FormatParser {
  readonly format = 'pcap' as const;
  readonly errors = new ErrorLog();
  readonly interfaces: InterfaceInfo[] = [];
  stopped = false;
  started = false;

  private le = true;
  private nanos = false;
  private linktype = 0;
  /** Size of the record that did not fit, for the cut-off message. */
  private need = PCAP_RECORD_HEADER_LEN;

  constructor(
    private readonly name: string,
    private readonly rec: CaptureRecord,
  ) {}

  private parseHeader(buf: Buffer, pos: number, base: number): void {
    const magicLe = u32(buf, pos + F.MAGIC, true);
    this.le = magicLe === PCAP_MAGIC_USEC || magicLe === PCAP_MAGIC_NSEC;
    this.nanos = magicLe === PCAP_MAGIC_NSEC || magicLe === PCAP_MAGIC_NSEC_SWAPPED;
    const major = u16(buf, pos + F.VERSION_MAJOR, this.le);
    const minor = u16(buf, pos + F.VERSION_MINOR, this.le);
    if (major !== SUPPORTED_MAJOR) {
      throw new CaptureOpenError(
        this.name,
        base + pos + F.VERSION_MAJOR,
        `unsupported pcap version ${major}.${minor} (only 2.x exists)`,
      );
    }
    // The snap length is informational only: buffers are never sized from it.
    const snaplen = u32(buf, pos + F.SNAPLEN, this.le);
    this.linktype = u32(buf, pos + F.LINKTYPE, this.le) & LINKTYPE_FIELD_MASK;
    this.interfaces.push({ linktype: this.linktype, snaplen, name: null });
    const r = this.rec;
    r.linktype = this.linktype;
    r.ifIndex = 0;
    r.littleEndian = this.le;
    r.buf = buf;
    this.started = true;
  }

  consume(buf: Buffer, pos: number, end: number, base: number, sink: RecordSink): number {
    if (!this.started) {
      if (end - pos < PCAP_FILE_HEADER_LEN) return pos;
      this.parseHeader(buf, pos, base);
      pos += PCAP_FILE_HEADER_LEN;
    }
    const r = this.rec;
    const le = this.le;
    const fracScale = this.nanos ? 1 : 1000;
    const fracLimit = this.nanos ? 1e9 : 1e6;
    r.buf = buf;
    while (end - pos >= PCAP_RECORD_HEADER_LEN) {
      // Byte order chosen per read (not through u32()), so each read inlines in this loop.
      const caplen = le ? u32le(buf, pos + R.INCL_LEN) : u32be(buf, pos + R.INCL_LEN);
      if (caplen > MAX_RECORD_BYTES) {
        this.errors.add(
          base + pos + R.INCL_LEN,
          `record captured length ${caplen} exceeds ${MAX_RECORD_BYTES}; stopped reading`,
        );
        this.stopped = true;
        return pos;
      }
      if (end - pos < PCAP_RECORD_HEADER_LEN + caplen) {
        this.need = PCAP_RECORD_HEADER_LEN + caplen;
        break;
      }
      const wirelen = le ? u32le(buf, pos + R.ORIG_LEN) : u32be(buf, pos + R.ORIG_LEN);
      let sec = le ? u32le(buf, pos + R.TS_SEC) : u32be(buf, pos + R.TS_SEC);
      let frac = le ? u32le(buf, pos + R.TS_FRAC) : u32be(buf, pos + R.TS_FRAC);
      if (frac >= fracLimit) {
        // Out of range fraction: carry into seconds so time stays monotonic in the field's sense.
        this.errors.add(
          base + pos + R.TS_FRAC,
          `timestamp fraction ${frac} is not below ${fracLimit}`,
        );
        sec += Math.floor(frac / fracLimit);
        frac %= fracLimit;
      }
      if (caplen > wirelen) {
        this.errors.add(
          base + pos + R.INCL_LEN,
          `record captured length ${caplen} exceeds its wire length ${wirelen}`,
        );
      }
      r.tsSec = sec;
      r.tsNsec = frac * fracScale;
      r.caplen = caplen;
      r.wirelen = wirelen;
      r.fileOffset = base + pos;
      r.offset = pos + PCAP_RECORD_HEADER_LEN;
      sink(r);
      pos += PCAP_RECORD_HEADER_LEN + caplen;
    }
    return pos;
  }

  endOfInput(offset: number, leftover: number): void {
    if (!this.started) {
      throw new CaptureOpenError(
        this.name,
        0,
        `truncated pcap file header (${leftover} of ${PCAP_FILE_HEADER_LEN} bytes)`,
      );
    }
    if (leftover === 0) return;
    const what =
      leftover < PCAP_RECORD_HEADER_LEN
        ? `record header (${leftover} of ${PCAP_RECORD_HEADER_LEN} bytes)`
        : `record (${leftover} of ${this.need} bytes)`;
    this.errors.add(offset, `file ends inside a ${what}`);
  }
}
