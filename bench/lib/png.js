'use strict';
// Tiny deterministic PNG encoder (RGB, 8-bit) used to make image fixtures of a
// chosen size without any external tool. The picture is a colour gradient
// with seeded noise, so it is a real, decodable PNG that barely compresses
// (its size is predictable from width x height).
const zlib = require('node:zlib');

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(buf) {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function encodePng(width, height, seed = 1) {
  const rowLen = width * 3 + 1;
  const raw = Buffer.alloc(rowLen * height);
  let s = seed >>> 0 || 1;
  for (let y = 0; y < height; y++) {
    const o = y * rowLen;
    raw[o] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0; // xorshift32
      const p = o + 1 + x * 3;
      raw[p] = ((x * 255) / width + (s & 0x3f)) & 0xff;
      raw[p + 1] = ((y * 255) / height + ((s >>> 8) & 0x3f)) & 0xff;
      raw[p + 2] = (s >>> 16) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  const idat = zlib.deflateSync(raw, { level: 1 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// PNG whose base64 text is close to `b64Bytes` long (within a few %).
function pngForBase64Size(b64Bytes, seed = 7) {
  const width = 1024;
  const target = Math.floor((b64Bytes * 3) / 4);
  let height = Math.max(1, Math.round(target / (width * 3 + 1)));
  let png = encodePng(width, height, seed);
  // one correction step for zlib's framing/gain
  height = Math.max(1, Math.round(height * (target / png.length)));
  png = encodePng(width, height, seed);
  return { png, width, height };
}

module.exports = { encodePng, pngForBase64Size, crc32 };

if (require.main === module) {
  const fs = require('node:fs');
  const path = require('node:path');
  const out = process.argv[2] || path.join(__dirname, '..', 'fixtures');
  fs.mkdirSync(out, { recursive: true });
  for (const [name, size] of [
    ['img-1mb', 1 << 20],
    ['img-5mb', 5 << 20],
  ]) {
    const { png, width, height } = pngForBase64Size(size);
    fs.writeFileSync(path.join(out, name + '.png'), png);
    console.log(`${name}.png ${width}x${height} file=${png.length} base64=${Math.ceil(png.length / 3) * 4}`);
  }
}
