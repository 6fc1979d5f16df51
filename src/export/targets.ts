/**
 * `--export TARGET`: where flow records go. `ipfix://HOST:PORT` (IPFIX over UDP, ipfix-sink.ts).
 */
import type { FlowSink } from './flow-export.js';
import { IpfixUdpSink, parseIpfixTarget } from './ipfix-sink.js';

export type ExportTarget = { kind: 'ipfix'; text: string; host: string; port: number };

/** Parses a target; throws a one-line Error naming what is wrong. */
export function parseExportTarget(text: string): ExportTarget {
  if (text.startsWith('ipfix://')) return { kind: 'ipfix', text, ...parseIpfixTarget(text) };
  throw new Error(`"${text}" is not a target: ipfix://HOST:PORT`);
}

/** A sink that can say what it could not deliver (for a warning line at the end). */
export interface ExportSink extends FlowSink {
  readonly target: ExportTarget;
  /** What went wrong, in one line, or null. */
  problems(): string | null;
}

export async function openSinks(targets: readonly string[]): Promise<ExportSink[]> {
  return Promise.all(
    targets.map(async (text): Promise<ExportSink> => {
      const t = parseExportTarget(text);
      return IpfixUdpSink.open(t);
    }),
  );
}
