/**
 * Making a photo the size a model reads, in plain arithmetic so every device gives the same
 * pixels from the same decoded picture: the centred square is cut out (as Teachable Machine and
 * most small image classifiers do, so nothing is stretched) and averaged down by area (a box
 * filter: each output pixel is the mean of the source pixels it covers, fractions weighted by how
 * much of them it covers), which neither aliases nor favours any source pixel.
 */

/** The centred square of a width×height picture: its left, top and side. */
export function centreSquare(width: number, height: number): { left: number; top: number; side: number } {
  const side = Math.min(width, height);
  return { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), side };
}

/**
 * Area-average `src` (row-major, `channels` bytes per pixel, e.g. 4 for a canvas's RGBA) of
 * `width`×`height` down (or up) to `outW`×`outH` RGB. Any alpha channel is dropped.
 */
export function boxResize(src: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: number, outW: number, outH: number): Uint8Array {
  const out = new Uint8Array(outW * outH * 3);
  const sx = width / outW;
  const sy = height / outH;
  const acc = new Float64Array(3);
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * sx;
      const x1 = x0 + sx;
      acc.fill(0);
      let area = 0;
      for (let y = Math.floor(y0); y < Math.min(height, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(width, Math.ceil(x1)); x++) {
          const w = wy * (Math.min(x + 1, x1) - Math.max(x, x0));
          const i = (y * width + x) * channels;
          acc[0] += w * src[i];
          acc[1] += w * src[i + (channels > 2 ? 1 : 0)];
          acc[2] += w * src[i + (channels > 2 ? 2 : 0)];
          area += w;
        }
      }
      const o = (oy * outW + ox) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(acc[c] / area);
    }
  }
  return out;
}
