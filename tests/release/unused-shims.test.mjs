// .ci/unused-shims.mjs on small modules made here byte by byte: an element
// segment whose offset expression's immediate holds the byte 0x0b (the `end`
// opcode), e.g. `i32.const 11`, gets the right slots emptied and leaves the
// rest of the module byte-identical; an offset expression the script does
// not know stops it (exit 1, a message, the module unchanged).

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  BASE, I32, body, bytes, funcType, nameSection, run, section, sectionsOf, sleb, str, tempDir, uleb, vec, wasm,
} from './helpers.mjs';

// Function names as rustc writes them (those of shims from the real module).
const NAMES = [
  'sociapp_auth::client::call::h0c3bcd2a1f7e5d40',
  'wasm_bindgen::convert::closures::_::invoke::h39622cd968e70d62', // unused shim
  'sociapp_auth::host::poll::h5a2b7c9e1d3f4a60',
  'js_sys::futures::jspi::task_waker::raw_wake::h845aeb6bef8ce55a', // unused shim
  'wasm_bindgen::convert::closures::_::invoke::he6e46d7e551d7ac1', // unused shim
];
const unused = (i) => /closures|jspi/.test(NAMES[i]);

const i32Const = (n) => bytes([0x41], sleb(n), [0x0b]);
const globalGet = (g) => bytes([0x23], uleb(g), [0x0b]);

// segments: [{ offset: <constant expression bytes>, entries: [function index] }]
function shimsModule(segments, { globals = 0 } = {}) {
  return wasm(
    section(1, vec([funcType([], [])])),
    // Immutable i32 globals for `global.get` offsets.
    ...(globals ? [section(2, vec(Array.from({ length: globals }, (_, g) => bytes(str('env'), str(`base${g}`), [0x03, I32, 0x00]))))] : []),
    section(3, vec(NAMES.map(() => uleb(0)))),
    section(4, vec([bytes([0x70, 0x00], uleb(4096))])),
    section(7, vec([bytes(str('clientCall'), [0x00], uleb(0))])),
    section(9, vec(segments.map(({ offset, entries }) => bytes([0x00], offset, vec(entries.map(uleb)))))),
    section(10, vec(NAMES.map(() => body([0x0b])))),
    nameSection(NAMES.map((name, i) => [i, name])),
  );
}

// What the script should make of a segment: its trailing unused slots left
// out, any other unused slot filled by the segment's first unused shim.
function expected(entries) {
  let kept = entries.length;
  while (kept > 0 && unused(entries[kept - 1])) kept--;
  const standIn = entries.find(unused);
  return entries.slice(0, kept).map((i) => (unused(i) ? standIn : i));
}

function pkg(t, module) {
  const dir = tempDir(t);
  writeFileSync(join(dir, `${BASE}_bg.wasm`), module);
  // The glue is read for closure glue only: an excerpt of the real one.
  writeFileSync(join(dir, `${BASE}.js`), 'export function clientCall(at, call, a, b) {\n    const val1 = +at;\n}\n');
  return dir;
}

const ENTRIES = [0, 4, 2, 1, 0, 3];

const offsets = [
  ['i32.const 1 (as rustc writes it)', i32Const(1)],
  ['i32.const 11 (its immediate is 0x0b)', i32Const(11)],
  ['i32.const 1419 (LEB128 8b 0b)', i32Const(1419)],
  ['global.get 0', globalGet(0)],
  ['global.get 11 (its immediate is 0x0b)', globalGet(11)],
];

for (const [what, offset] of offsets) {
  test(`unused-shims: an element segment at ${what}: the unused slots emptied, the rest byte-identical`, (t) => {
    const options = { globals: 12 };
    const input = shimsModule([{ offset, entries: ENTRIES }], options);
    const dir = pkg(t, input);
    const r = run('unused-shims', dir);
    assert.equal(r.status, 0, r.stderr);
    const out = readFileSync(join(dir, `${BASE}_bg.wasm`));
    const want = shimsModule([{ offset, entries: expected(ENTRIES) }], options);
    assert.deepEqual(expected(ENTRIES), [0, 4, 2, 4, 0]);
    // Everything but the element section byte for byte, then the whole.
    const [a, b] = [sectionsOf(input), sectionsOf(out)];
    const e = (s) => s.find((x) => x.id === 9);
    assert.ok(input.subarray(0, e(a).at).equals(out.subarray(0, e(b).at)), 'the sections before the element section changed');
    assert.ok(input.subarray(e(a).end).equals(out.subarray(e(b).end)), 'the sections after the element section changed');
    assert.ok(out.equals(want), `the element section is ${out.subarray(e(b).at, e(b).end).toString('hex')}, not ${want.subarray(e(sectionsOf(want)).at, e(sectionsOf(want)).end).toString('hex')}`);
    assert.ok(WebAssembly.validate(out), 'the result is not a valid module');
  });
}

test('unused-shims: two segments, at i32.const 11 and at 1419', (t) => {
  const input = shimsModule([
    { offset: i32Const(11), entries: [1, 0, 4] },
    { offset: i32Const(1419), entries: ENTRIES },
  ]);
  const dir = pkg(t, input);
  const r = run('unused-shims', dir);
  assert.equal(r.status, 0, r.stderr);
  const out = readFileSync(join(dir, `${BASE}_bg.wasm`));
  const want = shimsModule([
    { offset: i32Const(11), entries: [1, 0] },
    { offset: i32Const(1419), entries: expected(ENTRIES) },
  ]);
  assert.ok(out.equals(want), 'not the expected module');
  assert.ok(WebAssembly.validate(out));
});

const unknown = [
  // extended-const: i32.const 11, i32.const 0, i32.add, end
  ['i32.const 11; i32.const 0; i32.add (extended-const)', bytes([0x41, 0x0b, 0x41, 0x00, 0x6a, 0x0b]), /offset expression.*not end \(0x0b\)/],
  ['i64.const 11', bytes([0x42, 0x0b, 0x0b]), /offset expression.*opcode 0x42/],
  // 0x8b continues the LEB128 into the segment's entry count: no `end` after.
  ['an i32.const whose immediate runs on into the entries', bytes([0x41, 0x8b]), /offset expression/],
];

for (const [what, offset, message] of unknown) {
  test(`unused-shims: an offset expression it does not know (${what}) stops it, the module unchanged`, (t) => {
    const input = shimsModule([{ offset, entries: ENTRIES }]);
    const dir = pkg(t, input);
    const r = run('unused-shims', dir);
    assert.notEqual(r.status, 0, `exit 0: ${r.stdout}`);
    assert.match(r.stderr, /^unused-shims: /m);
    assert.match(r.stderr, message);
    assert.ok(readFileSync(join(dir, `${BASE}_bg.wasm`)).equals(input), 'the module was changed');
  });
}
