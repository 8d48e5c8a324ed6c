import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '@shared/data/hash.js';
import { quantizeWeights, type WeightSpec } from '@shared/registry/quantize.js';
import { mulberry32 } from '@shared/data/random.js';
import type { ModelVersion } from '@shared/schema/records.js';
import { newId, putRecord } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { registerModel, saveTrainedModel } from '../db/models.js';
import { blobState } from '../db/blobs.js';
import { setProjectQuantization, weightsToLoad } from '../db/smaller-weights.js';
import { inProcessServer, type InProcessServer } from './in-process.testing.js';
import type { HeadlessDevice } from './headless.js';
import { completedRun } from '../db/fixtures.testing.js';

// Which weights travel to a device, against the real server in this process (PGlite in memory).
let srv: InProcessServer;
beforeAll(async () => {
  srv = await inProcessServer('Smaller downloads');
});
afterAll(async () => srv.close());

const specs: WeightSpec[] = [
  { name: 'dense/kernel', shape: [30, 64], dtype: 'float32' },
  { name: 'dense/bias', shape: [64], dtype: 'float32' },
  { name: 'out/kernel', shape: [64, 2], dtype: 'float32' },
  { name: 'out/bias', shape: [2], dtype: 'float32' },
];

/** A device registers a version whose weights were made a quarter of their size (as training does for such a project). */
async function registerSmall(d: HeadlessDevice, projectId: string): Promise<ModelVersion> {
  const rng = mulberry32(9);
  const weights = Float32Array.from({ length: 30 * 64 + 64 + 64 * 2 + 2 }, () => rng() - 0.5).buffer;
  const small = quantizeWeights(specs, weights, 'uint8');
  const r = completedRun(projectId, [64]);
  await putRecord(d.db, 'runs', r);
  const weightsHash = await sha256Hex(weights);
  await saveTrainedModel(
    d.db,
    r.id,
    {
      artifacts: { format: 'tfjs-layers', modelTopology: {}, weightSpecs: specs },
      weightsHash,
      weightsSize: weights.byteLength,
      quantized: {
        dtype: 'uint8',
        weightsHash: await sha256Hex(small.weights),
        weightsSize: small.weights.byteLength,
        weightSpecs: small.weightSpecs,
        metric: 'accuracy',
        full: 0.95,
        quantized: 0.94,
      },
    },
    weights,
    undefined,
    small.weights,
  );
  return registerModel(d.db, r, 'triage', 't', false);
}

describe('smaller downloads', () => {
  it('a device of a project that asks for them downloads the smaller weights instead of the full ones; turned off, the full ones', async () => {
    const trainer = await srv.newDevice('trainer');
    const p = await createProject(trainer.db, 'Clinics on 2G');
    await setProjectQuantization(trainer.db, p.id, 'uint8');
    const mv = await registerSmall(trainer, p.id);
    const q = mv.quantized!;
    const up = await trainer.sync();
    // Both blobs go up (the version names both, and the server checks that both are the organisation's).
    expect(up.blobsUp).toBe(2);
    expect(up.rejected).toBe(0);

    const field = await srv.newDevice('field');
    const down = await field.sync();
    expect((await field.db.projects.get(p.id))?.quantization).toBe('uint8');
    expect(down.blobsDown).toBe(1);
    expect((await blobState(field.db, q.weightsHash))?.state).toBe('complete');
    expect(await blobState(field.db, mv.weightsHash)).toBeUndefined();
    // Predictions there load the smaller weights, read with their own manifest.
    const served = await weightsToLoad(field.db, (await field.db.model_versions.get(mv.id))!);
    expect(served).toMatchObject({ hash: q.weightsHash, size: q.weightsSize, quantized: 'uint8' });
    expect(served?.weightSpecs?.map((s) => s.quantization?.dtype)).toEqual(['uint8', 'uint8', 'uint8', 'uint8']);
    expect(q.weightsSize * 4).toBe(mv.weightsSize);

    // The setting is turned off (on the field device, synced): the full weights come at the next sync, and are used from then on.
    await setProjectQuantization(field.db, p.id, null);
    const again = await field.sync();
    expect(again.blobsDown).toBe(1);
    expect((await blobState(field.db, mv.weightsHash))?.state).toBe('complete');
    expect(await weightsToLoad(field.db, (await field.db.model_versions.get(mv.id))!)).toEqual({ hash: mv.weightsHash, size: mv.weightsSize });
    // A device that joins now takes only the full weights.
    const late = await srv.newDevice('late');
    expect((await late.sync()).blobsDown).toBe(1);
    expect((await late.db.projects.get(p.id))?.quantization).toBeNull();
    expect((await blobState(late.db, mv.weightsHash))?.state).toBe('complete');
    expect(await blobState(late.db, q.weightsHash)).toBeUndefined();
    for (const d of [trainer, field, late]) await d.close();
  });

  it('the server refuses a version whose smaller weights it was never sent', async () => {
    const d = await srv.newDevice('careless');
    const p = await createProject(d.db, 'Missing blob');
    const good = await registerSmall(d, p.id);
    // A version naming smaller weights this device never had (an older copy of its record, say).
    const mv = await putRecord(d.db, 'model_versions', { ...good, id: newId(), version: 2, quantized: { ...good.quantized!, weightsHash: 'f'.repeat(64) } });
    const s = await d.sync();
    expect(s.rejected).toBe(1);
    const rejected = (await d.db.kv.toArray()).flatMap((r) => (Array.isArray(r.value) ? r.value : [])) as { id?: string; code?: string; message?: string }[];
    expect(rejected.find((r) => r.id === mv.id)).toMatchObject({
      code: 'blob_missing',
      message: expect.stringMatching(/smaller model weights have not been uploaded/),
    });
    await d.close();
  });
});
