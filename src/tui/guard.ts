/**
 * A guard for the terminal against what no handler survives: SIGKILL, or the OOM killer. Before
 * the screen changes the terminal's modes, a small shell is started holding the read end of a
 * pipe from wirestat, and the terminal's settings as `stty -g` prints them. When wirestat gives
 * the terminal back itself it says so on the pipe and the guard exits. When the pipe closes
 * without that word, wirestat is gone with the terminal raw, on the alternate screen, the cursor
 * hidden: the guard puts back the settings, leaves the alternate screen and shows the cursor,
 * as `reset` would, so the shell prompt after it is usable.
 *
 * The guard ignores SIGINT and SIGTERM (a signal to the whole process group must not take it
 * before wirestat) and keeps no other descriptor of wirestat's: Node opens its pipes close-on-exec,
 * so a capture helper started later does not hold the pipe open.
 */
import { spawn, spawnSync } from 'node:child_process';

/** Mouse modes off, bracketed paste off, the normal screen, the cursor shown, the keypad in
 *  normal mode, attributes reset: what blessed may have set (xterm ctlseqs). */
const RESTORE = '\\033[?1000l\\033[?1002l\\033[?1003l\\033[?1006l\\033[?1015l\\033[?2004l\\033[?1049l\\033[?25h\\033[?1l\\033>\\033[0m';

const SCRIPT = `trap '' INT TERM
IFS= read -r word
[ "$word" = done ] && exit 0
printf '${RESTORE}'
stty "$1" <&1 2>/dev/null
exit 0`;

export interface TerminalGuard {
  /** The terminal is given back: the guard can go. */
  release(): void;
}

/**
 * Starts the guard for the process's own terminal (standard input and output a TTY), or returns
 * null when there is none or `stty` cannot read it.
 */
export function guardTerminal(): TerminalGuard | null {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return null;
  const saved = spawnSync('stty', ['-g'], { stdio: ['inherit', 'pipe', 'ignore'], encoding: 'utf8' });
  const settings = saved.status === 0 ? saved.stdout.trim() : '';
  if (!/^[0-9a-f:]+$/i.test(settings)) return null;
  let guard;
  try {
    guard = spawn('sh', ['-c', SCRIPT, 'wirestat-guard', settings], { stdio: ['pipe', 'inherit', 'ignore'] });
  } catch {
    return null;
  }
  guard.on('error', () => undefined);
  guard.stdin!.on('error', () => undefined);
  // The guard must not keep wirestat's event loop alive.
  guard.unref();
  (guard.stdin as unknown as { unref?: () => void }).unref?.();
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      guard.stdin!.end('done\n');
    },
  };
}
