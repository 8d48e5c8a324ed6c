import { z } from 'zod';
import { OutpostError } from '@shared/errors.js';
import { SaidError } from '../../said-error.js';

/** "a, b,c" → ["a", "b", "c"] (empty parts dropped). */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Numbers separated by commas, spaces or new lines; a part that is not a number is named in the sentence. */
export function splitNumbers(text: string, what: string): number[] {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isFinite(n)) throw new OutpostError('bad_request', `“${p}” in the ${what} is not a number.`);
    return n;
  });
}

const Scaling = z.object({
  columns: z.array(z.string().min(1)).min(1),
  mean: z.array(z.number()).optional(),
  std: z.array(z.number().positive()).optional(),
  labels: z.array(z.string().min(1)).min(2).optional(),
});

/**
 * A JSON file describing how a model was fed, as training scripts commonly save it beside the
 * model: `columns` in input order, and the scaler's `mean` and `std` (scikit-learn's
 * StandardScaler mean_ and scale_), optionally `labels`.
 */
export function scalingFromJson(text: string): z.infer<typeof Scaling> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SaidError('bad_request', { key: 'error.scalingJson' });
  }
  const parsed = Scaling.safeParse(raw);
  if (!parsed.success) throw new SaidError('bad_request', { key: 'error.scalingShape' });
  const s = parsed.data;
  if ((s.mean && s.mean.length !== s.columns.length) || (s.std && s.std.length !== s.columns.length)) {
    throw new SaidError('bad_request', { key: 'error.scalingCount', values: { count: s.columns.length } });
  }
  return s;
}
