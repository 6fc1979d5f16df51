/**
 * `wirestat report -i IF` (and `wirestat live -i IF`): a live capture on an interface, counted
 * into the same tables as a file and reported in the same schema (`source.kind = "live"`).
 *
 * The sequence, as tcpdump runs it: open the capture (needs root or CAP_NET_RAW) → give up root
 * (`-Z`) → open output files (as the new user) → say "listening" on stderr → count packets until
 * the duration ends or SIGINT/SIGTERM → close the capture, flush files, print the report.
 * Packets arrive in `cap`'s callback on the event loop, so nothing is decoded before the
 * privileges are gone: the drop happens synchronously right after the open.
 */
import type { CaptureRecord } from '../capture/source.js';
import { linktypeDescription, linktypeName } from '../capture/linktype.js';
import { CAP_SNAPLEN, LiveCapture } from '../capture/live-cap.js';
import { PcapWriter, type PcapWriterError, TCPDUMP_FILE_SIZE_UNIT } from '../capture/pcap-writer.js';
import { counterGrowth, estimateLoss, type NicCounters, readNicCounters } from '../capture/nic-counters.js';
import { decodePacket } from '../decode/packet.js';
import { PacketSummary } from '../decode/summary.js';
import { buildReport, type Report } from '../stats/snapshot.js';
import { WireStats } from '../stats/wire-stats.js';
import type { ViewFacts } from '../stats/dashboard.js';
import type { LocalJoin } from '../stats/local-join.js';
import type { ViewSource } from '../stats/dashboard-view.js';
import type { DashboardSource } from './dashboard-run.js';
import { dropPrivileges } from './privileges.js';
import { besidePath, recordHost } from './host-record.js';

export interface LiveArgs {
  device: string;
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
  maxFlows?: number;
  /** The command line as typed, for hints. */
  argv: readonly string[];
}

export interface LiveIo {
  err(text: string): void;
  sysRoot: string;
  etcRoot: string;
  procRoot: string;
  /** Where SIGINT/SIGTERM come from (the process; tests pass an emitter). */
  signals: { once(sig: 'SIGINT' | 'SIGTERM', fn: () => void): unknown; off(sig: 'SIGINT' | 'SIGTERM', fn: () => void): unknown };
  /** Monotonic clock in ns. */
  monotonicNs(): bigint;
}

/** How often the interface counters are read while capturing (the issue asks for each second). */
const NIC_EVERY_MS = 1000;

/**
 * A running live capture: open, privileges dropped, files open, counting into `stats`. The
 * report mode (`captureLive`) and the dashboard both drive one.
 */
export class LiveSession implements DashboardSource {
  readonly stats: WireStats;
  readonly filter: string | null;
  private readonly writer: PcapWriter | null;
  private writeFailure: PcapWriterError | null = null;
  private readonly started: bigint;
  private readonly first: NicCounters | null;
  private latest: NicCounters | null;
  private readonly nicTimer: NodeJS.Timeout;
  private stopped = false;
  /** The dashboard's pause: the screen holds still; capture and counting go on. */
  paused = false;
  private stoppedAt: bigint | null = null;
  /** Called once when a write to -w fails (the capture should end; `stop()` rethrows it). */
  onFailure: (err: PcapWriterError) => void = () => undefined;

  private constructor(
    private readonly cap: LiveCapture,
    private readonly args: LiveArgs,
    private readonly io: LiveIo,
  ) {
    this.stats = new WireStats(args.maxFlows !== undefined ? { maxConversations: args.maxFlows } : {});
    this.filter = args.filter !== undefined && args.filter.trim() !== '' ? args.filter : null;
    let writer: PcapWriter | null = null;
    try {
      if (args.user !== undefined) dropPrivileges(args.user, io.etcRoot, io.procRoot);
      // Opened after the drop, as tcpdump does: the files belong to the user the capture runs as.
      if (args.write !== undefined) {
        writer = PcapWriter.open({
          path: args.write,
          linktype: cap.linktype,
          snaplen: CAP_SNAPLEN,
          ...(args.rotateMB !== undefined
            ? { rotate: { fileSize: args.rotateMB * TCPDUMP_FILE_SIZE_UNIT, ...(args.rotateFiles !== undefined ? { fileCount: args.rotateFiles } : {}) } }
            : {}),
          ...(args.packetBuffered ? { flushEachRecord: true } : {}),
          onError: (err) => this.failed(err),
        });
      }
    } catch (err) {
      cap.close();
      throw err;
    }
    this.writer = writer;
    const lt = cap.linktype;
    io.err(`wirestat: listening on ${args.device}, link-type ${linktypeName(lt)} (${linktypeDescription(lt)}), snapshot length ${CAP_SNAPLEN} bytes\n`);
    this.started = io.monotonicNs();
    this.first = readNicCounters(io.sysRoot, args.device);
    this.latest = this.first;
    this.nicTimer = setInterval(() => {
      this.latest = readNicCounters(io.sysRoot, args.device) ?? this.latest;
    }, NIC_EVERY_MS);
    this.nicTimer.unref();

    const summary = new PacketSummary();
    const stats = this.stats;
    cap.start((rec: CaptureRecord) => {
      if (writer !== null && this.writeFailure === null) {
        try {
          writer.write(rec);
        } catch (err) {
          this.failed(err as PcapWriterError);
        }
      }
      decodePacket(rec, summary);
      stats.ingest(summary);
    });
  }

  /**
   * Opens `args.device` and starts counting. Throws LiveCaptureError, PrivilegeError or
   * PcapWriterError (one line each) when the capture cannot start.
   */
  static start(args: LiveArgs, io: LiveIo): LiveSession {
    const filter = args.filter !== undefined && args.filter.trim() !== '' ? args.filter : undefined;
    const cap = LiveCapture.open(args.device, {
      ...(filter !== undefined ? { filter } : {}),
      ...(args.bufferKiB !== undefined ? { bufferBytes: args.bufferKiB * 1024 } : {}),
      argv: args.argv,
      monotonicNs: io.monotonicNs,
    });
    return new LiveSession(cap, args, io);
  }

  private failed(err: PcapWriterError): void {
    if (this.writeFailure !== null) return;
    this.writeFailure = err;
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

  lost(): number | null {
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

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Closes the capture and the files (idempotent); rethrows a failed write. */
  stop(): void {
    if (!this.stopped) {
      this.stopped = true;
      this.stoppedAt = this.io.monotonicNs();
      clearInterval(this.nicTimer);
      this.cap.close();
      this.latest = readNicCounters(this.io.sysRoot, this.args.device) ?? this.latest;
      try {
        this.writer?.close();
      } catch (err) {
        this.writeFailure ??= err as PcapWriterError;
      }
      const nic = this.nicGrowth();
      this.io.err(`${this.cap.captured} packets captured${nic ? `\n${nic.rx_packets} packets received by interface, ${nic.rx_dropped} dropped by interface` : ''}\n`);
    }
    if (this.writeFailure !== null) throw this.writeFailure;
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

/** Captures until the duration ends or SIGINT/SIGTERM, then returns the report. */
export async function captureLive(args: LiveArgs, io: LiveIo): Promise<Report> {
  const session = LiveSession.start(args, io);
  // With -w FILE, this host's view goes beside the capture (FILE.host.json).
  const beside = besidePath(args.write);
  const recording = beside !== null ? recordHost(beside, () => undefined) : null;
  try {
    await untilStopped(args.duration, io, (stop) => (session.onFailure = stop));
  } finally {
    try {
      session.stop();
    } finally {
      await recording?.stop();
    }
  }
  return session.report(args.top);
}

/**
 * Resolves after `duration` seconds, or at the first SIGINT/SIGTERM, whichever comes first;
 * `expose` receives a function that stops it from inside (a failed write).
 */
export function untilStopped(duration: number | undefined, io: LiveIo, expose: (stop: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      clearTimeout(timer);
      io.signals.off('SIGINT', stop);
      io.signals.off('SIGTERM', stop);
      resolve();
    };
    io.signals.once('SIGINT', stop);
    io.signals.once('SIGTERM', stop);
    expose(stop);
    if (duration !== undefined) timer = setTimeout(stop, duration * 1000);
  });
}
