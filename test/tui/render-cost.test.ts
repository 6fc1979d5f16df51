/**
 * A frame costs the rows on screen, not the rows in the view: 100,000 conversations and
 * endpoints format exactly as many rows and cells as 100 do. Counted (rows formatted, cells
 * sanitised), not timed; the time of one frame is printed as a comment for the curious.
 */
import t from 'tap';
import { measureRender, TuiApp } from '../../src/tui/app.js';
import { fakeTerminal, KEYS } from '../../src/tui/fake-terminal.js';
import { computeLayout, dataRows } from '../../src/tui/layout.js';
import { FakeOwner } from './helpers.js';
import { huge } from './views.js';

function setup(n: number, cols: number, rows: number) {
  const term = fakeTerminal(cols, rows);
  const view = huge(n);
  const owner = new FakeOwner(view);
  const app = new TuiApp(term.tui, owner);
  owner.app = app;
  return { term, view, app };
}

t.test('rows formatted per frame follow the screen, not the view', (t) => {
  for (const [cols, rows] of [
    [80, 24],
    [200, 60],
  ] as const) {
    const small = setup(100, cols, rows);
    const big = setup(100_000, cols, rows);
    const a = measureRender(small.app, small.view);
    const b = measureRender(big.app, big.view);
    t.comment(`${cols}x${rows}: 100,000 conversations drawn in ${b.ms.toFixed(1)} ms (${b.rowsFormatted} rows, ${b.cells} cells)`);
    t.equal(b.rowsFormatted, a.rowsFormatted, `${cols}x${rows}: as many rows for 100,000 as for 100`);
    t.equal(b.cells, a.cells, `${cols}x${rows}: as many cells`);
    // The rows of every list panel on screen, and no more.
    const layout = computeLayout(cols, rows, 'conversations');
    let visible = 0;
    for (const [panel, rect] of layout.panels) {
      const len = panel === 'conversations' ? 100_000 : panel === 'endpoints' ? 100_000 : panel === 'sockets' ? big.view.sockets!.length : panel === 'protocols' ? big.view.protocols.length : 0;
      visible += Math.min(len, dataRows(rect));
    }
    t.equal(b.rowsFormatted, visible, `${cols}x${rows}: ${visible} rows, the ones on screen`);
    // Scrolling to the end of 100,000 costs the same again.
    const c0 = big.app.metrics.rowsFormatted;
    big.term.input.send(KEYS.end);
    t.equal(big.app.metrics.rowsFormatted - c0, visible, 'End: the same rows again');
    t.equal(big.app.state.selectedIndex, 99_999);
    // A new view with the selected flow elsewhere: found by a scan of ids, still no formatting beyond the screen.
    const moved = { ...big.view, conversations: [...big.view.conversations].reverse() };
    const d = measureRender(big.app, moved);
    t.equal(d.rowsFormatted, visible);
    t.equal(big.app.state.selectedIndex, 0, 'the selected flow followed to its new place');
    small.term.tui.restore();
    big.term.tui.restore();
  }
  t.end();
});
