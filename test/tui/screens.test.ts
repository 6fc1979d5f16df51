/**
 * Whole screens, compared with golden files in fixtures/tui (UPDATE_GOLDEN=1 rewrites them; see
 * test/tui/helpers.ts). Keys go in as the bytes a terminal sends, through blessed's parser, to
 * the app; the FakeOwner answers each action with a new view, as the CLI will.
 */
import t from 'tap';
import { TuiApp } from '../../src/tui/app.js';
import { fakeTerminal, KEYS } from '../../src/tui/fake-terminal.js';
import { FakeOwner, golden, lookup, rig } from './helpers.js';
import { busy, empty, huge, liveFiltered, liveLoss, replayFinished, replayPaused } from './views.js';

const INVERSE = 8;

/** Rows of the screen where the first `width` cells are all in inverse video (a selected row). */
function inverseRows(r: ReturnType<typeof rig>, from = 0, width = 10): number[] {
  const lines = (r.tui.screen as unknown as { lines: [number, string][][] }).lines;
  const out: number[] = [];
  lines.forEach((row, y) => {
    if (row.slice(from, from + width).every((c) => ((c[0] >> 18) & INVERSE) !== 0)) out.push(y);
  });
  return out;
}

function done(r: ReturnType<typeof rig>): void {
  if (!r.tui.restored) r.tui.restore();
}

t.test('80x24: each panel of the busy view, through tab and the number keys', (t) => {
  const r = rig(busy(), 80, 24, { app: { lookup } });
  golden(t, '80x24-flows', r.text());
  t.same(inverseRows(r), [5], 'the top flow is selected');
  golden(t, '80x24-local', r.keys(KEYS.tab));
  golden(t, '80x24-endpoints', r.keys(KEYS.tab));
  golden(t, '80x24-protocols', r.keys(KEYS.tab));
  golden(t, '80x24-chart', r.keys(KEYS.tab));
  t.equal(r.keys(KEYS.tab), r.keys('1'), 'tab wraps round to the flows; 1 shows them too');
  t.equal(r.keys(KEYS.shiftTab), r.keys('5'), 'shift-tab goes back');
  t.equal(r.app.state.focus, 'chart');
  done(r);
  t.end();
});

t.test('80x24: totals, names and services', (t) => {
  const r = rig(busy(), 80, 24, { app: { lookup } });
  golden(t, '80x24-totals', r.keys('t'));
  golden(t, '80x24-names-services', r.keys('t', 'n', 'p'));
  golden(t, '80x24-local-names-services', r.keys('2'));
  golden(t, '80x24-endpoints-totals-names', r.keys('3', 't'));
  t.same(r.app.state.modes, { totals: true, names: true, services: true });
  t.equal(r.keys('n', 'p', 't', '1'), rig(busy(), 80, 24).text(), 'toggled back: the first screen again');
  done(r);
  t.end();
});

t.test('sorting: s cycles bytes, packets, rate, recent; the owner sorts; the selection follows the flow', (t) => {
  const r = rig(busy(), 80, 24, { app: { lookup } });
  const first = r.text();
  r.keys(KEYS.down, KEYS.down, KEYS.down); // flow 8 (198.18.0.42:80)
  t.equal(r.app.state.selectedId, 8);
  golden(t, '80x24-sort-packets', r.keys('s'));
  t.equal(r.owner.sort, 'packets');
  golden(t, '80x24-sort-rate', r.keys('s'));
  golden(t, '80x24-sort-recent', r.keys('s'));
  r.keys('s');
  t.same(r.owner.calls, ['sort packets', 'sort rate', 'sort recent', 'sort bytes']);
  t.equal(r.app.state.selectedId, 8, 'still flow 8');
  const rows = inverseRows(r);
  t.equal(rows.length, 1);
  t.match(r.text().split('\n')[rows[0]!], /198\.18\.0\.42:80 /, 'on its row, wherever the sort put it');
  r.keys(KEYS.home);
  t.equal(r.text(), first, 'back to bytes and the top row: the first screen');
  done(r);
  t.end();
});

t.test('scrolling: arrows move the selection, the window follows; PgDn, End, Home', (t) => {
  const r = rig(busy(), 80, 24);
  for (let i = 0; i < 20; i++) r.keys(KEYS.down);
  golden(t, '80x24-scroll-down-20', r.text());
  t.same(inverseRows(r), [22], 'the selection is on the last row drawn');
  golden(t, '80x24-scroll-pgdn', r.keys(KEYS.pageDown));
  golden(t, '80x24-scroll-end', r.keys(KEYS.end));
  t.same(inverseRows(r), [22]);
  r.keys(KEYS.pageUp);
  t.same([r.app.state.selectedIndex, r.app.state.from.conversations], [21, 21], 'a page up: the selection at the top of the window');
  r.keys(KEYS.up);
  t.same([r.app.state.selectedIndex, r.app.state.from.conversations], [20, 20], 'up from the top of the window scrolls it by one');
  t.same(inverseRows(r), [5]);
  r.keys(KEYS.home);
  t.same(inverseRows(r), [5]);
  // Other panels scroll without a selection.
  r.keys('3', KEYS.pageDown);
  golden(t, '80x24-endpoints-pgdn', r.text());
  t.same(inverseRows(r), []);
  done(r);
  t.end();
});

t.test('focus with tab at 200x60: the title of the focused panel is marked', (t) => {
  const r = rig(busy(), 200, 60, { app: { lookup } });
  golden(t, '200x60-initial', r.text());
  golden(t, '200x60-focus-local', r.keys(KEYS.tab));
  t.equal(r.app.state.focus, 'sockets');
  golden(t, '200x60-focus-endpoints-pgdn', r.keys(KEYS.tab, KEYS.pageDown));
  golden(t, '200x60-totals-names-services', r.keys('1', 't', 'n', 'p'));
  done(r);
  t.end();
});

t.test('help: h and ? show the keys; Esc, h, ? close; other keys do nothing meanwhile', (t) => {
  const r = rig(busy(), 80, 24);
  const first = r.text();
  golden(t, '80x24-help', r.keys('h'));
  t.equal(r.keys('s', 't', KEYS.down), r.keys(), 'keys behind the help do nothing');
  t.same(r.owner.calls, []);
  t.equal(r.keys(KEYS.escape), first);
  t.equal(r.keys('?'), r.keys(), '? shows it too');
  t.equal(r.keys('?'), first, '? closes');
  const w = rig(busy(), 200, 60);
  golden(t, '200x60-help', w.keys('?'));
  done(r);
  done(w);
  t.end();
});

t.test('filter: / opens the prompt, Enter hands the text to the owner, an error is shown', (t) => {
  const r = rig(busy(), 80, 24);
  golden(t, '80x24-filter-typing', r.keys('/', 'host 198.18.0.1'));
  t.same(r.owner.calls, [], 'nothing applied while typing');
  golden(t, '80x24-filter-applied', r.keys(KEYS.enter));
  t.same(r.owner.calls, ['filter host 198.18.0.1']);
  t.equal(r.app.state.prompt, null, 'the prompt closed');

  golden(t, '80x24-filter-error', r.keys('/', KEYS.ctrlU, 'hots 198.18.0.1', KEYS.enter));
  t.same(r.app.state.prompt, { text: 'hots 198.18.0.1', error: 'filter: cannot parse "hots 198.18.0.1" (expected host, port, tcp, udp, icmp)' });
  t.equal(r.owner.filter, 'host 198.18.0.1', 'the filter in force stays');
  // q, s, t are text in the prompt; backspace edits.
  r.keys(KEYS.ctrlU, 'tcp and port 22q', KEYS.backspace);
  t.equal(r.app.state.prompt?.text, 'tcp and port 22');
  t.equal(r.owner.quitCalls, 0, 'q typed, not quit');
  golden(t, '80x24-filter-applied-2', r.keys(KEYS.enter));
  // The prompt starts from the filter in force; Esc leaves it as it is.
  r.keys('/');
  t.equal(r.app.state.prompt?.text, 'tcp and port 22');
  r.keys(KEYS.escape);
  t.equal(r.app.state.prompt, null);
  // An empty filter clears.
  r.keys('/', KEYS.ctrlU, KEYS.enter);
  t.equal(r.owner.filter, null);
  t.same(r.owner.calls.slice(-1), ['filter null']);
  t.equal(r.keys(), rig(busy(), 80, 24).text(), 'all flows again');
  const w = rig(busy(), 200, 60);
  golden(t, '200x60-filter-error', w.keys('/', 'port', KEYS.enter));
  golden(t, '200x60-filter-applied', w.keys(KEYS.ctrlU, 'udp', KEYS.enter));
  done(r);
  done(w);
  t.end();
});

t.test('pause: space asks the owner; the header says PAUSED; space again resumes', (t) => {
  const r = rig(busy(), 80, 24);
  golden(t, '80x24-paused', r.keys(' '));
  t.same(r.owner.calls, ['pause']);
  t.match(r.text().split('\n')[0], /PAUSED/);
  t.match(r.text().split('\n')[23], /space resume/);
  r.keys(' ');
  t.same(r.owner.calls, ['pause', 'resume']);
  t.notMatch(r.text(), /PAUSED/);
  done(r);
  t.end();
});

t.test('detail: Enter on a selected flow, both directions, timings, history, the owning socket', (t) => {
  const r = rig(busy(), 80, 24, { app: { lookup } });
  golden(t, '80x24-detail-top', r.keys(KEYS.enter));
  t.same(r.owner.calls, ['detail 1']);
  golden(t, '80x24-detail-next', r.keys(KEYS.down));
  t.same(r.owner.calls, ['detail 1', 'detail 2'], 'down in the detail moves to the next flow');
  r.keys(KEYS.escape);
  t.same(r.owner.calls.slice(-1), ['detail null']);
  t.equal(r.app.state.detail, null);
  // The hostile flow: the process name of the socket is shown inert.
  const id = r.owner.view().conversations.findIndex((c) => c.id === 14);
  r.keys(KEYS.home);
  for (let i = 0; i < id; i++) r.keys(KEYS.down);
  golden(t, '80x24-detail-hostile', r.keys('n', KEYS.enter));
  // The flow leaves the view (a filter): the detail keeps its last figures and says so.
  r.owner.setFlowFilter('udp');
  golden(t, '80x24-detail-stale', r.text());
  r.keys(KEYS.escape);
  const w = rig(busy(), 200, 60, { app: { lookup } });
  golden(t, '200x60-detail', w.keys(KEYS.down, KEYS.enter));
  done(r);
  done(w);
  t.end();
});

t.test('the other views: empty, replay paused at 4x without a host view, live with loss, ...', (t) => {
  for (const [name, view] of [
    ['empty', empty()],
    ['replay-paused', replayPaused()],
    ['live-loss', liveLoss()],
    ['live-filtered', liveFiltered()],
    ['replay-finished', replayFinished()],
  ] as const) {
    for (const [cols, rows] of [
      [80, 24],
      [200, 60],
    ] as const) {
      const r = rig(view, cols, rows);
      golden(t, `${cols}x${rows}-${name}`, r.text());
      done(r);
    }
  }
  const r = rig(replayPaused(), 80, 24);
  golden(t, '80x24-replay-paused-local', r.keys('2'));
  golden(t, '80x24-empty-detail-keys', rig(empty(), 80, 24).keys(KEYS.enter, KEYS.down, 's'));
  done(r);
  t.end();
});

t.test('before the first view: waiting', (t) => {
  const term = fakeTerminal(80, 24);
  const owner = new FakeOwner(empty());
  const app = new TuiApp(term.tui, owner);
  golden(t, '80x24-waiting', term.text());
  term.input.send(' ');
  t.same(owner.calls, ['pause'], 'keys work before the first view');
  app.render(owner.view());
  t.match(term.text(), /live on eth0/);
  term.tui.restore();
  t.end();
});

t.test('resizes: compact to wide and back, and too small', (t) => {
  const r = rig(busy(), 80, 24, { app: { lookup } });
  r.output.resize(200, 60);
  t.equal(r.text(), rig(busy(), 200, 60, { app: { lookup } }).text(), 'the same screen as one started at 200x60');
  r.output.resize(120, 40);
  golden(t, '120x40', r.text());
  r.output.resize(30, 8);
  golden(t, '30x8', r.text());
  r.output.resize(80, 24);
  t.equal(r.text(), rig(busy(), 80, 24, { app: { lookup } }).text(), 'and back');
  done(r);
  t.end();
});

t.test('monochrome ASCII: no Unicode glyphs, marks instead of colour', (t) => {
  const r = rig(busy(), 80, 24, { screen: { unicode: false, env: { NO_COLOR: '1' } } });
  golden(t, '80x24-ascii', r.text());
  t.notMatch(r.text(), /[^\x00-\x7f]/, 'ASCII only');
  golden(t, '80x24-ascii-chart', r.keys('5'));
  golden(t, '80x24-ascii-detail', r.keys('1', KEYS.enter));
  done(r);
  t.end();
});

t.test('hostile text never reaches the terminal raw', (t) => {
  for (const [cols, rows] of [
    [80, 24],
    [200, 60],
  ] as const) {
    const r = rig(busy(), cols, rows, { app: { lookup } });
    r.keys('n', 'p');
    for (const k of ['1', '2', '3', KEYS.enter]) r.keys(k);
    r.keys(KEYS.escape, '/', '\x1b[31m', '\x07x', KEYS.enter);
    const screen = r.text();
    done(r); // flushes what blessed buffered
    const out = r.output.written;
    // Every ESC written is one of blessed's own sequences: CSI (not OSC, DCS, ...), charset or keypad.
    const escapes = out.match(/\x1b(?!\[|\(|\)|=|>|7|8)./g) ?? [];
    t.same(escapes, [], `${cols}x${rows}: no escape but blessed's`);
    t.notMatch(out, /\x07|\u009b|\u202e|pwned\x07/, 'no BEL, C1 CSI or bidi override');
    t.match(out, /6\/\\x1b\[2J/, 'the ESC of a hostile process name was written as the text \\x1b');
    t.match(screen, /filter: cannot parse "x"/, 'escape sequences and BEL typed into the prompt are not text');
  }
  t.end();
});

t.test('huge views scroll like small ones', (t) => {
  const r = rig(huge(100_000), 80, 24);
  golden(t, '80x24-huge-end', r.keys(KEYS.end));
  t.equal(r.app.state.selectedIndex, 99_999);
  done(r);
  t.end();
});
