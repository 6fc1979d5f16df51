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
import { dropPrivileges } from './privileges.js';

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
 * Captures and returns the report; throws LiveCaptureError / PrivilegeError (one line each) when
 * the capture cannot start.
 */
export async function captureLive(args: LiveArgs, io: LiveIo): Promise<Report> {
  const stats = new WireStats(args.maxFlows !== undefined ? { maxConversations: args.maxFlows } : {});
  const filter = args.filter !== undefined && args.filter.trim() !== '' ? args.filter : undefined;
  /** Set while capturing: ends the capture early. */
  let stopNow: (() => void) | null = null;
  const cap = LiveCapture.open(args.device, {
    ...(filter !== undefined ? { filter } : {}),
    ...(args.bufferKiB !== undefined ? { bufferBytes: args.bufferKiB * 1024 } : {}),
    argv: args.argv,
    monotonicNs: io.monotonicNs,
  });
  let nicTimer: NodeJS.Timeout | undefined;
  let writer: PcapWriter | null = null;
  try {
    if (args.user !== undefined) dropPrivileges(args.user, io.etcRoot, io.procRoot);
    const lt = cap.linktype;
    // Opened after the drop, as tcpdump does: the files belong to the user the capture runs as.
    let writeFailure: PcapWriterError | null = null;
    if (args.write !== undefined) {
      writer = PcapWriter.open({
        path: args.write,
        linktype: lt,
        snaplen: CAP_SNAPLEN,
        ...(args.rotateMB !== undefined
          ? { rotate: { fileSize: args.rotateMB * TCPDUMP_FILE_SIZE_UNIT, ...(args.rotateFiles !== undefined ? { fileCount: args.rotateFiles } : {}) } }
          : {}),
        ...(args.packetBuffered ? { flushEachRecord: true } : {}),
        onError: (err) => {
          writeFailure = err;
          stopNow?.();
        },
      });
    }
    io.err(
      `wirestat: listening on ${args.device}, link-type ${linktypeName(lt)} (${linktypeDescription(lt)}), ` +
        `snapshot length ${CAP_SNAPLEN} bytes\n`,
    );
    const started = io.monotonicNs();
    const first = readNicCounters(io.sysRoot, args.device);
    let latest: NicCounters | null = first;
    nicTimer = setInterval(() => {
      latest = readNicCounters(io.sysRoot, args.device) ?? latest;
    }, NIC_EVERY_MS);
    nicTimer.unref();

    const summary = new PacketSummary();
    const w = writer;
    cap.start((rec: CaptureRecord) => {
      if (w !== null && writeFailure === null) {
        try {
          w.write(rec);
        } catch (err) {
          writeFailure = err as PcapWriterError;
          stopNow?.();
        }
      }
      decodePacket(rec, summary);
      stats.ingest(summary);
    });
    await untilStopped(args.duration, io, (stop) => (stopNow = stop));
    cap.close();
    writer?.close();
    if (writeFailure !== null) throw writeFailure;
    const seconds = Number(io.monotonicNs() - started) / 1e9;
    latest = readNicCounters(io.sysRoot, args.device) ?? latest;
    const nic = first && latest ? counterGrowth(first, latest) : null;
    const lost = nic ? estimateLoss(nic, cap.captured, filter !== undefined) : null;
    io.err(`${cap.captured} packets captured${nic ? `\n${nic.rx_packets} packets received by interface, ${nic.rx_dropped} dropped by interface` : ''}\n`);
    return buildReport(
      stats,
      {
        name: args.device,
        format: null,
        linktypes: [lt],
        errors: [],
        errorsNotListed: 0,
        filter: filter ?? null,
        live: { nic, lostPackets: lost, seconds },
      },
      args.top !== undefined ? { top: args.top } : {},
    );
  } finally {
    clearInterval(nicTimer);
    cap.close();
    try {
      writer?.close();
    } catch {
      // Already failed: that error is the one reported.
    }
  }
}

/**
 * Resolves after `duration` seconds, or at the first SIGINT/SIGTERM, whichever comes first;
 * `expose` receives a function that stops it from inside (a failed write).
 */
function untilStopped(duration: number | undefined, io: LiveIo, expose: (stop: () => void) => void): Promise<void> {
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
