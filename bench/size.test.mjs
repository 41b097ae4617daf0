// The published size budget: everything an app downloads to use the SDK
// (the minified entry and glue, the .wasm, and the framework adapter it
// imports), gzip -9. Measured as bench/run.mjs does (size.mjs). Sizes are
// deterministic, so this is a test; timings are not.
//
// The budget was the size of the build before server rendering (29,373 B)
// with a margin of about 1 % (29,696 B), raised by what server rendering was
// measured to cost (+332 B: 29,705 B) and by what sessions that survive
// passing failures and one refresh across tabs cost (+1,506 B: 31,211 B) and
// by what debug events and load errors that say what to fix cost (+1,815 B:
// 33,026 B), so that growth is a decision, not an accident. Tightened to the
// build with the module's own futures executor and a flattening wasm-opt pass
// (31,062 B) plus under 1 %, and again to the build whose effects and
// answers cross to host.js as plain arrays and functions (28,557 B) plus
// under 1 %, and to each build smaller since plus under 1 %. The goal is 24,000 bytes; README.md ("Size") says where the
// bytes go.
//
// Run after `make pkg` as `node --test bench/size.test.mjs`.
// Environment: SOCIAPP_PKG_DIR, the package folder (default pkg/).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sdkSize } from './size.mjs';

const BUDGET = 24_000;
const GOAL = 24_000;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PKG_DIR = resolve(ROOT, process.env.SOCIAPP_PKG_DIR ?? 'pkg');

const missing = ['index.js', 'sociapp_auth.js', 'sociapp_auth_bg.wasm'].filter((f) => !existsSync(join(PKG_DIR, f)));
const size = missing.length ? null : await sdkSize(PKG_DIR);
const fmt = (n) => n.toLocaleString('en-US');
const name = size
  ? `shipped size: ${fmt(size.gzip)} B gzip (budget ${fmt(BUDGET)} B, goal ${fmt(GOAL)} B)`
  : `shipped size: ${PKG_DIR} is incomplete`;

test(name, (t) => {
  assert.deepEqual(missing, [], `missing in ${PKG_DIR}: run 'make pkg'`);
  for (const f of size.files) t.diagnostic(`${f.name}: ${fmt(f.raw)} B raw, ${fmt(f.gzip)} B gzip, ${fmt(f.brotli)} B brotli`);
  assert.ok(size.gzip <= BUDGET, `${fmt(size.gzip)} B gzip is over the ${fmt(BUDGET)} B budget by ${fmt(size.gzip - BUDGET)} B`);
});
