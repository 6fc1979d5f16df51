/**
 * Whole screens, compared with golden files in fixtures/tui (UPDATE_GOLDEN=1 rewrites them; see
 * test/tui/helpers.ts). Keys go in as the bytes a terminal sends, through blessed's parser, to
 * the app; the FakeOwner answers each action with a new view, as the CLI will.
 */
import t from 'tap';
import { TuiApp } from '../../src/tui/app.js';
import { fakeTerminal, KEYS } from '../../src/tui/fake-terminal.js';
import { FakeOwner, golden, lookup, rig } from './helpers.js';
import { busy, empty, huge, liveExportDropped, liveFiltered, liveFull, liveLoss, replayFinished, replayPaused } from './views.js';

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

/** The flow rows drawn at 80×24 (under the header, tabs, title and column header), and their marks. */
function flowRows(screen: string): { mark: string; text: string }[] {
  return screen
    .split('\n')
    .slice(5, 23)
    .filter((l) => /^[ *!] *(tcp|udp|icmp|icmpv6|gre|fragment|ip-proto-\d+) /.test(l))
    .map((l) => ({ mark: l[0]!, text: l }));
}

t.test('labels: l cycles all, host, explained, unexplained, third-party; the owner filters; the title says which', (t) => {
  const r = rig(busy(), 80, 24, { app: { lookup } });
  const first = r.text();
  const all = flowRows(first);
  t.ok(all.some((x) => x.mark === '*') && all.some((x) => x.mark === ' '), 'all: explained and third-party rows on screen');

  const host = r.keys('l');
  t.same(r.owner.calls, ['labels host']);
  t.match(host.split('\n')[3], /labels: host \(\* and !\)/, 'the title names the filter');
  t.ok(flowRows(host).length > 0 && flowRows(host).every((x) => x.mark === '*' || x.mark === '!'), 'host: explained and unexplained rows only');
  golden(t, '80x24-labels-host', host);

  const explained = r.keys('l');
  t.ok(flowRows(explained).length > 0 && flowRows(explained).every((x) => x.mark === '*'), 'explained: * rows only');
  const unexplained = r.keys('l');
  t.same(
    flowRows(unexplained).map((x) => x.mark),
    ['!', '!'],
    'unexplained: the two SYNs to closed ports',
  );
  golden(t, '80x24-labels-unexplained', unexplained);
  const third = r.keys('l');
  t.ok(flowRows(third).length > 0 && flowRows(third).every((x) => x.mark === ' '), 'third-party: unmarked rows only');
  t.match(third.split('\n')[3], /labels: third-party/);
  t.equal(r.keys('l'), first, 'and round to all: the first screen again');
  t.same(r.owner.calls, ['labels host', 'labels explained', 'labels unexplained', 'labels third-party', 'labels null']);

  // With the flow filter: both apply.
  r.keys('/', 'tcp', KEYS.enter, 'l', 'l', 'l');
  t.same(flowRows(r.text()).map((x) => x.mark), ['!', '!'], 'unexplained and tcp');
  t.match(r.text().split('\n')[3], /filter: tcp/);
  r.keys('/', '\x17', 'udp', KEYS.enter); // Ctrl-W: the word typed before
  t.match(r.text(), /No flow matches the filter and the label\./);

  // The wide layout: the title and the comparison block beside it.
  const w = rig(busy(), 200, 60, { app: { lookup } });
  golden(t, '200x60-labels-explained', w.keys('l', 'l'));
  // The narrowest wide layout: the Local netstat panel is 63 columns; the comparison fits it.
  const n = rig(busy(), 160, 40, { app: { lookup } });
  const narrow = n.keys('l');
  golden(t, '160x40-labels-host', narrow);
  t.match(narrow, /│ this host 98\.7% · \* explained 100% of host/, 'the comparison, beside the flows');
  t.match(narrow, /│ quiet: 1 established connection/);
  done(n);
  // Without colour the marks still say the label.
  const m = rig(busy(), 80, 24, { screen: { unicode: false, env: { NO_COLOR: '1' } } });
  const mono = m.keys('l', 'l', 'l');
  t.same(flowRows(mono).map((x) => x.mark), ['!', '!'], 'NO_COLOR: the ! marks');
  t.match(mono.split('\n')[3], /labels: unexplained \(!\)/);
  const monoLocal = m.keys('2');
  t.match(monoLocal, / this host 98\.7% \| \* explained 100% of host/, 'ASCII: the comparison with | between its figures');
  t.match(monoLocal, / ! unexplained 2 flows\/5 pkts/);
  t.notMatch(monoLocal, /[^\x00-\x7f]/, 'ASCII only');
  done(r);
  done(w);
  done(m);
  t.end();
});

t.test('the local netstat under its comparison: End shows the last socket, PgDn a page of the rows left', (t) => {
  const v = busy();
  const sockets = Array.from({ length: 40 }, (_, i) => ({ ...v.sockets![1]!, local: `198.18.0.10:${50000 + i}` }));
  const r = rig({ ...v, sockets }, 80, 24);
  const end = r.keys('2', KEYS.end).split('\n');
  t.match(end[3], /Local netstat/);
  t.match(end[4], /this host/, 'the comparison under the title');
  t.match(end[22], /198\.18\.0\.10:50039/, 'the last socket on the last row above the footer');
  // The panel has 20 rows (24 less the header's 2, the tabs and the footer).
  t.equal(end.filter((l) => /198\.18\.0\.10:500\d\d/.test(l)).length, 20 - 1 - 3 - 1, 'a page: the panel less its title, comparison and header');
  const page = r.keys(KEYS.home, KEYS.pageDown).split('\n');
  t.match(page[7], /^Proto/, 'the column header under the comparison');
  t.match(page[8], /198\.18\.0\.10:50015 /, 'PgDn: a page (fifteen rows) on');
  done(r);
  t.end();
});

t.test('labels: without a host view, l says so in one line and asks nothing; the next key clears it', (t) => {
  const r = rig(replayPaused(), 80, 24);
  const first = r.text();
  const said = r.keys('l');
  t.same(r.owner.calls, [], 'no action');
  t.equal(r.app.state.pendingLabel, null);
  const lines = said.split('\n');
  t.match(lines[22], /no labels without a host view/, 'the line above the footer');
  t.same(lines.filter((l, i) => l !== first.split('\n')[i]).length, 1, 'only that line changed');
  golden(t, '80x24-labels-no-host', said);
  t.equal(r.keys('t', 't'), first, 'the next key clears it');
  done(r);
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
    ['live-full', liveFull()],
    ['live-export-dropped', liveExportDropped()],
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
