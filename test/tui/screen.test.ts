/**
 * The terminal is given back: `q` and Ctrl-C call the quit action after the restore sequence
 * (normal screen buffer, cursor shown, keypad off, raw mode off); exit, SIGTERM, SIGHUP and an
 * uncaught exception restore it too, through a stand-in for `process`. And colour follows
 * NO_COLOR (https://no-color.org) and the terminal.
 */
import t, { type Test } from 'tap';
import { FakeProcess, fakeTerminal, KEYS } from '../../src/tui/fake-terminal.js';
import { createScreen, noColor, utf8Locale } from '../../src/tui/screen.js';
import { rig } from './helpers.js';
import { busy } from './views.js';

const ALT_SCREEN_ON = '\x1b[?1049h';
const ALT_SCREEN_OFF = '\x1b[?1049l';
const CURSOR_HIDE = '\x1b[?25l';
const CURSOR_SHOW = '\x1b[?25h';
const KEYPAD_OFF = '\x1b[?1l\x1b>';

function restoredAfter(t: Test, written: string, from: number): void {
  const tail = written.slice(from);
  t.ok(tail.includes(ALT_SCREEN_OFF), 'left the alternate screen');
  t.ok(tail.includes(CURSOR_SHOW), 'cursor shown');
  t.ok(tail.includes(KEYPAD_OFF), 'keypad back to normal');
  t.ok(tail.lastIndexOf(ALT_SCREEN_OFF) > tail.lastIndexOf(ALT_SCREEN_ON), 'and did not enter it again');
}

t.test('q quits: the terminal restored first, then the quit action, once', (t) => {
  const r = rig(busy(), 80, 24);
  t.same(r.input.rawModes, [true], 'raw mode while running');
  const before = r.output.written.length;
  let restoredWhenQuit = false;
  const quit = r.owner.quit.bind(r.owner);
  r.owner.quit = () => {
    restoredWhenQuit = r.tui.restored && r.output.written.slice(before).includes(ALT_SCREEN_OFF);
    quit();
  };
  r.keys('q');
  t.equal(r.owner.quitCalls, 1);
  t.ok(restoredWhenQuit, 'the terminal was back before quit() ran');
  t.ok(r.output.written.startsWith(ALT_SCREEN_ON) || r.output.written.includes(ALT_SCREEN_ON), 'it had entered the alternate screen');
  t.ok(r.output.written.includes(CURSOR_HIDE));
  restoredAfter(t, r.output.written, before);
  t.same(r.input.rawModes, [true, false], 'raw mode off');
  t.ok(r.input.paused, 'input paused');
  const after = r.output.written.length;
  r.keys('q', 's', KEYS.down);
  r.app.render(busy());
  t.equal(r.output.written.length, after, 'nothing drawn, nothing asked after quitting');
  t.equal(r.owner.quitCalls, 1);
  t.end();
});

t.test('Ctrl-C quits the same way, also from the filter prompt and the help', (t) => {
  for (const before of [[], ['/', 'tc'], ['h'], [KEYS.enter]]) {
    const r = rig(busy(), 80, 24);
    r.keys(...before);
    const from = r.output.written.length;
    r.keys(KEYS.ctrlC);
    t.equal(r.owner.quitCalls, 1, `after ${JSON.stringify(before)}`);
    restoredAfter(t, r.output.written, from);
  }
  t.end();
});

t.test('exit, SIGTERM, SIGHUP and a crash restore the terminal', (t) => {
  for (const event of ['exit', 'SIGTERM', 'SIGHUP', 'uncaughtExceptionMonitor'] as const) {
    const proc = new FakeProcess();
    const term = fakeTerminal(80, 24, { hooks: proc });
    term.tui.screen.render();
    const from = term.output.written.length;
    t.equal(proc.listenerCount(event), 1, `${event}: hooked`);
    proc.emit(event, new Error('boom'));
    t.ok(term.tui.restored, `${event}: restored`);
    restoredAfter(t, term.output.written, from);
    t.equal(proc.listenerCount('exit') + proc.listenerCount('SIGTERM') + proc.listenerCount('SIGHUP') + proc.listenerCount('uncaughtExceptionMonitor'), 0, 'hooks removed');
    t.same(proc.kills, event === 'SIGTERM' || event === 'SIGHUP' ? [event] : [], 'a signal nobody else handles is raised again');
  }
  t.end();
});

t.test('a signal someone else handles is left to them; the terminal is restored before they run', (t) => {
  const proc = new FakeProcess();
  let restoredFirst: boolean | null = null;
  proc.on('SIGTERM', () => {
    restoredFirst = term.tui.restored;
  });
  const term = fakeTerminal(80, 24, { hooks: proc });
  proc.emit('SIGTERM');
  t.equal(restoredFirst, true, 'our hook ran first (prepended)');
  t.same(proc.kills, [], 'not raised again');
  t.end();
});

t.test('restore is idempotent and tells its listeners once', (t) => {
  const term = fakeTerminal(80, 24);
  let told = 0;
  term.tui.onRestore(() => told++);
  term.tui.restore();
  const n = term.output.written.length;
  term.tui.restore();
  t.equal(term.output.written.length, n);
  t.equal(told, 1);
  term.tui.onRestore(() => told++);
  t.equal(told, 2, 'a listener added later is told at once');
  t.end();
});

/** SGR parameters that set a colour (not the resets 39/49). */
function colourParams(written: string): string[] {
  const out: string[] = [];
  for (const m of written.matchAll(/\x1b\[([0-9;]*)m/g)) {
    const ps = m[1]!.split(';').map(Number);
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i]!;
      if (p === 38 || p === 48) {
        out.push(m[1]!);
        break;
      }
      if ((p >= 30 && p <= 37) || (p >= 40 && p <= 47) || (p >= 90 && p <= 97) || (p >= 100 && p <= 107)) out.push(String(p));
    }
  }
  return out;
}

t.test('NO_COLOR: set and not empty, no colour; bold and inverse still say what colour said', (t) => {
  t.ok(noColor({ NO_COLOR: '1' }));
  t.ok(noColor({ NO_COLOR: '0' }), 'any value but empty');
  t.notOk(noColor({ NO_COLOR: '' }), 'empty: colour');
  t.notOk(noColor({}));
  const run = (env: Record<string, string>): string => {
    const r = rig(busy(), 200, 60, { screen: { env } });
    r.keys(KEYS.down, KEYS.tab, 'h', KEYS.escape, '/', 'x', KEYS.enter);
    r.tui.restore();
    return r.output.written;
  };
  t.not(colourParams(run({})).length, 0, 'colour without NO_COLOR');
  t.not(colourParams(run({ NO_COLOR: '' })).length, 0, 'colour with NO_COLOR empty');
  const mono = run({ NO_COLOR: '1' });
  t.same(colourParams(mono), [], 'no colour with NO_COLOR=1');
  t.match(mono, /\x1b\[[0-9;]*7[0-9;]*m/, 'inverse video marks the selection and the focus');
  const r = rig(busy(), 80, 24, { screen: { env: { NO_COLOR: '1' } } });
  t.equal(r.tui.theme.color, false);
  r.tui.restore();
  t.end();
});

t.test('monochrome terminals and the locale', (t) => {
  const dumb = fakeTerminal(80, 24, { term: 'dumb' });
  t.equal(dumb.tui.theme.color, false, 'TERM=dumb: no colour');
  dumb.tui.restore();
  const vt100 = fakeTerminal(80, 24, { term: 'vt100' });
  t.equal(vt100.tui.theme.color, false, 'vt100 (no colours in terminfo): no colour');
  vt100.tui.restore();
  t.ok(utf8Locale({ LANG: 'en_US.UTF-8' }));
  t.ok(utf8Locale({ LC_ALL: 'C.utf8', LANG: 'C' }));
  t.notOk(utf8Locale({ LC_ALL: 'C', LANG: 'en_US.UTF-8' }), 'LC_ALL wins');
  t.notOk(utf8Locale({}));
  const ascii = rig(busy(), 80, 24, { screen: { env: { LANG: 'C' }, unicode: undefined } });
  ascii.keys(KEYS.enter);
  ascii.tui.restore();
  t.equal(ascii.tui.theme.unicode, false);
  t.notMatch(ascii.output.written, /[^\x00-\x7f]/, 'an ASCII terminal gets ASCII bytes only (borders through the line-drawing set)');
  t.end();
});

t.test('createScreen on real-looking streams without hooks leaves process alone', (t) => {
  const before = ['exit', 'SIGTERM', 'SIGHUP', 'uncaughtExceptionMonitor'].map((e) => process.listenerCount(e));
  const term = fakeTerminal(80, 24);
  const s = createScreen({ input: term.input as unknown as NodeJS.ReadableStream, output: term.output, env: {}, hooks: null });
  s.restore();
  term.tui.restore();
  t.same(
    ['exit', 'SIGTERM', 'SIGHUP', 'uncaughtExceptionMonitor'].map((e) => process.listenerCount(e)),
    before,
  );
  t.end();
});
