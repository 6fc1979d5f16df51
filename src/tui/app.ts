/**
 * The dashboard on a screen. `TuiApp` owns UI state only (focus, scroll, the selected flow,
 * display modes, the help, the filter prompt, the detail view) and draws from the last
 * `DashboardView` it was handed; it never reads the clock, the network or /proc. Whatever the
 * keys ask of the world goes out through `Actions`, and the world answers with a new view.
 *
 *   owner                          TuiApp
 *   ─────                          ──────
 *   each tick: render(view)   →    keeps the view, draws it
 *   setSort/setFlowFilter/... ←    keys (s, /, space, Enter, q)
 *   (soon) render(newView)    →    draws the view the action produced
 *
 * Keys come from the screen's input stream (blessed parses the bytes), so tests drive the same
 * path a terminal does.
 */
import blessed from 'blessed';
import { FLOW_SORTS, type DashboardView, type FlowSort, LABEL_FILTERS, type LabelFilter, type ViewConversation } from '../stats/dashboard-view.js';
import { renderChart } from './chart.js';
import { renderConversations } from './conversations.js';
import { detailLines } from './detail.js';
import { renderEndpoints } from './endpoints.js';
import { editPrompt, promptErrorLine, promptLine, type PromptState, typedChar } from './filter-prompt.js';
import { footerLine, tabLine } from './footer.js';
import { headerLines, waitingHeader } from './header.js';
import { helpLines, helpSize } from './help.js';
import { computeLayout, dataRows, type Layout, PANELS, type PanelId, type Rect, TINY_COLS, TINY_ROWS } from './layout.js';
import type { NameLookup } from './names.js';
import type { ListWindow, PanelContext, UiModes } from './panel.js';
import { renderProtocols } from './protocols.js';
import { cellCalls } from './sanitize.js';
import type { TuiScreen } from './screen.js';
import { renderSockets, socketRows } from './sockets.js';
import { clampFrom, follow, type TableMetrics } from './table.js';
import { fitSegments, type Line, padLine, type Theme, toTags } from './theme.js';

/** What the keys ask of the world. The owner answers by calling `render` with a new view. */
export interface Actions {
  /** space: stop (a replay stops reading; live keeps counting, the view holds still). */
  pause(): void;
  /** space again. */
  resume(): void;
  /** `s`: the next order of the flows. */
  setSort(sort: FlowSort): void;
  /**
   * `/` then Enter: flows matching `expr` (the language of `-f`), or all flows for null.
   * Returns null when the filter took, or a one-line error to show.
   */
  setFlowFilter(expr: string | null): string | null;
  /** `l`: only flows with this label (null: all). Sent only when the view has a host view. */
  setLabelFilter(f: LabelFilter | null): void;
  /**
   * Enter opened the detail view of this flow (null: it was closed). The owner may keep the
   * flow in its views while it is open, even beyond the filter or the row limit.
   */
  showDetail(id: number | null): void;
  /** `q` or Ctrl-C. The terminal has been restored already. */
  quit(): void;
}

export interface TuiOptions {
  /** Host and service names; without them `n` and `p` show numbers. */
  lookup?: NameLookup;
  /** Initial display modes (all off: rates, numeric hosts, numeric ports). */
  totals?: boolean;
  names?: boolean;
  services?: boolean;
}

interface DetailState {
  id: number;
  /** The flow's row in the last view that had it. */
  flow: ViewConversation;
  /** That view's time. */
  seenAt: number;
  /** Whether the current view has it. */
  current: boolean;
}

/** UI state, and nothing else. */
export interface UiState {
  focus: PanelId;
  modes: UiModes;
  help: boolean;
  prompt: PromptState | null;
  detail: DetailState | null;
  /** The flow selected with the arrows (followed by id across views), or null: the top row. */
  selectedId: number | null;
  /** Where it was last seen; where the selection stays if the flow goes away. */
  selectedIndex: number;
  /** First row drawn, per panel. */
  from: Record<PanelId, number>;
  /** Asked for but not yet in a view. */
  pendingSort: FlowSort | null;
  pendingPause: boolean | null;
  /** The label filter asked for but not yet in a view (null inside: all). */
  pendingLabel: { value: LabelFilter | null } | null;
  /** A one-line message above the footer until the next key (a key that could not act). */
  notice: string | null;
}

interface Key {
  full?: string;
  name?: string;
  ctrl?: boolean;
  meta?: boolean;
  shift?: boolean;
}

type Box = blessed.Widgets.BoxElement;

export class TuiApp {
  private view: DashboardView | null = null;
  private readonly ui: UiState;
  private readonly lookup: NameLookup;
  private layout: Layout | null = null;
  private closed = false;
  /** Rows formatted and frames drawn since the start (the render-cost tests read them). */
  readonly metrics: TableMetrics & { draws: number } = { rowsFormatted: 0, draws: 0 };

  private readonly header: Box;
  private readonly tabs: Box;
  private readonly panels: Record<PanelId, Box>;
  private readonly footer: Box;
  private readonly promptError: Box;
  private readonly help: Box;
  private readonly detail: Box;

  constructor(
    private readonly tui: TuiScreen,
    private readonly actions: Actions,
    options: TuiOptions = {},
  ) {
    this.lookup = options.lookup ?? {};
    this.ui = {
      focus: 'conversations',
      modes: { totals: options.totals ?? false, names: options.names ?? false, services: options.services ?? false },
      help: false,
      prompt: null,
      detail: null,
      selectedId: null,
      selectedIndex: 0,
      from: { conversations: 0, sockets: 0, endpoints: 0, protocols: 0, chart: 0 },
      pendingSort: null,
      pendingPause: null,
      pendingLabel: null,
      notice: null,
    };
    const screen = tui.screen;
    const box = (extra: blessed.Widgets.BoxOptions = {}): Box =>
      blessed.box({ parent: screen, top: 0, left: 0, width: 1, height: 1, tags: true, wrap: false, hidden: true, ...extra });
    this.header = box();
    this.tabs = box();
    this.panels = {
      conversations: box(),
      sockets: box(),
      endpoints: box(),
      protocols: box(),
      chart: box(),
    };
    this.footer = box();
    this.promptError = box();
    const overlay = (label: string): Box =>
      box({
        border: { type: 'line' },
        label,
        style: tui.theme.color ? { border: { fg: 'cyan' }, label: { bold: true } } : { label: { bold: true } },
      });
    this.help = overlay(' Keys ');
    this.detail = overlay(' Flow ');

    screen.on('keypress', (ch: string | undefined, key: Key) => this.onKey(ch, key));
    screen.on('resize', () => this.draw());
    tui.onRestore(() => {
      this.closed = true;
    });
    this.draw(); // "waiting for the first packets" until the owner's first view
  }

  /** Draw this view (the owner calls it on each tick, and after each action). */
  render(view: DashboardView): void {
    this.view = view;
    if (this.ui.pendingSort === view.sort) this.ui.pendingSort = null;
    if (this.ui.pendingPause === view.source.paused) this.ui.pendingPause = null;
    if (this.ui.pendingLabel?.value === view.labelFilter) this.ui.pendingLabel = null;
    this.draw();
  }

  /** Give the terminal back without asking to quit (the owner is ending). */
  destroy(): void {
    this.tui.restore();
  }

  /** The UI state, for the owner's tests and status. */
  get state(): Readonly<UiState> {
    return this.ui;
  }

  // ── keys ──────────────────────────────────────────────────────────────────────────────

  private onKey(ch: string | undefined, key: Key): void {
    if (this.closed) return;
    const name = key.full ?? key.name ?? ch ?? '';
    // A carriage return arrives twice from blessed: as `return`, then as `enter`.
    if (name === 'return') return;
    if (name === 'C-c') return this.quit();
    if (this.ui.notice !== null) {
      this.ui.notice = null;
      this.draw();
    }
    if (this.ui.prompt) return this.promptKey(name, ch, key);
    if (name === 'q') return this.quit();
    if (this.ui.help) {
      if (['escape', 'h', '?', 'enter', 'linefeed'].includes(name)) {
        this.ui.help = false;
        this.draw();
      }
      return;
    }
    if (this.ui.detail && this.detailKey(name)) return;
    this.globalKey(name);
  }

  private quit(): void {
    this.tui.restore();
    this.actions.quit();
  }

  private promptKey(name: string, ch: string | undefined, key: Key): void {
    const p = this.ui.prompt!;
    if (name === 'escape') {
      this.ui.prompt = null;
    } else if (name === 'enter' || name === 'linefeed') {
      const text = p.text.trim();
      const error = this.actions.setFlowFilter(text === '' ? null : text);
      this.ui.prompt = error === null ? null : { text: p.text, error };
      if (error === null) this.ui.from.conversations = 0;
    } else {
      this.ui.prompt = editPrompt(p, name, typedChar(ch, key));
    }
    this.draw();
  }

  /** Keys of the detail view; false passes the key on to the global ones. */
  private detailKey(name: string): boolean {
    switch (name) {
      case 'escape':
      case 'enter':
      case 'linefeed':
      case 'backspace':
      case 'left':
        this.ui.detail = null;
        this.actions.showDetail(null);
        this.draw();
        return true;
      case 'up':
      case 'down': {
        this.moveSelection(name === 'up' ? -1 : 1);
        const rows = this.view?.conversations ?? [];
        const i = this.selectedIndex(rows);
        if (i >= 0) this.openDetail(rows[i]!);
        this.draw();
        return true;
      }
      case 'tab':
      case 'S-tab':
      case '/':
      case 'pageup':
      case 'pagedown':
      case 'home':
      case 'end':
        return true; // nothing behind the detail view moves
      default:
        return false;
    }
  }

  private globalKey(name: string): void {
    const ui = this.ui;
    switch (name) {
      case 'space': {
        const paused = ui.pendingPause ?? this.view?.source.paused ?? false;
        ui.pendingPause = !paused;
        if (paused) this.actions.resume();
        else this.actions.pause();
        break;
      }
      case 'tab':
      case 'S-tab': {
        const i = PANELS.indexOf(ui.focus);
        ui.focus = PANELS[(i + (name === 'tab' ? 1 : PANELS.length - 1)) % PANELS.length]!;
        break;
      }
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
        ui.focus = PANELS[Number(name) - 1]!;
        break;
      case 'up':
      case 'down':
      case 'pageup':
      case 'pagedown':
      case 'home':
      case 'end':
        this.move(name);
        break;
      case 'enter':
      case 'linefeed': {
        if (ui.focus !== 'conversations' || !this.view) return;
        const rows = this.view.conversations;
        const i = this.selectedIndex(rows);
        if (i < 0) return;
        this.openDetail(rows[i]!);
        break;
      }
      case 's': {
        const current = ui.pendingSort ?? this.view?.sort ?? FLOW_SORTS[0]!;
        const next = FLOW_SORTS[(FLOW_SORTS.indexOf(current) + 1) % FLOW_SORTS.length]!;
        ui.pendingSort = next;
        this.actions.setSort(next);
        break;
      }
      case 'l':
        this.nextLabelFilter();
        break;
      case 't':
        ui.modes = { ...ui.modes, totals: !ui.modes.totals };
        break;
      case 'n':
        ui.modes = { ...ui.modes, names: !ui.modes.names };
        break;
      case 'p':
        ui.modes = { ...ui.modes, services: !ui.modes.services };
        break;
      case '/':
        ui.prompt = { text: this.view?.flowFilter ?? '', error: null };
        break;
      case 'h':
      case '?':
        ui.help = true;
        break;
      default:
        return;
    }
    this.draw();
  }

  /** `l`: the next label filter (all, host, explained, unexplained, third-party), if there are labels. */
  private nextLabelFilter(): void {
    const ui = this.ui;
    if (!this.view || this.view.local === null) {
      ui.notice = NO_LABELS;
      return;
    }
    const current = ui.pendingLabel ? ui.pendingLabel.value : this.view.labelFilter;
    const next = LABEL_FILTERS[(LABEL_FILTERS.indexOf(current) + 1) % LABEL_FILTERS.length]!;
    ui.pendingLabel = { value: next };
    ui.from.conversations = 0;
    this.actions.setLabelFilter(next);
  }

  private openDetail(flow: ViewConversation): void {
    const changed = this.ui.detail?.id !== flow.id;
    this.ui.detail = { id: flow.id, flow, seenAt: this.view?.time ?? 0, current: true };
    if (changed) this.actions.showDetail(flow.id);
  }

  private pageRows(panel: PanelId): number {
    const rect = this.layout?.panels.get(panel);
    return rect ? Math.max(1, this.visibleRows(panel, rect)) : 1;
  }

  /** Rows of a panel's list on screen (the local netstat's comparison takes some). */
  private visibleRows(panel: PanelId, rect: Rect): number {
    return panel === 'sockets' && this.view ? socketRows({ view: this.view }, rect.height) : dataRows(rect);
  }

  private move(name: string): void {
    const page = this.pageRows(this.ui.focus);
    const delta = name === 'up' ? -1 : name === 'down' ? 1 : name === 'pageup' ? -page : name === 'pagedown' ? page : name === 'home' ? -Infinity : Infinity;
    if (this.ui.focus === 'conversations') {
      this.moveSelection(delta);
      return;
    }
    const total = this.listLength(this.ui.focus);
    const from = this.ui.from[this.ui.focus] + delta;
    this.ui.from[this.ui.focus] = clampFrom(Number.isFinite(from) ? from : from > 0 ? total : 0, page, total);
  }

  private moveSelection(delta: number): void {
    const rows = this.view?.conversations ?? [];
    if (rows.length === 0) return;
    const i = Math.max(0, this.selectedIndex(rows));
    const j = Math.max(0, Math.min(rows.length - 1, Number.isFinite(delta) ? i + delta : delta > 0 ? rows.length - 1 : 0));
    this.ui.selectedId = rows[j]!.id;
    this.ui.selectedIndex = j;
  }

  /** The selected row's index in `rows` (following the flow by id), or -1 when there are none. */
  private selectedIndex(rows: readonly ViewConversation[]): number {
    if (rows.length === 0) return -1;
    const ui = this.ui;
    if (ui.selectedId === null) return 0;
    if (rows[ui.selectedIndex]?.id === ui.selectedId) return ui.selectedIndex;
    // A scan of ids, not a formatting of rows: cheap even for 100,000.
    for (let i = 0; i < rows.length; i++) {
      if (rows[i]!.id === ui.selectedId) {
        ui.selectedIndex = i;
        return i;
      }
    }
    // The flow left the view: the selection stays where it was, on whichever flow is there now.
    ui.selectedIndex = Math.min(ui.selectedIndex, rows.length - 1);
    ui.selectedId = rows[ui.selectedIndex]!.id;
    return ui.selectedIndex;
  }

  private listLength(panel: PanelId): number {
    const v = this.view;
    if (!v) return 0;
    switch (panel) {
      case 'conversations':
        return v.conversations.length;
      case 'sockets':
        return v.sockets?.length ?? 0;
      case 'endpoints':
        return v.endpoints.length;
      case 'protocols':
        return v.protocols.length;
      case 'chart':
        return 0;
    }
  }

  // ── drawing ───────────────────────────────────────────────────────────────────────────

  private put(b: Box, r: Rect, lines: readonly Line[]): void {
    b.top = r.top;
    b.left = r.left;
    b.width = r.width;
    b.height = r.height;
    b.setContent(lines.map((l) => toTags(l, this.tui.theme)).join('\n'));
    b.show();
  }

  /** Draw the last view with the current UI state. */
  draw(): void {
    if (this.closed) return;
    const screen = this.tui.screen;
    const theme = this.tui.theme;
    const cols = Number(screen.width);
    const rows = Number(screen.height);
    const ui = this.ui;
    const layout = computeLayout(cols, rows, ui.focus);
    this.layout = layout;
    this.metrics.draws++;
    for (const b of [this.tabs, this.footer, this.promptError, this.help, this.detail, ...Object.values(this.panels)]) b.hide();

    const view = this.view;
    if (layout.mode === 'tiny') {
      const x = theme.glyphs.times;
      const msg = fitSegments([{ text: `${cols}${x}${rows}: too small, needs ${TINY_COLS}${x}${TINY_ROWS}`, drop: 0 }], cols, theme);
      this.put(this.header, { top: 0, left: 0, width: cols, height: Math.min(2, rows) }, [msg, fitSegments([{ text: 'q quits', drop: 0 }], cols, theme)]);
      screen.render();
      return;
    }
    this.put(this.header, layout.header, view ? headerLines(view, cols, layout.mode === 'wide', theme) : waitingHeader(cols, theme));
    if (layout.tabs) this.put(this.tabs, layout.tabs, [tabLine(ui.focus, cols)]);

    if (view) {
      const ctx: PanelContext = { view, theme, modes: ui.modes, lookup: this.lookup, metrics: this.metrics };
      for (const [panel, rect] of layout.panels) {
        const rule = rect.left > 0;
        const width = rect.width - (rule ? 1 : 0);
        const win = this.window(panel, rect, view);
        const lines = this.panelLines(ctx, panel, width, rect.height, win);
        if (rule) {
          // The rule runs the panel's whole height, however few its lines.
          while (lines.length < rect.height) lines.push([]);
          const bar = { text: theme.unicode ? '│' : '|', style: 'dim' as const };
          this.put(this.panels[panel], rect, lines.map((l) => [bar, ...l]));
        } else {
          this.put(this.panels[panel], rect, lines);
        }
      }
      this.drawDetail(view, layout);
    }

    if (ui.prompt) {
      this.put(this.footer, layout.footer, [promptLine(ui.prompt, cols, theme)]);
      if (ui.prompt.error !== null) this.put(this.promptError, { top: layout.footer.top - 1, left: 0, width: cols, height: 1 }, [promptErrorLine(ui.prompt.error, cols, theme)]);
    } else {
      this.put(this.footer, layout.footer, [footerLine(ui.modes, ui.pendingPause ?? view?.source.paused ?? false, cols)]);
      if (ui.notice !== null) this.put(this.promptError, { top: layout.footer.top - 1, left: 0, width: cols, height: 1 }, [noticeLine(ui.notice, cols, theme)]);
    }
    if (ui.help) {
      const size = helpSize();
      const w = Math.min(cols, size.width + 2);
      const h = Math.min(rows, size.height + 2);
      this.put(this.help, { top: Math.max(0, Math.floor((rows - h) / 2)), left: Math.max(0, Math.floor((cols - w) / 2)), width: w, height: h }, helpLines(w - 2));
    }
    screen.render();
  }

  private window(panel: PanelId, rect: Rect, view: DashboardView): ListWindow {
    const ui = this.ui;
    const visible = this.visibleRows(panel, rect);
    const focused = ui.focus === panel;
    if (panel === 'conversations') {
      const rows = view.conversations;
      const selected = this.selectedIndex(rows);
      ui.from.conversations = follow(ui.from.conversations, selected, visible, rows.length);
      return { from: ui.from.conversations, selected, focused };
    }
    ui.from[panel] = clampFrom(ui.from[panel], visible, this.listLength(panel));
    return { from: ui.from[panel], selected: -1, focused };
  }

  private panelLines(ctx: PanelContext, panel: PanelId, width: number, height: number, win: ListWindow): Line[] {
    switch (panel) {
      case 'conversations':
        return renderConversations(ctx, width, height, win);
      case 'sockets':
        return renderSockets(ctx, width, height, win);
      case 'endpoints':
        return renderEndpoints(ctx, width, height, win);
      case 'protocols':
        return renderProtocols(ctx, width, height, win);
      case 'chart':
        return renderChart(ctx, width, height, win.focused);
    }
  }

  private drawDetail(view: DashboardView, layout: Layout): void {
    const d = this.ui.detail;
    if (!d) return;
    // The flow's row in this view: where the selection is, else by id.
    let flow: ViewConversation | undefined;
    const i = this.ui.selectedIndex;
    if (view.conversations[i]?.id === d.id) flow = view.conversations[i];
    else flow = view.conversations.find((c) => c.id === d.id);
    if (flow) {
      d.flow = flow;
      d.seenAt = view.time;
      d.current = true;
    } else {
      d.current = false;
    }
    const r = layout.detail;
    const lines = detailLines(
      { view, flow: d.flow, staleSince: d.current ? null : d.seenAt, modes: this.ui.modes, lookup: this.lookup, theme: this.tui.theme },
      Math.max(0, r.width - 2),
    );
    this.detail.setLabel(` Flow ${d.id} ${this.tui.theme.glyphs.back} Esc `);
    this.put(this.detail, r, lines);
  }
}

/** What `l` says when the view has no host view to label flows with. */
const NO_LABELS = 'l: no labels without a host view (replay: --host SNAPSHOT.json)';

function noticeLine(text: string, width: number, theme: Theme): Line {
  return padLine(fitSegments([{ text: ` ${text}`, style: 'key', drop: 0 }], width, theme), width);
}

/**
 * Time one draw of `view` and count the work: rows and cells formatted. The cost of a frame
 * must follow the rows on screen, not the rows in the view.
 */
export function measureRender(app: TuiApp, view: DashboardView, now: () => number = () => performance.now()): { ms: number; rowsFormatted: number; cells: number } {
  const rows0 = app.metrics.rowsFormatted;
  const cells0 = cellCalls.n;
  const t0 = now();
  app.render(view);
  return { ms: now() - t0, rowsFormatted: app.metrics.rowsFormatted - rows0, cells: cellCalls.n - cells0 };
}
