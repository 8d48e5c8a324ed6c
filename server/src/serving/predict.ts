import { v7 as uuidv7 } from 'uuid';
import { OutpostError, isOutpostError } from '@shared/errors.js';
import type { ModelVersion, Prediction, PredictionOutput } from '@shared/schema/records.js';
import type { PredictionDeployment } from '@shared/schema/deployment.js';
import { parsePredictBody, type PredictBody, type PredictResponse } from '@shared/schema/serving.js';
import { formatHlc } from '@shared/sync/hlc.js';
import { tensorLogValue } from '@shared/features/model-io.js';
import type { Db } from '../store/db.js';
import type { DeviceRef } from '../store/record-writes.js';
import { appendPredictions, logSettings, personalMarks, servedVersion, type LogSettings } from '../store/serving.js';
import { loggablePredictions, projectPersonal } from '@shared/data/privacy.js';
import type { ServedModels } from './loader.js';

/**
 * One prediction request on the server: read the body, find the organisation's version, run it
 * through the shared Predictor, and log every prediction as a `predictions` record (source
 * `server`), appended with the organisation's next sequence numbers like any record, so the
 * console and the fleet's monitors count it beside the devices' own.
 *
 * What is logged: for rows, the model's own input columns as sent (and the project's fairness
 * attribute when the model does not read it), like a device logs, with a column marked personal on
 * any dataset of the project left out (null) or replaced by its salted hash (loggablePredictions;
 * without the project's salt here, null); none of them when the project keeps inputs on the
 * devices (`shareInputs: false`). For tensor inputs, not the values but
 * `"tensor [shape] sha256:<hex>"` (the SHA-256 of the item's JSON as sent): an image is thousands
 * of numbers, too big to keep per prediction, and it may show a person; the hash still tells two
 * requests of the same item apart from different ones.
 *
 * A body refused before the model ran (wrong kind, wrong shape, unknown version) logs nothing. A
 * failure of the model itself on an accepted input is logged per item with its reason (the error
 * monitor counts it), then answered as the error.
 */
export interface ServeDeps {
  db: Db;
  models: ServedModels;
  now: () => number;
}

type Inputs = Prediction['inputs'];

/** What the log keeps of each item's input (see the module comment); tensors as the device logs them. */
async function loggedInputs(v: ModelVersion, body: PredictBody, settings: LogSettings): Promise<{ inputs: Inputs; attributes?: Inputs }[]> {
  if (body.kind === 'tensor') {
    const shape = v.artifacts.input?.kind === 'tensor' ? v.artifacts.input.shape : [];
    return Promise.all(body.items.map(async (item) => ({ inputs: { [body.name]: await tensorLogValue(shape, item) } })));
  }
  if (settings.shareInputs === false) return body.rows.map(() => ({ inputs: {} }));
  const names = v.pipeline.features.map((f) => f.name);
  const attribute = settings.fairness?.attribute;
  const keep = attribute && !names.includes(attribute) ? attribute : undefined;
  return body.rows.map((row) => {
    const inputs: Inputs = {};
    for (const n of names) inputs[n] = Object.hasOwn(row, n) ? row[n] : null;
    return keep && Object.hasOwn(row, keep) ? { inputs, attributes: { [keep]: row[keep] } } : { inputs };
  });
}

/** What one run of a version over a body gave: the answers and their logged ids, or the model's failure (logged too). */
export type VersionRun =
  { outputs: PredictionOutput[]; ids: string[]; latencyMs: number } | { outputs: null; ids: string[]; latencyMs: number; failure: unknown; reason: string };

/**
 * Run `version` over `body` and log every answer (see the module comment). A failure before the
 * model ran (missing weights, a wrong input name) is thrown and logs nothing; a failure of the
 * model itself is logged per item and returned. `deploymentOf` gives each logged prediction the
 * deployment it followed, from the item's index and its answer (null when the model failed).
 */
export async function runVersion(
  { db, models, now }: ServeDeps,
  device: DeviceRef,
  version: ModelVersion,
  body: PredictBody,
  deploymentOf?: (i: number, output: PredictionOutput | null) => PredictionDeployment,
): Promise<VersionRun> {
  let ran = false;
  const open = await models.open(db, device.orgId, version, () => (ran = true));
  const n = body.kind === 'rows' ? body.rows.length : body.items.length;
  const started = performance.now();
  let outputs: PredictionOutput[];
  try {
    if (body.kind === 'tensor' && open.inputName !== undefined && body.name !== open.inputName) {
      throw new OutpostError('invalid_body', `This model's input is called “${open.inputName}”; send {"inputs": {"${open.inputName}": [item, ...]}}.`);
    }
    outputs = body.kind === 'rows' ? await open.predictor.predictRows(body.rows) : await open.predictor.predictTensors(body.items);
  } catch (err) {
    if (!ran) throw err;
    const latencyMs = performance.now() - started;
    const reason = isOutpostError(err) ? err.message : 'The model failed on this input.';
    return { outputs: null, ids: await logAll({}, latencyMs / n, reason), latencyMs, failure: err, reason };
  } finally {
    open.release();
  }
  const latencyMs = performance.now() - started;
  return { outputs, ids: await logAll(outputs, latencyMs / n), latencyMs };

  async function logAll(out: PredictionOutput[] | Record<string, never>, each: number, error?: string): Promise<string[]> {
    const at = now();
    const settings = await logSettings(db, device.orgId, version.projectId);
    const records: Prediction[] = (await loggedInputs(version, body, settings)).map(({ inputs, attributes }, i) => {
      const output = Array.isArray(out) ? out[i] : null;
      return {
        id: uuidv7(),
        projectId: version.projectId,
        modelVersionId: version.id,
        inputs,
        output: output ?? {},
        latencyMs: each,
        source: 'server',
        createdAt: at,
        ...(attributes ? { attributes } : {}),
        ...(error ? { error: error.slice(0, 300) } : {}),
        ...(deploymentOf ? { deployment: deploymentOf(i, output) } : {}),
      };
    });
    // No raw value of a column marked personal in the project is logged, as on a device (shared/src/data/privacy.ts).
    const personal = projectPersonal(await personalMarks(db, device.orgId, version.projectId));
    const features = version.pipeline.features;
    const logged = await loggablePredictions(records, personal, settings.rowSalt, features);
    await appendPredictions(db, device, logged, formatHlc({ millis: at, counter: 0, node: 'server' }));
    return logged.map((r) => r.id);
  }
}

/** Answer a predict request of `device` for the version `versionId` (see the module comment). */
export async function predictVersion(deps: ServeDeps, device: DeviceRef, versionId: string, raw: unknown): Promise<PredictResponse> {
  const body = parsePredictBody(raw);
  const version = await servedVersion(deps.db, device.orgId, versionId);
  if (!version) throw new OutpostError('not_found', 'There is no model version with that id in your organisation (it may have been deleted).');
  const run = await runVersion(deps, device, version, body);
  if (!run.outputs) throw run.failure;
  return { predictions: run.outputs.map((o, i) => ({ predictionId: run.ids[i], ...o })), modelVersionId: version.id, latencyMs: run.latencyMs };
}
