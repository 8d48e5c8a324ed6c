import type { ModelVersion, PredictionOutput } from '@shared/schema/records.js';
import { HumanBaseline, Rating, RatingStudy, STUDY_MAX_INPUTS, STUDY_MAX_TEXT, type RatingChoice, type RatingItem } from '@shared/schema/human.js';
import { PUSH_LIMITS } from '@shared/sync/protocol.js';
import { compareOutputs, outputText, ratingAnswer, scoreDecisions, shownFirstFor, studyRows, type Comparison } from '@shared/metrics/human.js';
import { createPredictor, type WorkerFactory } from '../ml/client.js';
import type { BackendName } from '../ml/protocol.js';
import { personOnDevice } from '../sync/person.js';
import { loadCredential } from '../sync/credential.js';
import type { OutpostDb } from './db.js';
import { loadRows, type Row } from './datasets.js';
import { loadWeights } from './models.js';
import { newId, patchRecord, putRecord } from './mutate.js';
import { SaidError } from '../said-error.js';

/**
 * Human evaluation on the device (docs/human-evaluation.md): two versions' answers side by side on
 * a dataset here, blind rating studies made from such a comparison and rated on any device, and a
 * version's human baseline. The figures come from shared/src/metrics/human.ts, as on the console.
 */

/** Options of the steps that run a model: tests pass an in-process worker. */
export interface RunOptions {
  createWorker?: WorkerFactory;
  backend?: BackendName;
  onProgress?: (fraction: number) => void;
}

const CHUNK = 1000;

/** A version's answers on rows, in its own prediction worker, which ends afterwards. Nothing is logged: this is evaluation, not service. */
async function answersOf(db: OutpostDb, mv: ModelVersion, rows: Row[], opts: RunOptions, progress: (f: number) => void): Promise<PredictionOutput[]> {
  const weights = await loadWeights(db, mv);
  if (!weights) throw new SaidError('not_found', { key: 'error.weightsNotHere', values: { model: mv.modelName, version: mv.version } });
  const predictor = await createPredictor(mv, weights, { createWorker: opts.createWorker, backend: opts.backend });
  try {
    const out: PredictionOutput[] = [];
    for (let i = 0; i < rows.length; i += CHUNK) {
      out.push(...(await predictor.predict(rows.slice(i, i + CHUNK))).outputs);
      progress(Math.min(1, (i + CHUNK) / rows.length));
    }
    return out;
  } finally {
    predictor.dispose();
  }
}

const inputNames = (...versions: ModelVersion[]) => [...new Set(versions.flatMap((v) => v.pipeline.features.map((f) => f.name)))];

/** Two versions side by side on a dataset of this device: the rows, each version's answers, and the comparison. */
export interface VersionComparison {
  versionA: ModelVersion;
  versionB: ModelVersion;
  datasetName: string;
  rows: Row[];
  a: PredictionOutput[];
  b: PredictionOutput[];
  /** The column holding the known result, when the dataset has the versions' target. */
  truthColumn?: string;
  comparison: Comparison;
}

/**
 * Both versions answer every row of the dataset (one worker after the other, so a slow phone holds
 * one model at a time), compared with compareOutputs. Regression answers within a tenth of the
 * target's standard deviation (version A's pipeline) count as agreeing.
 */
export async function compareVersions(db: OutpostDb, a: ModelVersion, b: ModelVersion, datasetId: string, opts: RunOptions = {}): Promise<VersionComparison> {
  if (a.id === b.id) throw new SaidError('bad_request', { key: 'error.compareSame' });
  if (a.task !== b.task) throw new SaidError('bad_request', { key: 'error.compareKinds' });
  if (!a.pipeline.features.length || !b.pipeline.features.length) throw new SaidError('bad_request', { key: 'error.compareTensors' });
  const meta = await db.datasets.get(datasetId);
  if (!meta) throw new SaidError('not_found', { key: 'error.thatDatasetNotHere' });
  const rows = await loadRows(db, datasetId);
  if (!rows.length) throw new SaidError('dataset_invalid', { key: 'error.thatDatasetNoRows' });
  const columns = new Set(meta.columns.map((c) => c.name));
  const missing = inputNames(a, b).filter((n) => !columns.has(n));
  if (missing.length) throw new SaidError('dataset_invalid', { key: 'error.compareColumns', values: { columns: missing.slice(0, 10).join(', ') } });
  const progress = (part: 0 | 1) => (f: number) => opts.onProgress?.((part + f) / 2);
  const outA = await answersOf(db, a, rows, opts, progress(0));
  const outB = await answersOf(db, b, rows, opts, progress(1));
  const target = a.pipeline.target;
  const truthColumn = target.name === b.pipeline.target.name && columns.has(target.name) ? target.name : undefined;
  const comparison = compareOutputs({
    task: a.task,
    a: outA,
    b: outB,
    truth: truthColumn ? rows.map((r) => r[truthColumn]) : undefined,
    labels: target.kind === 'categorical' ? target.labels : undefined,
    tolerance: target.kind === 'numeric' ? 0.1 * target.std : 0,
  });
  return { versionA: a, versionB: b, datasetName: meta.name, rows, a: outA, b: outB, truthColumn, comparison };
}

/** Who is rating here: the signed-in person, else this device (its enrolled id, else an id of its own kept in kv). */
export async function currentRater(db: OutpostDb): Promise<{ id: string; name: string }> {
  const person = await personOnDevice(db);
  if (person) return { id: person.person.id, name: person.person.name };
  const cred = await loadCredential(db);
  if (cred) return { id: cred.deviceId, name: 'this device' };
  const key = 'human:rater';
  const held = (await db.kv.get(key))?.value;
  if (typeof held === 'string') return { id: held, name: 'this device' };
  const id = `device-${newId()}`;
  await db.kv.put({ key, value: id });
  return { id, name: 'this device' };
}

const cut = (v: string) => (v.length > STUDY_MAX_TEXT ? `${v.slice(0, STUDY_MAX_TEXT - 1)}…` : v);
/** A study is one synced record: it must fit well inside one push batch. */
const STUDY_MAX_BYTES = PUSH_LIMITS.maxBytes / 2;

/**
 * A blind rating study from a comparison: up to 200 rows (studyRows: the disagreements first, in a
 * shuffle seeded by the study's seed), each with the inputs the versions read and both answers as
 * text. The rows stay on this device; the study carries what raters need. A study that would not
 * fit in one sync batch keeps fewer cases.
 */
export async function createStudy(
  db: OutpostDb,
  vc: VersionComparison,
  name: string,
  now = Date.now(),
  seed = crypto.getRandomValues(new Uint32Array(1))[0],
): Promise<RatingStudy> {
  const names = inputNames(vc.versionA, vc.versionB).slice(0, STUDY_MAX_INPUTS);
  const item = (i: number): RatingItem => ({
    inputs: Object.fromEntries(names.map((n) => [n, typeof vc.rows[i][n] === 'string' ? cut(vc.rows[i][n] as string) : (vc.rows[i][n] ?? null)])),
    a: cut(outputText(vc.comparison.task, vc.a[i])),
    b: cut(outputText(vc.comparison.task, vc.b[i])),
  });
  let items = studyRows(vc.comparison, seed).map(item);
  while (items.length > 10 && JSON.stringify(items).length > STUDY_MAX_BYTES) items = items.slice(0, Math.floor(items.length * 0.8));
  const person = await personOnDevice(db);
  const study = RatingStudy.parse({
    id: newId(),
    projectId: vc.versionA.projectId,
    name: name.trim() || `${vc.versionA.modelName} v${vc.versionA.version} or v${vc.versionB.version}`,
    versionA: vc.versionA.id,
    versionB: vc.versionB.id,
    seed,
    items,
    datasetName: vc.datasetName.slice(0, 200),
    compared: vc.comparison.n,
    disagreements: vc.comparison.n - vc.comparison.agreed,
    by: person?.person.name ?? 'device',
    createdAt: now,
  });
  return putRecord(db, 'rating_studies', study, now);
}

/** A project's rating studies, newest first, without deleted ones. */
export async function projectStudies(db: OutpostDb, projectId: string): Promise<RatingStudy[]> {
  const all = await db.rating_studies.where('projectId').equals(projectId).reverse().sortBy('createdAt');
  return all.filter((s) => !s.deleted);
}

/** Every rating of a study (from every device that has synced). */
export async function studyRatings(db: OutpostDb, studyId: string): Promise<Rating[]> {
  return db.ratings.where('studyId').equals(studyId).toArray();
}

/** The cases one rater has rated in a study. */
export async function ratedBy(db: OutpostDb, studyId: string, rater: string): Promise<Set<number>> {
  const mine = await db.ratings.where('[studyId+rater]').equals([studyId, rater]).toArray();
  return new Set(mine.map((r) => r.itemIndex));
}

/**
 * Record what a rater pressed on one case. Which answer they saw first comes from the study's
 * seed, the case and the rater (shownFirstFor), so it need not be remembered; the rating keeps it,
 * with the version that choice means.
 */
export async function rateItem(db: OutpostDb, study: RatingStudy, itemIndex: number, rater: string, choice: RatingChoice, now = Date.now()): Promise<Rating> {
  if (!Number.isInteger(itemIndex) || itemIndex < 0 || itemIndex >= study.items.length) throw new SaidError('bad_request', { key: 'error.caseNotInStudy' });
  const rating = Rating.parse({
    id: newId(),
    studyId: study.id,
    itemIndex,
    rater,
    ...ratingAnswer(choice, shownFirstFor(study.seed, itemIndex, rater)),
    createdAt: now,
  });
  return putRecord(db, 'ratings', rating, now);
}

/** One case as a rater sees it: its inputs and the two answers in this rater's order, never saying which version gave which. */
export function caseAsShown(study: RatingStudy, itemIndex: number, rater: string): { inputs: RatingItem['inputs']; first: string; second: string } {
  const item = study.items[itemIndex];
  const aFirst = shownFirstFor(study.seed, itemIndex, rater) === 'a';
  return { inputs: item.inputs, first: aFirst ? item.a : item.b, second: aFirst ? item.b : item.a };
}

/** Ask for no more ratings (those already given, and any still to arrive, count). */
export async function closeStudy(db: OutpostDb, studyId: string, now = Date.now()): Promise<void> {
  await patchRecord(db, 'rating_studies', studyId, { closed: true }, now);
}

/** What measureHumanBaseline reads: rows with the known result and a person's decision (and perhaps the model's inputs). */
export interface BaselineInput {
  version: ModelVersion;
  rows: Row[];
  targetColumn: string;
  decisionColumn: string;
  fileName?: string;
}

/**
 * A person's decisions scored like the version's test split (scoreDecisions), and the version on
 * the same cases when every row carries the inputs it reads and its weights are here (predicted in
 * a worker, not logged). Not stored: see saveHumanBaseline.
 */
export async function measureHumanBaseline(db: OutpostDb, input: BaselineInput, opts: RunOptions = {}, now = Date.now()): Promise<HumanBaseline> {
  const { version: v, rows, targetColumn, decisionColumn } = input;
  if (targetColumn === decisionColumn) throw new SaidError('bad_request', { key: 'error.twoColumns' });
  const target = v.pipeline.target;
  const features = v.pipeline.features.map((f) => f.name);
  const carriesInputs = features.length > 0 && rows.length > 0 && features.every((f) => rows.every((r) => f in r));
  const model = carriesInputs && (await loadWeights(db, v)) ? await answersOf(db, v, rows, opts, (f) => opts.onProgress?.(f)) : undefined;
  const scored = scoreDecisions({
    task: v.task,
    labels: target.kind === 'categorical' ? target.labels : undefined,
    truth: rows.map((r) => r[targetColumn]),
    decisions: rows.map((r) => r[decisionColumn]),
    model,
  });
  return HumanBaseline.parse({
    ...scored,
    decisionColumn: decisionColumn.slice(0, 200),
    targetColumn: targetColumn.slice(0, 200),
    ...(input.fileName ? { fileName: input.fileName.slice(0, 300) } : {}),
    recordedAt: now,
  });
}

/** Keep a human baseline on its version (a synced field: the newest recorded wins). */
export async function saveHumanBaseline(db: OutpostDb, versionId: string, baseline: HumanBaseline, now = Date.now()): Promise<void> {
  await patchRecord(db, 'model_versions', versionId, { humanBaseline: HumanBaseline.parse(baseline) }, now);
}

/**
 * Cases typed as a list, one a line: "result, decision" (a comma, a semicolon or a tab between),
 * as rows with the columns `result` and `decision`. Blank lines are skipped.
 */
export function listRows(text: string): Row[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [result, decision = ''] = l.split(/[,;\t]/).map((s) => s.trim());
      return { result, decision };
    });
}
