/**
 * A terminal of fixed size for tests (and for anyone who wants a screen as text): an input that
 * takes key bytes as a terminal would send them, an output that keeps every byte written and
 * can be resized, and the screen's plain text as blessed laid it out.
 */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type blessed from 'blessed';
import { createScreen, type ProcessHooks, type ScreenOptions, type TuiScreen } from './screen.js';

/** Keyboard bytes in, as a raw-mode tty delivers them (one `data` event per `send`). */
export class FakeInput extends EventEmitter {
  readonly isTTY = true;
  isRaw = false;
  /** Every setRawMode() call, in order. */
  readonly rawModes: boolean[] = [];
  paused = false;

  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    this.rawModes.push(mode);
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  pause(): this {
    this.paused = true;
    return this;
  }
  isPaused(): boolean {
    return this.paused;
  }
  setEncoding(): this {
    return this;
  }
  /** Bytes typed: 'q', '\t', '\r', '\x1b[B' (down), '\x1b[6~' (PgDn), '\x1b' (Esc). */
  send(bytes: string): void {
    this.emit('data', Buffer.from(bytes, 'utf8'));
  }
}

/** Key names to the bytes an xterm sends for them. */
export const KEYS = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  pageUp: '\x1b[5~',
  pageDown: '\x1b[6~',
  home: '\x1b[H',
  end: '\x1b[F',
  tab: '\t',
  shiftTab: '\x1b[Z',
  enter: '\r',
  escape: '\x1b',
  backspace: '\x7f',
  ctrlC: '\x03',
  ctrlU: '\x15',
} as const;

/** Terminal output: kept whole, of a size that changes only by `resize`. */
export class FakeOutput extends Writable {
  readonly isTTY = true;
  written = '';
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super({ decodeStrings: false });
  }
  override _write(chunk: unknown, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.written += typeof chunk === 'string' ? chunk : String(chunk);
    cb();
  }
  /** What a SIGWINCH does to a real tty stream: new size, then `resize`. */
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

/** A stand-in for `process` that records what the screen's hooks do. */
export class FakeProcess extends EventEmitter implements ProcessHooks {
  readonly pid = 4242;
  readonly kills: string[] = [];
  kill(_pid: number, signal: string): boolean {
    this.kills.push(signal);
    return true;
  }
}

export interface FakeTerminal {
  tui: TuiScreen;
  input: FakeInput;
  output: FakeOutput;
  /** The screen's plain text: `rows` lines, trailing spaces trimmed. */
  text(): string;
}

/** The characters blessed last laid out, one line per row, trailing spaces trimmed. */
export function screenText(screen: blessed.Widgets.Screen): string {
  const lines = (screen as unknown as { lines: [number, string][][] }).lines;
  return lines.map((row) => row.map((c) => c[1]).join('').trimEnd()).join('\n');
}

/**
 * A screen on fake streams. Unicode on and colour on unless the options say otherwise; env is
 * empty unless given (so the tester's own TERM, NO_COLOR and locale play no part); no process
 * hooks unless `hooks` is given.
 */
export function fakeTerminal(columns: number, rows: number, o: ScreenOptions = {}): FakeTerminal {
  const input = new FakeInput();
  const output = new FakeOutput(columns, rows);
  const tui = createScreen({
    env: {},
    term: 'xterm-256color',
    unicode: true,
    hooks: null,
    ...o,
    input: input as unknown as NodeJS.ReadableStream,
    output,
  });
  return { tui, input, output, text: () => screenText(tui.screen) };
}
