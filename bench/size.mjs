// Shipped size: what an app downloads, raw, gzip -9 and brotli (quality 11).
// Shared by run.mjs and size.test.mjs so that both measure the same way.
//
// The SDK: pkg/index.js bundled with the wasm-bindgen glue it imports
// (esbuild --bundle --minify --format=esm --platform=browser), the .wasm it
// loads, and the framework adapter an app imports (pkg/vue.js or
// pkg/react.js, when present), bundled the same way with the framework
// packages and ./index.js left external (the app has the framework already;
// index.js is counted once). A peer: its entry file in peers/ bundled the
// same way. Totals add the compressed size of each file, as they travel
// separately.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const ADAPTERS = ['vue.js', 'react.js'];

export function compressedSizes(bytes) {
  const buf = Buffer.from(bytes);
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
        [constants.BROTLI_PARAM_SIZE_HINT]: buf.length,
      },
    }).length,
  };
}

// One minified ESM file for the browser. `leaveOut`: the imports left to the
// app (an adapter's framework packages and the SDK entry it shares).
export async function bundle(entry, leaveOut = false) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    ...(leaveOut ? { packages: 'external', external: ['./index.js'] } : {}),
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  return result.outputFiles[0].contents;
}

function total(files) {
  const sum = (k) => files.reduce((n, f) => n + f[k], 0);
  return { raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') };
}

// The SDK's files as an app gets them: [{ name, adapter, bytes }] (bytes: Uint8Array).
export async function sdkFiles(pkgDir) {
  const files = [
    { name: 'index.js + glue (bundled)', adapter: false, bytes: await bundle(join(pkgDir, 'index.js')) },
    { name: 'sociapp_auth_bg.wasm', adapter: false, bytes: readFileSync(join(pkgDir, 'sociapp_auth_bg.wasm')) },
  ];
  for (const adapter of ADAPTERS) {
    const path = join(pkgDir, adapter);
    if (existsSync(path)) files.push({ name: adapter, adapter: true, bytes: await bundle(path, true) });
  }
  return files;
}

// An app uses one framework, so it downloads the core files and at most one
// adapter: the total counts the largest adapter (by gzip) present.
export function sdkTotal(files) {
  const sized = files.map(({ name, adapter, bytes }) => ({ name, adapter, ...compressedSizes(bytes) }));
  const core = sized.filter((f) => !f.adapter);
  const adapters = sized.filter((f) => f.adapter).sort((a, b) => b.gzip - a.gzip);
  return { files: sized, ...total([...core, ...adapters.slice(0, 1)]), core: total(core) };
}

export async function sdkSize(pkgDir) {
  return sdkTotal(await sdkFiles(pkgDir));
}

export async function bundleSize(entry) {
  return compressedSizes(await bundle(entry));
}
