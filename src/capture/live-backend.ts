/**
 * What a live session needs of a capture backend, whichever one it is: `cap` (libpcap inside
 * this process, live-cap.ts) or a helper process (libpcap in tcpdump, helper.ts). The session
 * (src/cli/live.ts) opens one, gives up privileges, then calls `start` once and `close` once.
 *
 * The borrow rule of source.ts holds for both: the sink gets one reused record, valid only
 * until it returns.
 */
import type { RecordSink } from './source.js';

/** The backends `--backend` names. */
export const BACKENDS = ['cap', 'helper'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** A live capture that could not start, or ended by itself; one line naming the interface. */
export class LiveCaptureError extends Error {
  constructor(
    readonly device: string,
    readonly cause_: string,
  ) {
    super(`${device}: ${cause_}`);
    this.name = 'LiveCaptureError';
  }
}

/** libpcap's counters for the capture socket (pcap_stats): what the kernel itself says. */
export interface KernelCounts {
  /** Packets the socket's filter accepted (ps_recv; on Linux it includes the dropped ones). */
  received: number;
  /** Packets the kernel dropped because the capture buffer was full (ps_drop). */
  dropped: number;
  /** Packets the interface dropped, where the driver says (ps_ifdrop; 0 on most). */
  ifDropped: number;
}

export interface LiveBackend {
  readonly device: string;
  /** LINKTYPE_ value of the records (and of a -w file's header). */
  readonly linktype: number;
  /** Snapshot length the capture was opened with (a -w file states it). */
  readonly snaplen: number;
  /** Records handed to the sink so far. */
  readonly captured: number;
  /**
   * Hands every record to `sink`. `ended` is called once if the capture ends by itself (the
   * helper exited, the interface went away) with the reason; never after `close()` began.
   */
  start(sink: RecordSink, ended: (err: Error) => void): void;
  /** The kernel's counters as last read, or null when the backend has none (`cap`). */
  kernel(): KernelCounts | null;
  /**
   * Packets the capture lost, counted by the kernel: while running, what it dropped; once
   * closed, everything it accepted that never reached the sink. null without kernel counters
   * (the session estimates from the NIC counters then).
   */
  lost(): number | null;
  /** Asks for fresh kernel counters; they arrive in the background (no-op without counters). */
  poll(): void;
  /** Stops the capture after everything the kernel accepted so far was delivered (idempotent). */
  close(): void | Promise<void>;
}
