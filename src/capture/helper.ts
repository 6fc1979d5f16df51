/**
 * Live capture by a helper process (`--backend helper`): tcpdump captures and writes pcap to
 * its standard output (`tcpdump -w -`); wirestat reads that stream with the same reader as
 * `wirestat report -` (reader.ts readFrom over a StreamInput), so records carry the kernel's
 * timestamps and wire lengths, and libpcap's own counters (pcap_stats) give the kernel's drops.
 *
 * Why tcpdump and not dumpcap, both measured here (200,000 packets sent through a veth pair by
 * tcpreplay, as bench/live.ts sends them, into `HELPER -w - | wc -c`): tcpdump cost 0.45–0.65
 * CPU s per million packets, dumpcap 2.9–5.0, and dumpcap's default 2 MiB buffer lost 44% at
 * ~250k pps. dumpcap also has no running drop counter (`-S` is a mode of its own that
 * opens the interfaces again instead of capturing), where tcpdump prints pcap_stats on SIGUSR1.
 *
 * Why tcpdump as it is, without --immediate-mode or -U: libpcap then uses TPACKET_V3, which
 * hands over packets a ring block at a time (one wake-up per block, not per packet), and
 * tcpdump's stdio buffers its writes to the pipe. Immediate mode cost 9.2 CPU s per million at 20k pps and
 * lost 72% at full speed; -U (a write per packet) tripled the cost. The price of batching: a
 * partly filled block reaches tcpdump only when the kernel retires it, BLOCK_TIMEOUT_MS after
 * it opened, so `close()` first waits until tcpdump holds everything the kernel accepted
 * (SIGUSR1: captured = received − dropped), then stops it. tcpdump -w alone, stopped by
 * SIGINT, loses that last block (measured: 489 of 200,000 packets, reported nowhere).
 *
 * Privilege separation, as Wireshark's dumpcap: only the helper holds capture rights. Run by
 * root, wirestat starts it through setpriv(1) as an unprivileged user (`-Z USER`, else nobody)
 * with CAP_NET_RAW alone (ambient, so it survives exec; the bounding set holds nothing else),
 * so wirestat can then drop to USER and still signal it. setpriv also sets the parent-death
 * signal: if wirestat is killed (even SIGKILL), the kernel sends the helper SIGTERM and it ends,
 * closing its socket, which releases promiscuous mode. tcpdump's own -Z would not do: changing
 * user clears the parent-death signal (prctl(2), PR_SET_PDEATHSIG), and a tcpdump left alone on
 * a quiet link writes nothing, so it would never see EPIPE (measured: alive, promiscuous).
 * Started by a user without root, the helper runs as that user and says itself what it lacks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { linktypeFromName } from './linktype.js';
import { type KernelCounts, type LiveBackend, LiveCaptureError } from './live-backend.js';
import { readFrom } from './reader.js';
import { CaptureOpenError, type RecordSink, type SourceSummary } from './source.js';
import { StreamInput } from './stream.js';

/** The helper, and the Debian package that has it (the message when it is missing). */
export const HELPER = 'tcpdump';
export const HELPER_MISSING = `--backend helper runs ${HELPER}, which is not installed: run \`sudo apt-get install -y tcpdump\` (or use --backend cap)`;
/** setpriv(1) starts the helper as another user with one capability (util-linux). */
const SETPRIV = 'setpriv';
const SETPRIV_MISSING = `--backend helper starts ${HELPER} through setpriv, which is not installed: run \`sudo apt-get install -y util-linux\``;
/** The one capability a packet socket needs (packet(7)); promiscuous membership needs no other. */
const HELPER_CAPS = '+net_raw';
/** The account the helper runs as when no -Z names one (uid/gid 65534 on Debian). */
export const HELPER_DEFAULT_USER = 'nobody';

/** tcpdump's read timeout (its pcap_open_live to_ms): TPACKET_V3 retires a partly filled block
 *  after it, so a packet reaches tcpdump at most this long after it arrived. */
const BLOCK_TIMEOUT_MS = 1000;
/** How long close() waits for the last block: one block timeout, plus the time to ask. */
const DRAIN_LIMIT_MS = BLOCK_TIMEOUT_MS + 500;
const DRAIN_POLL_MS = 50;
/** tcpdump answers SIGUSR1 between two ring blocks; a reply later than this is not awaited. */
const STATS_REPLY_MS = 500;
/** tcpdump's start: opening a large buffer takes a while on a busy machine. */
const LISTEN_TIMEOUT_MS = 15_000;
/** After SIGINT tcpdump flushes and exits at once; one that does not is killed. */
const EXIT_GRACE_MS = 5000;
/** Lines of the helper's stderr kept for an error message. */
const KEPT_LINES = 4;

/** "tcpdump: listening on e0, link-type EN10MB (Ethernet), snapshot length 262144 bytes" */
const LISTENING = /^tcpdump: listening on (\S+), link-type (\S+)(?: \([^)]*\))?, snapshot length (\d+) bytes$/;
/** tcpdump's info(0) on SIGUSR1, one line: "tcpdump: N packets captured, M packets received by
 *  filter, K packets dropped by kernel[, J packets dropped by interface]". */
const STATS_LINE = /^tcpdump: (\d+) packets? captured, (\d+) packets? received by filter, (\d+) packets? dropped by kernel(?:, (\d+) packets? dropped by interface)?$/;
/** info(1) at exit: the same counters, one per line and without the program name. */
const FINAL_LINE = /^(\d+) packets? (captured|received by filter|dropped by kernel|dropped by interface)$/;

export interface HelperOptions {
  filter?: string;
  /** Kernel capture buffer in KiB (tcpdump -B). */
  bufferKiB?: number;
  /** The account the helper runs as when wirestat is root (numbers: setpriv takes them as is). */
  runAs?: { uid: number; gid: number };
  /** The command line as typed, for the "run it with sudo" hint. */
  argv?: readonly string[];
  /** The PATH searched for tcpdump and setpriv (default: this process's). */
  path?: string;
  /** Whether this process is root (default: geteuid() === 0). */
  root?: boolean;
  /** A line the helper printed that is neither its start, its counters nor an error (a warning). */
  message?: (line: string) => void;
}

/** The first executable `name` in `path`, or null. */
export function findExecutable(name: string, path: string): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** The helper's arguments: capture `device` into pcap on standard output. */
export function helperArgs(device: string, opts: HelperOptions): string[] {
  const filter = opts.filter !== undefined && opts.filter.trim() !== '' ? opts.filter : null;
  return [
    '-i', device,
    '-w', '-',
    ...(opts.bufferKiB !== undefined ? ['-B', String(opts.bufferKiB)] : []),
    // Root stays root only when -Z root asked for it: without -Z root, Debian's tcpdump becomes
    // its own `tcpdump` user, which clears the parent-death signal.
    ...(opts.runAs?.uid === 0 ? ['-Z', 'root'] : []),
    // `--` ends the options: an expression cannot be taken for one.
    ...(filter !== null ? ['--', filter] : []),
  ];
}

/** The whole command: tcpdump itself, or setpriv starting it as `runAs` with CAP_NET_RAW alone. */
export function helperCommand(tcpdump: string, setpriv: string | null, device: string, opts: HelperOptions): string[] {
  if (setpriv === null || opts.runAs === undefined) return [tcpdump, ...helperArgs(device, { ...opts, runAs: undefined })];
  const args = [tcpdump, ...helperArgs(device, opts)];
  const { uid, gid } = opts.runAs;
  return [
    setpriv,
    `--reuid=${uid}`,
    `--regid=${gid}`,
    '--clear-groups',
    `--inh-caps=-all,${HELPER_CAPS}`,
    `--ambient-caps=${HELPER_CAPS}`,
    `--bounding-set=-all,${HELPER_CAPS}`,
    '--pdeathsig=TERM',
    '--',
    ...args,
  ];
}

/** The helper's error lines as one cause; a missing right adds the command to run instead. */
function describeFailure(lines: readonly string[], argv: readonly string[], exit: string): string {
  const text = lines.join(' ').replace(/\s+/g, ' ').trim();
  if (text === '') return `${HELPER} ${exit} before it listened`;
  if (/permission|not permitted/i.test(text)) {
    const again = argv.length > 0 ? `sudo wirestat ${argv.join(' ')}` : 'sudo wirestat …';
    return `${text}; run: ${again}`;
  }
  return text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class HelperCapture implements LiveBackend {
  captured = 0;
  private counts: KernelCounts | null = null;
  /** tcpdump's own count of packets it wrote, from its last counters. */
  private helperCaptured = 0;
  /** `captured` at the last poll. */
  private capturedAtPoll = -1;
  private final: Partial<Record<'captured' | 'received' | 'dropped' | 'ifDropped', number>> = {};
  private readonly lines: string[] = [];
  private statsWaiters: ((k: KernelCounts | null) => void)[] = [];
  private reading: Promise<SourceSummary | null> | null = null;
  private closing: Promise<void> | null = null;
  private readonly killOnExit = (): void => void this.signal('SIGTERM');

  private constructor(
    readonly device: string,
    private readonly child: ChildProcess,
    readonly linktype: number,
    readonly snaplen: number,
    private readonly opts: HelperOptions,
    /** Settles when the helper has exited and its streams closed; `how` then says how. */
    private readonly exit: { done: Promise<void>; how: string },
  ) {
    // Whatever ends wirestat (an uncaught error, process.exit) ends the helper too.
    process.on('exit', this.killOnExit);
    void exit.done.then(() => process.off('exit', this.killOnExit));
  }

  /**
   * Starts tcpdump on `device` and resolves once it is listening. Rejects with LiveCaptureError
   * (one line): tcpdump or setpriv missing, or tcpdump's own error, prefixed.
   */
  static open(device: string, opts: HelperOptions = {}): Promise<HelperCapture> {
    const path = opts.path ?? process.env.PATH ?? '';
    const tcpdump = findExecutable(HELPER, path);
    if (tcpdump === null) return Promise.reject(new LiveCaptureError(device, HELPER_MISSING));
    const root = opts.root ?? process.geteuid?.() === 0;
    let setpriv: string | null = null;
    if (root) {
      setpriv = findExecutable(SETPRIV, path);
      if (setpriv === null) return Promise.reject(new LiveCaptureError(device, SETPRIV_MISSING));
    }
    const cmd = helperCommand(tcpdump, setpriv, device, opts);
    // Its own process group: a terminal's Ctrl-C reaches wirestat, which stops the helper after
    // draining it; reaching the helper too, it would stop at once and lose its last block.
    // C locale: the lines parsed below are tcpdump's untranslated ones.
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, LC_ALL: 'C' } });
    return new Promise((resolve, reject) => {
      const kept: string[] = [];
      let listening: HelperCapture | null = null;
      const exit = { done: Promise.resolve(), how: '' };
      exit.done = new Promise<void>((done) => {
        child.once('error', (err: NodeJS.ErrnoException) => {
          exit.how = `could not start (${err.code ?? err.message})`;
          done();
        });
        child.once('close', (code, signal) => {
          exit.how = signal !== null ? `was killed (${signal})` : `exited (status ${code})`;
          done();
        });
      });
      // Until it listens, this process's exit ends it; afterwards the capture object does.
      const killEarly = (): void => void child.kill('SIGTERM');
      process.once('exit', killEarly);
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new LiveCaptureError(device, `${HELPER} did not start listening within ${LISTEN_TIMEOUT_MS / 1000} s`));
      }, LISTEN_TIMEOUT_MS);
      let partial = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (text: string) => {
        const parts = (partial + text).split('\n');
        partial = parts.pop()!;
        for (const line of parts) {
          if (listening !== null) {
            listening.stderrLine(line);
            continue;
          }
          const m = LISTENING.exec(line);
          if (m === null) {
            kept.push(line);
            if (kept.length > KEPT_LINES) kept.shift();
            continue;
          }
          const lt = linktypeFromName(m[2]!);
          if (lt === null) {
            child.kill('SIGTERM');
            clearTimeout(timer);
            reject(new LiveCaptureError(device, `link type ${m[2]} is not one libpcap names`));
            return;
          }
          clearTimeout(timer);
          process.off('exit', killEarly);
          listening = new HelperCapture(device, child, lt, Number(m[3]), opts, exit);
          for (const k of kept) opts.message?.(k);
          resolve(listening);
        }
      });
      void exit.done.then(() => {
        process.off('exit', killEarly);
        if (listening !== null) return;
        clearTimeout(timer);
        if (partial !== '') kept.push(partial);
        reject(new LiveCaptureError(device, describeFailure(kept, opts.argv ?? [], exit.how)));
      });
    });
  }

  /** One line of the helper's stderr after it started listening. */
  private stderrLine(line: string): void {
    const s = STATS_LINE.exec(line);
    if (s !== null) {
      this.helperCaptured = Number(s[1]);
      this.counts = { received: Number(s[2]), dropped: Number(s[3]), ifDropped: Number(s[4] ?? 0) };
      const waiters = this.statsWaiters;
      this.statsWaiters = [];
      for (const w of waiters) w(this.counts);
      return;
    }
    const f = FINAL_LINE.exec(line);
    if (f !== null) {
      const key = ({ captured: 'captured', 'received by filter': 'received', 'dropped by kernel': 'dropped', 'dropped by interface': 'ifDropped' } as const)[f[2] as 'captured'];
      this.final[key] = Number(f[1]);
      if (this.final.received !== undefined && this.final.dropped !== undefined) {
        this.helperCaptured = this.final.captured ?? this.helperCaptured;
        this.counts = { received: this.final.received, dropped: this.final.dropped, ifDropped: this.final.ifDropped ?? 0 };
      }
      return;
    }
    if (line.trim() === '') return;
    this.lines.push(line);
    if (this.lines.length > KEPT_LINES) this.lines.shift();
    if (this.closing === null) this.opts.message?.(line);
  }

  start(sink: RecordSink, ended: (err: Error) => void): void {
    const name = `${HELPER} -i ${this.device}`;
    this.reading = readFrom(new StreamInput(this.child.stdout!), name, (rec) => {
      this.captured++;
      sink(rec);
    }).then(
      (summary) => summary,
      (err: unknown) => {
        // No pcap header at all: the helper ended before its first flush. Said below.
        if (err instanceof CaptureOpenError) return null;
        throw err;
      },
    );
    void this.reading.then(
      async (summary) => {
        if (this.closing !== null) return;
        await this.exit.done;
        if (this.closing !== null) return;
        const cut = summary?.errors[0];
        const why = describeFailure(this.lines, [], this.exit.how);
        ended(new LiveCaptureError(this.device, cut !== undefined ? `${why}; its output: byte ${cut.offset}: ${cut.reason}` : `${HELPER} ended the capture: ${why}`));
      },
      (err: Error) => {
        if (this.closing === null) ended(new LiveCaptureError(this.device, `reading ${HELPER}'s output: ${err.message}`));
      },
    );
  }

  kernel(): KernelCounts | null {
    return this.counts;
  }

  lost(): number | null {
    const k = this.counts;
    if (k === null) return null;
    // Closed: the kernel's final word against what reached us (its drops, a block tcpdump
    // never took, anything cut from the stream). Running: only what the kernel dropped, since
    // packets in flight between the ring and us are not lost.
    if (this.exit.how !== '' && this.final.received !== undefined) return Math.max(0, k.received - this.captured);
    return k.dropped + k.ifDropped;
  }

  poll(): void {
    if (this.closing !== null) return;
    // tcpdump -w holds its output until 4 KiB have gathered: on a quiet link the packets would
    // wait there for the stop. SIGUSR2 flushes it (tcpdump(1)). Sent only when tcpdump had
    // written packets we have not got and none came since the last poll: tcpdump is idle then,
    // not inside a write that a flush from its signal handler could interrupt.
    if (this.captured === this.capturedAtPoll && this.helperCaptured > this.captured) this.signal('SIGUSR2');
    this.capturedAtPoll = this.captured;
    this.signal('SIGUSR1');
  }

  /** Sends `signal` to the helper; false when it is gone. */
  private signal(signal: NodeJS.Signals): boolean {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return false;
    try {
      return this.child.kill(signal);
    } catch {
      return false;
    }
  }

  /** Asks for tcpdump's counters and waits (bounded) for the answer. */
  private askStats(): Promise<KernelCounts | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), STATS_REPLY_MS);
      this.statsWaiters.push((k) => {
        clearTimeout(timer);
        resolve(k);
      });
      if (!this.signal('SIGUSR1')) {
        clearTimeout(timer);
        resolve(null);
      }
    });
  }

  /** Waits until tcpdump has taken from the ring all the kernel accepted (bounded). */
  private async drain(): Promise<void> {
    const deadline = performance.now() + DRAIN_LIMIT_MS;
    for (;;) {
      const k = await this.askStats();
      if (k === null || k.received - k.dropped <= this.helperCaptured) return;
      if (performance.now() >= deadline) return;
      await sleep(DRAIN_POLL_MS);
    }
  }

  /** Drains, stops tcpdump (SIGINT: it flushes and prints its counters), reads to the end. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.reading === null) this.child.stdout!.resume();
      else await this.drain();
      this.signal('SIGINT');
      const timer = setTimeout(() => this.signal('SIGKILL'), EXIT_GRACE_MS);
      try {
        await this.exit.done;
        await this.reading?.catch(() => null);
      } finally {
        clearTimeout(timer);
      }
    })();
    return this.closing;
  }
}
