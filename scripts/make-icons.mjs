// Draws the app icons (a tent-like outpost mark on a dark green field) as PNGs with no image
// library: a tiny PNG encoder over node:zlib. Run: node scripts/make-icons.mjs
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};

function icon(size, maskable) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  const pad = maskable ? 0.2 : 0.1;
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const u = x / size,
        v = y / size;
      let rgb = [0x0b, 0x3d, 0x2e]; // field
      const inner = (t) => pad + t * (1 - 2 * pad);
      // triangle (tent): apex at (0.5, top), base from left to right at bottom
      const top = inner(0.1),
        bottom = inner(0.85);
      if (v >= top && v <= bottom) {
        const half = (((v - top) / (bottom - top)) * (inner(0.9) - inner(0.1))) / 2;
        if (Math.abs(u - 0.5) <= half) rgb = [0xf5, 0xc5, 0x18];
        // door
        const door = ((v - inner(0.5)) / (bottom - inner(0.5))) * 0.09;
        if (v > inner(0.5) && Math.abs(u - 0.5) <= door) rgb = [0x0b, 0x3d, 0x2e];
      }
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = rgb[0];
      raw[o + 1] = rgb[1];
      raw[o + 2] = rgb[2];
      raw[o + 3] = 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const dir = new URL('../public/icons/', import.meta.url);
writeFileSync(new URL('icon-192.png', dir), icon(192, false));
writeFileSync(new URL('icon-512.png', dir), icon(512, false));
writeFileSync(new URL('maskable-512.png', dir), icon(512, true));
writeFileSync(new URL('apple-touch-icon.png', dir), icon(180, false));
