/**
 * `wirestat snapshot [-o FILE] [-N NAME]`: the whole local view as one `wirestat.snapshot/1`
 * document (src/host/snapshot.ts), on standard output or into FILE. A file is written whole or
 * not at all (a temporary file renamed over it), so a reader never sees half a snapshot even
 * when one is taken every second.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { jsonForTerminal } from '../host/sanitize.js';
import { takeSnapshot } from '../host/snapshot.js';
import { currentNetns, enterNetns, NetnsError } from './netns.js';
import type { Output } from './report.js';

export interface SnapshotArgs {
  output?: string;
  netns?: string;
}

export interface SnapshotIo {
  out: Output;
  err(text: string): void;
  script: string;
  argv: readonly string[];
}

export async function runSnapshot(args: SnapshotArgs, io: SnapshotIo): Promise<number> {
  if (args.netns !== undefined && currentNetns() !== args.netns) {
    try {
      return await enterNetns(args.netns, io.script, io.argv);
    } catch (e) {
      if (!(e instanceof NetnsError)) throw e;
      io.err(`wirestat snapshot: ${e.message}\n`);
      return 2;
    }
  }
  const snap = await takeSnapshot({ netns: currentNetns() });
  for (const e of snap.errors) io.err(`wirestat snapshot: cannot read ${e.source}: ${e.cause}\n`);
  if (args.output === undefined || args.output === '-') {
    io.out.write(jsonForTerminal(JSON.stringify(snap, null, io.out.isTTY ? 2 : undefined)) + '\n');
    return snap.errors.length > 0 ? 1 : 0;
  }
  if (args.output === '' || args.output.endsWith('/')) {
    io.err(`wirestat snapshot: -o needs a file name, not '${args.output}'\n`);
    return 2;
  }
  // A name nobody can guess, created exclusively ('wx' never follows an existing file or
  // symlink): a snapshot taken as root cannot be redirected onto another file.
  const tmp = join(dirname(args.output), `.${basename(args.output)}.${randomBytes(8).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, JSON.stringify(snap) + '\n', { flag: 'wx', mode: 0o644 });
    renameSync(tmp, args.output);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // never created
    }
    io.err(`wirestat snapshot: cannot write ${args.output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 2;
  }
  return snap.errors.length > 0 ? 1 : 0;
}
