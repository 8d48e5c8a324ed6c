import { z } from 'zod';
import { Id, Millis } from '../schema/primitives.js';

/**
 * One person's label for one item of a dataset (docs/labels.md). Append-only: labelling the item
 * again adds a newer record, so every change is kept; each labeller's newest record per item
 * counts (greatest `at`, then greatest id). A reviewer's decision on a disagreement is a record
 * with `review: true`, and the newest review of an item decides it.
 *
 * `item` names the item, not its position (positions change between versions): `image:<sha256>`
 * for a photo, `entry:<id>` for a row with an entry id, `row:<hash>` for other rows (itemKey in
 * items.ts). `by` is the labeller's stable id (the person signed in, else the device), `name`
 * what the screens show.
 */
export const LABEL_MAX = 100;

export const ItemKey = z
  .string()
  .min(5)
  .max(140)
  .regex(/^(image|entry|row):./);

export const Label = z.object({
  id: Id,
  projectId: Id,
  datasetId: Id,
  /** The dataset column the label is for (e.g. "label" for photos, or the target). */
  column: z.string().min(1).max(200),
  item: ItemKey,
  /** The label, trimmed on the device. */
  value: z.string().min(1).max(LABEL_MAX),
  by: z.string().min(1).max(64),
  name: z.string().max(200),
  at: Millis,
  /** A reviewer's decision for the item, which then counts over the labellers' votes. */
  review: z.boolean().optional(),
});
export type Label = z.infer<typeof Label>;
