/**
 * `--export TARGET`: where flow records go. `ipfix://HOST:PORT` and `ipfix+tcp://HOST:PORT` (IPFIX
 * over UDP or TCP, ipfix-sink.ts);
 * `jsonl:FILE` or `jsonl:-` (Zeek conn.log-style JSON lines to a file or standard output,
 * jsonl-sink.ts).
 */
import type { Writable } from 'node:stream';
import type { LocalJoin } from '../stats/local-join.js';
import type { FlowSink } from './flow-export.js';
import { IpfixTcpSink, IpfixUdpSink, parseIpfixTarget } from './ipfix-sink.js';
import { JsonlSink, parseJsonlTarget } from './jsonl-sink.js';

export type ExportTarget =
  | { kind: 'ipfix'; text: string; transport: 'udp' | 'tcp'; host: string; port: number }
  | { kind: 'jsonl'; text: string; path: string };

/** Parses a target; throws a one-line Error naming what is wrong. */
export function parseExportTarget(text: string): ExportTarget {
  if (text.startsWith('ipfix://') || text.startsWith('ipfix+tcp://')) return { kind: 'ipfix', text, ...parseIpfixTarget(text) };
  if (text.startsWith('jsonl:')) return { kind: 'jsonl', text, ...parseJsonlTarget(text) };
  throw new Error(`"${text}" is not a target: ipfix://HOST:PORT, ipfix+tcp://HOST:PORT, jsonl:FILE or jsonl:-`);
}

/** A sink that can say what it could not deliver (for a warning line at the end). */
export interface ExportSink extends FlowSink {
  readonly target: ExportTarget;
  /** What went wrong, in one line, or null. */
  problems(): string | null;
  /** Messages (or batches of lines) dropped because the queue was full, and failed sends. */
  readonly dropped: number;
  readonly errors: number;
}

export interface SinkOptions {
  /** The host view that labels conversations (JSON lines' local, pid, program). */
  host?: LocalJoin | null;
  /** Standard output for `jsonl:-` (default process.stdout). */
  stdout?: Writable;
}

/** A target that cannot be opened (a name that does not resolve, a file that cannot be made). */
export class ExportError extends Error {
  override name = 'ExportError';
}

/** Opens every target; throws ExportError (one line, naming the target) when one cannot be. */
export async function openSinks(targets: readonly string[], opts: SinkOptions = {}): Promise<ExportSink[]> {
  return Promise.all(
    targets.map(async (text): Promise<ExportSink> => {
      const t = parseExportTarget(text);
      try {
        if (t.kind === 'jsonl') return await JsonlSink.open(t, opts);
        return await (t.transport === 'tcp' ? IpfixTcpSink.open(t) : IpfixUdpSink.open(t));
      } catch (err) {
        const msg = (err as Error).message;
        throw new ExportError(msg.startsWith(text) ? msg : `${text}: ${msg}`);
      }
    }),
  );
}
