/**
 * The flow filter prompt (`/`): one line at the bottom, prefilled with the filter in force.
 * Enter hands the text to the owner (`Actions.setFlowFilter`, the language of `-f`); an error it
 * returns is shown above the prompt, which stays open to fix it. Empty text clears the filter.
 */
import { cell, isOneColumn } from './sanitize.js';
import { fitSegments, type Line, padLine, type Theme } from './theme.js';

/** Longest filter the prompt takes: an expression, not a paste of a file. */
export const PROMPT_MAX = 1024;

export interface PromptState {
  text: string;
  error: string | null;
}

/** Typed text for the prompt: one printable, one-column character, or null to ignore the key. */
export function typedChar(ch: string | undefined, key: { ctrl?: boolean; meta?: boolean }): string | null {
  if (ch === undefined || key.ctrl || key.meta || ch.length !== 1) return null;
  const u = ch.charCodeAt(0);
  return u >= 0x20 && u !== 0x7f && isOneColumn(u) ? ch : null;
}

export function editPrompt(p: PromptState, key: string, ch: string | null): PromptState {
  switch (key) {
    case 'backspace':
      return { text: p.text.slice(0, -1), error: p.error };
    case 'C-u':
      return { text: '', error: p.error };
    case 'C-w':
      return { text: p.text.replace(/\S*\s*$/, ''), error: p.error };
    default:
      if (ch === null || p.text.length >= PROMPT_MAX) return p;
      return { text: p.text + ch, error: p.error };
  }
}

const LABEL = 'Filter flows: ';

export function promptLine(p: PromptState, width: number, theme: Theme): Line {
  const hint = '  Enter apply, Esc cancel';
  const room = Math.max(1, width - LABEL.length - 1);
  const shown = cell(p.text);
  const tail = shown.length > room ? theme.glyphs.ellipsis + shown.slice(shown.length - room + 1) : shown;
  const line: Line = [{ text: LABEL, style: 'key' }, { text: tail }, { text: theme.glyphs.cursor }];
  const used = LABEL.length + tail.length + 1;
  if (used + hint.length <= width) line.push({ text: hint, style: 'dim' });
  return padLine(line, width);
}

export function promptErrorLine(error: string, width: number, theme: Theme): Line {
  return padLine(fitSegments([{ text: ` ${error}`, style: 'error', drop: 0 }], width, theme), width);
}
