/**
 * The whole-wire conversations: one row per flow, both directions, as the view sorted and
 * filtered them (the screen never sorts or filters: it would have to touch every row).
 *
 * `*` in the first column: a socket of this host explains the flow (the view's `local`); `!`: an
 * end is this host but no socket explains it (the view's `label`, unexplained). `l` shows one
 * label only (the view's `labelFilter`, named in the title).
 * Rates are bits per second over 2, 10 and 40 s, as iftop shows them; `t` swaps them for the
 * totals (each direction, duration, TCP history).
 */
import type { LabelFilter, ViewConversation } from '../stats/dashboard-view.js';
import { bits, bytes, count, duration, grouped } from './format.js';
import { endpointColumn, type ListWindow, listPanel, type PanelContext, shownOf, titleLine } from './panel.js';
import type { Column } from './table.js';
import type { Line, Segment } from './theme.js';

type C = ViewConversation;

/** Room for "198.18.100.200:65535" and more; IPv6 endpoints take up to 47. */
const ENDPOINT_WIDTH = { min: 17, max: 47, weight: 4 };

export function conversationColumns(ctx: PanelContext): Column<C>[] {
  const now = ctx.view.time;
  const mark: Column<C> = {
    title: '',
    width: 1,
    align: 'l',
    drop: 0,
    value: (c) => (c.local === true ? '*' : c.label === 'unexplained' ? '!' : ''),
    style: () => 'local',
  };
  const proto: Column<C> = { title: 'Proto', width: { min: 5, max: 10, weight: 1 }, align: 'l', drop: 1, value: (c) => c.proto };
  const a = endpointColumn<C>(ctx, 'A', ENDPOINT_WIDTH, (c) => c.a);
  const b = endpointColumn<C>(ctx, 'B', ENDPOINT_WIDTH, (c) => c.b);
  const pkts = (drop: number): Column<C> => ({ title: 'Pkts', width: 6, align: 'r', drop, value: (c) => count(c.aToB.packets + c.bToA.packets) });
  const total = (drop: number): Column<C> => ({ title: 'Bytes', width: 7, align: 'r', drop, value: (c) => bytes(c.aToB.bytes + c.bToA.bytes) });
  const rate = (i: 0 | 1 | 2, title: string, drop: number): Column<C> => ({ title, width: 7, align: 'r', drop, value: (c) => bits(c.rates.bps[i]) });
  const state: Column<C> = { title: 'State', width: 6, align: 'l', drop: 2.5, value: (c) => c.state ?? '' };
  const idle: Column<C> = {
    title: 'Idle',
    width: 6,
    align: 'r',
    drop: 6,
    value: (c) => (c.lastTs === null ? '-' : duration(now - c.lastTs)),
  };
  const owner: Column<C> = {
    title: 'Process',
    width: { min: 12, max: 28, weight: 3 },
    align: 'l',
    drop: 7,
    value: (c) => c.owner ?? (c.label === 'unexplained' ? 'unexplained' : c.local === true ? 'local' : ''),
  };
  if (!ctx.modes.totals) {
    return [mark, proto, a, b, pkts(5), total(4), rate(0, '2s', 2), rate(1, '10s', 3), rate(2, '40s', 3), state, idle, owner];
  }
  return [
    mark,
    proto,
    a,
    b,
    pkts(2),
    total(2),
    { title: 'A>B', width: 7, align: 'r', drop: 4, value: (c) => bytes(c.aToB.bytes) },
    { title: 'B>A', width: 7, align: 'r', drop: 4, value: (c) => bytes(c.bToA.bytes) },
    {
      title: 'Dur',
      width: 6,
      align: 'r',
      drop: 3,
      value: (c) => (c.firstTs === null || c.lastTs === null ? '-' : duration(c.lastTs - c.firstTs)),
    },
    state,
    { title: 'History', width: { min: 8, max: 20, weight: 2 }, align: 'l', drop: 6, value: (c) => c.history ?? '' },
    idle,
    owner,
  ];
}

export function conversationsTitle(ctx: PanelContext, focused: boolean, width: number): Line {
  const v = ctx.view;
  const segs: Segment[] = [
    { text: shownOf(v.conversations.length, v.conversationsTotal, grouped), drop: 1 },
    { text: `by ${v.sort}`, drop: 2 },
    { text: ctx.modes.totals ? 'totals' : 'rates in bits/s', short: ctx.modes.totals ? 'totals' : 'b/s', drop: 4 },
  ];
  if (v.flowFilter !== null) segs.push({ text: `filter: ${v.flowFilter}`, drop: 3 });
  // Before the rest goes: rows are hidden by it.
  if (v.labelFilter !== null) segs.push({ text: `labels: ${LABEL_TITLES[v.labelFilter]}`, short: v.labelFilter, drop: 0.5 });
  return titleLine('Flows', focused, segs, width, ctx.theme);
}

/** The label filter as the title names it, with the first column's marks it keeps. */
const LABEL_TITLES: Record<LabelFilter, string> = {
  host: 'host (* and !)',
  explained: 'explained (*)',
  unexplained: 'unexplained (!)',
  'third-party': 'third-party',
};

function emptyMessage(v: PanelContext['view']): string {
  if (v.conversationsTotal === 0) return 'No flows yet.';
  if (v.flowFilter !== null && v.labelFilter !== null) return 'No flow matches the filter and the label.';
  if (v.flowFilter !== null) return 'No flow matches the filter.';
  if (v.labelFilter !== null) return 'No flow has this label (l: the next one).';
  return 'No flows yet.';
}

export function renderConversations(ctx: PanelContext, width: number, height: number, win: ListWindow): Line[] {
  const v = ctx.view;
  return listPanel({
    ctx,
    title: conversationsTitle(ctx, win.focused, width),
    cols: conversationColumns(ctx),
    rows: v.conversations,
    width,
    height,
    win,
    empty: emptyMessage(v),
  });
}
