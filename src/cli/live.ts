/**
 * `wirestat report -i IF` (and `wirestat live -i IF`): a live capture on an interface, counted
 * into the same tables as a file and reported in the same schema (`source.kind = "live"`).
 *
 * The sequence, as tcpdump runs it: open the capture (needs root or CAP_NET_RAW) → give up root
 * (`-Z`) → open output files (as the new user) → say "listening" on stderr → count packets until
 * the duration ends or SIGINT/SIGTERM → close the capture, flush files, print the report.
 * Packets arrive on the event loop (in `cap`'s callback, or as the helper's output is read),
 * and the sink is handed over only after the drop, so nothing is decoded before the privileges
 * are gone.
 *
 * Two backends (`--backend`, src/capture/live-backend.ts): `cap`, libpcap in this process, and
 * `helper`, libpcap in a tcpdump that streams pcap to us (src/capture/helper.ts). The default
 * is the one bench/live.ts measured cheaper and losing less (README, "Live capture").
 */
import type { CaptureRecord } from '../capture/source.js';
import { linktypeDescription, linktypeName } from '../capture/linktype.js';
import { HELPER_DEFAULT_USER, HelperCapture } from '../capture/helper.js';
import type { BackendName, LiveBackend } from '../capture/live-backend.js';
import { DEFAULT_BUFFER_BYTES, LiveCapture } from '../capture/live-cap.js';
import { PcapWriter, type PcapWriterError, TCPDUMP_FILE_SIZE_UNIT } from '../capture/pcap-writer.js';
import { counterGrowth, estimateLoss, type NicCounters, readNicCounters } from '../capture/nic-counters.js';
import { decodePacket } from '../decode/packet.js';
import { PacketSummary } from '../decode/summary.js';
import { buildReport, type Report } from '../stats/snapshot.js';
import { WireStats } from '../stats/wire-stats.js';
import type { FlowTableOptions } from '../stats/flow-policy.js';
import { FlowExport } from '../export/flow-export.js';
import type { ExportSink } from '../export/targets.js';
import type { ViewFacts } from '../stats/dashboard.js';
import type { LocalJoin } from '../stats/local-join.js';
import type { ViewSource } from '../stats/dashboard-view.js';
import type { DashboardSource } from './dashboard-run.js';
import { type Account, dropPrivileges, lookupAccount, PrivilegeError } from './privileges.js';
import { besidePath, type HostRecording, recordHost } from './host-record.js';
import { printable } from '../host/sanitize.js';
import type { HostSnapshot } from '../host/snapshot.js';

export interface LiveArgs {
  device: string;
  /** Who captures: libpcap in this process (`cap`) or a tcpdump helper (default DEFAULT_BACKEND). */
  backend?: BackendName;
  /** Seconds to capture; undefined = until SIGINT/SIGTERM. */
  duration?: number;
  filter?: string;
  /** Kernel buffer in KiB (tcpdump's -B). */
  bufferKiB?: number;
  /** -Z: the user to become once the capture is open. */
  user?: string;
  /** -w: save what is captured as pcap (`-` = standard output), rotated by -C/-W, -U flushes each. */
  write?: string;
  rotateMB?: number;
  rotateFiles?: number;
  packetBuffered?: boolean;
  top?: number;
  flows?: FlowTableOptions;
  /** --export targets (ipfix://HOST:PORT), and the active timeout of what is exported. */
  export?: readonly string[];
  activeTimeout?: number;
  /** The command line as typed, for hints. */
  argv: readonly string[];
}

export interface LiveIo {
  err(text: string): void;
  sysRoot: string;
  etcRoot: string;
  procRoot: string;
  /** Where SIGINT/SIGTERM come from (the process; tests pass an emitter). */
  signals: {
    on(sig: 'SIGINT' | 'SIGTERM', fn: () => void): unknown;
    once(sig: 'SIGINT' | 'SIGTERM', fn: () => void): unknown;
    off(sig: 'SIGINT' | 'SIGTERM', fn: () => void): unknown;
  };
  /** Monotonic clock in ns. */
  monotonicNs(): bigint;
}

/** How often the interface counters are read while capturing (the issue asks for each second). */
const NIC_EVERY_MS = 1000;

/**
 * Test hook, for test/cli/exit-matrix-lab.test.ts only: WIRESTAT_FAULT=exception:MS (or
 * rejection:MS) makes a live capture throw (or leave a promise rejected) from a timer MS
 * milliseconds after it starts listening: the two crashes after which the interface's
 * promiscuity, the terminal and the -w files must still be as after a clean stop.
 */
const FAULT = /^(exception|rejection):(\d+)$/.exec(process.env.WIRESTAT_FAULT ?? '');

/** The backend when --backend is not given: see README, "Live capture", for the measurements. */
export const DEFAULT_BACKEND: BackendName = 'helper';
/** uid/gid of `nobody` on Debian and most Linux systems, for a passwd without that entry. */
const NOBODY_ID = 65534;

/** Opens the capture with the backend `args` names. */
async function openBackend(args: LiveArgs, io: LiveIo): Promise<LiveBackend> {
  const filter = args.filter !== undefined && args.filter.trim() !== '' ? args.filter : undefined;
  const bufferBytes = args.bufferKiB !== undefined ? args.bufferKiB * 1024 : DEFAULT_BUFFER_BYTES;
  if ((args.backend ?? DEFAULT_BACKEND) === 'cap') {
    return LiveCapture.open(args.device, {
      ...(filter !== undefined ? { filter } : {}),
      bufferBytes,
      argv: args.argv,
      monotonicNs: io.monotonicNs,
    });
  }
  // Root starts the helper as the -Z user (so wirestat, once it is that user too, can still
  // signal it), else as nobody: it never needs more than CAP_NET_RAW.
  let runAs: Account | undefined;
  if (process.geteuid?.() === 0) {
    try {
      runAs = lookupAccount(args.user ?? HELPER_DEFAULT_USER, io.etcRoot);
    } catch (err) {
      if (args.user !== undefined || !(err instanceof PrivilegeError)) throw err;
      runAs = { name: HELPER_DEFAULT_USER, uid: NOBODY_ID, gid: NOBODY_ID };
    }
  }
  return HelperCapture.open(args.device, {
    ...(filter !== undefined ? { filter } : {}),
    bufferKiB: bufferBytes / 1024,
    ...(runAs !== undefined ? { runAs: { uid: runAs.uid, gid: runAs.gid } } : {}),
    argv: args.argv,
    message: (line) => io.err(`wirestat: ${printable(args.device)}: ${printable(line)}\n`),
  });
}

/**
 * A running live capture: open, privileges dropped, files open, counting into `stats`. The
 * report mode (`captureLive`) and the dashboard both drive one.
 */
export class LiveSession implements DashboardSource {
  readonly stats: WireStats;
  readonly filter: string | null;
  private readonly writer: PcapWriter | null;
  /** The first failure (a -w write, the capture ending by itself); `stop()` rethrows it. */
  private failure: Error | null = null;
  private stopping: Promise<void> | null = null;
  private readonly started: bigint;
  private readonly first: NicCounters | null;
  private latest: NicCounters | null;
  private readonly nicTimer: NodeJS.Timeout;
  private readonly faultTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The dashboard's pause: the screen holds still; capture and counting go on. */
  paused = false;
  private stoppedAt: bigint | null = null;
  /** Called once when a write to -w fails or the capture ends by itself (the capture should
   *  end; `stop()` rethrows it). */
  onFailure: (err: Error) => void = () => undefined;

  /** Throws what `dropPrivileges` or `PcapWriter.open` throw; the caller closes `cap` then. */
  private readonly exporter: FlowExport | null;
  private readonly flushOnExit = (): void => {
    try {
      this.writer?.flush();
    } catch {
      // The file's last whole record stands (pcap-writer.ts cuts a failed flush back to it).
    }
  };

  private constructor(
    private readonly cap: LiveBackend,
    private readonly args: LiveArgs,
    private readonly io: LiveIo,
    sinks: readonly ExportSink[],
  ) {
    this.stats = new WireStats(args.flows ? { flows: args.flows } : {});
    this.exporter =
      sinks.length > 0 ? new FlowExport(this.stats.conversations, sinks, { activeTimeout: args.activeTimeout }) : null;
    this.filter = args.filter !== undefined && args.filter.trim() !== '' ? args.filter : null;
    let writer: PcapWriter | null = null;
    if (args.user !== undefined) dropPrivileges(args.user, io.etcRoot, io.procRoot);
    // Opened after the drop, as tcpdump does: the files belong to the user the capture runs as.
    if (args.write !== undefined) {
      writer = PcapWriter.open({
        path: args.write,
        linktype: cap.linktype,
        snaplen: cap.snaplen,
        ...(args.rotateMB !== undefined
          ? { rotate: { fileSize: args.rotateMB * TCPDUMP_FILE_SIZE_UNIT, ...(args.rotateFiles !== undefined ? { fileCount: args.rotateFiles } : {}) } }
          : {}),
        ...(args.packetBuffered ? { flushEachRecord: true } : {}),
        onError: (err) => this.failed(err),
      });
    }
    this.writer = writer;
    // A crash (an uncaught exception, process.exit) skips close(): the records still in the
    // writer's buffer, whole ones, go to the file as the process exits.
    if (writer !== null) process.on('exit', this.flushOnExit);
    const lt = cap.linktype;
    io.err(`wirestat: listening on ${args.device}, link-type ${linktypeName(lt)} (${linktypeDescription(lt)}), snapshot length ${cap.snaplen} bytes\n`);
    this.started = io.monotonicNs();
    this.first = readNicCounters(io.sysRoot, args.device);
    this.latest = this.first;
    this.nicTimer = setInterval(() => {
      this.latest = readNicCounters(io.sysRoot, args.device) ?? this.latest;
      cap.poll();
      this.exporter?.tick(this.captureNow());
    }, NIC_EVERY_MS);
    this.nicTimer.unref();

    const summary = new PacketSummary();
    const stats = this.stats;
    cap.start((rec: CaptureRecord) => {
      if (writer !== null && this.failure === null) {
        try {
          writer.write(rec);
        } catch (err) {
          this.failed(err as PcapWriterError);
        }
      }
      decodePacket(rec, summary);
      stats.ingest(summary);
    }, (err) => this.failed(err));
    if (FAULT !== null) {
      const fault = new Error(`WIRESTAT_FAULT=${FAULT[0]} (a test hook)`);
      this.faultTimer = setTimeout(() => {
        if (FAULT[1] === 'exception') throw fault;
        void Promise.reject(fault);
      }, Number(FAULT[2]));
      this.faultTimer.unref();
    }
  }

  /**
   * Opens `args.device` and starts counting. Rejects with LiveCaptureError, PrivilegeError or
   * PcapWriterError (one line each) when the capture cannot start.
   */
  static async start(args: LiveArgs, io: LiveIo): Promise<LiveSession> {
    // The export targets first: a bad one fails before the interface is opened.
    const sinks = args.export?.length ? await (await import('../export/targets.js')).openSinks(args.export) : [];
    const cap = await openBackend(args, io);
    try {
      return new LiveSession(cap, args, io, sinks);
    } catch (err) {
      await cap.close();
      throw err;
    }
  }

  private failed(err: Error): void {
    if (this.failure !== null) return;
    this.failure = err;
    this.onFailure(err);
  }

  get linktype(): number {
    return this.cap.linktype;
  }

  get captured(): number {
    return this.cap.captured;
  }

  /** Seconds since the capture started (monotonic). */
  seconds(): number {
    return Number((this.stoppedAt ?? this.io.monotonicNs()) - this.started) / 1e9;
  }

  /** The interface counters' growth since the start (last reading), or null without counters. */
  nicGrowth(): NicCounters | null {
    return this.first && this.latest ? counterGrowth(this.first, this.latest) : null;
  }

  /** The kernel's count where the backend has one (exact, also behind a filter), else the
   *  estimate from the NIC counters. */
  lost(): number | null {
    const kernel = this.cap.lost();
    if (kernel !== null) return kernel;
    const nic = this.nicGrowth();
    return nic ? estimateLoss(nic, this.cap.captured, this.filter !== null) : null;
  }

  /** Live packets carry wall-clock times (monotonic, anchored at the start): now is the capture clock. */
  captureNow(): number {
    return Date.now() / 1000;
  }

  source(): ViewSource {
    return {
      kind: 'live',
      name: this.args.device,
      linktype: linktypeName(this.cap.linktype),
      promiscuous: true,
      filter: this.filter,
      speed: null,
      paused: this.paused,
      finished: this.stopped,
    };
  }

  nic(): ViewFacts['nic'] {
    const g = this.nicGrowth();
    return g ? { received: g.rx_packets, dropped: g.rx_dropped + g.rx_missed_errors + g.rx_fifo_errors, lost: this.lost() } : null;
  }

  exportDropped(): number | null {
    return this.exporter?.dropped() ?? null;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Closes the capture and the files (idempotent); rethrows a failed write or a capture that
   *  ended by itself. */
  async stop(): Promise<void> {
    this.stopping ??= this.close();
    await this.stopping;
    if (this.failure !== null) throw this.failure;
  }

  private async close(): Promise<void> {
    this.stopped = true;
    this.stoppedAt = this.io.monotonicNs();
    clearInterval(this.nicTimer);
    clearTimeout(this.faultTimer);
    // The helper delivers what the kernel still holds before it ends: counted, and written.
    await this.cap.close();
    this.latest = readNicCounters(this.io.sysRoot, this.args.device) ?? this.latest;
    process.off('exit', this.flushOnExit);
    try {
      this.writer?.close();
    } catch (err) {
      this.failure ??= err as PcapWriterError;
    }
    for (const line of (await this.exporter?.finish()) ?? []) this.io.err(`${line}\n`);
    const nic = this.nicGrowth();
    const k = this.cap.kernel();
    this.io.err(
      `${this.cap.captured} packets captured` +
        (k ? `\n${k.received} packets received by filter\n${k.dropped} packets dropped by kernel` : '') +
        (nic ? `\n${nic.rx_packets} packets received by interface, ${nic.rx_dropped} dropped by interface` : '') +
        '\n',
    );
  }

  /** The report of everything counted (call after stop()); with a host view, labelled. */
  report(top: number | undefined, host: LocalJoin | null = null): Report {
    return buildReport(
      this.stats,
      {
        name: this.args.device,
        format: null,
        linktypes: [this.cap.linktype],
        errors: [],
        errorsNotListed: 0,
        filter: this.filter,
        live: { nic: this.nicGrowth(), lostPackets: this.lost(), seconds: this.seconds() },
      },
      { ...(top !== undefined ? { top } : {}), ...(host ? { host } : {}) },
    );
  }
}

/**
 * This host's view taken alongside the capture (host-record.ts): each snapshot to `taken` when
 * given (a join), and beside `-w FILE` as FILE.host.json; null when neither wants one.
 */
export function recordAlongside(args: LiveArgs, io: LiveIo, taken?: (s: HostSnapshot) => void): HostRecording | null {
  const beside = besidePath(args.write);
  if (beside === null && taken === undefined) return null;
  return recordHost(beside, taken ?? (() => undefined), (t) => io.err(t));
}

/** Stops the capture, then the recording (its last snapshot after the last packet), even when the first throws. */
export async function stopCapture(session: LiveSession, recording: HostRecording | null): Promise<void> {
  try {
    await session.stop();
  } finally {
    await recording?.stop();
  }
}

/**
 * Captures until the duration ends or SIGINT/SIGTERM, the host's view recorded alongside
 * (recordAlongside), and returns the stopped session.
 */
export async function captureUntilStopped(args: LiveArgs, io: LiveIo, taken?: (s: HostSnapshot) => void): Promise<LiveSession> {
  const session = await LiveSession.start(args, io);
  const recording = recordAlongside(args, io, taken);
  try {
    await untilStopped(args.duration, io, (stop) => (session.onFailure = stop));
  } finally {
    await stopCapture(session, recording);
  }
  return session;
}

/** Captures until the duration ends or SIGINT/SIGTERM, then returns the report. */
export async function captureLive(args: LiveArgs, io: LiveIo): Promise<Report> {
  return (await captureUntilStopped(args, io)).report(args.top);
}

/**
 * Resolves after `duration` seconds, or at the first SIGINT/SIGTERM, whichever comes first;
 * `expose` receives a function that stops it from inside (a failed write).
 */
export function untilStopped(duration: number | undefined, io: LiveIo, expose: (stop: () => void) => void): Promise<void> {
  const absorb = (): void => undefined;
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      // Later signals are absorbed while the capture closes (bounded: the helper's drain and
      // exit), so they cannot kill the process before its report: `timeout` and a shell's job
      // control deliver one SIGINT twice (to the process, then to its group). The absorbing
      // listener goes in before the stopping one goes out, and neither is a `once`: Node
      // restores a signal's default action whenever its last listener is removed (a `once`
      // is removed before it runs), and a second SIGINT in that gap killed wirestat mid-drain
      // (exit 130, no report; 6 runs in 8 under `timeout`).
      io.signals.on('SIGINT', absorb);
      io.signals.on('SIGTERM', absorb);
      io.signals.off('SIGINT', stop);
      io.signals.off('SIGTERM', stop);
      resolve();
    };
    io.signals.on('SIGINT', stop);
    io.signals.on('SIGTERM', stop);
    expose(stop);
    if (duration !== undefined) timer = setTimeout(stop, duration * 1000);
  });
}
