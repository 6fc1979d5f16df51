/**
 * `wirestat compare`: the wire against this host's socket table. On a file, the host view is a
 * snapshot taken with the capture (`--host`); live, snapshots are taken each second while the
 * capture runs and joined (a socket seen at any moment explains). The JSON is the report
 * (`wirestat.report/1`) with every conversation labelled and the `local` section; the text
 * leads with the headline shares and lists what no socket explains.
 */
import { LocalJoin, UNEXPLAINED_REASONS } from '../stats/local-join.js';
import type { Report } from '../stats/snapshot.js';
import type { LocalSection } from '../stats/local-report.js';
import { analyzeFile } from './analyze.js';
import { captureUntilStopped, type LiveArgs, type LiveIo } from './live.js';
import { percent, sourceErrorLines } from './print-text.js';
import { formatTable } from './table.js';
import { jsonForTerminal, printable } from '../host/sanitize.js';
import { hostJoin, type Output } from './report.js';

export type CompareArgs =
  | { file: string; host: string; filter?: string; json: boolean; top?: number | undefined }
  | { live: LiveArgs; json: boolean; top?: number | undefined };

export async function runCompare(args: CompareArgs, ctx: { out: Output; io: LiveIo }): Promise<number> {
  const report = 'file' in args ? await compareFile(args) : await compareLive(args.live, args.top, ctx.io);
  ctx.out.write(args.json ? jsonForTerminal(JSON.stringify(report, null, ctx.out.isTTY ? 2 : undefined)) + '\n' : printCompare(report));
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
  const join = new LocalJoin();
  const session = await captureUntilStopped(live, io, (s) => join.add(s));
  return session.report(top, join);
}

/**
 * The comparison as text: headline, labels, what no socket explains, quiet connections. Strings
 * from the host view or the capture pass `printable` in the prose lines; table cells are
 * sanitised (and bounded) by `formatTable`.
 */
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
  const w = l.unexplained_by_reason;
  if (l.unexplained.conversations > 0) {
    out.push(
      `  ${w.no_socket.conversations} with no socket (the ones to look at), ${w.other_address.conversations} by MAC with another address, ` +
        `${w.refused.conversations} refused by the kernel (RST), ${w.kernel.conversations} ICMP of the kernel`,
    );
    // Sparse snapshots (a file's, not a live compare's each second) miss short connections.
    const span = l.counters === null ? 0 : l.counters.to - l.counters.from;
    if (w.no_socket.conversations > 0 && l.snapshots > 1 && span / (l.snapshots - 1) > SPARSE_GAP_S) {
      out.push(`  (${l.snapshots} snapshots over ${span.toFixed(1)} s: a connection that came and went between two is in none of them)`);
    }
  }
  if (unexplained.length > 0) {
    // The ones to look at first: no socket, then another address, refused, the kernel's ICMP.
    const order = (c: (typeof unexplained)[number]): number => UNEXPLAINED_REASONS.indexOf(c.reason ?? 'no-socket');
    out.push(
      formatTable(
        ['Proto', 'A', 'B', 'Packets', 'Bytes', 'State', 'Reason'],
        [...unexplained]
          .sort((x, y) => order(x) - order(y))
          .map((c) => [c.proto, c.a, c.b, String(c.a_to_b.packets + c.b_to_a.packets), String(c.a_to_b.bytes + c.b_to_a.bytes), c.state ?? '', c.reason ?? '']),
        ['l', 'l', 'l', 'r', 'r', 'l', 'l'],
      ),
    );
  }
  const elsewhere = l.quiet_sockets.filter((s) => s.elsewhere === true).length;
  out.push(
    '',
    `Quiet: ${l.quiet_sockets.length} established connections of this host with no traffic in this capture` +
      (elsewhere > 0 ? ` (${elsewhere} routed by another interface than ${printable(l.interface ?? '?')})` : ''),
  );
  if (l.quiet_sockets.length > 0) {
    out.push(
      formatTable(
        ['Proto', 'Local', 'Remote', 'PID/Program', 'Route'],
        l.quiet_sockets.map((s) => [
          s.proto,
          s.local,
          s.remote,
          s.pid === null ? '-' : `${s.pid}/${s.program ?? '-'}`,
          s.interface === null ? 'no route' : `${s.interface}${s.elsewhere ? ' (elsewhere)' : ''}`,
        ]),
        ['l', 'l', 'l', 'l', 'l'],
      ),
    );
  }
  out.push('', ...countersLines(l));
  return out.join('\n') + '\n';
}

/** Snapshots further apart than this on average (live compare takes one a second) are sparse. */
const SPARSE_GAP_S = 2;

const orDash = (n: number | null): string => (n === null ? '-' : String(n));

/** The reconciliation: the NIC's and the stack's counters beside what the wire showed. */
function countersLines(l: LocalSection): string[] {
  const k = l.counters;
  if (k === null) return ['Counters: one host snapshot, no growth to compare (a live compare, or -w, records them over the capture)'];
  const nic = k.interface;
  const rows: string[][] = [
    [
      `packets on ${nic?.name ?? l.interface ?? '?'}`,
      String(k.captured.packets),
      nic === null ? '-' : String(nic.rx_packets + nic.tx_packets),
      nic === null ? 'interface not in both snapshots' : `rx ${nic.rx_packets} + tx ${nic.tx_packets}, dropped ${nic.rx_dropped}`,
    ],
    // Linux's OutSegs leaves retransmissions out (RFC 1213's tcpOutSegs), the wire has them.
    ['TCP segments sent', String(k.tcp.wire.sent), orDash(k.tcp.kernel.out_segs === null || k.tcp.kernel.retrans_segs === null ? null : k.tcp.kernel.out_segs + k.tcp.kernel.retrans_segs), 'Tcp OutSegs + RetransSegs'],
    ['TCP segments received', String(k.tcp.wire.received), orDash(k.tcp.kernel.in_segs), 'Tcp InSegs'],
    ['TCP RSTs sent', String(k.tcp.wire.resets_sent), orDash(k.tcp.kernel.out_rsts), 'Tcp OutRsts'],
    ['TCP retransmissions sent', String(k.tcp.wire.retransmissions_sent), orDash(k.tcp.kernel.retrans_segs), 'Tcp RetransSegs'],
    ['UDP datagrams sent', String(k.udp.wire.sent), orDash(k.udp.kernel.out_datagrams), 'Udp(6) OutDatagrams'],
    ['UDP datagrams received', String(k.udp.wire.received), orDash(k.udp.kernel.in_datagrams), 'Udp(6) InDatagrams'],
  ];
  const others = k.other_interfaces.map((i) => `${printable(i.name)} ${i.rx_packets + i.tx_packets}`).join(', ');
  return [
    `Counters: the wire against this host's own, over ${(k.to - k.from).toFixed(1)} s of snapshots (the stack's cover every interface)`,
    formatTable(['', 'Wire', 'Kernel', 'Kernel counter'], rows, ['l', 'r', 'r', 'l']),
    `  packets by other interfaces: ${others || 'none'}`,
  ];
}
