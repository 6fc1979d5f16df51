/**
 * Runs the built CLI (dist/) as a user would: a separate process, real exit code and streams.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export function runCli(
  args: string[],
  opts: {
    input?: Buffer | string;
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /**
     * Run without tap's process hooks. tap's processinfo puts an `--import` of its hooks into
     * NODE_OPTIONS of every child it sees spawned (for coverage), which triples the start of a
     * short run (190 ms against 65 ms for `node -e 0`, measured); `env -u` removes it from the
     * grandchild. For tests that run the CLI a thousand times; their runs add no coverage.
     */
    plain?: boolean;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const [cmd, argv] = opts.plain ? ['env', ['-u', 'NODE_OPTIONS', process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
    const p = spawn(cmd, argv, {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      p.kill('SIGKILL');
    }, opts.timeoutMs ?? 30000);
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', reject);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ms: Date.now() - started,
      });
    });
    p.stdin.on('error', () => undefined); // the CLI may exit before reading all of stdin
    if (opts.input !== undefined) p.stdin.end(opts.input);
    else p.stdin.end();
  });
}

/** Signs of a leaked JavaScript stack trace or an uncaught error in stderr. */
export function looksLikeStackTrace(stderr: string): boolean {
  return /^\s+at .+(\(|:\d+:\d+)/m.test(stderr) || /^(\w*Error|TypeError|RangeError):/m.test(stderr) || /node:internal/.test(stderr);
}
