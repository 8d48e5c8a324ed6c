import { z } from 'zod';
import { DurationMs, Id } from './primitives.js';
import { OutpostError } from '../errors.js';

/**
 * The server's prediction API, POST /api/models/versions/{id}/predict: rows of named columns for a
 * tabular version, or items of the model's tensor shape under the model's input name. The same
 * version answers the same on the server as on a device (one Predictor, shared/src/runtime).
 */

/** Most rows or tensor items one request may hold (more: send several requests). */
export const MAX_PREDICT_ROWS = 10_000;

const Cell = z.union([z.string().max(10_000), z.number(), z.null()]);

/** Rows in their original units; columns the model does not read are ignored (the pipeline picks its own). */
export const PredictRows = z.object({ rows: z.array(z.record(z.string(), Cell)).min(1).max(MAX_PREDICT_ROWS) }).strict();
/** Items as nested arrays of the model's tensor shape, under the model's input name. */
export const PredictInputs = z.object({ inputs: z.record(z.string(), z.array(z.unknown()).min(1).max(MAX_PREDICT_ROWS)) }).strict();

/** The request body, as the OpenAPI document shows it: one of `rows` or `inputs`. */
export const PredictRequest = z.union([PredictRows, PredictInputs]);
export type PredictRequest = z.infer<typeof PredictRequest>;

/** One answer: the label and class probabilities, or the value; and the id it was logged under. */
export const ServedPrediction = z.object({
  predictionId: Id,
  label: z.string().optional(),
  probabilities: z.record(z.string(), z.number()).optional(),
  value: z.number().optional(),
});

export const PredictResponse = z.object({
  predictions: z.array(ServedPrediction),
  modelVersionId: Id,
  /** Time the model took for the whole request, in milliseconds (each logged prediction gets its share). */
  latencyMs: DurationMs,
});
export type PredictResponse = z.infer<typeof PredictResponse>;

/** What a predict body asks for, once read. */
export type PredictBody = { kind: 'rows'; rows: z.infer<typeof PredictRows>['rows'] } | { kind: 'tensor'; name: string; items: unknown[] };

/**
 * Read a predict body, answering each way it can be wrong with a sentence (code `invalid_body`):
 * not an object, both or neither of `rows` and `inputs`, too many rows, a row that is not an
 * object of numbers, text and nulls, or `inputs` naming other than exactly one input.
 */
export function parsePredictBody(raw: unknown): PredictBody {
  const bad = (m: string) => new OutpostError('invalid_body', m);
  const shape = 'Send {"rows": [{"column": value, ...}]} for a model that reads columns, or {"inputs": {"<input name>": [item, ...]}} for a tensor input.';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(shape);
  const o = raw as Record<string, unknown>;
  if ('rows' in o === 'inputs' in o) throw bad(`Send exactly one of "rows" and "inputs". ${shape}`);
  const many = (n: number) => bad(`That is ${n} items; send at most ${MAX_PREDICT_ROWS} in one request.`);
  if ('rows' in o) {
    if (Array.isArray(o.rows) && o.rows.length > MAX_PREDICT_ROWS) throw many(o.rows.length);
    const r = PredictRows.safeParse(o);
    if (r.success) return { kind: 'rows', rows: r.data.rows };
    const issue = r.error.issues[0];
    const at = issue.path.length > 1 ? ` (row ${Number(issue.path[1]) + 1}${issue.path.length > 2 ? `, column “${String(issue.path[2])}”` : ''})` : '';
    if (issue.path.length <= 1) throw bad(`"rows" must be a list of at least one row. ${shape}`);
    throw bad(`Each row is an object of column names to numbers, text or null${at}; nothing else.`);
  }
  const inputs = o.inputs;
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs) || Object.keys(inputs).length !== 1) {
    throw bad(`"inputs" must name the model's one input: {"inputs": {"<input name>": [item, ...]}}.`);
  }
  const [[name, items]] = Object.entries(inputs);
  if (!Array.isArray(items) || items.length === 0)
    throw bad(`"inputs.${name}" must be a list of at least one item (each a nested array of the model's input shape).`);
  if (items.length > MAX_PREDICT_ROWS) throw many(items.length);
  return { kind: 'tensor', name, items };
}
