/**
 * The terminal, as one object that comes in from outside: a blessed screen on real streams
 * (process.stdin/stdout) or on fake ones of a fixed size (src/tui/fake-terminal.ts), and the
 * promise to give the terminal back as it was.
 *
 * Colour: none when NO_COLOR is set and not empty (https://no-color.org), when TERM is `dumb`,
 * or when the terminal's terminfo says it has fewer than 8 colours; the theme then says with
 * bold and inverse video what colour said. Glyphs: Unicode when the locale is UTF-8
 * (LC_ALL, else LC_CTYPE, else LANG), ASCII otherwise.
 *
 * Restoring (leaving the alternate screen, showing the cursor again, ending raw mode, input
 * paused) happens exactly once, on the first of: `restore()` (the app calls it on `q`), process
 * exit, SIGTERM or SIGHUP, an uncaught exception. On a signal nobody else listens to, the signal
 * is raised again once the terminal is back, so the process ends as the signal says; a crash
 * still crashes (the hook is `uncaughtExceptionMonitor`, which does not swallow it), and its
 * stack is printed on the restored screen. What no handler survives (SIGKILL) a guard process
 * restores (guard.ts).
 */
import type { Readable, Writable } from 'node:stream';
import blessed from 'blessed';
import { guardTerminal } from './guard.js';
import { makeTheme, type Theme } from './theme.js';

export interface TtyInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface TtyOutput extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

type Signal = 'SIGTERM' | 'SIGHUP';
type Hooked = 'exit' | Signal | 'uncaughtExceptionMonitor';

/** Where exit, signals and crashes are heard: `process`, or a stand-in in tests. */
export interface ProcessHooks {
  readonly pid: number;
  prependListener(event: Hooked, fn: (...args: unknown[]) => void): unknown;
  removeListener(event: Hooked, fn: (...args: unknown[]) => void): unknown;
  listenerCount(event: Hooked): number;
  kill(pid: number, signal: Signal): unknown;
}

export interface ScreenOptions {
  input?: TtyInput;
  output?: TtyOutput;
  /** The environment read for TERM, NO_COLOR and the locale (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** TERM to use (default env.TERM, else xterm). */
  term?: string;
  /** Force colour on or off (default: from NO_COLOR, TERM and terminfo). */
  color?: boolean;
  /** Force Unicode glyphs on or off (default: from the locale). */
  unicode?: boolean;
  /** Whose exit and signals restore the terminal: process by default, null for none. */
  hooks?: ProcessHooks | null;
}

export interface TuiScreen {
  readonly screen: blessed.Widgets.Screen;
  readonly theme: Theme;
  /** Give the terminal back (idempotent). */
  restore(): void;
  readonly restored: boolean;
  /** Called once, when the terminal is given back (by whatever cause). */
  onRestore(fn: () => void): void;
}

/** NO_COLOR: present and not empty (https://no-color.org). */
export function noColor(env: Readonly<Record<string, string | undefined>>): boolean {
  const v = env['NO_COLOR'];
  return v !== undefined && v !== '';
}

/** The locale's character set is UTF-8 (the first of LC_ALL, LC_CTYPE, LANG that is set). */
export function utf8Locale(env: Readonly<Record<string, string | undefined>>): boolean {
  const v = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || '';
  return /utf-?8/i.test(v);
}

export function createScreen(o: ScreenOptions = {}): TuiScreen {
  const env = o.env ?? process.env;
  const term = (o.term ?? env['TERM'] ?? 'xterm') || 'xterm';
  // The process's own terminal is guarded before blessed changes it (guard.ts: SIGKILL).
  const guard = o.input === undefined && o.output === undefined && o.hooks === undefined ? guardTerminal() : null;
  const unicode = o.unicode ?? utf8Locale(env);
  const screen = blessed.screen({
    // @types/blessed has input and output the wrong way round (Writable in, Readable out).
    input: (o.input ?? process.stdin) as unknown as Writable,
    output: (o.output ?? process.stdout) as unknown as Readable,
    terminal: term,
    forceUnicode: unicode,
    fullUnicode: false, // every cell is one column already (sanitize.ts)
    smartCSR: true,
    autoPadding: false,
    warnings: false,
  });
  const colors = (screen.tput as unknown as { colors?: number }).colors ?? 8;
  const color = o.color ?? (!noColor(env) && term !== 'dumb' && colors >= 8);
  const theme = makeTheme(color, unicode);

  const hooks = o.hooks === undefined ? (process as unknown as ProcessHooks) : o.hooks;
  // SIGTERM on `process` is this module's (below). blessed listens to it too and calls
  // process.exit(0) on the next turn whenever it counts no other listener; it counted while our
  // hook was restoring, which removes blessed's listener and ours, and so found only the
  // listener that stops a live capture (src/cli/live.ts) and exited under it: the capture's last
  // second never reached its -w file and its counts were never printed.
  if (o.hooks === undefined) {
    const blessedSigterm = (blessed.screen as unknown as { _sigtermHandler?: () => void })._sigtermHandler;
    if (blessedSigterm) process.removeListener('SIGTERM', blessedSigterm);
  }
  const callbacks: (() => void)[] = [];
  let restored = false;
  const handlers: [Hooked, (...args: unknown[]) => void][] = [];

  const unhook = (): void => {
    if (!hooks) return;
    for (const [ev, fn] of handlers) hooks.removeListener(ev, fn);
    handlers.length = 0;
  };
  const restore = (): void => {
    if (restored) return;
    restored = true;
    unhook();
    try {
      screen.destroy();
    } finally {
      guard?.release();
      for (const fn of callbacks.splice(0)) fn();
    }
  };
  if (hooks) {
    const on = (ev: Hooked, fn: (...args: unknown[]) => void): void => {
      handlers.push([ev, fn]);
      hooks.prependListener(ev, fn);
    };
    on('exit', () => restore());
    on('uncaughtExceptionMonitor', () => restore());
    for (const sig of ['SIGTERM', 'SIGHUP'] as const) {
      on(sig, () => {
        restore();
        // blessed's own handlers went with the screen; if no one else listens, end as the
        // signal would have ended us.
        if (hooks.listenerCount(sig) === 0) hooks.kill(hooks.pid, sig);
      });
    }
  }

  return {
    screen,
    theme,
    restore,
    get restored() {
      return restored;
    },
    onRestore(fn) {
      if (restored) fn();
      else callbacks.push(fn);
    },
  };
}
