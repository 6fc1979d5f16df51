/**
 * Where the shared regression corpora live: $WIRESTAT_CORPUS, else ../shared/corpus beside the
 * repository (the layout of the development machine and CI), else /work/shared/corpus. The
 * tests that use them fail, never skip, when none is found: they are part of the contract.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './cli.js';

const CANDIDATES = [process.env.WIRESTAT_CORPUS, join(ROOT, '../shared/corpus'), '/work/shared/corpus'].filter(
  (d): d is string => !!d,
);

export const CORPUS = resolve(CANDIDATES.find((d) => existsSync(join(d, 'tcpdump-tests'))) ?? CANDIDATES[0]!);
