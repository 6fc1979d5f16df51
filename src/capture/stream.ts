/**
 * Byte inputs for the capture readers: a file read in large chunks straight into the caller's
 * buffer, or standard input (`-`), so `tcpdump -w - | wirestat report -` works.
 *
 * Nothing here knows about capture formats; `reader.ts` owns the one reused chunk buffer and
 * asks an input to fill part of it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export interface ByteInput {
  /** Fill `buf[offset, offset + length)` with up to `length` bytes; resolves 0 at end of input. */
  read(buf: Buffer, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

/** Opening a directory succeeds on Linux; reading it would fail later with less to say. */
function directoryError(): NodeJS.ErrnoException {
  const err = new Error('EISDIR: illegal operation on a directory') as NodeJS.ErrnoException;
  err.code = 'EISDIR';
  return err;
}

export class FileInput implements ByteInput {
  private constructor(private readonly fh: FileHandle) {}

  /** Opens `path` for reading; rejects with the system error (ENOENT, EISDIR, EACCES …). */
  static async open(path: string): Promise<FileInput> {
    const fh = await open(path, 'r');
    try {
      if ((await fh.stat()).isDirectory()) throw directoryError();
    } catch (err) {
      await fh.close();
      throw err;
    }
    return new FileInput(fh);
  }

  async read(buf: Buffer, offset: number, length: number): Promise<number> {
    // position null: read sequentially, which also works for FIFOs and character devices.
    const { bytesRead } = await this.fh.read(buf, offset, length, null);
    return bytesRead;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/**
 * A file read with blocking system calls, for a thread that does nothing else (the decode
 * worker). An asynchronous read runs on libuv's thread pool, a third busy thread on a machine
 * whose two cores already decode and count: the worker's profile showed it idle 16% of the time
 * waiting for reads. Wall time was within this machine's noise either way; blocking reads keep
 * the copying on the thread that needs the bytes.
 */
export class BlockingFileInput implements ByteInput {
  private constructor(private fd: number | null) {}

  /** Opens `path` for reading; throws the system error (ENOENT, EISDIR, EACCES …). */
  static open(path: string): BlockingFileInput {
    const fd = openSync(path, 'r');
    try {
      if (fstatSync(fd).isDirectory()) throw directoryError();
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return new BlockingFileInput(fd);
  }

  read(buf: Buffer, offset: number, length: number): Promise<number> {
    try {
      return Promise.resolve(readSync(this.fd!, buf, offset, length, null));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  close(): Promise<void> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    return Promise.resolve();
  }
}

/**
 * Reads a Node stream (standard input). The stream hands us its own chunks; we copy them into the
 * reader's buffer, which costs one memcpy per byte and keeps the reader's contract the same.
 */
export class StreamInput implements ByteInput {
  private pending: Buffer | null = null;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly stream: Readable) {
    stream.on('data', (chunk: Buffer) => {
      this.pending = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
      // Back-pressure: hold the stream until the reader has taken what is pending.
      stream.pause();
      this.notify();
    });
    stream.on('end', () => {
      this.ended = true;
      this.notify();
    });
    stream.on('error', (err: Error) => {
      this.failure = err;
      this.notify();
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    if (w) w();
  }

  async read(buf: Buffer, offset: number, length: number): Promise<number> {
    for (;;) {
      if (this.pending && this.pending.length > 0) {
        const n = this.pending.copy(buf, offset, 0, Math.min(length, this.pending.length));
        this.pending = n < this.pending.length ? this.pending.subarray(n) : null;
        if (!this.pending) this.stream.resume();
        return n;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return 0;
      this.stream.resume();
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async close(): Promise<void> {
    this.stream.pause();
  }
}
