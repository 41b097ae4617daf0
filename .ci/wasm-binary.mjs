// Reading and writing the WebAssembly binary format's numbers and names
// (unsigned LEB128, length-prefixed UTF-8), shared by the scripts that
// rewrite the release module (minify-names.mjs, unused-shims.mjs).

export function readU32(buf, pos) {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result >>> 0, pos];
    shift += 7;
    if (shift > 28) throw new Error(`bad LEB128 at ${pos}`);
  }
}

export function u32(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return Buffer.from(out);
}

export function readName(buf, pos) {
  const [len, p] = readU32(buf, pos);
  return [buf.toString('utf8', p, p + len), p + len];
}
