import { describe, expect, it } from 'vitest';
import { zlibSync } from 'fflate';
import { decodePng, encodePng } from './png.js';
import { boxResize, centreSquare } from './resize.js';
import { sniffPicture } from './photos.js';
import { sha256Hex } from '../data/hash.js';

/** A w×h RGB picture: a gradient with a red square, different for each `seed`. */
function picture(w: number, h: number, seed = 0): Uint8Array {
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const inSquare = x > w / 3 && x < w / 2 && y > h / 3 && y < h / 2;
      rgb[i] = inSquare ? 230 : (x * 255) / w;
      rgb[i + 1] = inSquare ? 20 : (y * 255) / h;
      rgb[i + 2] = (seed * 37 + x + y) & 0xff;
    }
  return rgb;
}

/** An RGBA PNG written another way (Paeth-filtered rows), as a phone's own files are. */
function rgbaPaethPng(rgb: Uint8Array, w: number, h: number): Uint8Array {
  const stride = w * 4;
  const px = new Uint8Array(stride * h);
  for (let p = 0; p < w * h; p++) px.set([rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2], 255], p * 4);
  const raw = new Uint8Array((stride + 1) * h);
  const paeth = (a: number, b: number, c: number) => {
    const p = a + b - c;
    const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  };
  for (let y = 0; y < h; y++) {
    raw[y * (stride + 1)] = 4;
    for (let i = 0; i < stride; i++) {
      const a = i >= 4 ? px[y * stride + i - 4] : 0;
      const b = y ? px[(y - 1) * stride + i] : 0;
      const c = i >= 4 && y ? px[(y - 1) * stride + i - 4] : 0;
      raw[y * (stride + 1) + 1 + i] = (px[y * stride + i] - paeth(a, b, c)) & 0xff;
    }
  }
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, w);
  new DataView(header.buffer).setUint32(4, h);
  header.set([8, 6, 0, 0, 0], 8);
  return assemble([
    ['IHDR', header],
    ['IDAT', zlibSync(raw)],
    ['IEND', new Uint8Array(0)],
  ]);
}

function assemble(chunks: [string, Uint8Array][]): Uint8Array {
  // CRCs are not checked by the reader; zeros are enough for a test file.
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  for (const [type, data] of chunks) {
    const c = new Uint8Array(12 + data.length);
    new DataView(c.buffer).setUint32(0, data.length);
    for (let i = 0; i < 4; i++) c[4 + i] = type.charCodeAt(i);
    c.set(data, 8);
    parts.push(c);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

describe('photos as PNG', () => {
  it('encodes and decodes the same pixels', () => {
    const rgb = picture(50, 30);
    const back = decodePng(encodePng(rgb, 50, 30));
    expect([back.width, back.height]).toEqual([50, 30]);
    expect(back.rgb).toEqual(rgb);
  });

  it('reads a filtered RGBA file as RGB', () => {
    const rgb = picture(40, 20, 3);
    const back = decodePng(rgbaPaethPng(rgb, 40, 20));
    expect(back.rgb).toEqual(rgb);
  });

  it('a 400×300 photo becomes exactly 64×64 from its centred square, and the same photo hashes the same', async () => {
    const photo = rgbaPaethPng(picture(400, 300, 1), 400, 300);
    expect(sniffPicture(photo)).toBe('png');
    const small = async (bytes: Uint8Array) => {
      const img = decodePng(bytes);
      const sq = centreSquare(img.width, img.height);
      expect(sq).toEqual({ left: 50, top: 0, side: 300 });
      const crop = new Uint8Array(sq.side * sq.side * 3);
      for (let y = 0; y < sq.side; y++)
        crop.set(img.rgb.subarray(((sq.top + y) * img.width + sq.left) * 3, ((sq.top + y) * img.width + sq.left + sq.side) * 3), y * sq.side * 3);
      const rgb = boxResize(crop, sq.side, sq.side, 3, 64, 64);
      const png = encodePng(rgb, 64, 64);
      return { png, rgb, hash: await sha256Hex(png) };
    };
    const a = await small(photo);
    const b = await small(Uint8Array.from(photo));
    expect(decodePng(a.png)).toMatchObject({ width: 64, height: 64 });
    expect(a.rgb.length).toBe(64 * 64 * 3);
    expect(a.hash).toBe(b.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    const other = await small(rgbaPaethPng(picture(400, 300, 2), 400, 300));
    expect(other.hash).not.toBe(a.hash);
    // The red square survives the downscale where it was (x 83–150, y 100–150 of the 300-pixel crop).
    const at = (x: number, y: number) => Array.from(a.rgb.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 2));
    expect(at(24, 26)).toEqual([230, 20]);
  });

  it('averages by area: a 2×2 block becomes its mean, and fractional covers are weighted', () => {
    const rgba = Uint8Array.from([0, 0, 0, 255, 100, 100, 100, 255, 200, 200, 200, 255, 100, 100, 100, 255]);
    expect(Array.from(boxResize(rgba, 2, 2, 4, 1, 1))).toEqual([100, 100, 100]);
    const line = Uint8Array.from([0, 0, 0, 90, 90, 90, 180, 180, 180]);
    expect(Array.from(boxResize(line, 3, 1, 3, 2, 1))).toEqual([30, 30, 30, 150, 150, 150]);
  });

  it('refuses what is not a PNG and names picture formats by their bytes', () => {
    expect(() => decodePng(new TextEncoder().encode('name,age\nAmina,4\n'))).toThrow(/not a PNG/);
    expect(sniffPicture(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe('jpeg');
    expect(sniffPicture(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(sniffPicture(new TextEncoder().encode('\0\0\0\x18ftypheic\0\0\0\0'))).toBe('heic');
    expect(sniffPicture(new TextEncoder().encode('%PDF-1.7 hello'))).toBeNull();
  });
});
