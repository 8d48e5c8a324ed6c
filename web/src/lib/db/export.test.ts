import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { unzipSync, strFromU8 } from 'fflate';
import { sha256Hex } from '@shared/data/hash.js';
import { OutpostError } from '@shared/errors.js';
import { readBundle } from '@shared/registry/bundle.js';
import { binaryVersion } from '@shared/registry/bundle.testing.js';
import type { ModelVersion } from '@shared/schema/records.js';
import { OutpostDb } from './db.js';
import { newId } from './mutate.js';
import { saveDownloadedBlob, saveLocalBlob } from './blobs.js';
import { exportBundle, modelCardBlob, setModelCard } from './export.js';

const onnx = readFileSync(new URL('../../../../models/breast_cancer_mlp.onnx', import.meta.url));

async function fresh(weights: Uint8Array, fields: Partial<ModelVersion> = {}) {
  const db = new OutpostDb(`export-${newId()}`);
  const version = binaryVersion(await sha256Hex(weights), weights.length, { id: newId(), ...fields });
  await db.projects.put({ id: version.projectId, name: 'North clinic', description: 'Triage of new patients', createdAt: 0 });
  await db.model_versions.put(version);
  return { db, version };
}
const bytesOf = async (b: Blob) => new Uint8Array(await b.arrayBuffer());

describe('exporting a model version from the device', () => {
  it('is one zip named <model>-v<version>.zip that reads back as the same version and weights, with the project on its card', async () => {
    const weights = new Uint8Array(onnx);
    const { db, version } = await fresh(weights, { modelName: 'Triage (north)' });
    await saveLocalBlob(db, version.weightsHash, weights.slice().buffer);
    const file = await exportBundle(db, version);
    expect(file.name).toBe('Triage_north_-v3.zip');
    expect(file.type).toBe('application/zip');
    const zip = await bytesOf(file);
    const back = await readBundle(zip);
    expect(back.version).toEqual(version);
    expect(back.weights).toEqual(weights);
    expect(back.project).toEqual({ name: 'North clinic', description: 'Triage of new patients' });
    expect(strFromU8(unzipSync(zip)['model-card.html'])).toContain('North clinic');
  });

  it('refuses while the weights are only partly downloaded, with a sentence that says to sync', async () => {
    const weights = new Uint8Array(onnx);
    const { db, version } = await fresh(weights);
    await saveDownloadedBlob(db, version.weightsHash, weights.length, weights.slice(0, 100).buffer, false);
    const err = await exportBundle(db, version).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutpostError);
    expect((err as OutpostError).message).toMatch(/not on this device yet\. Sync first/);
  });

  it('keeps what a person writes for the card: patched on the version, queued for sync, shown on the card and in the zip', async () => {
    const weights = new Uint8Array(onnx);
    const { db, version } = await fresh(weights);
    await saveLocalBlob(db, version.weightsHash, weights.slice().buffer);
    await setModelCard(db, version.id, { intendedUse: '  Adults at the north clinic.  ', limitations: 'Not for children.' }, 1000);
    const stored = (await db.model_versions.get(version.id))!;
    expect(stored.card).toEqual({ intendedUse: 'Adults at the north clinic.', limitations: 'Not for children.' });
    const queued = await db.outbox.where('[table+id]').equals(['model_versions', version.id]).toArray();
    expect(queued.map((r) => r.fields)).toEqual([{ card: { intendedUse: 'Adults at the north clinic.', limitations: 'Not for children.' } }]);
    const card = await (await modelCardBlob(db, stored)).text();
    expect(card).toContain('<p>Adults at the north clinic.</p>');
    expect(card).toContain('<p>Not for children.</p>');
    expect((await readBundle(await bytesOf(await exportBundle(db, stored)))).version.card).toEqual(stored.card);

    await expect(setModelCard(db, version.id, { intendedUse: 'x'.repeat(4001), limitations: '' })).rejects.toThrow(/under 4,000 characters/);
    await expect(setModelCard(db, 'no-such-version', { intendedUse: 'a', limitations: '' })).rejects.toThrow(/not on this device/);
    expect((await db.model_versions.get(version.id))!.card).toEqual(stored.card);
  });
});
