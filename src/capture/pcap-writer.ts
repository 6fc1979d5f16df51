/**
 * Saving records as classic pcap: tcpdump's `-w FILE`, `-C MB` and `-W N`.
 *
 * Contracts:
 * - Borrow rule: `write(rec)` copies the record's bytes into the writer's own buffer before it
 *   returns, so the caller may reuse `rec` and its bytes for the next packet.
 * - Whole records only: every write(2) this module issues starts and ends on a record boundary
 *   (the 24-byte file header is written alone, as soon as a file is opened, so even a file that
 *   never receives a packet is a valid capture). A process killed between two writes leaves a file
 *   that every reader takes to its last record. One window remains that no user-space writer can
 *   close: Linux checks for a fatal signal between the pages (folios) of one write(2) and returns
 *   a short write (mm/filemap.c, generic_perform_write), so SIGKILL landing *during* a flush can cut
 *   the file at a page boundary. The odds are the share of time the process spends copying into
 *   the page cache (about 0.1-0.3 ms per MiB here), whatever the batching: measured here, a
 *   process doing nothing but 1 MiB writes had a record cut by 29 of 30 kills; a capture paced at
 *   7 MB/s with 256 KiB flushes (the kill test's child) by none of 116.
 * - A write that fails part-way (a full disk takes part of a flush) is cut back to the last whole
 *   record with ftruncate, so the file stays readable; the writer then fails with one line.
 * - Time is a parameter: records wait at most `maxDelayMs` (default 1 s) before reaching the
 *   kernel, driven by `tick(now)`, which an unref'd interval calls unless `timer: false`.
 * - No file is opened before `PcapWriter.open()`: a caller that drops root (`-Z USER`) does so
 *   first, and every file, rotated ones included, is then created as that user, as tcpdump does.
 *
 * Format: https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/ (§4 file header, §5 record).
 */
import { closeSync, constants, ftruncateSync, openSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { performance } from 'node:perf_hooks';
import { linktypeName } from './linktype.js';
import {
  PCAP_FILE_FIELD,
  PCAP_FILE_HEADER_LEN,
  PCAP_MAGIC_NSEC,
  PCAP_MAGIC_USEC,
  PCAP_RECORD_FIELD,
  PCAP_RECORD_HEADER_LEN,
} from './pcap.js';
import { type CaptureRecord, MAX_RECORD_BYTES } from './source.js';

/** tcpdump's -C unit: millions of bytes, not MiB (tcpdump(1)). */
export const TCPDUMP_FILE_SIZE_UNIT = 1_000_000;

/** One read-chunk's worth: flushes stay rare (one write(2) per MiB) and the buffer small. */
export const DEFAULT_BUFFER_BYTES = 1024 * 1024;
export const DEFAULT_MAX_DELAY_MS = 1000;
/** What tcpdump and libpcap create files with; the umask applies (0644 under umask 022). */
export const DEFAULT_FILE_MODE = 0o666;

/** The header layouts the reader uses (pcap.ts). */
const F = PCAP_FILE_FIELD;
const R = PCAP_RECORD_FIELD;

const VERSION_MAJOR = 2;
const VERSION_MINOR = 4;
const NSEC_PER_USEC = 1000;
/** Sleep between tries when a non-blocking standard output is full (EAGAIN). */
const PIPE_RETRY_MS = 1;
const STDOUT_FD = 1;
export const STDOUT_NAME = '-';

export interface RotateOptions {
  /** Start a new file before a record when the current one already holds more than this many
   *  bytes, header and buffered records included (tcpdump -C, times TCPDUMP_FILE_SIZE_UNIT). */
  fileSize: number;
  /** Keep at most this many files, overwriting the oldest (tcpdump -W with -C). */
  fileCount?: number;
}

export interface PcapWriterOptions {
  /** The file to write, or `-` for standard output. With `rotate`, the base name. */
  path: string;
  /** LINKTYPE_ value of every record: a pcap file holds one link type. */
  linktype: number;
  /** Snap length stated in the header; longer records are cut to it (the wire length stays).
   *  0 or absent means 262144 (what libpcap states for an unlimited snap length), also the most. */
  snaplen?: number;
  /** Microseconds (default: what tcpdump writes, what every reader and a live libpcap source
   *  have) or nanoseconds (keeps pcapng/nanosecond input exact). Finer digits are truncated. */
  precision?: 'micro' | 'nano';
  /** Default native, as libpcap writes. */
  byteOrder?: 'native' | 'little' | 'big';
  rotate?: RotateOptions;
  /** Creation mode before the umask; default 0o666 as tcpdump. */
  mode?: number;
  /** Bytes held before a flush; raised to hold at least one record of `snaplen` bytes. */
  bufferSize?: number;
  /** Hand every record to the kernel as it is written (tcpdump -U). */
  flushEachRecord?: boolean;
  /** Longest a written record stays in memory, given `tick()` every `maxDelayMs / 2`. */
  maxDelayMs?: number;
  /** Monotonic milliseconds; default performance.now. */
  clock?: () => number;
  /** Run an unref'd interval calling `tick()` every `maxDelayMs / 2` (default true). Set false
   *  when the owner drives `tick(now)` from its own clock. */
  timer?: boolean;
  /** Receives an error raised by a timer-driven flush; it is also thrown by the next call. */
  onError?: (err: PcapWriterError) => void;
}

export type PcapWriterErrorKind = 'open' | 'write' | 'linktype' | 'usage';

/** One line for the user: the file and the cause, e.g. `out.pcap: cannot write: no space left on
 *  device (ENOSPC)`. `code` is the system error code, or null for the writer's own refusals. */
export class PcapWriterError extends Error {
  constructor(
    readonly file: string,
    readonly kind: PcapWriterErrorKind,
    readonly code: string | null,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'PcapWriterError';
  }
}

const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a path component is not a directory',
  EROFS: 'read-only file system',
  EPIPE: 'the reader closed the pipe',
  EIO: 'input/output error',
};

function systemError(file: string, kind: 'open' | 'write', err: unknown): PcapWriterError {
  const code = (err as NodeJS.ErrnoException)?.code ?? null;
  const cause = code ? `${CAUSES[code] ?? 'system error'} (${code})` : String((err as Error)?.message ?? err);
  return new PcapWriterError(file, kind, code, `cannot ${kind}: ${cause}`);
}

/**
 * The name of file `index` of a rotation, as tcpdump 4.99 names it: the first file is FILE, then
 * FILE1, FILE2, ... With `fileCount` N, indexes cycle 0..N-1 and are zero-padded to the digits of
 * N-1 (-W 10: FILE0..FILE9; -W 11: FILE00..FILE10); -W 1 has no digits and reuses FILE.
 */
export function rotationFileName(base: string, index: number, fileCount?: number): string {
  const digits = fileCount !== undefined && fileCount > 1 ? String(fileCount - 1).length : 0;
  if (index === 0 && digits === 0) return base;
  return base + String(index).padStart(digits, '0');
}

function put32(b: Buffer, o: number, v: number, le: boolean): void {
  if (le) {
    b[o] = v;
    b[o + 1] = v >>> 8;
    b[o + 2] = v >>> 16;
    b[o + 3] = v >>> 24;
  } else {
    b[o] = v >>> 24;
    b[o + 1] = v >>> 16;
    b[o + 2] = v >>> 8;
    b[o + 3] = v;
  }
}

function put16(b: Buffer, o: number, v: number, le: boolean): void {
  b[o + (le ? 0 : 1)] = v;
  b[o + (le ? 1 : 0)] = v >>> 8;
}

let sleeper: Int32Array | null = null;
function sleepMs(ms: number): void {
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Hands `buf[start, end)` to the kernel, however many write(2) calls that takes. A non-blocking
 *  pipe (Node makes standard output one once `process.stdout` is touched) answers EAGAIN when
 *  full: we wait and retry, so the capture blocks as it would on a blocking descriptor. */
function writeAll(fd: number, buf: Buffer, start: number, end: number): void {
  while (start < end) {
    try {
      start += writeSync(fd, buf, start, end - start);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') sleepMs(PIPE_RETRY_MS);
      else if (code !== 'EINTR') throw err;
    }
  }
}

export class PcapWriter {
  /** Records accepted by `write()`. */
  records = 0;
  /** Records handed to the kernel (all files). Those are in the file after a `kill -9`. */
  recordsFlushed = 0;
  /** Files opened so far (a cycling rotation counts each reopening). */
  filesOpened = 0;

  private readonly le: boolean;
  private readonly nanos: boolean;
  private readonly snaplen: number;
  private readonly linktype: number;
  private readonly base: string;
  private readonly rotateAt: number;
  private readonly fileCount: number | undefined;
  private readonly mode: number;
  private readonly eachRecord: boolean;
  private readonly maxDelayMs: number;
  private readonly clock: () => number;
  private readonly onError: ((err: PcapWriterError) => void) | undefined;
  private readonly buf: Buffer;

  private fd: number | null = null;
  private name: string;
  private index = 0;
  /** Bytes of the current file handed to the kernel, its header included. */
  private fileBytes = 0;
  private used = 0;
  private usedRecords = 0;
  /** Clock reading when the oldest buffered record was written. */
  private oldest = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private failure: PcapWriterError | null = null;
  /** The failure came from the timer and no call has thrown it yet. */
  private failureUnseen = false;

  /** Opens the first file (or standard output) and writes its header. Throws PcapWriterError. */
  static open(opts: PcapWriterOptions): PcapWriter {
    const w = new PcapWriter(opts);
    w.openFile();
    if (opts.timer ?? true) {
      w.timer = setInterval(() => w.timerTick(), w.maxDelayMs / 2);
      w.timer.unref();
    }
    return w;
  }

  private constructor(o: PcapWriterOptions) {
    const order = o.byteOrder ?? 'native';
    this.le = order === 'native' ? endianness() === 'LE' : order === 'little';
    this.nanos = o.precision === 'nano';
    this.snaplen = o.snaplen ? Math.min(o.snaplen, MAX_RECORD_BYTES) : MAX_RECORD_BYTES;
    if (!Number.isInteger(o.linktype) || o.linktype < 0 || o.linktype > 0xffffffff) {
      throw new RangeError(`link type ${o.linktype} is not a 32-bit value`);
    }
    this.linktype = o.linktype;
    this.base = o.path;
    this.name = o.path;
    if (o.rotate) {
      const { fileSize, fileCount } = o.rotate;
      if (!(fileSize > 0)) throw new RangeError(`rotation file size ${fileSize} is not positive`);
      if (fileCount !== undefined && !(Number.isInteger(fileCount) && fileCount > 0)) {
        throw new RangeError(`rotation file count ${fileCount} is not a positive integer`);
      }
      if (o.path === STDOUT_NAME) {
        throw new PcapWriterError('standard output', 'usage', null, 'cannot rotate standard output (-C needs a file name)');
      }
      this.rotateAt = fileSize;
      this.fileCount = fileCount;
      this.name = rotationFileName(this.base, 0, fileCount);
    } else {
      this.rotateAt = 0;
      this.fileCount = undefined;
    }
    this.mode = o.mode ?? DEFAULT_FILE_MODE;
    this.eachRecord = o.flushEachRecord ?? false;
    this.maxDelayMs = o.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    if (!(this.maxDelayMs > 0)) throw new RangeError(`maxDelayMs ${this.maxDelayMs} is not positive`);
    this.clock = o.clock ?? (() => performance.now());
    this.onError = o.onError;
    this.buf = Buffer.allocUnsafe(Math.max(o.bufferSize ?? DEFAULT_BUFFER_BYTES, PCAP_RECORD_HEADER_LEN + this.snaplen));
  }

  /** The file records currently go to (`standard output` for `-`). */
  get currentFile(): string {
    return this.display(this.name);
  }

  /** Bytes of the current file: handed to the kernel plus buffered (what tcpdump's -C measures). */
  get currentFileBytes(): number {
    return this.fileBytes + this.used;
  }

  /**
   * Copies one record into the buffer (borrow rule: `rec` may be reused as soon as this returns).
   * Throws PcapWriterError: `linktype` for a record of another link type (refused, the writer
   * stays usable), `open`/`write` when a file cannot be opened or written (the writer is then
   * failed: every later call throws the same error).
   */
  write(rec: CaptureRecord): void {
    this.usable();
    if (rec.linktype !== this.linktype) this.refuseLinktype(rec.linktype);
    const caplen = rec.caplen < this.snaplen ? rec.caplen : this.snaplen;
    const need = PCAP_RECORD_HEADER_LEN + caplen;
    // tcpdump checks the size before each packet and rotates only once it is exceeded, so a file
    // ends one record past the limit (checked against tcpdump 4.99.3 at exactly 1,000,000 bytes).
    if (this.rotateAt > 0 && this.fileBytes + this.used > this.rotateAt) this.rotate();
    if (this.used + need > this.buf.length) this.flushNow();
    const b = this.buf;
    const o = this.used;
    const le = this.le;
    // Seconds wrap modulo 2^32 as libpcap's 32-bit field does; a record without a time (pcapng
    // Simple Packet Block) gets 0.
    const sec = rec.hasTs ? rec.tsSec : 0;
    const nsec = rec.hasTs ? rec.tsNsec : 0;
    put32(b, o + R.TS_SEC, sec, le);
    put32(b, o + R.TS_FRAC, this.nanos ? nsec : Math.floor(nsec / NSEC_PER_USEC), le);
    put32(b, o + R.INCL_LEN, caplen, le);
    put32(b, o + R.ORIG_LEN, rec.wirelen, le);
    rec.buf.copy(b, o + PCAP_RECORD_HEADER_LEN, rec.offset, rec.offset + caplen);
    if (this.used === 0) this.oldest = this.clock();
    this.used = o + need;
    this.usedRecords++;
    this.records++;
    if (this.eachRecord) this.flushNow();
  }

  /** Flushes when the oldest buffered record is `maxDelayMs / 2` old: called every half
   *  `maxDelayMs`, that keeps every record's wait under `maxDelayMs`. */
  tick(now: number = this.clock()): void {
    this.usable();
    if (this.used > 0 && now - this.oldest >= this.maxDelayMs / 2) this.flushNow();
  }

  /** Hands every buffered record to the kernel now. */
  flush(): void {
    this.usable();
    this.flushNow();
  }

  /**
   * Flushes and closes (standard output stays open). Idempotent. Throws a failure that no call
   * has thrown yet (one from a timer-driven flush), or one raised by this last flush.
   */
  close(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      if (!this.failure) this.flushNow();
    } finally {
      this.closed = true;
      this.closeFd();
    }
    if (this.failure && this.failureUnseen) {
      this.failureUnseen = false;
      throw this.failure;
    }
  }

  private display(name: string): string {
    return name === STDOUT_NAME ? 'standard output' : name;
  }

  private usable(): void {
    if (this.failure) {
      this.failureUnseen = false;
      throw this.failure;
    }
    if (this.closed) throw new Error(`pcap writer for ${this.display(this.name)} is closed`);
  }

  private refuseLinktype(got: number): never {
    const name = (lt: number) => `${linktypeName(lt)} (${lt})`;
    throw new PcapWriterError(
      this.display(this.name),
      'linktype',
      null,
      `a record of link type ${name(got)} cannot go into a pcap file of link type ${name(this.linktype)}: pcap holds one link type per file`,
    );
  }

  private timerTick(): void {
    if (this.failure || this.closed) return;
    try {
      this.tick();
    } catch (err) {
      if (!(err instanceof PcapWriterError)) throw err;
      this.failureUnseen = true;
      this.onError?.(err);
    }
  }

  private fail(err: PcapWriterError): never {
    this.failure = err;
    this.used = 0;
    this.usedRecords = 0;
    this.closeFd();
    throw err;
  }

  private closeFd(): void {
    const fd = this.fd;
    this.fd = null;
    if (fd === null || fd === STDOUT_FD) return;
    try {
      closeSync(fd);
    } catch {
      // A close error after the data was written (NFS reports late write errors here) cannot be
      // attributed to a record; the writes themselves were checked.
    }
  }

  private flushNow(): void {
    if (this.used === 0) return;
    try {
      writeAll(this.fd!, this.buf, 0, this.used);
    } catch (err) {
      // A full disk takes part of a flush (a short write, then ENOSPC): cut the file back to the
      // last whole record so it stays readable. Pipes and devices cannot be cut; nothing to do.
      if (this.fd !== STDOUT_FD) {
        try {
          ftruncateSync(this.fd!, this.fileBytes);
        } catch {
          // Not a regular file.
        }
      }
      this.fail(systemError(this.display(this.name), 'write', err));
    }
    this.fileBytes += this.used;
    this.recordsFlushed += this.usedRecords;
    this.used = 0;
    this.usedRecords = 0;
  }

  private rotate(): void {
    this.flushNow();
    this.closeFd();
    this.index = this.fileCount === undefined ? this.index + 1 : (this.index + 1) % this.fileCount;
    this.name = rotationFileName(this.base, this.index, this.fileCount);
    this.openFile();
  }

  private openFile(): void {
    const shown = this.display(this.name);
    if (this.name === STDOUT_NAME) {
      this.fd = STDOUT_FD;
    } else {
      try {
        this.fd = openSync(this.name, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, this.mode);
      } catch (err) {
        this.fail(systemError(shown, 'open', err));
      }
    }
    this.filesOpened++;
    const h = Buffer.alloc(PCAP_FILE_HEADER_LEN);
    const le = this.le;
    put32(h, F.MAGIC, this.nanos ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC, le);
    put16(h, F.VERSION_MAJOR, VERSION_MAJOR, le);
    put16(h, F.VERSION_MINOR, VERSION_MINOR, le);
    put32(h, F.THISZONE, 0, le);
    put32(h, F.SIGFIGS, 0, le);
    put32(h, F.SNAPLEN, this.snaplen, le);
    put32(h, F.LINKTYPE, this.linktype, le);
    try {
      writeAll(this.fd!, h, 0, h.length);
    } catch (err) {
      this.fail(systemError(shown, 'write', err));
    }
    this.fileBytes = PCAP_FILE_HEADER_LEN;
  }
}
