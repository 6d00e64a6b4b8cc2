#!/usr/bin/env node
// Builds the native UDP receiver (native/) with node-gyp against the Node headers already on
// this machine: never downloads anything. Runs from `npm ci` / `npm install` (the package's
// `install` script) and from `npm run build:native`. A failed build must not fail the install:
// Contrail then reads UDP with Node's dgram, so this prints one line saying why, leaves that
// reason in native/build/contrail-build.json (read by the loader and the tests), and exits 0.
//   --asan   build with AddressSanitizer into native/build-asan/ instead (native/test/asan.sh);
//            failures there exit 1.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const asan = process.argv.includes('--asan');
const buildDir = asan ? join(nativeDir, 'build-asan') : nativeDir;
const note = join(nativeDir, 'build', 'contrail-build.json');

function finish(ok, reason, log = '') {
  if (asan) {
    if (!ok) {
      process.stderr.write(`${log}\nnative (asan): build failed: ${reason}\n`);
      process.exit(1);
    }
    return;
  }
  mkdirSync(join(nativeDir, 'build'), { recursive: true });
  writeFileSync(note, `${JSON.stringify({ ok, ...(ok ? {} : { reason }), at: new Date().toISOString(), node: process.version }, null, 2)}\n`);
  if (!ok) {
    writeFileSync(join(nativeDir, 'build', 'build.log'), log);
    console.log(`native UDP receiver not built (${reason}); Contrail will read UDP with Node's dgram. Log: native/build/build.log`);
  } else {
    console.log('native UDP receiver built: native/build/Release/contrail_udp.node');
  }
  process.exit(0);
}

if (process.platform !== 'linux') finish(false, `Linux only, this is ${process.platform}`);

// node-gyp: ours (devDependency), else the one npm bundles and names to its scripts.
let nodeGyp = process.env.npm_config_node_gyp;
try {
  nodeGyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
} catch {
  // production install (dev dependencies omitted): npm's own node-gyp
}
if (!nodeGyp || !existsSync(nodeGyp)) finish(false, 'node-gyp not found');

// Headers: npm's nodedir setting, else the ones installed beside this node (/usr/include/node).
// Passing them explicitly is what keeps node-gyp from trying to download them.
const prefix = dirname(dirname(process.execPath));
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? prefix : null);
if (!nodedir) finish(false, `no Node headers found (looked in ${join(prefix, 'include', 'node')}; set npm's nodedir)`);

if (asan) {
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(buildDir, { recursive: true });
  cpSync(join(nativeDir, 'binding.gyp'), join(buildDir, 'binding.gyp'));
  cpSync(join(nativeDir, 'src'), join(buildDir, 'src'), { recursive: true });
}

const args = [nodeGyp, 'rebuild', `--directory=${buildDir}`, `--nodedir=${nodedir}`, '--jobs=2'];
// gyp reads GYP_DEFINES as if given -D: binding.gyp adds the sanitizer flags for contrail_asan=1.
const env = { ...process.env, npm_config_nodedir: nodedir, GYP_DEFINES: asan ? 'contrail_asan=1' : '' };
const run = spawnSync(process.execPath, args, { cwd: buildDir, encoding: 'utf8', timeout: 300_000, env });
const log = `${run.stdout ?? ''}${run.stderr ?? ''}`;
if (run.error) finish(false, `node-gyp did not run: ${run.error.message}`, log);
if (run.status !== 0) {
  // The compiler's first complaint says more than node-gyp's closing lines.
  const first = log.split('\n').find((l) => /error|not found|No such file/i.test(l) && !l.startsWith('gyp ERR!')) ?? log.split('\n').find((l) => l.startsWith('gyp ERR!')) ?? `exit ${run.status}`;
  finish(false, first.trim().slice(0, 200), log);
}
finish(true, '');
