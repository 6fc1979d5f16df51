/**
 * A capture already in memory, served to the reader (src/capture/reader.ts readFrom) in reads
 * of at most `step` bytes, as a pipe would: records straddle reads when the step is small.
 */
import type { ByteInput } from '../../src/capture/stream.js';

export class BufferInput implements ByteInput {
  private pos = 0;
  constructor(
    private readonly data: Buffer,
    private readonly step = 1 << 30,
  ) {}
  async read(buf: Buffer, offset: number, length: number): Promise<number> {
    const n = Math.min(length, this.step, this.data.length - this.pos);
    this.data.copy(buf, offset, this.pos, this.pos + n);
    this.pos += n;
    return n;
  }
  async close(): Promise<void> {}
}
