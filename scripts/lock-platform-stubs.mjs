#!/usr/bin/env node
// The npm registry reachable here serves only some platform builds of packages that ship
// native binaries as optional dependencies (msgpackr-extract, DuckDB bindings). `npm install`
// skips the missing ones silently, and `npm ci` then rejects the lock file as out of sync.
// This adds each missing optional platform package to package-lock.json with the os/cpu/libc
// its name states, so npm skips it on other platforms without trying to fetch it.
// Run after `npm install` changes the lock file.
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORM = /-(darwin|linux|win32|freebsd|android)-(x64|arm64|arm|ia32|s390x|ppc64|riscv64)(?:-(musl|gnu|msvc))?$/;
const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
const added = [];

for (const [key, meta] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const where = `node_modules/${name}`;
    if (packages[where] || packages[`${key}/${where}`]) continue;
    const m = PLATFORM.exec(name);
    if (!m) continue;
    const entry = { version, cpu: [m[2]], license: meta.license, optional: true, os: [m[1]] };
    if (m[1] === 'linux') entry.libc = [m[3] === 'musl' ? 'musl' : 'glibc'];
    packages[where] = entry;
    added.push(`${name}@${version}`);
  }
}

const sorted = Object.fromEntries(Object.keys(packages).sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)).map((k) => [k, packages[k]]));
lock.packages = sorted;
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length ? `added ${added.length} platform stubs:\n  ${added.join('\n  ')}` : 'lock file complete');
