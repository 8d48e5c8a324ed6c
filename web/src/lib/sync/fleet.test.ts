// A fleet of headless devices (the app's own database and sync engine on fake-indexeddb) against
// the real server in-process: each logs predictions offline and records outcomes (some for
// predictions made on another device), they sync, and the fleet view the console draws from the
// devices' day summaries equals the figures computed from every raw row the server received.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion, Prediction, Project } from '@shared/schema/records.js';
import type { Outcome } from '@shared/schema/monitoring.js';
import { binaryModel, modelVersionOf } from '@shared/monitor/model.testing.js';
import { fleetOf } from '@shared/monitor/fleet.js';
import { latestOutcome } from '@shared/monitor/outcomes.js';
import { SCORE_BINS } from '@shared/monitor/summary.js';
import { accuracy, confusionMatrix, precisionRecallF1 } from '@shared/metrics/classification.js';
import { rocAuc } from '@shared/metrics/roc.js';
import { fairness } from '@shared/stats/index.js';
import { mulberry32 } from '@shared/data/random.js';
import { sha256Hex } from '@shared/data/hash.js';
import { fleetInput } from '../../../../server/src/store/console.js';
import { saveLocalBlob } from '../db/blobs.js';
import { newId, putRecord } from '../db/mutate.js';
import { logPredictions, recordOutcomes, versionDays } from '../db/monitoring.js';
import { inProcessServer, type InProcessServer } from './in-process.testing.js';
import type { HeadlessDevice } from './headless.js';

let srv: InProcessServer;
const devices: HeadlessDevice[] = [];
const T0 = Date.UTC(2026, 10, 20, 8);
const DAY = 86_400_000;
const project: Project = {
  id: 'fleet-project',
  name: 'Fleet clinic',
  description: '',
  createdAt: T0,
  fairness: { attribute: 'clinic', privileged: 'north', favourable: 'benign' },
  kpis: [
    { id: 'k1', name: 'missed cases', predicted: 'benign', outcome: 'malignant', perCase: 250, unit: 'USD' },
    { id: 'k2', name: 'referred', predicted: 'malignant', perCase: 1, unit: 'cases' },
  ],
};
let version: ModelVersion;

beforeAll(async () => {
  srv = await inProcessServer('Fleet');
  for (const name of ['north-1', 'north-2', 'south-1', 'lab']) devices.push(await srv.newDevice(name));
  const [first] = devices;
  const weights = new Uint8Array([1, 2, 3, 4]);
  const refBytes = new TextEncoder().encode('{"reference":"rows"}');
  await saveLocalBlob(first.db, await sha256Hex(weights), weights.slice().buffer);
  await saveLocalBlob(first.db, await sha256Hex(refBytes), refBytes.slice().buffer);
  version = modelVersionOf(
    { ...binaryModel, id: newId(), projectId: project.id },
    {
      weightsHash: await sha256Hex(weights),
      weightsSize: weights.length,
      reference: { ...binaryModel.reference!, blob: { hash: await sha256Hex(refBytes), size: refBytes.length } },
      stage: 'none',
      createdAt: T0,
    },
  );
  await putRecord(first.db, 'projects', project);
  await putRecord(first.db, 'model_versions', version);
  await first.syncUntilDone();
  for (const d of devices.slice(1)) await d.syncUntilDone();
});
afterAll(async () => {
  for (const d of devices) await d.close();
  await srv.close();
});

function predictions(rng: () => number, n: number, dayOffset: number): Prediction[] {
  return Array.from({ length: n }, (_, i) => {
    const p = rng();
    const failed = rng() < 0.03;
    return {
      id: newId(),
      projectId: project.id,
      modelVersionId: version.id,
      inputs: { size: rng() < 0.05 ? null : Math.round(rng() * 140) / 10, clinic: ['north', 'south', 'east'][Math.floor(rng() * 3)] },
      output: failed ? {} : { label: p >= 0.5 ? 'malignant' : 'benign', probabilities: { benign: 1 - p, malignant: p } },
      latencyMs: 0.05 + rng() * 4,
      source: 'batch',
      createdAt: T0 + dayOffset * DAY + i,
      ...(failed ? { error: 'The model stopped.' } : {}),
    };
  });
}

describe('fleet monitoring', () => {
  it("the devices' day summaries roll up to the fleet figures computed from all their rows, outcomes recorded on another device included", async () => {
    const rng = mulberry32(7);
    const made = new Map<HeadlessDevice, Prediction[]>();
    for (const [i, d] of devices.slice(0, 3).entries()) {
      const ps = [...predictions(rng, 120 + 40 * i, 0), ...predictions(rng, 60, 1), ...predictions(rng, 30 + i, 3)];
      await logPredictions(d.db, version, ps);
      made.set(d, ps);
      // Each device records the real result for about half of its own predictions, some twice.
      const own = ps.filter(() => rng() < 0.5).map((p) => ({ predictionId: p.id, value: rng() < 0.6 ? 'benign' : 'malignant', source: 'log' as const }));
      await recordOutcomes(d.db, project.id, own);
      await recordOutcomes(
        d.db,
        project.id,
        own.slice(0, 10).map((o) => ({ ...o, value: o.value === 'benign' ? 'malignant' : 'benign' })),
      );
    }
    // The lab device never saw the first device's predictions: it records results for them from a file.
    const lab = devices[3];
    const fromLab = made
      .get(devices[0])!
      .filter((p) => !p.error)
      .slice(0, 40)
      .map((p) => ({ predictionId: p.id, value: 'malignant', source: 'csv' as const }));
    expect((await recordOutcomes(lab.db, project.id, fromLab)).waiting).toBe(40);
    expect(await versionDays(lab.db, version.id)).toEqual([]);

    for (let round = 0; round < 2; round++) for (const d of devices) await d.syncUntilDone();

    // Every raw row the server holds, joined as the devices join them: the newest outcome per prediction.
    const rows = async <T>(tbl: string) =>
      (await srv.db.query<{ data: T }>(`select data from records where org_id = $1 and tbl = $2`, [srv.orgId, tbl])).map((r) => r.data);
    const preds = await rows<Prediction>('predictions');
    const outcomes = await rows<Outcome>('outcomes');
    const byPrediction = new Map<string, Outcome[]>();
    for (const o of outcomes) byPrediction.set(o.predictionId, [...(byPrediction.get(o.predictionId) ?? []), o]);
    const answered = preds.filter((p) => !p.error);
    const labelled = answered.flatMap((p) => {
      const o = latestOutcome(byPrediction.get(p.id) ?? []);
      return o ? [{ p, o }] : [];
    });
    const labels = ['benign', 'malignant'];
    const yTrue = labelled.map(({ o }) => labels.indexOf(String(o.value)));
    const yPred = labelled.map(({ p }) => labels.indexOf(p.output.label!));

    const [fleet] = fleetOf(await fleetInput(srv.db, srv.orgId));
    const f = fleet.fleet.figures!;
    expect(fleet.devices).toHaveLength(3);
    expect(f.predictions).toBe(preds.length);
    expect(f.errors).toBe(preds.length - answered.length);
    expect(f.quality.outcomes).toBe(labelled.length);
    // The lab's 40 results reached the first device, which counted them (the newest result wins).
    expect(labelled.filter(({ o }) => o.source === 'csv')).toHaveLength(40);
    expect(f.waiting).toBe(answered.length - labelled.length);
    expect(f.quality.accuracy).toBeCloseTo(accuracy(yTrue, yPred), 12);
    expect(f.quality.f1).toBeCloseTo(precisionRecallF1(confusionMatrix(yTrue, yPred, 2), 'binary', 1).f1, 12);
    const binned = labelled.map(({ p }) => Math.min(SCORE_BINS - 1, Math.floor(p.output.probabilities!.malignant * SCORE_BINS)));
    expect(f.quality.auc).toBeCloseTo(rocAuc(yTrue, binned), 12);
    expect(f.missingShare).toBeCloseTo(preds.filter((p) => p.inputs.size === null).length / (2 * preds.length), 12);

    const fair = fairness(
      labelled.map(({ o }) => String(o.value)),
      labelled.map(({ p }) => p.output.label!),
      labelled.map(({ p }) => String(p.inputs.clinic)),
      { privileged: 'north', favourable: 'benign' },
    );
    expect(f.fairness!.disparateImpact).toBeCloseTo(fair.disparateImpact, 12);
    expect(f.fairness!.statisticalParityDifference).toBeCloseTo(fair.statisticalParityDifference, 12);
    expect(f.fairness!.equalOpportunityDifference).toBeCloseTo(fair.equalOpportunityDifference, 12);
    expect(f.fairness!.averageOddsDifference).toBeCloseTo(fair.averageOddsDifference, 12);

    const missed = labelled.filter(({ p, o }) => p.output.label === 'benign' && o.value === 'malignant').length;
    expect(fleet.fleet.kpis.map((k) => k.value)).toEqual([missed * 250, answered.filter((p) => p.output.label === 'malignant').length]);

    const sorted = preds.map((p) => p.latencyMs).sort((a, b) => a - b);
    const exactP95 = sorted[Math.ceil(0.95 * sorted.length) - 1];
    expect(f.latencyP95Ms).toBeGreaterThanOrEqual(exactP95);
    expect(f.latencyP95Ms).toBeLessThanOrEqual(exactP95 * 1.25);
    // Four days of counts (days 0, 1 and 3), added across devices.
    expect(fleet.fleet.daily.map((d) => d.day)).toEqual(['2026-11-20', '2026-11-21', '2026-11-23']);
    expect(fleet.fleet.daily.reduce((n, d) => n + d.predictions, 0)).toBe(preds.length);
  });
});
