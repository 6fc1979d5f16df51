/**
 * `npm run crafted`: writes issue 8's crafted cases (test/crafted/cases.ts) to fixtures/crafted/,
 * one file per case, and fixtures/crafted/README.md listing what `wirestat report` makes of each.
 * Deterministic: run it after changing the table; test/crafted/crafted.test.ts fails while the
 * files on disk differ from what the table builds.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES } from '../test/crafted/cases.js';
import { craftedReadme } from '../test/crafted/readme.js';

/** Compiled to scripts/dist/scripts/crafted.js: the repository is three levels up. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIR = join(ROOT, 'fixtures/crafted');

mkdirSync(DIR, { recursive: true });
const wanted = new Set(CASES.map((c) => c.file));
// A case renamed or dropped from the table must not leave its old file behind.
for (const f of readdirSync(DIR)) if (f !== 'README.md' && !wanted.has(f)) rmSync(join(DIR, f));
for (const c of CASES) writeFileSync(join(DIR, c.file), c.build());
writeFileSync(join(DIR, 'README.md'), craftedReadme(CASES));
console.log(`wrote ${CASES.length} files and README.md to ${DIR}`);
