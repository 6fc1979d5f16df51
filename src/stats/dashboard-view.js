/**
 * The dashboard's view: what the TUI (src/tui) and the line-per-second text mode render, and
 * nothing else. Built on each tick from the live tables (src/stats/dashboard.ts) and never
 * changed afterwards: the screen may take its time with one while capture and counting go on.
 *
 * Units: times are seconds on the capture's clock (a replay's rates are the wire's rates);
 * rates are per second over the named window; bytes are wire bytes. Addresses and names are
 * plain strings as they came from the wire or /proc: the renderer passes every one through its
 * sanitiser (no control bytes, bounded width) before it reaches the terminal.
 */
/** The rate windows, in seconds, as iftop shows them. */
export const RATE_WINDOWS = [2, 10, 40];
export const FLOW_SORTS = ['bytes', 'packets', 'rate', 'recent'];
/** In the order the TUI's `l` cycles them, all (null) first. */
export const LABEL_FILTERS = [null, 'host', 'explained', 'unexplained', 'third-party'];
