import { bodyLimit } from 'hono/body-limit';
import { OutpostError } from '../../../shared/src/errors.js';

/** Refuse a body over `maxSize` bytes with 413 before it is parsed (Content-Length or streamed). */
export const limitBody = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new OutpostError('payload_too_large', `The request is larger than ${Math.round(maxSize / 1024)} KB. Send it in smaller batches.`);
    },
  });

export async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new OutpostError('invalid_json', 'The request body is not valid JSON.');
  }
}
