#!/usr/bin/env node
// Writes pkg/package.json of the npm package from Cargo.toml's [package]
// table and the files present in pkg/. The output depends only on those two
// inputs, so running it twice gives the same bytes.
//
// usage: node .ci/package-json.mjs [PKG_DIR] [CARGO_TOML]
//        (defaults: pkg/ and Cargo.toml of the repository root)

import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = resolve(process.argv[2] ?? join(root, 'pkg'));
const cargoToml = resolve(process.argv[3] ?? join(root, 'Cargo.toml'));

function fail(message) {
  console.error(`package-json: ${message}`);
  process.exit(1);
}

// Reads the `key = "string"` and `key = ["a", "b"]` entries of one TOML table.
// Enough for Cargo.toml's [package] metadata; anything else is ignored.
function readTable(text, table) {
  const out = {};
  let inTable = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inTable = line === `[${table}]`;
      continue;
    }
    if (!inTable || line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line);
    if (!m) continue;
    const [, key, value] = m;
    const str = /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(value);
    if (str) {
      out[key] = JSON.parse(`"${str[1]}"`);
      continue;
    }
    const arr = /^\[(.*)\]\s*(#.*)?$/.exec(value);
    if (arr) {
      out[key] = [...arr[1].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((s) => JSON.parse(`"${s[1]}"`));
    }
  }
  return out;
}

const cargo = readTable(readFileSync(cargoToml, 'utf8'), 'package');
for (const key of ['name', 'version', 'description', 'license']) {
  if (typeof cargo[key] !== 'string' || cargo[key] === '') {
    fail(`${cargoToml}: [package] ${key} is missing (or not a plain string)`);
  }
}

// What ships: every regular file in pkg/ except the ones npm adds by itself
// (package.json) and git ignore files, and the snippets/ folder where
// wasm-bindgen puts the JS modules the WebAssembly module imports.
const skip = new Set(['package.json', '.gitignore', '.npmignore']);
let files;
try {
  files = readdirSync(pkgDir)
    .filter((f) => !skip.has(f) && (statSync(join(pkgDir, f)).isFile() || f === 'snippets'))
    .sort();
} catch (e) {
  fail(`cannot read ${pkgDir}: ${e.message}`);
}
// The entry, the framework adapters and the fake API for tests (src/js/),
// each with its declarations.
const entries = { '.': 'index', './vue': 'vue', './react': 'react', './testing': 'testing' };
for (const needed of Object.values(entries).flatMap((base) => [`${base}.js`, `${base}.d.ts`])) {
  if (!files.includes(needed)) fail(`${join(pkgDir, needed)} is missing`);
}
const wasm = files.filter((f) => f.endsWith('.wasm'));
if (wasm.length === 0) fail(`no .wasm file in ${pkgDir}`);

const pkg = {
  name: cargo.name,
  version: cargo.version,
  description: cargo.description,
  license: cargo.license,
  ...(cargo.repository ? { repository: { type: 'git', url: cargo.repository } } : {}),
  ...(cargo.homepage ? { homepage: cargo.homepage } : {}),
  ...(cargo.keywords?.length ? { keywords: cargo.keywords } : {}),
  type: 'module',
  main: 'index.js',
  module: 'index.js',
  types: 'index.d.ts',
  exports: {
    ...Object.fromEntries(
      Object.entries(entries).map(([path, base]) => [path, { types: `./${base}.d.ts`, default: `./${base}.js` }]),
    ),
    './package.json': './package.json',
  },
  files,
  sideEffects: ['./index.js'],
  // The adapters' frameworks: each app has the ones it uses, none is needed
  // for the core entry.
  peerDependencies: {
    pinia: '>=2.1.0',
    react: '>=18.0.0',
    vue: '>=3.3.0',
  },
  peerDependenciesMeta: {
    pinia: { optional: true },
    react: { optional: true },
    vue: { optional: true },
  },
};

const target = join(pkgDir, 'package.json');
writeFileSync(target, `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`package-json: wrote ${target} (${pkg.name}@${pkg.version}, ${files.length} files)`);
