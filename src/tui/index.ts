/**
 * The dashboard screen (src/tui): what the CLI wires. The owner holds the capture, the stats and
 * the clock; the screen holds UI state only and renders the DashboardView it is handed.
 *
 *   const tui = createScreen();   // process.stdin/stdout; restores the terminal on exit, SIGTERM,
 *                                 // SIGHUP and a crash, and on `q` before Actions.quit() runs
 *   const app = new TuiApp(tui, actions, {
 *     lookup: { host: (addr) => nameCache.get(addr) ?? null, service: loadLocalNames().service },
 *   });
 *   every tick, and after each action: app.render(dashboard.view())
 *
 * Tests: `fakeTerminal(80, 24)` gives the same screen on fake streams of a fixed size; keys go
 * in with `input.send(KEYS.down)`, the screen comes out with `text()`.
 */
export { type Actions, measureRender, TuiApp, type TuiOptions, type UiState } from './app.js';
export { createScreen, noColor, type ProcessHooks, type ScreenOptions, type TuiScreen, utf8Locale } from './screen.js';
export { FakeInput, FakeOutput, FakeProcess, fakeTerminal, type FakeTerminal, KEYS, screenText } from './fake-terminal.js';
export type { NameLookup } from './names.js';
export { cell } from './sanitize.js';
