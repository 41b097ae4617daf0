// .ci/wasm-binary.mjs: the LEB128 and name readers and the u32 writer on
// edge values, and on input they must refuse rather than read wrong.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ciDir, uleb } from './helpers.mjs';

// The module as a namespace: a reader it lacks fails its own tests only.
const wb = await import(pathToFileURL(join(ciDir, 'wasm-binary.mjs')).href);
const buf = (...b) => Buffer.from(b);

test('readU32: edge values', () => {
  const cases = [
    [[0x00], 0],
    [[0x01], 1],
    [[0x0b], 11],
    [[0x7f], 127],
    [[0x80, 0x01], 128],
    [[0xff, 0x7f], 16383],
    [[0x80, 0x80, 0x01], 16384],
    [[0xe5, 0x8e, 0x26], 624485],
    [[0xff, 0xff, 0xff, 0xff, 0x07], 2 ** 31 - 1],
    [[0x80, 0x80, 0x80, 0x80, 0x08], 2 ** 31],
    [[0xff, 0xff, 0xff, 0xff, 0x0f], 2 ** 32 - 1],
    // Not the shortest form, which the format allows (up to 5 bytes).
    [[0x80, 0x00], 0],
    [[0x80, 0x80, 0x80, 0x80, 0x00], 0],
    [[0x81, 0x80, 0x80, 0x80, 0x00], 1],
  ];
  for (const [bytes, value] of cases) {
    assert.deepEqual(wb.readU32(buf(...bytes), 0), [value, bytes.length], `readU32(${Buffer.from(bytes).toString('hex')})`);
    // At an offset, followed by other bytes.
    assert.deepEqual(wb.readU32(buf(0xaa, ...bytes, 0xff), 1), [value, bytes.length + 1]);
  }
});

test('readU32: refuses what is not a u32', () => {
  const cases = [
    [[0xff, 0xff, 0xff, 0xff, 0x1f], 'bit 32 set'],
    [[0xff, 0xff, 0xff, 0xff, 0x7f], 'bits 32-34 set'],
    [[0x80, 0x80, 0x80, 0x80, 0x10], 'bit 32 set alone'],
    [[0x80, 0x80, 0x80, 0x80, 0x80, 0x00], '6 bytes'],
    [[0x80], 'cut short'],
    [[0xff, 0xff], 'cut short'],
    [[], 'empty'],
  ];
  for (const [bytes, why] of cases) {
    assert.throws(() => wb.readU32(buf(...bytes), 0), /LEB128/, `${Buffer.from(bytes).toString('hex')} (${why})`);
  }
  // Past the end of a subarray, whatever the buffer behind it holds.
  assert.throws(() => wb.readU32(buf(0x80, 0x01).subarray(0, 1), 0), /LEB128/);
});

test('readS32: edge values', () => {
  const cases = [
    [[0x00], 0],
    [[0x01], 1],
    [[0x0b], 11],
    [[0x3f], 63],
    [[0x40], -64],
    [[0x7f], -1],
    [[0xc0, 0x00], 64],
    [[0xbf, 0x7f], -65],
    [[0x8b, 0x0b], 1419],
    [[0x80, 0x80, 0x80, 0x80, 0x04], 2 ** 30],
    [[0xff, 0xff, 0xff, 0xff, 0x07], 2 ** 31 - 1],
    [[0x80, 0x80, 0x80, 0x80, 0x78], -(2 ** 31)],
    [[0xff, 0xff, 0xff, 0xff, 0x7f], -1],
    [[0xff, 0x7f], -1],
    [[0x80, 0x80, 0x80, 0x80, 0x00], 0],
  ];
  assert.equal(typeof wb.readS32, 'function', 'wasm-binary.mjs has no readS32');
  for (const [bytes, value] of cases) {
    assert.deepEqual(wb.readS32(buf(...bytes), 0), [value, bytes.length], `readS32(${Buffer.from(bytes).toString('hex')})`);
    assert.deepEqual(wb.readS32(buf(0x41, ...bytes, 0x0b), 1), [value, bytes.length + 1]);
  }
});

test('readS32: refuses what is not an i32', () => {
  assert.equal(typeof wb.readS32, 'function', 'wasm-binary.mjs has no readS32');
  const cases = [
    [[0xff, 0xff, 0xff, 0xff, 0x0f], 'positive, bit 31 set'],
    [[0x80, 0x80, 0x80, 0x80, 0x70], 'negative bits above a positive sign'],
    [[0x80, 0x80, 0x80, 0x80, 0x80, 0x00], '6 bytes'],
    [[0x80], 'cut short'],
    [[], 'empty'],
  ];
  for (const [bytes, why] of cases) {
    assert.throws(() => wb.readS32(buf(...bytes), 0), /LEB128/, `${Buffer.from(bytes).toString('hex')} (${why})`);
  }
});

test('u32: the shortest form, and refuses what is not a u32', () => {
  for (const n of [0, 1, 11, 127, 128, 16383, 16384, 624485, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]) {
    assert.deepEqual(wb.u32(n), uleb(n), `u32(${n})`);
    assert.deepEqual(wb.readU32(wb.u32(n), 0), [n, uleb(n).length]);
  }
  for (const n of [-1, 2 ** 32, 2 ** 40, 1.5, NaN]) {
    let written = null;
    try {
      written = wb.u32(n).toString('hex');
    } catch {}
    assert.equal(written, null, `u32(${n}) wrote ${written}`);
  }
});

test('readName: UTF-8 names, and refuses one cut short or not UTF-8', () => {
  const name = (s) => Buffer.concat([uleb(Buffer.byteLength(s)), Buffer.from(s)]);
  assert.deepEqual(wb.readName(name('memory'), 0), ['memory', 7]);
  assert.deepEqual(wb.readName(name(''), 0), ['', 1]);
  assert.deepEqual(wb.readName(name('héllo'), 0), ['héllo', 7]);
  assert.deepEqual(wb.readName(Buffer.concat([buf(0xaa), name('./sociapp_auth_bg.js'), buf(0x00)]), 1), ['./sociapp_auth_bg.js', 22]);
  assert.throws(() => wb.readName(buf(0x06, 0x6d, 0x65, 0x6d), 0), /name/, 'cut short');
  assert.throws(() => wb.readName(buf(0x02, 0xc3, 0x28), 0), /UTF-8/, 'not UTF-8');
});
