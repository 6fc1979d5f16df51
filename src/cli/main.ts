#!/usr/bin/env node
/**
 * wirestat's command line. Every command's failure on bad input is one line on stderr naming the
 * file, the byte offset and the cause; exit 2 when nothing could be read. Never a stack trace
 * (WIRESTAT_DEBUG=1 adds one for bug reports).
 */
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CaptureOpenError } from '../capture/source.js';
import { CSV_TABLES, type CsvTable } from './print-csv.js';
import { runNetstat } from './netstat.js';
import { runReport } from './report.js';
import { runSnapshot } from './snapshot.js';

/** The capture `npm start` shows a newcomer: recorded in the lab (fixtures/lab/record.sh). */
export const DEMO_CAPTURE = fileURLToPath(new URL('../../fixtures/captures/demo.pcap', import.meta.url));

export const EXIT = { OK: 0, FAILURE: 1, UNREADABLE: 2 } as const;

/** A command line that does not make sense: exit 2 with a hint, like other usage errors. */
class UsageError extends Error {}

const stdout = { write: (text: string) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true };

function fail(err: unknown): never {
  if (err instanceof CaptureOpenError) {
    process.stderr.write(`wirestat: ${err.message}\n`);
    process.exit(EXIT.UNREADABLE);
  }
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`wirestat: internal error: ${msg.split('\n')[0]}\n`);
  if (process.env.WIRESTAT_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exit(EXIT.FAILURE);
}

async function main(argv: string[]): Promise<number> {
  // netstat's command line is net-tools' (getopt letters like -tuanp, -A inet6): parsed by its own
  // reader, not by yargs.
  if (argv[0] === 'netstat') {
    return runNetstat(argv.slice(1), {
      out: stdout,
      err: (text) => void process.stderr.write(text),
      procRoot: '/proc',
      sysRoot: '/sys',
      etcRoot: '/etc',
      euid: process.geteuid?.() ?? 0,
      script: fileURLToPath(import.meta.url),
    });
  }
  let code: number = EXIT.OK;
  await yargs(argv)
    .scriptName('wirestat')
    .usage('$0 [command]')
    .epilogue('netstat for the whole wire: conversations, endpoints and protocols of a capture.')
    .command(
      'report <file>',
      'report on a .pcap/.pcapng file (- for standard input)',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'capture file, or - for stdin' })
          .option('json', { type: 'boolean', describe: 'print the wirestat.report/1 JSON document' })
          .option('csv', {
            type: 'string',
            choices: CSV_TABLES,
            describe: 'print one table as CSV',
            coerce: (v: string) => (v === '' ? 'conversations' : v),
          })
          .option('top', { type: 'number', describe: 'keep only the N largest conversations and endpoints' })
          .option('max-flows', { type: 'number', describe: 'limit on conversations tracked at once' })
          .conflicts('json', 'csv')
          .check((a) => {
            for (const k of ['top', 'max-flows'] as const) {
              const v = a[k];
              if (v !== undefined && !(Number.isInteger(v) && v >= (k === 'top' ? 0 : 1))) {
                throw new UsageError(`--${k} must be a whole number${k === 'top' ? '' : ' above 0'}`);
              }
            }
            return true;
          }),
      async (a) => {
        code = await runReport(
          {
            // yargs-parser reads a lone "-" as an empty option name; "-" means standard input.
            file: a.file === '' && argv.includes('-') ? '-' : a.file,
            json: a.json,
            csv: a.csv as CsvTable | undefined,
            top: a.top,
            maxFlows: a['max-flows'],
          },
          stdout,
        );
      },
    )
    .command(
      'snapshot',
      'write the whole local view (sockets, processes, interfaces, routes, counters) as JSON',
      (y) =>
        y
          .option('output', { alias: 'o', type: 'string', describe: 'write to FILE (atomically) instead of standard output' })
          .option('netns', { alias: 'N', type: 'string', describe: 'take it in network namespace NAME' }),
      async (a) => {
        code = await runSnapshot(
          { ...(a.output !== undefined ? { output: a.output } : {}), ...(a.netns !== undefined ? { netns: a.netns } : {}) },
          { out: stdout, err: (text) => void process.stderr.write(text), script: fileURLToPath(import.meta.url), argv },
        );
      },
    )
    .command('netstat [options]', "the host's own view, as net-tools netstat (wirestat netstat -h)", (y) => y, () => undefined)
    .command(
      '$0',
      'report on the bundled demo capture',
      (y) => y,
      async () => {
        code = await runReport({ file: DEMO_CAPTURE }, stdout);
      },
    )
    .strict()
    // Wrap help to the terminal (80 columns when it is not one).
    .wrap(Math.min(100, process.stdout.columns || 80))
    .help()
    .alias('h', 'help')
    .version(false)
    .fail((msg, err) => {
      // Failures of argument validation are usage errors; anything else is the command's own.
      if (err && !(err instanceof UsageError)) throw err;
      process.stderr.write(`wirestat: ${msg ?? err?.message}\nTry 'wirestat --help'.\n`);
      process.exit(EXIT.UNREADABLE);
    })
    .parseAsync();
  return code;
}

// A closed pipe (`wirestat report f | head`) is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.OK);
  fail(err);
});
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

main(hideBin(process.argv)).then((code) => {
  // Exit once output is flushed: a name lookup that outlived its deadline must not hold the
  // process (netstat without -n bounds lookups in time).
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}, fail);
