/**
 * The bottom line (the keys that matter, and the display modes in force) and, in the compact
 * layout, the tab bar naming the panels.
 */
import { PANEL_NAMES, PANELS, type PanelId } from './layout.js';
import type { UiModes } from './panel.js';
import { type Line, lineWidth, padLine } from './theme.js';

const HINTS: readonly (readonly [string, string, number])[] = [
  ['q', 'quit', 0],
  ['space', 'pause', 2],
  ['tab', 'panel', 3],
  ['s', 'sort', 4],
  ['t', 'totals', 6],
  ['n', 'names', 7],
  ['p', 'ports', 7],
  ['/', 'filter', 1],
  ['enter', 'detail', 5],
  ['h', 'help', 0],
];

export function footerLine(modes: UiModes, paused: boolean, width: number): Line {
  const flags = `${modes.totals ? 'totals' : 'rates'} ${modes.names ? 'names' : 'numeric'} ${modes.services ? 'services' : 'ports'}`;
  const right: Line = width >= 60 ? [{ text: `[${flags}]`, style: 'dim' }] : [];
  let hints = HINTS.map((h) => (h[0] === 'space' && paused ? ([h[0], 'resume', h[2]] as const) : h));
  const build = (): Line => {
    const l: Line = [];
    for (const [k, label] of hints) {
      l.push({ text: ` ${k}`, style: 'key' }, { text: ` ${label}` });
    }
    return l;
  };
  let left = build();
  while (hints.length > 1 && lineWidth(left) + lineWidth(right) + 1 > width) {
    let worst = 0;
    for (let i = 1; i < hints.length; i++) if (hints[i]![2] >= hints[worst]![2]) worst = i;
    hints = hints.filter((_, i) => i !== worst);
    left = build();
  }
  const gap = width - lineWidth(left) - lineWidth(right);
  if (gap < 1) return padLine(left, width);
  return [...left, { text: ' '.repeat(gap) }, ...right];
}

export function tabLine(active: PanelId, width: number): Line {
  const line: Line = [];
  PANELS.forEach((p, i) => {
    const name = `${i + 1} ${PANEL_NAMES[p]}`;
    line.push(p === active ? { text: `[${name}]`, style: 'tabActive' } : { text: ` ${name} `, style: 'tab' });
  });
  return padLine(line, width);
}
