#!/usr/bin/env node
// Shortens the names by which the WebAssembly module and its wasm-bindgen
// glue know each other: wasm-bindgen names every import after the function
// and a 16-digit hash (`__wbg_getItem_5f6e…`), and those hashes do not
// compress. Each import and export (but `memory`) gets a short name, in the
// module's import and export sections and in the glue (and its .d.ts) alike,
// and so does the module the imports come from. The glue's entries for
// imports the module no longer has (wasm-opt drops those it never calls)
// are left out.
// The rest of the module is copied byte for byte.
//
// usage: node .ci/minify-names.mjs PKG_DIR BASENAME   (e.g. pkg sociapp_auth)

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { readName, readU32, u32 } from './wasm-binary.mjs';

const [dir, base] = process.argv.slice(2);
if (!dir || !base) {
  console.error('usage: node .ci/minify-names.mjs PKG_DIR BASENAME');
  process.exit(2);
}
const wasmPath = join(dir, `${base}_bg.wasm`);
const gluePaths = [join(dir, `${base}.js`), join(dir, `${base}_bg.wasm.d.ts`)].filter(existsSync);

const bytes = readFileSync(wasmPath);
const renames = new Map();
const imported = [];
// Import module names (wasm-bindgen's "./<name>_bg.js"): short ones too.
const modules = new Map();

// Short, distinct names that no glue identifier has: `$` then base 36.
const shortName = (prefix, i) => `${prefix}${i.toString(36)}`;

const name = (s) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([u32(b.length), b]);
};

// The length of an import's description (after its kind byte).
function skipLimits(buf, pos) {
  const flags = buf[pos++];
  [, pos] = readU32(buf, pos);
  if (flags & 1) [, pos] = readU32(buf, pos);
  return pos;
}

function importDescEnd(buf, kind, pos) {
  switch (kind) {
    case 0: return readU32(buf, pos)[1]; // function: type index
    case 1: return skipLimits(buf, pos + 1); // table: reftype, limits
    case 2: return skipLimits(buf, pos); // memory: limits
    case 3: return pos + 2; // global: valtype, mutability
    case 4: return readU32(buf, pos + 1)[1]; // tag: attribute, type index
    default: throw new Error(`unknown import kind ${kind}`);
  }
}

function rewriteImports(body) {
  let [count, pos] = readU32(body, 0);
  const parts = [u32(count)];
  for (let i = 0; i < count; i++) {
    let module, field;
    [module, pos] = readName(body, pos);
    [field, pos] = readName(body, pos);
    const kind = body[pos];
    const end = importDescEnd(body, kind, pos + 1);
    // wasm-bindgen imports a JS function that takes and returns nothing
    // straight from its module (`import * as importN`): the field is that
    // function's name there, and keeps it.
    let short = field;
    if (module === `./${base}_bg.js`) {
      short = shortName('$', renames.size);
      renames.set(field, short);
      imported.push(field);
    }
    if (!modules.has(module)) modules.set(module, `m${modules.size}`);
    parts.push(name(modules.get(module)), name(short), body.subarray(pos, end));
    pos = end;
  }
  return Buffer.concat(parts);
}

function rewriteExports(body) {
  let [count, pos] = readU32(body, 0);
  const parts = [u32(count)];
  for (let i = 0; i < count; i++) {
    let field;
    [field, pos] = readName(body, pos);
    const kind = body[pos];
    const end = readU32(body, pos + 1)[1];
    let short = field;
    // `memory`, and the module's own `sociapp_*` exports (its JavaScript
    // half finds those by name), keep their names.
    if (field !== 'memory' && !field.startsWith('sociapp_')) {
      short = shortName('$', renames.size);
      renames.set(field, short);
    }
    parts.push(name(short), body.subarray(pos, end));
    pos = end;
  }
  return Buffer.concat(parts);
}

if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error(`${wasmPath} is not a WebAssembly module`);
const out = [bytes.subarray(0, 8)];
let pos = 8;
while (pos < bytes.length) {
  const id = bytes[pos];
  const [size, start] = readU32(bytes, pos + 1);
  let body = bytes.subarray(start, start + size);
  if (id === 2) body = rewriteImports(body);
  if (id === 7) body = rewriteExports(body);
  out.push(Buffer.from([id]), u32(body.length), body);
  pos = start + size;
}
writeFileSync(wasmPath, Buffer.concat(out));

// The glue names each import as an object key and each export as
// `wasm.name` (its .d.ts as `export const name:`): every occurrence of an old
// import name as a whole word is replaced, and of an export name in those
// two places only, so the glue's own exported functions keep their names.
const escape = (s) => s.replace(/[$]/g, '\\$&');
const alternatives = (names) => names.map(escape).join('|');
const imports = new Set(imported);
const exportNames = [...renames.keys()].filter((n) => !imports.has(n));
const pattern = new RegExp(
  `(?<![\\w$])(${alternatives(imported)})(?![\\w$])` +
    (exportNames.length ? `|(?<=(?:\\bwasm\\.|\\bexport const ))(${alternatives(exportNames)})(?![\\w$])` : ''),
  'g',
);
// An import object entry of wasm-bindgen's glue: `        __wbg_…: function(…) {`
// up to its line `        },`.
function withoutUnused(text) {
  const lines = text.split('\n');
  const kept = [];
  for (let i = 0; i < lines.length; i++) {
    const entry = /^ {8}(__wbg_[\w$]+): function\(.*\) \{$/.exec(lines[i]);
    if (entry && !imports.has(entry[1])) {
      const end = lines.indexOf('        },', i);
      if (end < 0) throw new Error(`the glue's entry ${entry[1]} has no end`);
      i = end;
      continue;
    }
    kept.push(lines[i]);
  }
  return kept.join('\n');
}

for (const path of gluePaths) {
  let text = readFileSync(path, 'utf8');
  if (path.endsWith('.js')) text = withoutUnused(text);
  const missing = new Set(imported);
  let next = text.replace(pattern, (m) => {
    missing.delete(m);
    return renames.get(m);
  });
  // The import object names each module as a quoted key.
  for (const [module, short] of modules) {
    const key = JSON.stringify(module);
    if (path.endsWith('.js') && !next.includes(`${key}:`)) throw new Error(`${path} does not name the module ${key}`);
    next = next.split(`${key}:`).join(`${JSON.stringify(short)}:`);
  }
  if (path.endsWith('.js') && missing.size) {
    throw new Error(`${path} does not mention ${[...missing].join(', ')}`);
  }
  writeFileSync(path, next);
}
console.log(`minify-names: ${renames.size} import and export names shortened in ${wasmPath}`);
