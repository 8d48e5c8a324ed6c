import type { TensorInput } from '../schema/records.js';

/**
 * What an image dataset and an image model agree on (docs/images.md). A photo is kept as a
 * PHOTO_SIDE×PHOTO_SIDE RGB PNG: 64×64 is enough to tell apart what a phone's camera shows of a
 * leaf, a test strip or a wound, small enough for a convolutional network to train in a minute on
 * a slow phone, and about 10 KB to sync. The model reads the same pixels scaled to 0–1.
 */
export const PHOTO_SIDE = 64;

/** A file bigger than this is refused before it is read (a phone photo is 2–8 MB). */
export const MAX_PHOTO_BYTES = 30 * 1024 * 1024;
/** A picture with more pixels than this is refused before it is decoded (a 48 MP photo is 48 million). */
export const MAX_PHOTO_PIXELS = 60_000_000;

/** The tensor input of a model trained on photos: [side, side, 3], channels last, values 0–255 scaled to 0–1. */
export function photoTensorInput(side = PHOTO_SIDE): TensorInput {
  return { kind: 'tensor', shape: [side, side, 3], scale: 1 / 255, offset: 0, layout: 'nhwc' };
}

export type PictureFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'heic' | 'avif';

/**
 * Which picture format a file's first bytes announce (its magic numbers: JPEG FF D8 FF, PNG's
 * signature, GIF87a/89a, RIFF…WEBP, BM, an ISO-BMFF `ftyp` box of heic/heix/mif1/avif), or null
 * for anything else. A file's name and type say what it claims to be; these bytes say what it is.
 */
export function sniffPicture(head: Uint8Array): PictureFormat | null {
  const s = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head[0] === 0x89 && s(1, 4) === 'PNG') return 'png';
  if (s(0, 4) === 'GIF8') return 'gif';
  if (s(0, 4) === 'RIFF' && s(8, 12) === 'WEBP') return 'webp';
  if (s(0, 2) === 'BM' && head.length > 14) return 'bmp';
  if (s(4, 8) === 'ftyp') {
    const brand = s(8, 12);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heic';
  }
  return null;
}

/** One photo's pixels (RGB, row-major) as the nested [side][side][3] array a tensor model's item is. */
export function photoItem(rgb: Uint8Array, side: number): number[][][] {
  return Array.from({ length: side }, (_, y) => Array.from({ length: side }, (_, x) => Array.from(rgb.subarray((y * side + x) * 3, (y * side + x) * 3 + 3))));
}
