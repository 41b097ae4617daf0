// Reading and writing the WebAssembly binary format's numbers and names
// (LEB128, length-prefixed UTF-8), shared by the scripts that rewrite the
// release module (minify-names.mjs, unused-shims.mjs).
//
// The readers take a buffer and a position and answer [value, next position].
// They throw on anything the format does not allow rather than answer a wrong
// value: a number that runs past the buffer's end, one longer than 5 bytes,
// one whose last byte has bits beyond 32, and a name that is not UTF-8.

// An unsigned 32-bit LEB128 (a `u32`: counts, sizes, indices).
export function readU32(buf, pos) {
  const at = pos;
  let result = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= buf.length) throw new Error(`bad LEB128 at ${at}: it runs past the end (${buf.length} bytes)`);
    const b = buf[pos++];
    if (shift === 28 && (b & 0xf0) !== 0) throw new Error(`bad LEB128 at ${at}: more than 32 bits`);
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result >>> 0, pos];
  }
}

// A signed 32-bit LEB128 (`i32.const`'s immediate).
export function readS32(buf, pos) {
  const at = pos;
  let result = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= buf.length) throw new Error(`bad LEB128 at ${at}: it runs past the end (${buf.length} bytes)`);
    const b = buf[pos++];
    if (shift === 28) {
      // The last byte: bits 0-3 are the value's bits 28-31, bits 4-6 must
      // repeat its sign (bit 3), bit 7 (continuation) must be clear.
      if ((b & 0x80) !== 0 || ((b & 0x08) ? (b & 0x70) !== 0x70 : (b & 0x70) !== 0)) {
        throw new Error(`bad LEB128 at ${at}: not a signed 32-bit number`);
      }
      return [result | (b << 28), pos];
    }
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) {
      const bits = shift + 7;
      // Sign-extend from the last byte's bit 6.
      return [(b & 0x40) ? result | (-1 << bits) : result, pos];
    }
  }
}

// An unsigned 32-bit LEB128, shortest form.
export function u32(n) {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`${n} is not a u32`);
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return Buffer.from(out);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// A name: its length in bytes (a u32), then UTF-8.
export function readName(buf, pos) {
  const at = pos;
  const [len, p] = readU32(buf, pos);
  if (p + len > buf.length) throw new Error(`bad name at ${at}: ${len} bytes run past the end (${buf.length} bytes)`);
  let name;
  try {
    name = utf8.decode(buf.subarray(p, p + len));
  } catch {
    throw new Error(`bad name at ${at}: not UTF-8`);
  }
  return [name, p + len];
}
