/**
 * The yargs-driven commands (report, snapshot, the demo). Loaded only when one of them runs:
 * `wirestat netstat` parses its own command line and skips yargs' start-up cost.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { CSV_TABLES, type CsvTable } from './print-csv.js';
import { type Output, runReport } from './report.js';
import { parseExportTarget } from '../export/targets.js';
import { DEFAULT_ACTIVE_TIMEOUT } from '../export/flow-export.js';
import type { LiveArgs, LiveIo } from './live.js';
import { BACKENDS, type BackendName } from '../capture/live-backend.js';
import { FLOW_SORTS, type FlowSort } from '../stats/dashboard-view.js';
import {
  DEFAULT_IDLE_TIMEOUTS,
  DEFAULT_MAX_CONVERSATIONS,
  type FlowTableOptions,
  idleTimeoutsText,
  parseIdleTimeouts,
  WHEN_FULL,
  type WhenFull,
} from '../stats/flow-policy.js';

/** The capture `npm start` shows a newcomer: recorded in the lab (fixtures/lab/record.sh). */
export const DEMO_CAPTURE = fileURLToPath(new URL('../../fixtures/captures/demo.pcap', import.meta.url));
/** The host snapshot recorded with it (`wirestat snapshot` in the lab host that captured it). */
export const DEMO_HOST = fileURLToPath(new URL('../../fixtures/captures/demo-host.json', import.meta.url));

/** A command line that does not make sense: exit 2 with a hint, like other usage errors. */
class UsageError extends Error {}

const EXIT_USAGE = 2;

/** --export and --active-timeout, for report, live and replay. */
const EXPORT_OPTIONS = {
  export: { type: 'string', array: true, describe: 'also send the conversations as flow records: ipfix://HOST:PORT (IPFIX over UDP), ipfix+tcp://HOST:PORT, jsonl:FILE or jsonl:- (Zeek conn.log JSON lines)' },
  'active-timeout': { type: 'number', describe: `with --export: a conversation running this many seconds is exported in a piece (default ${DEFAULT_ACTIVE_TIMEOUT})` },
} as const;

/** The export targets parse and the active timeout is a time (usage errors otherwise). */
function checkExport(a: { export?: string[] | undefined; 'active-timeout'?: number | undefined }): void {
  for (const target of a.export ?? []) {
    try {
      parseExportTarget(target);
    } catch (e) {
      throw new UsageError(`--export: ${(e as Error).message}`);
    }
  }
  const at = a['active-timeout'];
  if (at !== undefined && !(Number.isFinite(at) && at > 0)) throw new UsageError('--active-timeout must be a number of seconds above 0');
  if (at !== undefined && a.export === undefined) throw new UsageError('--active-timeout applies to --export');
}

/** Options shared by `report` and `live`: output forms and the live capture's. */
function captureOptions<T>(y: Argv<T>) {
  return y
    .option('json', { type: 'boolean', describe: 'print the wirestat.report/1 JSON document' })
    .option('csv', {
      type: 'string',
      choices: CSV_TABLES,
      describe: 'print one table as CSV',
      coerce: (v: string) => (v === '' ? 'conversations' : v),
    })
    .option('top', { type: 'number', describe: 'keep only the N largest conversations and endpoints' })
    .option('max-flows', { type: 'number', describe: `conversations held at once (default ${DEFAULT_MAX_CONVERSATIONS.toLocaleString('en-US')})` })
    .option('when-full', { type: 'string', choices: WHEN_FULL, describe: 'a full flow table: refuse new conversations until one times out (the default), or evict the soonest to time out' })
    .option('idle-timeout', { type: 'string', describe: `seconds of silence before a conversation has ended, e.g. tcp=600,udp=30 (default ${idleTimeoutsText(DEFAULT_IDLE_TIMEOUTS)})` })
    .options(EXPORT_OPTIONS)
    .option('interface', { alias: 'i', type: 'string', describe: 'capture live on this interface (promiscuous; needs root)' })
    .option('duration', { type: 'number', describe: 'live: stop after S seconds (default: at Ctrl-C)' })
    .option('backend', {
      type: 'string',
      choices: BACKENDS,
      describe: 'live: who captures: helper (a tcpdump process streaming pcap to wirestat; the default) or cap (libpcap inside wirestat)',
    })
    .option('filter', { alias: 'f', type: 'string', describe: "capture filter, tcpdump's syntax (pcap-filter(7))" })
    .option('buffer-size', { alias: 'B', type: 'number', describe: 'live: kernel capture buffer in KiB (default 8192)' })
    .option('Z', { type: 'string', describe: 'live: become USER once the capture is open (like tcpdump -Z)', requiresArg: true })
    .option('w', { type: 'string', describe: 'live: also save the packets as pcap to FILE (- for standard output), and this host\'s view beside it as FILE.host.json', requiresArg: true })
    .option('C', { type: 'number', describe: 'with -w: start a new file after MB million bytes (tcpdump -C)' })
    .option('W', { type: 'number', describe: 'with -C: keep at most N files, reusing the oldest (tcpdump -W)' })
    .option('U', { type: 'boolean', describe: 'with -w: write each packet as it arrives (tcpdump -U)' })
    .conflicts('json', 'csv')
    .check((a) => {
      for (const k of ['top', 'max-flows', 'buffer-size', 'C', 'W'] as const) {
        const v = a[k];
        if (v !== undefined && !(Number.isInteger(v) && v >= (k === 'top' ? 0 : 1))) {
          throw new UsageError(`-${k.length > 1 ? "-" : ""}${k} must be a whole number${k === "top" ? "" : " above 0"}`);
        }
      }
      const d = a.duration;
      if (d !== undefined && !(Number.isFinite(d) && d > 0)) throw new UsageError('--duration must be a number of seconds above 0');
      if (Array.isArray(a['when-full']) || Array.isArray(a['idle-timeout'])) throw new UsageError('--when-full and --idle-timeout may be given once');
      checkExport(a);
      if ((a.json || a.csv !== undefined) && a.export?.includes('jsonl:-')) throw new UsageError('--export jsonl:- writes the conversations to standard output: the report cannot go there too');
      if (typeof a['idle-timeout'] === 'string') {
        try {
          parseIdleTimeouts(a['idle-timeout']);
        } catch (e) {
          throw new UsageError(`--idle-timeout: ${(e as Error).message}`);
        }
      }
      for (const k of ['interface', 'filter', 'Z', 'w', 'backend'] as const) {
        // -i and -f by their short names, the ones usage shows first; --backend has none.
        if (Array.isArray(a[k])) throw new UsageError(`${k === 'backend' ? '--backend' : `-${k.length === 1 ? k : k[0]}`} may be given once`);
      }
      if (a.w === undefined) {
        for (const k of ['C', 'W', 'U'] as const) if (a[k] !== undefined) throw new UsageError(`-${k} applies to -w FILE`);
      }
      if (a.W !== undefined && a.C === undefined) throw new UsageError('-W needs -C (the size at which files rotate)');
      if (a.w === '-' && (a.json || a.csv !== undefined)) throw new UsageError('-w - writes the capture to standard output: the report cannot go there too');
      if (a.w === '-' && a.export?.includes('jsonl:-')) throw new UsageError('-w - and --export jsonl:- both write to standard output');
      if (a.w === '-' && a.C !== undefined) throw new UsageError('-C rotates files: it cannot rotate standard output');
      return true;
    });
}

interface LiveCommandArgs {
  interface?: string | undefined;
  duration?: number | undefined;
  backend?: string | undefined;
  filter?: string | undefined;
  'buffer-size'?: number | undefined;
  Z?: string | undefined;
  json?: boolean | undefined;
  csv?: string | undefined;
  top?: number | undefined;
  'max-flows'?: number | undefined;
  'when-full'?: string | undefined;
  'idle-timeout'?: string | undefined;
  export?: string[] | undefined;
  'active-timeout'?: number | undefined;
  w?: string | undefined;
  C?: number | undefined;
  W?: number | undefined;
  U?: boolean | undefined;
}

function liveArgs(a: LiveCommandArgs, argv: string[]): LiveArgs {
  return {
    device: a.interface!,
    ...(a.backend !== undefined ? { backend: a.backend as BackendName } : {}),
    ...(a.duration !== undefined ? { duration: a.duration } : {}),
    ...(a.filter !== undefined ? { filter: a.filter } : {}),
    ...(a['buffer-size'] !== undefined ? { bufferKiB: a['buffer-size'] } : {}),
    ...(a.Z !== undefined ? { user: a.Z } : {}),
    ...(a.top !== undefined ? { top: a.top } : {}),
    flows: flowTableArgs(a),
    ...(a.export !== undefined ? { export: a.export } : {}),
    ...(a['active-timeout'] !== undefined ? { activeTimeout: a['active-timeout'] } : {}),
    ...(a.w !== undefined ? { write: a.w } : {}),
    ...(a.C !== undefined ? { rotateMB: a.C } : {}),
    ...(a.W !== undefined ? { rotateFiles: a.W } : {}),
    ...(a.U ? { packetBuffered: true } : {}),
    argv,
  };
}

/**
 * A yargs message on one line: its choices error spans three ("Invalid values:", then
 * "  Argument: backend, Given: "x", Choices: "cap", "helper"").
 */
function oneLine(msg: string): string {
  const text = msg.trim();
  if (text.startsWith('Invalid values:')) {
    const parts = [...text.matchAll(/Argument: ([\w-]+), Given: (.*), Choices: (.*)$/gm)];
    if (parts.length > 0) return parts.map((m) => `--${m[1]} ${m[2]} is not one of ${m[3]}`).join('; ');
  }
  return text.replace(/\s*\n\s*/g, ' ');
}

/** The flow table's options from --max-flows, --when-full and --idle-timeout (checked before). */
function flowTableArgs(a: Pick<LiveCommandArgs, 'max-flows' | 'when-full' | 'idle-timeout'>): FlowTableOptions {
  return {
    ...(a['max-flows'] !== undefined ? { capacity: a['max-flows'] } : {}),
    ...(a['when-full'] !== undefined ? { whenFull: a['when-full'] as WhenFull } : {}),
    ...(a['idle-timeout'] !== undefined ? { timeouts: parseIdleTimeouts(a['idle-timeout']) } : {}),
  };
}

function liveIo(): LiveIo {
  return {
    err: (text) => void process.stderr.write(text),
    sysRoot: '/sys',
    etcRoot: '/etc',
    procRoot: '/proc',
    signals: process,
    monotonicNs: () => process.hrtime.bigint(),
  };
}

async function runLiveReport(a: LiveCommandArgs, argv: string[], stdout: Output): Promise<number> {
  const [{ captureLive }, { printReport }] = await Promise.all([import('./live.js'), import('./report.js')]);
  const report = await captureLive(liveArgs(a, argv), liveIo());
  // With `-w -` standard output is the capture (as with tcpdump), with `--export jsonl:-` the
  // conversations' lines: no report after them.
  if (a.w !== '-' && !a.export?.includes('jsonl:-')) printReport(report, { json: a.json, csv: a.csv as CsvTable | undefined }, stdout);
  return 0;
}

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
      'report [file]',
      'report on a .pcap/.pcapng file (- for stdin), or on a live capture (-i IF)',
      (y) =>
        captureOptions(y)
          .positional('file', { type: 'string', describe: 'capture file, or - for stdin' })
          .option('host', { type: 'string', describe: 'label conversations with a host snapshot (wirestat snapshot)' })
          .check((a) => {
            if ((a.file === undefined) === (a.interface === undefined)) {
              throw new UsageError('name a capture file or an interface (-i IF), not both');
            }
            if (a.file === undefined && a.host !== undefined) throw new UsageError('--host labels a capture file; live, wirestat compare -i IF takes the host view itself');
            if (a.file !== undefined) {
              for (const k of ['duration', 'Z', 'buffer-size', 'w', 'backend'] as const) {
                if (a[k] !== undefined) throw new UsageError(`-${k.length > 1 ? '-' : ''}${k} applies to a live capture (-i IF)`);
              }
            }
            return true;
          }),
      async (a) => {
        // yargs-parser reads a lone "-" as an empty option name; "-" means standard input.
        const file = a.file === '' && argv.includes('-') ? '-' : a.file;
        if (file === undefined) {
          code = await runLiveReport(a, argv, stdout);
          return;
        }
        code = await runReport(
          {
            file,
            json: a.json,
            csv: a.csv as CsvTable | undefined,
            top: a.top,
            flows: flowTableArgs(a),
            filter: a.filter,
            host: a.host,
            ...(a.export ? { export: a.export, warn: (line: string) => void process.stderr.write(`${line}\n`) } : {}),
            ...(a['active-timeout'] !== undefined ? { activeTimeout: a['active-timeout'] } : {}),
          },
          stdout,
        );
      },
    )
    .command(
      'live',
      'the dashboard of a live capture (a report with --json or --csv) until Ctrl-C or --duration',
      (y) =>
        captureOptions(y)
          .demandOption('interface')
          .option('sort', { type: 'string', choices: FLOW_SORTS, describe: 'dashboard: conversations by bytes, packets, rate or recent' })
          .check((a) => {
            if (a.export?.includes('jsonl:-')) throw new UsageError('--export jsonl:- writes to standard output, which the dashboard needs: use report -i IF --export jsonl:-');
            return true;
          }),
      async (a) => {
        if (a.json || a.csv !== undefined || a.w === '-') {
          code = await runLiveReport(a, argv, stdout);
          return;
        }
        const { runLiveDashboard } = await import('./dashboard-cmd.js');
        code = await runLiveDashboard(
          { ...liveArgs(a, argv), ...(a.sort !== undefined ? { sort: a.sort as FlowSort } : {}) },
          { ...liveIo(), out: stdout },
        );
      },
    )
    .command(
      'replay <file>',
      'the dashboard of a capture file, replayed at its recorded speed (--speed N or max)',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'capture file' })
          .option('speed', {
            type: 'string',
            default: '1',
            describe: 'a factor of the recorded speed, or max',
            coerce: (v: string) => (v === 'max' ? 'max' : Number(v)),
          })
          .option('filter', { alias: 'f', type: 'string', describe: "capture filter, tcpdump's syntax (pcap-filter(7))" })
          .option('host', { type: 'string', describe: 'the host view: a snapshot (wirestat snapshot) taken with the capture' })
          .option('sort', { type: 'string', choices: FLOW_SORTS, describe: 'conversations by bytes, packets, rate or recent' })
          .options(EXPORT_OPTIONS)
          .check((a) => {
            checkExport(a);
            if (a.export?.includes('jsonl:-')) throw new UsageError('--export jsonl:- writes to standard output, which the dashboard needs: use report FILE --export jsonl:-');
            const sp = a.speed as number | 'max';
            if (sp !== 'max' && !(Number.isFinite(sp) && sp > 0)) throw new UsageError('--speed must be a number above 0, or max');
            return true;
          }),
      async (a) => {
        const { runReplayDashboard } = await import('./dashboard-cmd.js');
        code = await runReplayDashboard(
          {
            file: a.file,
            speed: a.speed as number | 'max',
            ...(a.filter !== undefined ? { filter: a.filter } : {}),
            ...(a.host !== undefined ? { snapshot: a.host } : {}),
            ...(a.sort !== undefined ? { sort: a.sort as FlowSort } : {}),
            ...(a.export !== undefined ? { export: a.export } : {}),
            ...(a['active-timeout'] !== undefined ? { activeTimeout: a['active-timeout'] } : {}),
          },
          { out: stdout, err: (text) => void process.stderr.write(text) },
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
    .command(
      'compare [file]',
      "what this host's sockets explain of the wire: a file with --host SNAPSHOT, or live (-i IF)",
      (y) =>
        captureOptions(y)
          .positional('file', { type: 'string', describe: 'capture file' })
          .option('host', { type: 'string', describe: 'with a file: the host snapshot taken with it (wirestat snapshot)' })
          .check((a) => {
            if ((a.file === undefined) === (a.interface === undefined)) throw new UsageError('name a capture file (with --host) or an interface (-i IF), not both');
            if (a.file !== undefined && a.host === undefined) throw new UsageError('a capture file needs --host SNAPSHOT.json (wirestat snapshot, taken with the capture)');
            if (a.file === undefined && a.host !== undefined) throw new UsageError('--host goes with a capture file; live, the host view is taken as the capture runs');
            return true;
          }),
      async (a) => {
        const { runCompare } = await import('./compare.js');
        code = await runCompare(
          a.file !== undefined
            ? { file: a.file, host: a.host!, ...(a.filter !== undefined ? { filter: a.filter } : {}), json: a.json === true, top: a.top }
            : { live: liveArgs(a, argv), json: a.json === true, top: a.top },
          { out: stdout, io: liveIo() },
        );
      },
    )
    .command('netstat [options]', "the host's own view, as netstat prints it", (y) => y, () => undefined)
    .command(
      '$0',
      'the dashboard of the bundled demo capture, with its host (a report when not on a terminal)',
      (y) => y,
      async () => {
        if (!stdout.isTTY) {
          code = await runReport({ file: DEMO_CAPTURE }, stdout);
          return;
        }
        const { runReplayDashboard } = await import('./dashboard-cmd.js');
        code = await runReplayDashboard(
          { file: DEMO_CAPTURE, speed: 1, ...(existsSync(DEMO_HOST) ? { snapshot: DEMO_HOST } : {}) },
          { out: stdout, err: (text) => void process.stderr.write(text) },
        );
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
      process.stderr.write(`wirestat: ${oneLine(msg ?? err?.message ?? '')}\nTry 'wirestat --help'.\n`);
      process.exit(EXIT_USAGE);
    })
    .parseAsync();
  return code;
}

