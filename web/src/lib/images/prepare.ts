import { encodePng } from '@shared/images/png.js';
import { boxResize, centreSquare } from '@shared/images/resize.js';
import { MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, PHOTO_SIDE, sniffPicture } from '@shared/images/photos.js';
import { sha256Hex } from '@shared/data/hash.js';

/**
 * A photo made small on the device (docs/images.md): what a person took or chose is checked by its
 * first bytes, decoded by the browser, its centred square drawn at four times the model's side
 * (the browser's own smoothing does the coarse step) and averaged down to side×side in plain
 * arithmetic (shared/src/images/resize.ts), then kept as an RGB PNG named by its SHA-256.
 */

export type PhotoProblem =
  | { kind: 'not_image'; name: string }
  | { kind: 'too_large'; name: string; mb: number; maxMb: number }
  | { kind: 'too_many_pixels'; name: string; megapixels: number }
  | { kind: 'unreadable'; name: string; format: string };

/** A photo that cannot be used, with what the screen says about it. */
export class PhotoError extends Error {
  constructor(readonly problem: PhotoProblem) {
    super(`${problem.kind}: ${problem.name}`);
  }
}

export interface PreparedPhoto {
  hash: string;
  png: Uint8Array;
  rgb: Uint8Array;
  side: number;
  /** The picture's size as taken, so the screen can say it was made smaller. */
  original: { width: number; height: number };
}

function canvas(w: number, h: number): OffscreenCanvas | HTMLCanvasElement {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(w, h);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c;
}

/** Check, decode and downscale one picture (a file, or a frame from the camera). */
export async function preparePhoto(file: Blob, name = 'photo', side = PHOTO_SIDE): Promise<PreparedPhoto> {
  if (file.size > MAX_PHOTO_BYTES) throw new PhotoError({ kind: 'too_large', name, mb: Math.ceil(file.size / 1048576), maxMb: MAX_PHOTO_BYTES / 1048576 });
  const format = sniffPicture(new Uint8Array(await file.slice(0, 32).arrayBuffer()));
  if (!format) throw new PhotoError({ kind: 'not_image', name });
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    // HEIC from an iPhone is the usual case: Chromium cannot decode it.
    throw new PhotoError({ kind: 'unreadable', name, format: format.toUpperCase() });
  }
  try {
    const { width, height } = bitmap;
    if (width * height > MAX_PHOTO_PIXELS) throw new PhotoError({ kind: 'too_many_pixels', name, megapixels: Math.round((width * height) / 1e6) });
    const sq = centreSquare(width, height);
    const mid = Math.min(sq.side, side * 4);
    const c = canvas(mid, mid);
    const ctx = c.getContext('2d') as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, sq.left, sq.top, sq.side, sq.side, 0, 0, mid, mid);
    const rgb = boxResize(ctx.getImageData(0, 0, mid, mid).data, mid, mid, 4, side, side);
    const png = encodePng(rgb, side, side);
    return { hash: await sha256Hex(png), png, rgb, side, original: { width, height } };
  } finally {
    bitmap.close();
  }
}

/** A photo's PNG bytes as a URL an <img> can show (revoke it when the image goes). */
export function photoUrl(png: Uint8Array | ArrayBuffer): string {
  return URL.createObjectURL(new Blob([png instanceof Uint8Array ? png.slice() : png], { type: 'image/png' }));
}
