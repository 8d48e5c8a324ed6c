import type { ModelVersion } from '@shared/schema/records.js';
import { photoItem } from '@shared/images/photos.js';
import { PhotoError, preparePhoto } from '../../images/prepare.js';
import { userMessage } from '../../messages.js';
import { photoProblem } from './photo-problem.js';

/** Whether a version was trained here on photos (an Outpost network reading [side, side, 3] channels last). */
export function readsPhotos(v: ModelVersion): boolean {
  const input = v.artifacts.input;
  return (
    v.artifacts.format === 'tfjs-layers' &&
    !!v.runId &&
    input?.kind === 'tensor' &&
    input.layout === 'nhwc' &&
    input.shape.length === 3 &&
    input.shape[0] === input.shape[1] &&
    input.shape[2] === 3
  );
}

/** A picture as the item such a version reads: made small exactly as its training photos were. */
export async function photoItemOf(photo: Blob, name: string, side: number): Promise<unknown> {
  const p = await preparePhoto(photo, name, side);
  return photoItem(p.rgb, side);
}

/** A sentence for what went wrong, a photo's problem named as the photo screens name it. */
export function photoSentence(err: unknown): string {
  return err instanceof PhotoError ? photoProblem(err.problem) : userMessage(err);
}
