/**
 * This host's view taken alongside a live capture: a snapshot now, one each second while the
 * capture runs, and one after it stops. Each is handed to `taken` (a join labels with the union
 * of them); with `-w FILE`, the view also goes beside the capture, one snapshot per line in
 * FILE.host.json, so `compare FILE --host FILE.host.json` (or replay, or report) later joins
 * both views as they were. A line is written for the first snapshot, whenever the socket table
 * changed, at least once a minute (the interface and protocol counters move on), and for the last
 * one, so the file spans the capture and its counters can be reconciled (host-counters.ts).
 *
 * Opened after the capture (and -Z), as the capture file is: it is written with the same rights.
 * Without root, /proc shows the owners of this user's sockets only.
 */
import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { type HostSnapshot, takeSnapshot } from '../host/snapshot.js';

/** How often the socket table is read while capturing. */
export const SNAPSHOT_EVERY_MS = 1000;
/** A line at least this often, changed or not (seconds of snapshot time). */
export const WRITE_EVERY_S = 60;

/**
 * A function that takes a snapshot of this host in the background and hands it to `taken`;
 * called while one is still being taken (~30 ms), it does nothing, so callers may call it on
 * every tick. A snapshot that fails is skipped: the last one stands.
 */
export function snapshotTaker(taken: (s: HostSnapshot) => void): () => void {
  let busy = false;
  return () => {
    if (busy) return;
    busy = true;
    takeSnapshot()
      .then(taken)
      .catch(() => undefined)
      .finally(() => (busy = false));
  };
}

/**
 * FILE.host.json beside `-w FILE`; null without -w, with `-w -` (standard output), or when FILE
 * is there and not a regular file (`-w /dev/null`, a FIFO: nothing to put a file beside).
 */
export function besidePath(write: string | undefined): string | null {
  if (write === undefined || write === '-') return null;
  try {
    if (!statSync(write).isFile()) return null;
  } catch {
    // Not there (yet): -C names its files FILE, FILE1, …; the host view goes beside the name.
  }
  return `${write}.host.json`;
}

export interface HostRecording {
  /** Stops the timer and takes the last snapshot (written too). */
  stop(): Promise<void>;
}

/**
 * Starts recording. The file beside is secondary to the capture: one that cannot be written
 * is said once through `warn` (naming it and the cause) and the capture goes on without it.
 */
export function recordHost(
  beside: string | null,
  taken: (s: HostSnapshot) => void,
  warn: (text: string) => void,
  everyMs = SNAPSHOT_EVERY_MS,
): HostRecording {
  let file = beside;
  const write = (text: string, append: boolean): void => {
    if (file === null) return;
    try {
      (append ? appendFileSync : writeFileSync)(file, text);
    } catch (err) {
      warn(`wirestat: ${file}: cannot write the host view (${(err as NodeJS.ErrnoException).code ?? err}); capturing without it\n`);
      file = null;
    }
  };
  write('', false);
  let lastSockets: string | null = null;
  let lastWritten = -Infinity;
  const keep = (s: HostSnapshot, last: boolean): void => {
    taken(s);
    if (file === null) return;
    const sockets = JSON.stringify(s.sockets);
    if (!last && sockets === lastSockets && s.time - lastWritten < WRITE_EVERY_S) return;
    lastSockets = sockets;
    lastWritten = s.time;
    write(JSON.stringify(s) + '\n', true);
  };
  let stopped = false;
  // One still being taken when the capture stops is dropped: the last line is the last moment.
  const snap = snapshotTaker((s) => stopped || keep(s, false));
  snap();
  const timer = setInterval(snap, everyMs);
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      stopped = true;
      // After the last packet: a connection opened in the last second, the counters' final values.
      keep(await takeSnapshot(), true);
    },
  };
}
