/**
 * `wirestat compare`: the wire against this host's socket table. On a file, the host view is a
 * snapshot taken with the capture (`--host`); live, snapshots are taken each second while the
 * capture runs and joined (a socket seen at any moment explains). The JSON is the report
 * (`wirestat.report/1`) with every conversation labelled and the `local` section; the text
 * leads with the headline shares and lists what no socket explains.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { type HostSnapshot, takeSnapshot } from '../host/snapshot.js';
import { LocalJoin } from '../stats/local-join.js';
import type { Report } from '../stats/snapshot.js';
import { analyzeFile } from './analyze.js';
import { type LiveArgs, type LiveIo, LiveSession, untilStopped } from './live.js';
import { percent, sourceErrorLines } from './print-text.js';
import { formatTable } from './table.js';
import { printable } from '../host/sanitize.js';
import { snapshotTaker } from './dashboard-cmd.js';
import { hostJoin, type Output } from './report.js';

export type CompareArgs =
  | { file: string; host: string; filter?: string; json: boolean; top?: number | undefined }
  | { live: LiveArgs; json: boolean; top?: number | undefined };

/** Live: how often the host's sockets are read while capturing. */
const SNAPSHOT_EVERY_MS = 1000;

export async function runCompare(args: CompareArgs, ctx: { out: Output; io: LiveIo }): Promise<number> {
  const report = 'file' in args ? await compareFile(args) : await compareLive(args.live, args.top, ctx.io);
  ctx.out.write(args.json ? JSON.stringify(report, null, ctx.out.isTTY ? 2 : undefined) + '\n' : printCompare(report));
  return 0;
}

async function compareFile(args: { file: string; host: string; filter?: string; top?: number | undefined }): Promise<Report> {
  const host = await hostJoin([args.host]);
  const { report } = await analyzeFile(args.file, {
    host,
    ...(args.filter !== undefined ? { filter: args.filter } : {}),
    ...(args.top !== undefined ? { top: args.top } : {}),
  });
  return report;
}

async function compareLive(live: LiveArgs, top: number | undefined, io: LiveIo): Promise<Report> {
  const session = LiveSession.start(live, io);
  const join = new LocalJoin();
  // With -w FILE, the host view goes beside the capture (FILE.host.json), so `compare FILE
  // --host FILE.host.json` replays both views: a snapshot line each time the socket table
  // changed. Opened after the capture (and -Z), as the capture file is.
  const beside = live.write !== undefined && live.write !== '-' ? `${live.write}.host.json` : null;
  if (beside !== null) writeFileSync(beside, '');
  let lastSockets = '';
  const keep = (s: HostSnapshot): void => {
    join.add(s);
    if (beside === null) return;
    const sockets = JSON.stringify(s.sockets);
    if (sockets === lastSockets) return;
    lastSockets = sockets;
    appendFileSync(beside, JSON.stringify(s) + '\n');
  };
  const snap = snapshotTaker(keep);
  snap();
  const timer = setInterval(snap, SNAPSHOT_EVERY_MS);
  try {
    await untilStopped(live.duration, io, (stop) => (session.onFailure = stop));
  } finally {
    clearInterval(timer);
    session.stop();
  }
  // One more look at the table, after the last packet: a connection opened in the last second.
  keep(await takeSnapshot());
  return session.report(top, join);
}

/** The comparison as text: headline, labels, what no socket explains, quiet connections. */
export function printCompare(r: Report): string {
  const l = r.local;
  if (l === null) return 'wirestat compare: no host view\n';
  const out: string[] = [];
  out.push(`wirestat compare: ${printable(r.source.kind === 'live' ? `live capture on ${r.source.name}` : r.source.name)}`);
  out.push(...sourceErrorLines(r.source.errors, r.source.errors_not_listed));
  out.push(`  host addresses: ${l.addresses.map(printable).join(' ') || '-'} (${l.snapshots} snapshot${l.snapshots === 1 ? '' : 's'})`);
  out.push(
    `  ${l.wire.packets} packets on the wire; ${l.host.packets} involve this host (${percent(l.share.host_packets)}: what netstat could ever see), ` +
      `${l.explained.packets} explained by its sockets (${percent(l.share.explained_of_host_packets)} of the host's)`,
  );
  out.push(
    `  bytes: ${percent(l.share.host_bytes)} involve this host, ${percent(l.share.explained_bytes)} of the wire explained, ` +
      `${percent(l.share.explained_of_host_bytes)} of the host's`,
  );
  out.push('');
  out.push(
    formatTable(
      ['Label', 'Conversations', 'Packets', 'Bytes'],
      (
        [
          ['explained', l.explained],
          ['unexplained', l.unexplained],
          ['third-party', l.third_party],
        ] as const
      ).map(([name, c]) => [name, String(c.conversations), String(c.packets), String(c.bytes)]),
      ['l', 'r', 'r', 'r'],
    ),
  );
  const unexplained = r.conversations.filter((c) => c.local === 'unexplained');
  out.push('', `Unexplained: ${l.unexplained.conversations} conversations with an end on this host that no socket explains${unexplained.length < l.unexplained.conversations ? ` (${unexplained.length} shown)` : ''}`);
  if (unexplained.length > 0) {
    out.push(
      formatTable(
        ['Proto', 'A', 'B', 'Packets', 'Bytes', 'State'],
        unexplained.map((c) => [c.proto, printable(c.a), printable(c.b), String(c.a_to_b.packets + c.b_to_a.packets), String(c.a_to_b.bytes + c.b_to_a.bytes), c.state ?? '']),
        ['l', 'l', 'l', 'r', 'r', 'l'],
      ),
    );
  }
  out.push('', `Quiet: ${l.quiet_sockets.length} established connections of this host with no traffic in this capture`);
  if (l.quiet_sockets.length > 0) {
    out.push(
      formatTable(
        ['Proto', 'Local', 'Remote', 'PID/Program'],
        l.quiet_sockets.map((s) => [s.proto, printable(s.local), printable(s.remote), s.pid === null ? '-' : `${s.pid}/${printable(s.program ?? '-')}`]),
        ['l', 'l', 'l', 'l'],
      ),
    );
  }
  return out.join('\n') + '\n';
}
