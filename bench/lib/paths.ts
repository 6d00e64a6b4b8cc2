/** Locations the benchmarks need, found from this file whether it runs as TypeScript or from dist/. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'contrail') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: cannot find the contrail package root');
    dir = up;
  }
}

export const packageRoot = findPackageRoot();
export const contrailBin = join(packageRoot, 'bin/contrail.js');
/** The real captures, beside the checkout. */
export const corpusDir = join(packageRoot, '..', 'shared', 'corpus');
export const resultsDir = join(packageRoot, 'bench', 'results');
/** Reusable generated inputs (e.g. the 1M-message database); gitignored. */
export const cacheDir = join(packageRoot, 'bench', '.cache');
/** Compiled bench scripts, run in fresh processes by the orchestrator. */
export const benchDist = join(packageRoot, 'dist', 'bench');
