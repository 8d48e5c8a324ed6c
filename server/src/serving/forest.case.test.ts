// A random forest trained by Outpost's own code on the breast-cancer rows, carried to the server
// as a bundle (outpost-model.json + trees.json), answers POST /api/models/versions/{id}/predict on
// both stores exactly as the device's Predictor + loadTrees does, its probabilities the trees'
// vote shares; trees that do not match their record are refused at import.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { PROTOCOL, PROTOCOL_HEADER } from '@shared/sync/protocol.js';
import { Predictor } from '@shared/runtime/predictor.js';
import { loadTrees } from '@shared/runtime/trees.js';
import { inferColumns } from '@shared/data/columns.js';
import { encodeTarget, featureWidth, fitPipeline, transformRows } from '@shared/features/pipeline.js';
import { fitForest, forestBytes } from '@shared/models/forest.js';
import { sha256Hex } from '@shared/data/hash.js';
import { writeBundle } from '@shared/registry/bundle.js';
import type { ModelVersion, TreesArtifacts } from '@shared/schema/records.js';
import { createApp } from '../app.js';
import { STORES } from '../store/test-stores.js';
import type { Db } from '../store/db.js';
import { createEnrollmentCode, createOrg } from '../store/orgs.js';
import { importFromArgs } from '../import-args.js';
import { T0 } from '../store/fixtures.js';

const text = readFileSync(new URL('../../../public/samples/breast_cancer.csv', import.meta.url), 'utf8');
const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: 'greedy' });
const names = parsed.meta.fields!;
const rows = parsed.data;
const features = names.filter((n) => n !== 'diagnosis');
const train = rows.slice(0, 400);
const held = rows.slice(400);

async function forestVersion(): Promise<{ version: ModelVersion; weights: Uint8Array }> {
  const pipeline = fitPipeline(train, features, inferColumns(rows, names), 'diagnosis', 'classification');
  const width = featureWidth(pipeline);
  const forest = fitForest(
    { x: transformRows(pipeline, train), width, y: train.map((r) => encodeTarget(pipeline, r)!), k: 2, task: 'classification' },
    { trees: 10, maxDepth: 6, minLeaf: 1, seed: 9 },
  );
  const weights = forestBytes(forest);
  const artifacts: TreesArtifacts = { format: 'outpost-trees', kind: 'random-forest', trees: 10, inputWidth: width, outputWidth: 2 };
  const version: ModelVersion = {
    id: '0190b3c2-0000-7000-8000-000000000001',
    projectId: '0190b3c2-0000-7000-8000-000000000002',
    modelName: 'Forest',
    version: 1,
    task: 'classification',
    pipeline,
    artifacts,
    weightsHash: await sha256Hex(weights),
    weightsSize: weights.length,
    stage: 'none',
    schemaVersion: 1,
    appVersion: 'test',
    createdAt: T0,
  };
  return { version, weights };
}

describe.each(STORES)('serving a random forest: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  let app: ReturnType<typeof createApp>;
  let orgId: string;
  let device: string;

  beforeAll(async () => {
    db = await factory.open();
    app = createApp({
      db,
      config: { adminToken: 'forest-admin-token-0123456789', version: 'test', failuresPerSource: 1e6, failuresPerTarget: 1e6 },
      now: () => T0,
    });
    orgId = (await createOrg(db, 'Clinic')).org.id;
    const { code } = await createEnrollmentCode(db, orgId, 1, T0);
    const res = await app.request('/api/enroll', { method: 'POST', body: JSON.stringify({ code, deviceName: 'phone' }) });
    device = ((await res.json()) as { token: string }).token;
  });
  afterAll(async () => db?.drop());

  it('answers as the device does, with vote shares that sum to 1, and logs each prediction', async () => {
    const { version, weights } = await forestVersion();
    const bundle = writeBundle({ version, weights });
    const v = await importFromArgs(db, [orgId, 'forest.zip'], { now: T0, appVersion: 'test' }, () => bundle);
    expect(v.artifacts.format).toBe('outpost-trees');
    expect(v.imported).toMatchObject({ format: 'outpost-trees' });
    const res = await app.request(`/api/models/versions/${v.id}/predict`, {
      method: 'POST',
      body: JSON.stringify({ rows: held }),
      headers: { authorization: `Bearer ${device}`, [PROTOCOL_HEADER]: String(PROTOCOL.version), 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    const served = ((await res.json()) as { predictions: { label: string; probabilities: Record<string, number> }[] }).predictions;
    const local = await new Predictor(version, loadTrees(version.artifacts as TreesArtifacts, weights)).predictRows(held);
    expect(served).toHaveLength(held.length);
    served.forEach((p, i) => {
      expect(p.label).toBe(local[i].label);
      for (const [label, pr] of Object.entries(p.probabilities)) expect(pr).toBeCloseTo(local[i].probabilities![label], 12);
      expect(Object.values(p.probabilities).reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    });
    const right = served.filter((p, i) => p.label === held[i].diagnosis).length / held.length;
    expect(right).toBeGreaterThan(0.9);
    const [{ n }] = await db.query<{ n: number }>(
      `select count(*)::int as n from records where org_id = $1 and tbl = 'predictions' and data->>'modelVersionId' = $2`,
      [orgId, v.id],
    );
    expect(n).toBe(held.length);
  });

  it('refuses trees that do not match their record', async () => {
    const { version, weights } = await forestVersion();
    const lying = { ...version, artifacts: { ...(version.artifacts as TreesArtifacts), trees: 11 } };
    const bundle = writeBundle({ version: lying, weights });
    await expect(importFromArgs(db, [orgId, 'lying.zip'], { now: T0, appVersion: 'test' }, () => bundle)).rejects.toThrow(/do not belong/);
  });
});
