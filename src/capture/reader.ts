/**
 * Reads a capture file (or standard input) of any size through one reused chunk buffer and hands
 * each record to a sink. Detects the format by its magic. Never reads the whole file into memory
 * and never sizes a buffer from a header.
 */
import { u32 } from '../bytes.js';
import { isPcapMagic, PcapParser } from './pcap.js';
import { BLOCK, MAX_HELD_BLOCK_LEN, PcapngParser } from './pcapng.js';
import {
  type FormatParser,
  type RecordSink,
  type SourceSummary,
  CaptureOpenError,
  CaptureRecord,
} from './source.js';
import { BlockingFileInput, type ByteInput, FileInput, StreamInput } from './stream.js';

/**
 * Bytes asked of the input per read: large enough that per-read costs vanish (800 reads for the
 * 825 MB bench file), small enough that the two read buffers stay well inside a 2 MiB L2 cache
 * beside the flow tables. With 4 MiB buffers every pass of the file evicted the tables: median
 * replay time was 30% higher on the bench capture (1364 ms against 941 ms, 6 interleaved runs).
 */
export const READ_CHUNK = 1024 * 1024;
const MAGIC_LEN = 4;
const GZIP_MAGIC = 0x8b1f;

export interface ReadOptions {
  /** Bytes per read; tests use small values to exercise records that straddle reads. */
  chunkSize?: number;
  /** Read files with blocking calls (a worker thread that only reads and decodes). */
  blocking?: boolean;
  /**
   * Called after the records of each read were handed to the sink, before the next read is
   * parsed; the reader waits for a returned promise. A paced replay holds records back here
   * (src/capture/pace.ts), and a dashboard lets its event loop run.
   */
  afterChunk?: () => void | Promise<void>;
}

/** Opens `name` (`-` is standard input) and maps system errors to a one-line cause. */
export async function openInput(name: string, blocking = false): Promise<ByteInput> {
  if (name === '-') return new StreamInput(process.stdin);
  try {
    return blocking ? BlockingFileInput.open(name) : await FileInput.open(name);
  } catch (err) {
    throw new CaptureOpenError(name, null, describeSystemError(err));
  }
}

function describeSystemError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory, not a capture file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return code ? `cannot open (${code})` : String((err as Error)?.message ?? err);
  }
}

function detectFormat(name: string, buf: Buffer, rec: CaptureRecord): FormatParser {
  const le32 = u32(buf, 0, true);
  if (isPcapMagic(le32)) return new PcapParser(name, rec);
  if (le32 === BLOCK.SHB) return new PcapngParser(name, rec);
  if ((le32 & 0xffff) === GZIP_MAGIC) {
    throw new CaptureOpenError(name, 0, 'gzip-compressed; decompress it first (gunzip -c FILE | wirestat report -)');
  }
  throw new CaptureOpenError(name, 0, `not a pcap or pcapng file (magic 0x${le32.toString(16).padStart(8, '0')})`);
}

/**
 * Streams every record of `name` to `sink`. Rejects with CaptureOpenError when nothing could be
 * read (not a capture, empty, missing); otherwise resolves with what was read and any errors.
 */
export async function readCapture(name: string, sink: RecordSink, opts: ReadOptions = {}): Promise<SourceSummary> {
  const input = await openInput(name, opts.blocking);
  try {
    return await readFrom(input, name, sink, opts);
  } finally {
    await input.close();
  }
}

export async function readFrom(
  input: ByteInput,
  name: string,
  sink: RecordSink,
  opts: ReadOptions = {},
): Promise<SourceSummary> {
  const chunk = opts.chunkSize ?? READ_CHUNK;
  // Two buffers: while records of one are parsed, the next read fills the other. Each holds, in
  // front of its read area, room for the unfinished record carried over from the other.
  const head = MAX_HELD_BLOCK_LEN;
  const bufs = [Buffer.allocUnsafe(head + chunk), Buffer.allocUnsafe(head + chunk)] as const;
  const rec = new CaptureRecord();
  let parser: FormatParser | null = null;
  let cur = 0;
  /** Input offset of the first byte not yet consumed (the start of the carry). */
  let consumed = 0;
  let carryFrom: Buffer | null = null;
  let carryStart = 0;
  let carryLen = 0;
  /** Bytes of a skipped block still to discard as they arrive. */
  let skip = 0;
  let total = 0;
  const read = (into: Buffer): Promise<number> => input.read(into, head, chunk);
  let pending: Promise<number> = read(bufs[0]);

  for (;;) {
    let n: number;
    try {
      n = await pending;
    } catch (err) {
      if (!parser?.started) throw new CaptureOpenError(name, total, describeSystemError(err));
      parser.errors.add(total, `read failed (${(err as NodeJS.ErrnoException).code ?? err}); stopped reading`);
      break;
    }
    total += n;
    const eof = n === 0;
    const buf = bufs[cur];
    let pos = head - carryLen;
    if (carryLen > 0) carryFrom!.copy(buf, pos, carryStart, carryStart + carryLen);
    const end = head + n;
    const base = consumed - pos;
    // Overlap: the next read runs while this buffer is parsed.
    if (!eof) pending = read(bufs[1 - cur]);
    cur = 1 - cur;
    carryLen = 0;

    if (skip > 0) {
      const d = Math.min(skip, end - pos);
      pos += d;
      skip -= d;
      consumed += d;
      if (skip > 0) {
        if (!eof) continue;
        parser!.errors.add(total, `file ends inside a skipped block (${skip} bytes missing)`);
        break;
      }
    }
    if (!parser) {
      if (end - pos < MAGIC_LEN && !eof) {
        carryFrom = buf;
        carryStart = pos;
        carryLen = end - pos;
        continue;
      }
      if (end - pos < MAGIC_LEN) {
        throw new CaptureOpenError(name, 0, end === pos ? 'empty file' : `truncated file header (${end - pos} bytes)`);
      }
      parser = detectFormat(name, buf.subarray(pos), rec);
    }
    const next = parser.consume(buf, pos, end, base, sink);
    if (opts.afterChunk) {
      const waiting = opts.afterChunk();
      if (waiting) await waiting;
    }
    if (parser.stopped) break;
    if (next > end) {
      skip = next - end;
      consumed = base + end;
      if (eof) {
        parser.errors.add(total, `file ends inside a skipped block (${skip} bytes missing)`);
        break;
      }
      continue;
    }
    consumed = base + next;
    if (eof) {
      parser.endOfInput(consumed, end - next);
      break;
    }
    carryFrom = buf;
    carryStart = next;
    carryLen = end - next;
  }
  // A read still in flight (we stopped early) must settle before the input is closed.
  await pending.catch(() => 0);

  const p = parser!;
  const linktypes: number[] = [];
  for (const i of p.interfaces) if (!linktypes.includes(i.linktype)) linktypes.push(i.linktype);
  return {
    format: p.format,
    linktypes,
    interfaces: p.interfaces,
    errors: p.errors.list,
    errorsNotListed: p.errors.notListed,
    stoppedEarly: p.stopped,
    bytesRead: total,
  };
}
