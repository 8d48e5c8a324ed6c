// Records and changes for tests: valid by the shared schemas unless a test breaks them on purpose.
import { createHash } from 'node:crypto';
import { formatHlc } from '@shared/sync/hlc.js';
import type { Change } from '@shared/sync/protocol.js';
import type { Queryable } from './db.js';

export const T0 = Date.UTC(2026, 10, 24, 12);
export const stamp = (millis: number, counter = 0, node = 'dev1') => formatHlc({ millis, counter, node });

export function project(id: string, name = 'Clinic') {
  return { id, name, description: '', createdAt: T0 };
}

export function prediction(id: string, projectId = 'p1', modelVersionId = 'mv1') {
  return {
    id,
    projectId,
    modelVersionId,
    inputs: { x: 1 },
    output: { label: 'a', probabilities: { a: 0.9, b: 0.1 } },
    latencyMs: 0.1,
    source: 'form',
    createdAt: T0,
  };
}

export function run(id: string, projectId = 'p1') {
  return {
    id,
    projectId,
    datasetId: 'd1',
    datasetHash: 'h',
    status: 'completed',
    params: {
      task: 'classification',
      target: 'y',
      features: ['x'],
      epochs: 1,
      batchSize: 8,
      learningRate: 0.01,
      hiddenLayers: [4],
      validationFraction: 0.2,
      seed: 42,
    },
    epochs: [{ epoch: 0, loss: 0.5 }],
    backend: 'cpu',
    appVersion: 'test',
    startedAt: T0,
  };
}

export function modelVersion(id: string, weightsHash: string, stage = 'production') {
  return {
    id,
    projectId: 'p1',
    modelName: 'triage',
    version: 1,
    task: 'classification',
    pipeline: {
      version: 1,
      features: [{ name: 'x', kind: 'numeric', mean: 0, std: 1, impute: 0 }],
      target: { name: 'y', kind: 'categorical', labels: ['a', 'b'] },
    },
    artifacts: { format: 'tfjs-layers', modelTopology: {}, weightSpecs: [] },
    weightsHash,
    weightsSize: 3,
    stage,
    schemaVersion: 1,
    appVersion: 'test',
    createdAt: T0,
  };
}

export const change = (table: Change['table'], id: string, fields: Record<string, unknown>, hlc = stamp(T0)): Change => ({ table, id, hlc, fields });

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Store a record directly (as if synced), with the next sequence number: for tests that need data without a device. */
export async function insertRecord(db: Queryable, orgId: string, tbl: string, id: string, data: unknown): Promise<void> {
  await db.query(
    `insert into records (org_id, tbl, id, data, hlc, seq) values ($1, $2, $3, $4::jsonb, '{}'::jsonb, (select coalesce(max(seq), 0) + 1 from records))`,
    [orgId, tbl, id, JSON.stringify(data)],
  );
}
