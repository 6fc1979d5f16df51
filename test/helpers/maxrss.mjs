/**
 * Preloaded (`node --import`) into a CLI run whose peak memory a test measures: at exit, writes
 * the process's peak resident set size in kilobytes to the file named by WIRESTAT_TEST_MAXRSS.
 * Plain JavaScript, so that it loads without the TypeScript hooks the measured process must not
 * carry.
 *
 * The figure is VmHWM of /proc/self/status, not process.resourceUsage().maxRSS: Linux carries
 * ru_maxrss across fork and exec, so a child of the (70 MB) test process reported the parent's
 * RSS whatever it did itself (every run measured 69864 KB). VmHWM belongs to the address space
 * made at exec, worker threads included.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.WIRESTAT_TEST_MAXRSS;
if (out) {
  process.on('exit', () => {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    writeFileSync(out, `${m ? m[1] : 'unknown'}\n`);
  });
}
