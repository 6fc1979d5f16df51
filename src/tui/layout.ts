/**
 * Where the panels go, from the terminal's size alone (a pure function, re-run on every resize).
 *
 * Two layouts, and why:
 *  - compact, below 160×40 (so the 80×24 every terminal opens with): one panel at a time under
 *    a tab bar, switched with `tab` (or 1-5). A conversation row needs both endpoints readable
 *    ("198.18.100.200:65535" is 20 columns, an IPv6 one up to 47) plus its rates and state:
 *    that is already the whole 80 columns, so nothing can sit beside it; and 24 rows split
 *    between five panels would leave three rows each, readable by nobody. Tabs give each panel
 *    the full 18 rows. The header keeps the totals, rates and pause/loss alarms always visible.
 *  - wide, from 160×40 (the product's promise): conversations beside the local netstat (60/40)
 *    on top, endpoints, protocols and the chart along the bottom. Every panel is visible;
 *    `tab` moves the focus (what the arrows scroll) between them.
 * Below 40×10 nothing useful fits: the screen says so instead.
 */

export type PanelId = 'conversations' | 'sockets' | 'endpoints' | 'protocols' | 'chart';
export const PANELS: readonly PanelId[] = ['conversations', 'sockets', 'endpoints', 'protocols', 'chart'];

export const PANEL_NAMES: Record<PanelId, string> = {
  conversations: 'Flows',
  sockets: 'Local',
  endpoints: 'Endpoints',
  protocols: 'Protocols',
  chart: 'Chart',
};

export interface Rect {
  top: number;
  left: number;
  width: number;
  height: number;
}

export interface Layout {
  mode: 'compact' | 'wide' | 'tiny';
  cols: number;
  rows: number;
  header: Rect;
  /** The tab bar (compact only). */
  tabs: Rect | null;
  /** Panels drawn, with their rectangles; a panel drawn right of another starts with a rule column. */
  panels: Map<PanelId, Rect>;
  footer: Rect;
  /** Where the detail view of a flow opens. */
  detail: Rect;
}

export const WIDE_MIN_COLS = 160;
export const WIDE_MIN_ROWS = 40;
export const TINY_COLS = 40;
export const TINY_ROWS = 10;
export const HEADER_ROWS = 2;

export function computeLayout(cols: number, rows: number, focus: PanelId): Layout {
  const header: Rect = { top: 0, left: 0, width: cols, height: Math.min(HEADER_ROWS, rows) };
  const footer: Rect = { top: Math.max(0, rows - 1), left: 0, width: cols, height: 1 };
  if (cols < TINY_COLS || rows < TINY_ROWS) {
    return { mode: 'tiny', cols, rows, header, tabs: null, panels: new Map(), footer, detail: { top: 0, left: 0, width: 0, height: 0 } };
  }
  const bodyTop = HEADER_ROWS;
  if (cols < WIDE_MIN_COLS || rows < WIDE_MIN_ROWS) {
    const tabs: Rect = { top: bodyTop, left: 0, width: cols, height: 1 };
    const panel: Rect = { top: bodyTop + 1, left: 0, width: cols, height: rows - bodyTop - 2 };
    return {
      mode: 'compact',
      cols,
      rows,
      header,
      tabs,
      panels: new Map([[focus, panel]]),
      footer,
      detail: { top: bodyTop, left: 0, width: cols, height: rows - bodyTop - 1 },
    };
  }
  const body = rows - bodyTop - 1;
  const topHeight = Math.round(body * 0.6);
  const bottomTop = bodyTop + topHeight;
  const bottomHeight = body - topHeight;
  const convWidth = Math.round(cols * 0.6);
  const endpointsWidth = Math.round(cols * 0.35);
  const protocolsWidth = Math.round(cols * 0.25);
  const panels = new Map<PanelId, Rect>([
    ['conversations', { top: bodyTop, left: 0, width: convWidth, height: topHeight }],
    ['sockets', { top: bodyTop, left: convWidth, width: cols - convWidth, height: topHeight }],
    ['endpoints', { top: bottomTop, left: 0, width: endpointsWidth, height: bottomHeight }],
    ['protocols', { top: bottomTop, left: endpointsWidth, width: protocolsWidth, height: bottomHeight }],
    ['chart', { top: bottomTop, left: endpointsWidth + protocolsWidth, width: cols - endpointsWidth - protocolsWidth, height: bottomHeight }],
  ]);
  return { mode: 'wide', cols, rows, header, tabs: null, panels, footer, detail: panels.get('conversations')! };
}

/** Rows of data a panel of this height shows (its title and column header take two). */
export function dataRows(rect: Rect): number {
  return Math.max(0, rect.height - 2);
}
