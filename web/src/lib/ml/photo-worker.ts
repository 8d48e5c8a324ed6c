import { decodePng } from '@shared/images/png.js';
import { boxResize } from '@shared/images/resize.js';
import type { TrainRequest } from './protocol.js';
import type { TrainOptions } from './train.js';
import { trainPhotoModel, type PhotoSet } from './train-photos.js';

/**
 * The training worker's photo path: the stored PNGs read back into pixels (a photo of another size,
 * from an older app or another device, is averaged to the run's side), split as the request says,
 * and the photo network trained on them.
 */
export async function trainPhotos(msg: Extract<TrainRequest, { type: 'train-photos' }>, opts: TrainOptions) {
  const parts: Record<'train' | 'validation' | 'test', PhotoSet> = {
    train: { pixels: [], labels: [] },
    validation: { pixels: [], labels: [] },
    test: { pixels: [], labels: [] },
  };
  for (const p of msg.photos) {
    const img = decodePng(new Uint8Array(p.png));
    const rgb = img.width === msg.side && img.height === msg.side ? img.rgb : boxResize(img.rgb, img.width, img.height, 3, msg.side, msg.side);
    parts[p.part].pixels.push(rgb);
    parts[p.part].labels.push(p.label);
  }
  return trainPhotoModel({ ...parts, classes: msg.classes, side: msg.side, params: msg.params }, opts);
}
