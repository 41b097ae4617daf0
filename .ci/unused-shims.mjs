#!/usr/bin/env node
// Empties the function-table slots of shims the module never calls, so that
// wasm-opt can drop the shims. Run on wasm-bindgen's output, before wasm-opt.
//
// Two kinds of shim reach the table without being used:
// - wasm-bindgen's closure shims (`wasm_bindgen::convert::closures::…invoke`):
//   every js-sys import that takes a closure describes its shim to the CLI,
//   which then deletes the description but not the table slot. A closure the
//   module hands to JavaScript has its shim exported; here none is.
// - js-sys's JSPI task waker (`js_sys::futures::jspi::…`): its entry point,
//   the `__wbg_jspi_task_poll` export, is deleted by wasm-bindgen when the
//   module has no JSPI export, but its waker's functions stay in the table.
// The script refuses (exit 1) when either kind is still in use: an exported
// shim, a kept `__wbg_jspi_task_poll`, or closure glue in the JavaScript.
// Those slots are never called, so the module behaves the same.
// The table's other slots, and the rest of the module, are copied unchanged.
// It also refuses an element section it does not fully understand: a
// segment that is not an active list of function indices, or whose offset
// is not `i32.const n` or `global.get g`.
//
// usage: node .ci/unused-shims.mjs PKG_DIR BASENAME   (e.g. pkg sociapp_auth)

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readName, readS32, readU32, u32 } from './wasm-binary.mjs';

const [dir, base] = process.argv.slice(2);
if (!dir || !base) {
  console.error('usage: node .ci/unused-shims.mjs PKG_DIR BASENAME');
  process.exit(2);
}
const wasmPath = join(dir, `${base}_bg.wasm`);
const gluePath = join(dir, `${base}.js`);

function fail(message) {
  console.error(`unused-shims: ${message}`);
  process.exit(1);
}

const bytes = readFileSync(wasmPath);
if (bytes.readUInt32LE(0) !== 0x6d736100) fail(`${wasmPath} is not a WebAssembly module`);
const sections = [];
for (let pos = 8; pos < bytes.length; ) {
  const id = bytes[pos];
  const [size, start] = readU32(bytes, pos + 1);
  if (start + size > bytes.length) fail(`${wasmPath}: section ${id} at byte ${pos} runs past the end`);
  sections.push({ id, at: pos, start, end: start + size });
  pos = start + size;
}
const section = (id) => sections.find((s) => s.id === id);

// Function names (the name section's subsection 1), by function index.
const names = new Map();
for (const s of sections.filter((s) => s.id === 0)) {
  let [name, pos] = readName(bytes, s.start);
  if (name !== 'name') continue;
  while (pos < s.end) {
    const sub = bytes[pos];
    const [size, start] = readU32(bytes, pos + 1);
    if (sub === 1) {
      let [count, p] = readU32(bytes, start);
      for (let i = 0; i < count; i++) {
        let index;
        [index, p] = readU32(bytes, p);
        [name, p] = readName(bytes, p);
        names.set(index, name);
      }
    }
    pos = start + size;
  }
}
if (names.size === 0) fail(`${wasmPath} has no function names (run this before wasm-opt)`);

// Exported functions, by index.
const exported = new Map();
const exports = section(7);
if (exports) {
  let [count, pos] = readU32(bytes, exports.start);
  for (let i = 0; i < count; i++) {
    let field, index;
    [field, pos] = readName(bytes, pos);
    const kind = bytes[pos];
    [index, pos] = readU32(bytes, pos + 1);
    if (kind === 0) exported.set(index, field);
  }
}
if ([...exported.values()].includes('__wbg_jspi_task_poll')) fail('the module runs JSPI tasks (it exports __wbg_jspi_task_poll)');
if (/\bmakeMutClosure\b|\bmakeClosure\b|\bvar state\d+ = \{a:/.test(readFileSync(gluePath, 'utf8'))) {
  fail(`${gluePath} hands closures to JavaScript`);
}

const unused = (index) => {
  const name = names.get(index) ?? '';
  return /^wasm_bindgen::convert::closures::.*invoke/.test(name) || name.startsWith('js_sys::futures::jspi::');
};

// The end of a segment's offset expression (a constant expression):
// `i32.const n` (a signed LEB128) or `global.get g` (an unsigned one), then
// `end`. Its bytes are copied as they are; any other expression stops the
// script (its immediate may well contain the `end` byte 0x0b: i32.const 11).
function offsetEnd(segment, pos) {
  const what = `element segment ${segment}'s offset expression at byte ${pos}`;
  const op = bytes[pos];
  let p;
  try {
    if (op === 0x41) [, p] = readS32(bytes, pos + 1); // i32.const
    else if (op === 0x23) [, p] = readU32(bytes, pos + 1); // global.get
    else fail(`${what} starts with opcode 0x${op?.toString(16)}, not i32.const (0x41) or global.get (0x23)`);
  } catch (e) {
    fail(`${what}: ${e.message}`);
  }
  if (bytes[p] !== 0x0b) fail(`${what} has opcode 0x${bytes[p]?.toString(16)} after its first instruction, not end (0x0b)`);
  return p + 1;
}

// The element section: active segments of function indices (the only form
// rustc and wasm-bindgen write). A segment's unused slots at its end are left
// out (they stay empty); one unused shim fills any other unused slot.
const elements = section(9);
if (!elements) fail(`${wasmPath} has no element section`);
let [count, pos] = readU32(bytes, elements.start);
const parts = [u32(count)];
let slots = 0;
for (let i = 0; i < count; i++) {
  if (bytes[pos] !== 0) fail(`element segment ${i} has flags ${bytes[pos]}, not an active function list`);
  const end = offsetEnd(i, pos + 1);
  parts.push(bytes.subarray(pos, end));
  let n;
  [n, pos] = readU32(bytes, end);
  const entries = [];
  for (let k = 0; k < n; k++) {
    let index;
    [index, pos] = readU32(bytes, pos);
    if (unused(index) && exported.has(index)) {
      fail(`${names.get(index)} is exported as ${exported.get(index)}: a closure is in use`);
    }
    entries.push(index);
  }
  let kept = entries.length;
  while (kept > 0 && unused(entries[kept - 1])) kept--;
  const standIn = entries.find(unused);
  const out = entries.slice(0, kept).map((index) => (unused(index) ? standIn : index));
  slots += entries.filter(unused).length;
  parts.push(u32(out.length), ...out.map(u32));
}
if (pos !== elements.end) fail(`the element section ends at byte ${elements.end}, its ${count} segments at ${pos}`);
const body = Buffer.concat(parts);
writeFileSync(
  wasmPath,
  Buffer.concat([bytes.subarray(0, elements.at), Buffer.from([9]), u32(body.length), body, bytes.subarray(elements.end)]),
);
console.log(`unused-shims: ${slots} table slots of unused shims emptied in ${wasmPath}`);
