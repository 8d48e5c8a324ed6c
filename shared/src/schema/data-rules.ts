import { z } from 'zod';
import { Count, Millis } from './primitives.js';

/**
 * Data tests a person declares per dataset (kept on the dataset, synced), checked on every new
 * version (shared/src/data/rules.ts). Each rule has an id of its own so a report line names the
 * rule it comes from even after the rule list is edited.
 */
const column = z.string().min(1).max(200);
const ruleId = z.string().min(1).max(64);

export const DataRule = z.discriminatedUnion('kind', [
  /** Every present value of a numeric column lies within [min, max] (either bound may be left out). */
  z.object({ id: ruleId, kind: z.literal('range'), column, min: z.number().finite().optional(), max: z.number().finite().optional() }),
  /** Every present value is one of these (compared as trimmed text). */
  z.object({ id: ruleId, kind: z.literal('allowed'), column, values: z.array(z.string().max(200)).min(1).max(200) }),
  /** No row leaves this column empty. */
  z.object({ id: ruleId, kind: z.literal('not_missing'), column }),
  /** No present value appears in two rows. */
  z.object({ id: ruleId, kind: z.literal('unique'), column }),
  /** The version has at least this many rows. */
  z.object({ id: ruleId, kind: z.literal('min_rows'), min: Count }),
  /** Every class of this column (or only `value`) holds at least this share of the rows with a value. */
  z.object({ id: ruleId, kind: z.literal('class_share'), column, min: z.number().min(0).max(1), value: z.string().max(200).optional() }),
]);
export type DataRule = z.infer<typeof DataRule>;
export type DataRuleKind = DataRule['kind'];

/** One rule's outcome on one version: how many rows break it and a sentence a nurse can act on. */
export const RuleResult = z.object({
  ruleId: ruleId,
  kind: z.string().max(32),
  passed: z.boolean(),
  /** Rows that break the rule (for min_rows and class_share: 0, the sentence says by how much). */
  failing: Count,
  sentence: z.string().max(500),
  /**
   * The same sentences as messages (data.result.* keys and their values), so every device says them
   * in its person's language; kept through sync (results from before have only `sentence`).
   */
  said: z
    .array(
      z.object({
        key: z
          .string()
          .regex(/^data\.result\.[A-Za-z]+$/)
          .max(60),
        values: z.record(z.string().max(40), z.union([z.string().max(500), z.number()])).optional(),
      }),
    )
    .max(20)
    .optional(),
});
export type RuleResult = z.infer<typeof RuleResult>;

/** The report kept beside a version: every rule's result, and whether all passed. */
export const DataCheckReport = z.object({
  passed: z.boolean(),
  results: z.array(RuleResult).max(100),
  checkedAt: Millis,
});
export type DataCheckReport = z.infer<typeof DataCheckReport>;
