/**
 * `npm run fuzz [-- --seed N --packets N --files N --seconds S --cli-every N]`: the seeded
 * mutation fuzzer (test/fuzz/) at full length. Prints the seed first so that a run killed
 * halfway can still be replayed, and exits 1 when any failure was found.
 */
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { formatReport, fuzz } from '../test/fuzz/run.js';

/** Compiled to scripts/dist/scripts/fuzz.js: the repository is three levels up. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SEED_RANGE = 0x100000000;

const argv = yargs(hideBin(process.argv))
  .option('seed', { type: 'number', desc: 'PRNG seed (default: random, printed)' })
  .option('packets', { type: 'number', default: 1_000_000, desc: 'mutated packets' })
  .option('files', { type: 'number', default: 10_000, desc: 'mutated capture files' })
  .option('seconds', { type: 'number', desc: 'stop after this long (half for packets, half for files)' })
  .option('cli-every', { type: 'number', default: 100, desc: 'one file in N also through `wirestat report --json` (0: none)' })
  .strict()
  .parseSync();

const seed = argv.seed ?? Math.floor(Math.random() * SEED_RANGE);
console.log(`wirestat fuzz: seed ${seed}`);
const report = await fuzz({
  seed,
  packets: argv.packets,
  files: argv.files,
  seconds: argv.seconds ?? Infinity,
  cliEvery: argv['cli-every'],
  root: ROOT,
  progress: (line) => console.error(`  … ${line}`),
});
console.log(formatReport(report));
process.exitCode = report.failureKinds.length > 0 ? 1 : 0;
