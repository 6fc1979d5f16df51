/**
 * The packet-source contract shared by every reader (pcap, pcapng, later live capture).
 *
 * Borrow rule: a source hands each record to its sink as one reused `CaptureRecord` whose bytes
 * live in the source's chunk buffer. The record and its bytes are valid only until the sink
 * returns; the next record overwrites both. Whatever must outlive the call is copied out first
 * (into a `PacketSummary`, a flow key, a counter).
 */

/** Largest record we accept. A header claiming more is an error, never an allocation (libpcap's
 *  own ceiling for most link types is the same 256 KiB). */
export const MAX_RECORD_BYTES = 262144;

export class CaptureRecord {
  /** Backing store: the reader's chunk buffer. Packet bytes are `buf[offset, offset + caplen)`. */
  buf: Buffer = Buffer.alloc(0);
  offset = 0;
  /** Bytes present in the file (captured length). */
  caplen = 0;
  /** Bytes that were on the wire (original length); may exceed caplen when a snap length cut it. */
  wirelen = 0;
  /** Timestamp as whole seconds since the epoch plus nanoseconds, exact. */
  tsSec = 0;
  tsNsec = 0;
  /** False for records that carry no time (pcapng Simple Packet Block). */
  hasTs = true;
  /** LINKTYPE_ value of the interface the record came from. */
  linktype = 0;
  /** Interface number, unique across pcapng sections; 0 for classic pcap. */
  ifIndex = 0;
  /** Byte order of the file (pcap) or of the record's section (pcapng). A NULL link header is
   *  written in it, and libpcap's filters read it so (src/decode/filter-program.ts). */
  littleEndian = true;
  /** Byte offset of the record's header in the input. */
  fileOffset = 0;

  /** Timestamp as float seconds (µs-exact for present-day times; for output and rates). */
  get ts(): number {
    return this.tsSec + this.tsNsec / 1e9;
  }

  /** A view of the packet bytes. Costs an object; the hot path reads `buf` at `offset` instead. */
  get data(): Buffer {
    return this.buf.subarray(this.offset, this.offset + this.caplen);
  }
}

/** A problem found while reading the input: where (byte offset) and what. */
export interface SourceError {
  offset: number;
  reason: string;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** Called once per record, synchronously; see the borrow rule above. */
export type RecordSink = (rec: CaptureRecord) => void;

/** What a finished read knows about its input. */
export interface SourceSummary {
  format: CaptureFormat;
  /** Distinct link types declared by the input, in order of first appearance. */
  linktypes: number[];
  /** Interfaces (pcapng IDBs, or the one pcap header), in global index order. */
  interfaces: InterfaceInfo[];
  errors: SourceError[];
  /** Errors beyond those listed in `errors` (the list is bounded). */
  errorsNotListed: number;
  /** True when reading stopped early because the input could not be framed any further. */
  stoppedEarly: boolean;
  bytesRead: number;
}

export interface InterfaceInfo {
  linktype: number;
  snaplen: number;
  name: string | null;
}

/** Bounded list of errors: a hostile file cannot make the report grow without limit. */
export const MAX_LISTED_ERRORS = 1000;

export class ErrorLog {
  readonly list: SourceError[] = [];
  notListed = 0;

  add(offset: number, reason: string): void {
    if (this.list.length < MAX_LISTED_ERRORS) this.list.push({ offset, reason });
    else this.notListed++;
  }

  get count(): number {
    return this.list.length + this.notListed;
  }
}

/** An input that cannot be read at all (exit 2). `offset` is where the problem was found. */
export class CaptureOpenError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number | null,
    readonly cause_: string,
  ) {
    super(offset === null ? `${file}: ${cause_}` : `${file}: byte ${offset}: ${cause_}`);
    this.name = 'CaptureOpenError';
  }
}

/**
 * A capture-file format: turns framed bytes into records. The reader owns the chunk buffer and
 * calls `consume` each time more bytes arrived; the parser never reads outside `[pos, end)`.
 */
export interface FormatParser {
  readonly format: CaptureFormat;
  /**
   * Parses every whole record in `buf[pos, end)`, handing each to `sink`, and returns the position
   * after the last byte consumed. A return value beyond `end` asks the reader to skip that many
   * bytes it has not read yet (a large block we do not decode). `base` is the input offset of
   * `buf[0]`, for error messages.
   */
  consume(buf: Buffer, pos: number, end: number, base: number, sink: RecordSink): number;
  /** Set once framing is lost (a length we cannot trust): the reader stops. */
  readonly stopped: boolean;
  /** True once the file header was accepted; a file without one is not readable at all. */
  readonly started: boolean;
  /** End of input with `leftover` unconsumed bytes at input offset `offset`. */
  endOfInput(offset: number, leftover: number): void;
  readonly errors: ErrorLog;
  readonly interfaces: InterfaceInfo[];
}
