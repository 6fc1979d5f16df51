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
import { type ByteInput, FileInput, StreamInput } from './stream.js';

/** Bytes asked of the input per read: large enough that per-read costs vanish. */
export const READ_CHUNK = 4 * 1024 * 1024;
const MAGIC_LEN = 4;
const GZIP_MAGIC = 0x8b1f;

export interface ReadOptions {
  /** Bytes per read; tests use small values to exercise records that straddle reads. */
  chunkSize?: number;
}

/** Opens `name` (`-` is standard input) and maps system errors to a one-line cause. */
export async function openInput(name: string): Promise<ByteInput> {
  if (name === '-') return new StreamInput(process.stdin);
  try {
    return await FileInput.open(name);
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
  const input = await openInput(name);
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
  // Room for one read plus the unfinished record carried over from the previous one.
  const buf = Buffer.allocUnsafe(chunk + MAX_HELD_BLOCK_LEN);
  const rec = new CaptureRecord();
  let parser: FormatParser | null = null;
  /** Input offset of buf[0]. */
  let base = 0;
  let pos = 0;
  let end = 0;
  /** Bytes of a skipped block still to discard as they arrive. */
  let skip = 0;
  let eof = false;

  for (;;) {
    try {
      const n = await input.read(buf, end, Math.min(chunk, buf.length - end));
      if (n === 0) eof = true;
      else end += n;
    } catch (err) {
      if (!parser?.started) throw new CaptureOpenError(name, base + end, describeSystemError(err));
      parser.errors.add(base + end, `read failed (${(err as NodeJS.ErrnoException).code ?? err}); stopped reading`);
      break;
    }
    if (skip > 0) {
      const d = Math.min(skip, end - pos);
      pos += d;
      skip -= d;
      if (skip > 0) {
        if (eof) {
          parser!.errors.add(base + end, `file ends inside a skipped block (${skip} bytes missing)`);
          break;
        }
        base += end;
        pos = end = 0;
        continue;
      }
    }
    if (!parser) {
      if (end < MAGIC_LEN) {
        if (!eof) continue;
        throw new CaptureOpenError(name, 0, end === 0 ? 'empty file' : `truncated file header (${end} bytes)`);
      }
      parser = detectFormat(name, buf, rec);
    }
    const next = parser.consume(buf, pos, end, base, sink);
    if (parser.stopped) break;
    if (next > end) {
      skip = next - end;
      base += end;
      pos = end = 0;
      continue;
    }
    pos = next;
    if (eof) {
      parser.endOfInput(base + pos, end - pos);
      break;
    }
    if (pos > 0) {
      buf.copyWithin(0, pos, end);
      base += pos;
      end -= pos;
      pos = 0;
    }
  }

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
    bytesRead: base + end,
  };
}
