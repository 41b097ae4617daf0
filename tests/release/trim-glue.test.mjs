// .ci/trim-glue.mjs on an excerpt of the real glue as it gets it
// (fixtures/trim-glue/sociapp_auth.js: wasm-bindgen 0.2.130's output after
// minify-names, see fixtures/README.md): the three blocks it removes go and
// nothing else changes; a glue without one of them, or with one twice, or
// passing a string without realloc stops it (exit 1), its message naming the
// block, and the file is left as it was.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BASE, fixtures, run, tempDir } from './helpers.mjs';

const input = readFileSync(join(fixtures, 'trim-glue', `${BASE}.js`), 'utf8');
const expected = readFileSync(join(fixtures, 'trim-glue', `${BASE}.expected.js`), 'utf8');

function pkg(t, text) {
  const dir = tempDir(t);
  writeFileSync(join(dir, `${BASE}.js`), text);
  return dir;
}
const glue = (dir) => readFileSync(join(dir, `${BASE}.js`), 'utf8');

// The blocks, as the script describes them, and as wasm-bindgen writes them.
const BLOCKS = [
  {
    what: "initSync's handling of arguments other than { module }",
    text: `    if (module !== undefined) {
        if (Object.getPrototypeOf(module) === Object.prototype) {
            ({module} = module)
        } else {
            console.warn('using deprecated parameters for \`initSync()\`; pass a single object instead')
        }
    }
`,
  },
  {
    what: "initSync's compiling of bytes",
    text: `    if (!(module instanceof WebAssembly.Module)) {
        module = new WebAssembly.Module(module);
    }
`,
  },
  {
    what: 'passStringToWasm0 without realloc',
    text: `    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }
`,
  },
];
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('trim-glue: the real glue loses the three blocks, and nothing else', (t) => {
  for (const { text } of BLOCKS) assert.equal(input.split(text).length, 2, 'the fixture has each block once');
  const dir = pkg(t, input);
  const r = run('trim-glue', dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(glue(dir), expected);
  // What changed: the three blocks, the first one for one line.
  let want = input;
  for (const [i, { text }] of BLOCKS.entries()) want = want.replace(text, i === 0 ? '    ({module} = module);\n' : '');
  assert.equal(glue(dir), want);
});

for (const { what, text } of BLOCKS) {
  const firstLine = text.split('\n')[0].trim();
  test(`trim-glue: a glue without the block "${what}": stops naming it, the file unchanged`, (t) => {
    const changed = input.replace(text, '');
    const dir = pkg(t, changed);
    const r = run('trim-glue', dir);
    assert.equal(r.status, 1, `exit ${r.status}: ${r.stdout}`);
    assert.match(r.stderr, new RegExp(`^trim-glue: .*${escape(what)}`, 'm'));
    assert.ok(r.stderr.includes(JSON.stringify(firstLine)), `the message does not quote the block's first line ${JSON.stringify(firstLine)}: ${r.stderr}`);
    assert.match(r.stderr, /found 0 times/);
    assert.equal(glue(dir), changed);
  });
}

test('trim-glue: a block twice: stops naming it, the file unchanged', (t) => {
  const { what, text } = BLOCKS[1];
  const changed = input.replace(text, text + text);
  const dir = pkg(t, changed);
  const r = run('trim-glue', dir);
  assert.equal(r.status, 1, `exit ${r.status}: ${r.stdout}`);
  assert.ok(r.stderr.includes(what), r.stderr);
  assert.match(r.stderr, /found 2 times/);
  assert.equal(glue(dir), changed);
});

test('trim-glue: the glue indented otherwise: stops naming the first block, the file unchanged', (t) => {
  const changed = input.replace(/^((?: {4})+)/gm, (m) => '  '.repeat(m.length / 4));
  const dir = pkg(t, changed);
  const r = run('trim-glue', dir);
  assert.equal(r.status, 1, `exit ${r.status}: ${r.stdout}`);
  assert.ok(r.stderr.includes(BLOCKS[0].what), r.stderr);
  assert.equal(glue(dir), changed);
});

test('trim-glue: a string passed without realloc: stops naming the call, the file unchanged', (t) => {
  const changed = input.replace('passStringToWasm0(ret, wasm.$1g, wasm.$1h)', 'passStringToWasm0(ret, wasm.$1g)');
  assert.notEqual(changed, input);
  const dir = pkg(t, changed);
  const r = run('trim-glue', dir);
  assert.equal(r.status, 1, `exit ${r.status}: ${r.stdout}`);
  assert.match(r.stderr, /without realloc/);
  assert.ok(r.stderr.includes('passStringToWasm0(ret, wasm.$1g)'), r.stderr);
  assert.equal(glue(dir), changed);
});
