import type { TensorInput } from '@shared/schema/records.js';
import { SaidError } from '../../said-error.js';

/**
 * Items for a model that reads a tensor, from what a person has: a JSON file (one item of the
 * model's shape, or a list of them), or a picture drawn down to the model's size.
 */
export function itemsFromJson(text: string, input: TensorInput): unknown[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SaidError('bad_request', { key: 'error.tensorJson' });
  }
  // One item has as many levels of arrays as the shape; a list of items has one more.
  let depth = 0;
  for (let v = raw; Array.isArray(v); v = v[0]) depth++;
  if (depth === input.shape.length) return [raw];
  if (depth === input.shape.length + 1) return raw as unknown[];
  throw new SaidError('bad_request', { key: 'error.tensorDepth', values: { depth, shape: input.shape.join(', '), want: input.shape.length } });
}

/**
 * A picture as one item: drawn onto a canvas of the model's height and width (so a phone's 12 MP
 * photo becomes a few thousand numbers), as grey levels for a [H, W] or one-channel input, else RGB,
 * channels first or last as the version declares, each value 0–255 (the version's scale applies).
 */
export async function imageItem(file: Blob, input: TensorInput): Promise<unknown> {
  const s = input.shape;
  const nchw = input.layout === 'nchw';
  const [channels, h, w] = s.length === 2 ? [1, s[0], s[1]] : nchw ? [s[0], s[1], s[2]] : [s[2], s[0], s[1]];
  if (channels !== 1 && channels !== 3) throw new SaidError('bad_request', { key: 'error.tensorChannels', values: { channels } });
  const bitmap = await createImageBitmap(file);
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  const px = ctx.getImageData(0, 0, w, h).data;
  const at = (y: number, x: number, c: number) => {
    const i = (y * w + x) * 4;
    return channels === 1 ? Math.round(0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2]) : px[i + c];
  };
  const grid = (c: number) => Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => at(y, x, c)));
  if (s.length === 2) return grid(0);
  if (nchw) return Array.from({ length: channels }, (_, c) => grid(c));
  return Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => Array.from({ length: channels }, (_, c) => at(y, x, c))));
}
