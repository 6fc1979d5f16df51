/**
 * The header: what is being captured, and how it goes. Line 1: source, interface or file, link
 * type, promiscuous mode, filter, replay speed, PAUSED; elapsed time and the capture clock at the
 * right. Line 2: packets/s and bits/s, totals, and for a live capture what the interface itself
 * received against what was captured, with the estimated loss (an alarm when above zero).
 */
import type { DashboardView } from '../stats/dashboard-view.js';
import { bits, bytes, clock, grouped, perSecond, percent, utc } from './format.js';
import { fitSegments, fitSides, type Line, type Segment, type Theme } from './theme.js';

function speedText(speed: number | 'max' | null): Segment | null {
  if (speed === null) return null;
  if (speed === 'max') return { text: 'speed: as fast as it reads', short: 'max speed', drop: 2 };
  return { text: `speed ×${speed}`, short: `×${speed}`, drop: 2 };
}

export function headerLines(view: DashboardView, width: number, wide: boolean, theme: Theme): Line[] {
  const s = view.source;
  const t = view.totals;
  const times = (x: string): string => (theme.unicode ? x : x.replace('×', 'x'));
  const first: Segment[] = [
    { text: 'wirestat', style: 'title', drop: 0 },
    { text: s.kind === 'live' ? `live on ${s.name}` : `replay ${s.name}`, drop: 0, flex: true },
    { text: s.linktype, drop: 6 },
  ];
  if (s.promiscuous === true) first.push({ text: 'promiscuous', short: 'promisc', drop: 4 });
  if (s.promiscuous === false) first.push({ text: 'NOT promiscuous', short: 'no promisc', style: 'alert', drop: 1 });
  if (s.filter !== null) first.push({ text: `filter: ${s.filter}`, short: 'filtered', drop: 3 });
  // What the state of the capture is stays at the right, where it is never crowded out.
  const right: Segment[] = [];
  if (s.paused) right.push({ text: 'PAUSED', style: 'alert', drop: 0 });
  const speed = speedText(s.speed);
  if (speed) right.push({ ...speed, text: times(speed.text), short: speed.short === undefined ? undefined : times(speed.short) });
  if (s.finished) right.push({ text: 'end of file', short: 'EOF', drop: 1 });
  right.push({ text: `elapsed ${clock(t.elapsed)}`, short: clock(t.elapsed), drop: 1 });
  const at = utc(view.time);
  right.push({ text: `${at} UTC`, short: at.length === 19 ? at.slice(11) : at, drop: 3 });

  const r = t.rates;
  const second: Segment[] = wide
    ? [
        {
          text: `pkt/s ${perSecond(r.pps[0])} ${perSecond(r.pps[1])} ${perSecond(r.pps[2])}  bit/s ${bits(r.bps[0])} ${bits(r.bps[1])} ${bits(r.bps[2])}  (2s 10s 40s)`,
          short: `${perSecond(r.pps[0])} pkt/s  ${bits(r.bps[0])}/s`,
          drop: 0,
        },
      ]
    : [{ text: `${perSecond(r.pps[0])} pkt/s  ${bits(r.bps[0])}/s`, drop: 0 }];
  second.push({ text: `captured ${grouped(t.packets)} pkts ${bytes(t.bytes)}`, short: `${grouped(t.packets)} pkts ${bytes(t.bytes)}`, drop: 2 });
  if (t.nicReceived !== null) second.push({ text: `NIC received ${grouped(t.nicReceived)}`, short: `NIC ${grouped(t.nicReceived)}`, drop: 3 });
  if (t.nicDropped !== null && t.nicDropped > 0) second.push({ text: `NIC dropped ${grouped(t.nicDropped)}`, short: `drop ${grouped(t.nicDropped)}`, style: 'alert', drop: 4 });
  if (t.lost !== null) {
    const share = t.nicReceived !== null && t.nicReceived > 0 ? ` (${percent(t.lost, t.nicReceived)})` : '';
    second.push({ text: `lost ~${grouped(t.lost)}${share}`, short: `lost ~${grouped(t.lost)}`, style: t.lost > 0 ? 'alert' : undefined, drop: 1 });
  } else if (s.kind === 'live' && t.nicReceived !== null && s.filter !== null) {
    second.push({ text: 'loss not estimated behind a filter', short: 'loss n/a', drop: 5 });
  }
  second.push({ text: `${grouped(view.conversationsTotal)} flows`, drop: 5 });
  // A full flow table: the flows listed are not all the wire's (README, "Flow table").
  const ft = view.flowTable;
  if (ft.evicted > 0) second.push({ text: `${grouped(ft.evicted)} evicted`, short: `evicted ${grouped(ft.evicted)}`, drop: 3 });
  const xd = t.exportDropped;
  if (xd !== null && xd > 0) second.push({ text: `export dropped ${grouped(xd)}`, short: `xdrop ${grouped(xd)}`, style: 'alert', drop: 2 });
  if (ft.refused > 0) second.push({ text: `${grouped(ft.refused)} pkts refused`, short: `refused ${grouped(ft.refused)}`, style: 'alert', drop: 1 });

  return [fitSides(first, right, width, theme), fitSegments(second, width, theme)];
}

/** The header before the first view arrives. */
export function waitingHeader(width: number, theme: Theme): Line[] {
  return [fitSegments([{ text: 'wirestat', style: 'title', drop: 0 }, { text: 'waiting for the first packets', drop: 1 }], width, theme), []];
}
