#!/usr/bin/env node
/**
 * wirestat's command line. Every command's failure on bad input is one line on stderr naming the
 * file, the byte offset and the cause; exit 2 when nothing could be read. Never a stack trace
 * (WIRESTAT_DEBUG=1 adds one for bug reports).
 */
import { fileURLToPath } from 'node:url';
import { CaptureOpenError } from '../capture/source.js';
import { printable } from '../host/sanitize.js';

export const EXIT = { OK: 0, FAILURE: 1, UNREADABLE: 2 } as const;

const stdout = { write: (text: string) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true };

/** Errors whose message is already the one line a user needs (the input could not be read). */
function isUserError(err: unknown): err is Error {
  return err instanceof CaptureOpenError || (err instanceof Error && (err.name === 'LiveCaptureError' || err.name === 'PrivilegeError' || err.name === 'PcapWriterError' || err.name === 'FilterError' || err.name === 'SnapshotError' || err.name === 'ExportError'));
}

/**
 * A message quotes what it could not use (a file name, a filter, a snapshot's field, V8's excerpt
 * of a file): one line through `printable`, so none of it acts on the terminal.
 */
function fail(err: unknown): never {
  if (isUserError(err)) {
    process.stderr.write(`wirestat: ${printable(err.message)}\n`);
    process.exit(EXIT.UNREADABLE);
  }
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`wirestat: internal error: ${printable(msg.split('\n')[0]!)}\n`);
  if (process.env.WIRESTAT_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exit(EXIT.FAILURE);
}

async function main(argv: string[]): Promise<number> {
  const script = fileURLToPath(import.meta.url);
  // netstat's command line is net-tools' (getopt letters like -tuanp, -A inet6): parsed by its own
  // reader, not by yargs, and only its modules are loaded (it should start as fast as netstat).
  if (argv[0] === 'netstat') {
    const { runNetstat } = await import('./netstat.js');
    return runNetstat(argv.slice(1), {
      out: stdout,
      err: (text) => void process.stderr.write(text),
      procRoot: '/proc',
      sysRoot: '/sys',
      etcRoot: '/etc',
      euid: process.geteuid?.() ?? 0,
      script,
    });
  }
  // A large file's decoding thread boots while yargs loads (decoder-thread.ts).
  if (argv[0] === 'report') (await import('./decoder-thread.js')).prestartReport(argv.slice(1));
  const { runCommands } = await import('./commands.js');
  return runCommands(argv, stdout, script);
}

// A closed pipe (`wirestat report f | head`) is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.OK);
  fail(err);
});
process.on('uncaughtException', fail);
// An unhandled rejection is a crash like an uncaught exception, and takes its path: thrown again
// here, it reaches `uncaughtExceptionMonitor` first, where the dashboard gives the terminal back
// (src/tui/screen.ts), and then `fail`, whose line lands on the restored screen. Handled here
// directly, the line was written on the alternate screen and erased with it.
process.on('unhandledRejection', (reason) => {
  throw reason;
});

main(process.argv.slice(2)).then((code) => {
  // Exit once output is flushed: a name lookup that outlived its deadline must not hold the
  // process (netstat without -n bounds lookups in time).
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}, fail);
