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
// The script stops (exit 1) and writes nothing when the glue is not as it
// expects: an import object it cannot read line by line, an import of the
// module without its entry there, an entry of that object elsewhere.
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
// The module wasm-bindgen's glue answers the module's imports from.
const selfModule = `./${base}_bg.js`;

function fail(message) {
  console.error(`minify-names: ${message}`);
  process.exit(1);
}

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
    if (module === selfModule) {
      // Each is named by wasm-bindgen (`__wbg_…`, `__wbindgen_…`): a name
      // no other identifier of the glue has, replaced wherever it is.
      if (!/^__wbg|^__wbindgen_/.test(field)) fail(`the module imports ${field} from ${module}, not a name of wasm-bindgen's`);
      if (renames.has(field)) fail(`the module imports ${field} twice`);
      short = shortName('$', renames.size);
      renames.set(field, short);
      imported.push(field);
    }
    if (!modules.has(module)) modules.set(module, `m${modules.size}`);
    parts.push(name(modules.get(module)), name(short), body.subarray(pos, end));
    pos = end;
  }
  if (pos !== body.length) fail(`the import section has ${body.length - pos} bytes after its ${count} imports`);
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
      if (renames.has(field)) fail(`${field} is both imported and exported`);
      short = shortName('$', renames.size);
      renames.set(field, short);
    }
    parts.push(name(short), body.subarray(pos, end));
    pos = end;
  }
  if (pos !== body.length) fail(`the export section has ${body.length - pos} bytes after its ${count} exports`);
  return Buffer.concat(parts);
}

if (bytes.readUInt32LE(0) !== 0x6d736100) fail(`${wasmPath} is not a WebAssembly module`);
const out = [bytes.subarray(0, 8)];
let pos = 8;
while (pos < bytes.length) {
  const id = bytes[pos];
  const [size, start] = readU32(bytes, pos + 1);
  if (start + size > bytes.length) fail(`${wasmPath}: section ${id} at byte ${pos} runs past the end`);
  let body = bytes.subarray(start, start + size);
  if (id === 2) body = rewriteImports(body);
  if (id === 7) body = rewriteExports(body);
  out.push(Buffer.from([id]), u32(body.length), body);
  pos = start + size;
}
const wasmOut = Buffer.concat(out);

// The glue names each import as an object key and each export as
// `wasm.name` (its .d.ts as `export const name:`): every occurrence of an old
// import name as a whole word is replaced, and of an export name in those
// two places only, so the glue's own exported functions keep their names.
const escape = (s) => s.replace(/[$]/g, '\\$&');
const alternatives = (names) => names.map(escape).join('|');
const imports = new Set(imported);
const exportNames = [...renames.keys()].filter((n) => !imports.has(n));
const pattern = new RegExp(
  [
    imported.length && `(?<![\\w$])(${alternatives(imported)})(?![\\w$])`,
    exportNames.length && `(?<=(?:\\bwasm\\.|\\bexport const ))(${alternatives(exportNames)})(?![\\w$])`,
  ]
    .filter(Boolean)
    .join('|') || '(?!)',
  'g',
);

// The glue's import object for the module's own imports, in
// `__wbg_get_imports` (wasm-bindgen 0.2.130 writes it so):
//         const import0 = {
//             __proto__: null,
//             __wbg_warn_083c8f564c418062: function(arg0, arg1) {
//                 warn(getStringFromWasm0(arg0, arg1));
//             },
//             …
//         };
//         return {
//             __proto__: null,
//             "./sociapp_auth_bg.js": import0,
//         };
// It is read line by line, by the lines' indentation relative to one another
// (whichever it is): after `const import0 = {`, each line as indented as the
// first is `__proto__: null,`, an entry on one line (`key: …,`) or an entry's
// first line (`key: … {`, or `(`, `[`) whose lines after it are indented
// further up to the one, as indented as the first, that closes it (`},`);
// the object ends at `};` as indented as its first line. Any other line, an
// entry twice, an import of the module without its entry, or an entry of
// wasm-bindgen's (`__wbg…:`, `__wbindgen_…:`) outside the object stops the
// script. The entries of imports the module no longer has are left out.
const reEscape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const leading = (line) => /^[ \t]*/.exec(line)[0];
const entryLine = /^[ \t]*(?:__wbg|__wbindgen_)[\w$]*\s*:/;

function withoutUnused(path, text) {
  const lines = text.split('\n');
  const where = (i) => `${path}:${i + 1}`;
  const outside = (from, to) => {
    for (let i = from; i < to; i++) {
      if (entryLine.test(lines[i])) fail(`${where(i)}: an import object entry outside the import object: ${lines[i].trim()}`);
    }
  };
  const ref = new RegExp(`${reEscape(JSON.stringify(selfModule))}\\s*:\\s*([\\w$]+)(?![\\w$])`).exec(text);
  if (!ref) {
    // No import object for the module's own imports: none may be needed.
    if (imported.length) fail(`${path} does not name the module ${JSON.stringify(selfModule)} in its imports`);
    outside(0, lines.length);
    return { text, dropped: [] };
  }
  const opening = new RegExp(`^([ \\t]*)const ${reEscape(ref[1])} = \\{$`);
  const starts = lines.flatMap((line, i) => (opening.test(line) ? [i] : []));
  if (starts.length !== 1) fail(`${path}: the import object ${ref[1]} ("const ${ref[1]} = {" on a line of its own) found ${starts.length} times, not once`);
  const first = starts[0];
  const outer = opening.exec(lines[first])[1];
  const close = `${outer}};`;
  const entries = [];
  let indent = null;
  let i = first + 1;
  for (; ; i++) {
    if (i >= lines.length) fail(`${where(first)}: the import object ${ref[1]} has no end ("${close}")`);
    const line = lines[i];
    if (line === close) break;
    if (line.trim() === '') continue;
    const lead = leading(line);
    indent ??= lead;
    if (lead !== indent || !lead.startsWith(outer) || lead.length === outer.length) {
      fail(`${where(i)}: not indented as the import object's entries: ${line.trim()}`);
    }
    const rest = line.slice(indent.length);
    if (rest === '__proto__: null,') continue;
    const entry = /^([\w$]+): (.*)$/.exec(rest);
    if (!entry) fail(`${where(i)}: not an import object entry (key: value): ${line.trim()}`);
    const [, key, value] = entry;
    if (entries.some((e) => e.key === key)) fail(`${where(i)}: the import object has ${key} twice`);
    let last = i;
    if (/[{([]$/.test(value)) {
      last = i + 1;
      const inside = (line) => line.trim() === '' || (line.startsWith(indent) && /^[ \t]/.test(line.slice(indent.length)));
      while (last < lines.length && inside(lines[last])) last++;
      if (last >= lines.length || !lines[last].startsWith(indent) || !/^[})\]]+,$/.test(lines[last].slice(indent.length))) {
        fail(`${where(i)}: the import object entry ${key} has no end ("${indent}},")`);
      }
    } else if (!value.endsWith(',')) {
      fail(`${where(i)}: the import object entry ${key} neither ends on its line (",") nor opens a block`);
    }
    entries.push({ key, from: i, to: last });
    i = last;
  }
  outside(0, first);
  outside(i + 1, lines.length);
  const keys = new Set(entries.map((e) => e.key));
  const absent = imported.filter((n) => !keys.has(n));
  if (absent.length) fail(`${path}: the import object ${ref[1]} has no entry for ${absent.join(', ')}`);
  const dropped = entries.filter((e) => !imports.has(e.key));
  const drop = new Set(dropped.flatMap((e) => Array.from({ length: e.to - e.from + 1 }, (_, k) => e.from + k)));
  return { text: lines.filter((_, k) => !drop.has(k)).join('\n'), dropped: dropped.map((e) => e.key) };
}

const glueOut = [];
let dropped = [];
for (const path of gluePaths) {
  let text = readFileSync(path, 'utf8');
  if (path.endsWith('.js')) ({ text, dropped } = withoutUnused(path, text));
  const missing = new Set(imported);
  let next = text.replace(pattern, (m) => {
    missing.delete(m);
    return renames.get(m);
  });
  // The import object names each module as a quoted key.
  for (const [module, short] of modules) {
    const key = JSON.stringify(module);
    if (path.endsWith('.js') && !next.includes(`${key}:`)) fail(`${path} does not name the module ${key}`);
    next = next.split(`${key}:`).join(`${JSON.stringify(short)}:`);
  }
  if (path.endsWith('.js') && missing.size) {
    fail(`${path} does not mention ${[...missing].join(', ')}`);
  }
  glueOut.push([path, next]);
}
if (!gluePaths.some((p) => p.endsWith('.js'))) fail(`${join(dir, `${base}.js`)} not found`);

writeFileSync(wasmPath, wasmOut);
for (const [path, text] of glueOut) writeFileSync(path, text);
console.log(
  `minify-names: ${renames.size} import and export names shortened in ${wasmPath}` +
    (dropped.length ? `; ${dropped.length} import object entries left out` : ''),
);
