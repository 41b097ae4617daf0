// Shared by the tests of the release scripts (.ci/unused-shims.mjs,
// .ci/minify-names.mjs, .ci/trim-glue.mjs, .ci/wasm-binary.mjs): a builder
// of small WebAssembly modules, byte by byte, a reader of a module's
// sections for the assertions (neither uses .ci/wasm-binary.mjs, which is
// under test), and a runner of a script on a package directory as the
// Makefile runs it (`node .ci/<script>.mjs DIR sociapp_auth`).
//
// RELEASE_CI_DIR (default: the repository's .ci/) picks the scripts under
// test, e.g. `RELEASE_CI_DIR=/tmp/old/.ci node --test tests/release/` runs
// these tests against another copy of them.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '../..');
export const ciDir = resolve(process.env.RELEASE_CI_DIR ?? join(repo, '.ci'));
export const fixtures = join(here, 'fixtures');
export const BASE = 'sociapp_auth';

// LEB128, shortest form (BigInt inside: any integer).
export function uleb(n) {
  let v = BigInt(n);
  if (v < 0n) throw new Error(`uleb(${n})`);
  const out = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return Buffer.from(out);
}

export function sleb(n) {
  let v = BigInt(n);
  const out = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n; // arithmetic shift
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return Buffer.from(out);
    }
    out.push(b | 0x80);
  }
}

export const bytes = (...parts) => Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
export const str = (s) => {
  const b = Buffer.from(s, 'utf8');
  return bytes(uleb(b.length), b);
};
export const vec = (items) => bytes(uleb(items.length), ...items);
export const section = (id, ...contents) => {
  const body = bytes(...contents);
  return bytes([id], uleb(body.length), body);
};
export const wasm = (...sections) => bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], ...sections);

export const I32 = 0x7f;
export const funcType = (params, results) => bytes([0x60], vec(params.map((t) => Buffer.from([t]))), vec(results.map((t) => Buffer.from([t]))));
// A function body: no locals, then the code (ending with `end`, 0x0b).
export const body = (...code) => {
  const b = bytes([0x00], ...code);
  return bytes(uleb(b.length), b);
};
// The name section with function names (subsection 1): [[index, name], …].
export const nameSection = (functionNames) => {
  const sub = vec(functionNames.map(([index, name]) => bytes(uleb(index), str(name))));
  return section(0, str('name'), [1], uleb(sub.length), sub);
};

// A module's sections: { id, at (its id byte), start, end (of its contents) }.
export function sectionsOf(buf) {
  const out = [];
  for (let pos = 8; pos < buf.length; ) {
    const at = pos;
    const id = buf[pos++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = buf[pos++];
      size += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) break;
    }
    out.push({ id, at, start: pos, end: pos + size });
    pos += size;
  }
  return out;
}

// A temporary directory, removed after the test.
export function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'sociapp-release-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Runs `node .ci/<script>.mjs DIR sociapp_auth` as the Makefile does.
export function run(script, dir) {
  const r = spawnSync(process.execPath, [join(ciDir, `${script}.mjs`), dir, BASE], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
