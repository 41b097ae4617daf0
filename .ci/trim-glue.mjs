#!/usr/bin/env node
// Leaves out of wasm-bindgen's glue the paths the package never takes. The
// glue is internal (package.json exports only index.js and the adapters),
// and index.js is its one caller:
// - `initSync` is always given `{ module }` with a compiled
//   WebAssembly.Module (index.js compiles it), so the branches for other
//   arguments (a deprecation warning, compiling bytes) go;
// - strings are always passed with `realloc` (wasm-bindgen's
//   `--encode-into always`), so `passStringToWasm0`'s branch without it goes.
// Each part is replaced only as wasm-bindgen writes it; when one is not found
// (another wasm-bindgen version), or a string is passed without `realloc`,
// the script stops with an error and changes nothing.
//
// usage: node .ci/trim-glue.mjs PKG_DIR BASENAME   (e.g. pkg sociapp_auth)

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, base] = process.argv.slice(2);
if (!dir || !base) {
  console.error('usage: node .ci/trim-glue.mjs PKG_DIR BASENAME');
  process.exit(2);
}
const path = join(dir, `${base}.js`);

const parts = [
  {
    what: "initSync's handling of arguments other than { module }",
    from: `    if (module !== undefined) {
        if (Object.getPrototypeOf(module) === Object.prototype) {
            ({module} = module)
        } else {
            console.warn('using deprecated parameters for \`initSync()\`; pass a single object instead')
        }
    }
`,
    to: `    ({module} = module);
`,
  },
  {
    what: "initSync's compiling of bytes",
    from: `    if (!(module instanceof WebAssembly.Module)) {
        module = new WebAssembly.Module(module);
    }
`,
    to: '',
  },
  {
    what: 'passStringToWasm0 without realloc',
    from: `    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }
`,
    to: '',
  },
];

function fail(message) {
  console.error(`trim-glue: ${path}: ${message}`);
  process.exit(1);
}

let text = readFileSync(path, 'utf8');
const calls = text.match(/passStringToWasm0\([^)]*\)/g) ?? [];
const withRealloc = calls.filter((c) => /, wasm\.[\w$]+, wasm\.[\w$]+\)$/.test(c));
// The function's own declaration is one of the matches.
if (withRealloc.length !== calls.length - 1) {
  const without = calls.filter((c) => !withRealloc.includes(c) && !/^passStringToWasm0\(arg, malloc, realloc\)$/.test(c));
  fail(`a string is passed without realloc: ${without.join(', ') || `${calls.length} calls of passStringToWasm0, ${withRealloc.length} with realloc`}`);
}
// The file is written only once every block has been found (once).
for (const { what, from, to } of parts) {
  const at = text.indexOf(from);
  let found = 0;
  for (let i = at; i >= 0; i = text.indexOf(from, i + 1)) found++;
  if (found !== 1) {
    fail(`the block "${what}" (its first line: ${JSON.stringify(from.split('\n')[0].trim())}) ` +
      `found ${found} times, not once as wasm-bindgen 0.2.130 writes it`);
  }
  text = text.slice(0, at) + to + text.slice(at + from.length);
}
writeFileSync(path, text);
console.log(`trim-glue: ${parts.length} parts left out of ${path}`);
