/**
 * The yargs-driven commands (report, snapshot, the demo). Loaded only when one of them runs:
 * `wirestat netstat` parses its own command line and skips yargs' start-up cost.
 */
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { CSV_TABLES, type CsvTable } from './print-csv.js';
import { runReport } from './report.js';

/** The capture `npm start` shows a newcomer: recorded in the lab (fixtures/lab/record.sh). */
export const DEMO_CAPTURE = fileURLToPath(new URL('../../fixtures/captures/demo.pcap', import.meta.url));

/** A command line that does not make sense: exit 2 with a hint, like other usage errors. */
class UsageError extends Error {}

const EXIT_USAGE = 2;

export async function runCommands(
  argv: string[],
  stdout: { write(text: string): void; isTTY: boolean },
  script: string,
): Promise<number> {
  let code: number = 0;
  await yargs(argv)
    .scriptName('wirestat')
    .usage('$0 [command]')
    .epilogue('netstat for the whole wire: conversations, endpoints and protocols of a capture.')
    .command(
      'report <file>',
      'report on a .pcap/.pcapng file (- for stdin)',
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
      'the whole local view as one JSON document',
      (y) =>
        y
          .option('output', { alias: 'o', type: 'string', describe: 'write to FILE (atomically) instead of standard output' })
          .option('netns', { alias: 'N', type: 'string', describe: 'take it in network namespace NAME' })
          .check((a) => {
            for (const k of ['output', 'netns'] as const) {
              if (Array.isArray(a[k])) throw new UsageError(`--${k} may be given once`);
            }
            return true;
          }),
      async (a) => {
        const { runSnapshot } = await import('./snapshot.js');
        code = await runSnapshot(
          { ...(a.output !== undefined ? { output: a.output } : {}), ...(a.netns !== undefined ? { netns: a.netns } : {}) },
          { out: stdout, err: (text) => void process.stderr.write(text), script, argv },
        );
      },
    )
    .command('netstat [options]', "the host's own view, as netstat prints it", (y) => y, () => undefined)
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
      process.exit(EXIT_USAGE);
    })
    .parseAsync();
  return code;
}

