// .ci/minify-names.mjs on an excerpt of wasm-bindgen 0.2.130's real glue
// (fixtures/minify/, see fixtures/README.md) and a small module made here
// byte by byte with some of its imports, as wasm-opt leaves them: the
// module's and the glue's names must still match (checked by instantiating
// the module through the glue, and by comparing the glue's import object
// with the module's import section), whatever the glue's indentation; a
// glue it cannot read stops it, and then nothing is written.

import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  BASE, I32, body, bytes, fixtures, funcType, run, section, str, tempDir, uleb, vec, wasm,
} from './helpers.mjs';

const SELF = `./${BASE}_bg.js`;
const SNIPPET = './snippets/sociapp-auth-cb5ea6dc4db2aa8a/src/js/host.js';
// The import object entries of the glue excerpt: [name, params, results].
const IMPORTS = {
  throw: ['__wbg___wbindgen_throw_4c88d8bf264fd984', [I32, I32], []],
  clock: ['__wbg_clock_8df5e62c56ba0dc3', [I32], [I32]],
  warn: ['__wbg_warn_083c8f564c418062', [I32, I32], []],
  cast: ['__wbindgen_generic_0000000000000002', [I32, I32], [I32]],
  clone: ['__wbindgen_object_clone_ref', [I32], [I32]],
  drop: ['__wbindgen_object_drop_ref', [I32], []],
};
const ALL = Object.values(IMPORTS).map(([name]) => name);
// What wasm-opt keeps of them in the real build (it drops the throw).
const KEPT = ['warn', 'cast', 'clone', 'drop'];

// A module importing `self` (keys of IMPORTS) from ./sociapp_auth_bg.js and,
// with `tick`, `tick` straight from the snippet, as wasm-bindgen does for a
// JS function of no arguments and no result. Its exports are those of the
// real module that the glue excerpt uses: clientCall calls tick, then
// __wbindgen_object_clone_ref on its argument `a`, and answers that.
function minifyModule({ self = KEPT, tick = true } = {}) {
  const types = [];
  const type = (params, results) => {
    types.push(funcType(params, results));
    return types.length - 1;
  };
  const imports = self.map((k) => bytes(str(SELF), str(IMPORTS[k][0]), [0x00], uleb(type(IMPORTS[k][1], IMPORTS[k][2]))));
  if (tick) imports.push(bytes(str(SNIPPET), str('tick'), [0x00], uleb(type([], []))));
  const n = imports.length;
  const call = (i) => bytes([0x10], uleb(i));
  const code = [
    ...(tick ? [call(n - 1)] : []),
    [0x20, 0x02], // local.get 2 (`a`)
    ...(self.includes('clone') ? [call(self.indexOf('clone'))] : []),
    [0x0b],
  ];
  const funcs = [
    ['clientCall', type([I32, I32, I32, I32], [I32]), body(...code)],
    ['sociapp_poll', type([I32], []), body([0x0b])],
    ['__wbindgen_malloc', type([I32, I32], [I32]), body([0x41, 0x08, 0x0b])],
  ];
  return wasm(
    section(1, vec(types)),
    section(2, vec(imports)),
    section(3, vec(funcs.map(([, t]) => uleb(t)))),
    section(5, vec([bytes([0x00], uleb(1))])),
    section(7, vec([bytes(str('memory'), [0x02, 0x00]), ...funcs.map(([name], i) => bytes(str(name), [0x00], uleb(n + i)))])),
    section(10, vec(funcs.map(([, , b]) => b))),
  );
}

// The package directory: the fixture glue (changed by `glue`), its .d.ts and
// snippet, and the module.
function pkg(t, module, glue = (text) => text) {
  const dir = tempDir(t);
  cpSync(join(fixtures, 'minify'), dir, { recursive: true });
  const path = join(dir, `${BASE}.js`);
  writeFileSync(path, glue(readFileSync(path, 'utf8')));
  writeFileSync(join(dir, `${BASE}_bg.wasm`), module);
  return dir;
}

const files = (dir) => Object.fromEntries(
  readdirSync(dir).filter((f) => f.startsWith(BASE)).map((f) => [f, readFileSync(join(dir, f))]),
);

// Leading indentation in units of 4 spaces, written with `unit` instead.
const reindent = (unit) => (text) => text.replace(/^((?: {4})+)/gm, (m) => unit.repeat(m.length / 4));

// Instantiates the minified module through the minified glue, capturing the
// import object it passes, and checks names on both sides.
async function checkMinified(dir, self) {
  const module = new WebAssembly.Module(readFileSync(join(dir, `${BASE}_bg.wasm`)));
  const imports = WebAssembly.Module.imports(module);
  const exports = WebAssembly.Module.exports(module).map((e) => e.name);
  const glueText = readFileSync(join(dir, `${BASE}.js`), 'utf8');

  // The module: short names, but for the import straight from the snippet,
  // `memory` and `sociapp_poll`.
  const tick = imports.find((i) => i.name === 'tick');
  assert.ok(tick, `the import straight from the snippet lost its name: ${JSON.stringify(imports)}`);
  for (const i of imports) assert.match(i.module, /^m\d+$/, `import module ${i.module}`);
  const own = imports.filter((i) => i !== tick);
  assert.equal(own.length, self.length);
  for (const i of own) assert.match(i.name, /^\$[0-9a-z]+$/, `import ${i.name}`);
  assert.ok(own.every((i) => i.module !== tick.module), 'the snippet shares a module name with the glue');
  assert.deepEqual(exports.filter((e) => !/^\$[0-9a-z]+$/.test(e)), ['memory', 'sociapp_poll']);
  // The .d.ts names the module's exports.
  const dts = readFileSync(join(dir, `${BASE}_bg.wasm.d.ts`), 'utf8');
  assert.deepEqual([...dts.matchAll(/^export const ([\w$]+):/gm)].map((m) => m[1]), exports);
  // The glue keeps no old import name.
  for (const name of ALL) assert.doesNotMatch(glueText, new RegExp(`\\b${name}\\b`), `the glue still has ${name}`);

  const glue = await import(pathToFileURL(join(dir, `${BASE}.js`)).href);
  const snippet = await import(pathToFileURL(join(dir, SNIPPET)).href);
  const Instance = WebAssembly.Instance;
  let given;
  WebAssembly.Instance = function (m, i) {
    given = i;
    return new Instance(m, i);
  };
  try {
    glue.initSync({ module });
  } finally {
    WebAssembly.Instance = Instance;
  }
  // The import object: the snippet's namespace under tick's module name, and
  // one object of functions whose keys are the module's other imports, no
  // more (no entry of a dropped import), no fewer.
  assert.equal(given[tick.module], snippet, `the import object has no ${tick.module} for the snippet`);
  const objects = Object.values(given).filter((v) => v !== snippet);
  assert.equal(objects.length, 1, `the import object: ${Object.keys(given)}`);
  assert.deepEqual(Object.keys(objects[0]).sort(), own.map((i) => i.name).sort(), 'the glue\'s import object entries are not the module\'s imports');
  for (const i of own) assert.equal(given[i.module], objects[0]);
  // And the module runs: clientCall calls tick, then the glue's clone_ref.
  const a = { token: 'x' };
  assert.equal(glue.clientCall(0, 0, a, undefined), a);
  assert.deepEqual(snippet.calls, [['tick']]);
}

test('minify-names: the glue as wasm-bindgen writes it, entries of dropped imports left out', async (t) => {
  const dir = pkg(t, minifyModule());
  const r = run('minify-names', dir);
  assert.equal(r.status, 0, r.stderr);
  await checkMinified(dir, KEPT);
});

for (const [what, unit] of [['2 spaces', '  '], ['tabs', '\t'], ['8 spaces', ' '.repeat(8)], ['3 spaces', '   ']]) {
  test(`minify-names: the glue indented with ${what}: entries of dropped imports left out all the same`, async (t) => {
    const dir = pkg(t, minifyModule(), reindent(unit));
    const r = run('minify-names', dir);
    assert.equal(r.status, 0, r.stderr);
    await checkMinified(dir, KEPT);
  });
}

test('minify-names: a dropped import of wasm-bindgen\'s own (__wbindgen_object_drop_ref) has its entry left out too', async (t) => {
  const self = ['warn', 'cast', 'clone'];
  const dir = pkg(t, minifyModule({ self }));
  const r = run('minify-names', dir);
  assert.equal(r.status, 0, r.stderr);
  await checkMinified(dir, self);
});

test('minify-names: a module with no import from the glue: the import object is left empty', async (t) => {
  const dir = pkg(t, minifyModule({ self: [] }));
  const r = run('minify-names', dir);
  assert.equal(r.status, 0, r.stderr);
  await checkMinified(dir, []);
});

test('minify-names: an entry with another shape (an arrow function) is read, and left out when dropped', async (t) => {
  const dir = pkg(t, minifyModule(), (text) => text.replace(
    '__wbg_clock_8df5e62c56ba0dc3: function(arg0) {',
    '__wbg_clock_8df5e62c56ba0dc3: (arg0) => {',
  ).replace(
    /( +)__wbg___wbindgen_throw_4c88d8bf264fd984: function\(arg0, arg1\) \{\n.*\n +\},/,
    '$1__wbg___wbindgen_throw_4c88d8bf264fd984: (arg0, arg1) => { throw new Error(getStringFromWasm0(arg0, arg1)); },',
  ));
  const r = run('minify-names', dir);
  assert.equal(r.status, 0, r.stderr);
  await checkMinified(dir, KEPT);
});

// The glue changes that must stop the script, and what its message names.
const unreadable = [
  [
    'a kept import without its entry',
    (text) => text.replace(/ +__wbg_warn_083c8f564c418062: function\(arg0, arg1\) \{\n.*\n +\},\n/, ''),
    /__wbg_warn_083c8f564c418062/,
  ],
  [
    'a kept import without its entry, named elsewhere',
    (text) => text.replace(/ +__wbg_warn_083c8f564c418062: function\(arg0, arg1\) \{\n.*\n +\},\n/, '')
      .replace('function __wbg_get_imports() {', '// __wbg_warn_083c8f564c418062 answers warn\nfunction __wbg_get_imports() {'),
    /no entry for __wbg_warn_083c8f564c418062/,
  ],
  [
    'an entry of a dropped import as a method',
    (text) => text.replace('__wbg_clock_8df5e62c56ba0dc3: function(arg0) {', '__wbg_clock_8df5e62c56ba0dc3(arg0) {'),
    /__wbg_clock_8df5e62c56ba0dc3/,
  ],
  [
    'an entry that does not end as indented as it starts',
    (text) => text.replace(/(__wbg_clock_8df5e62c56ba0dc3: function\(arg0\) \{\n.*\n.*\n) +\},/, '$1    },'),
    /__wbg_clock_8df5e62c56ba0dc3.*no end/,
  ],
  [
    'entries of the import object elsewhere',
    (text) => text.replace(/\n( +)__wbg_clock_8df5e62c56ba0dc3: function\(arg0\) \{\n(.*\n.*\n) +\},/, '')
      .replace('function __wbg_get_imports() {', 'const extra = {\n    __wbg_clock_8df5e62c56ba0dc3: function(arg0) {\n        return clock(arg0 !== 0);\n    },\n};\nfunction __wbg_get_imports() {'),
    /outside the import object.*__wbg_clock_8df5e62c56ba0dc3/,
  ],
  [
    'no import object for the module',
    (text) => text.replace(`"${SELF}": import0,`, ''),
    /sociapp_auth_bg\.js/,
  ],
];

for (const [what, change, message] of unreadable) {
  test(`minify-names: ${what}: stops, and writes nothing`, (t) => {
    const dir = pkg(t, minifyModule(), change);
    const before = files(dir);
    assert.notEqual(before[`${BASE}.js`].toString(), readFileSync(join(fixtures, 'minify', `${BASE}.js`), 'utf8'), 'the change did not apply');
    const r = run('minify-names', dir);
    assert.notEqual(r.status, 0, `exit 0: ${r.stdout}`);
    assert.match(r.stderr, message);
    const after = files(dir);
    for (const [f, b] of Object.entries(before)) assert.ok(after[f].equals(b), `${f} was written`);
  });
}
