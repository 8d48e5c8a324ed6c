// A device without a browser: the PWA's own Dexie schema and sync engine running in Node on
// fake-indexeddb, so tests and benchmarks can simulate many devices against a real server.
import 'fake-indexeddb/auto';
import { OutpostDb } from '../db/db.js';
import { newId, putRecords } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import type { Prediction } from '@shared/schema/records.js';
import { enroll, type Credential } from './credential.js';
import { SyncEngine } from './engine.js';
import { fetchTransport, type Transport } from './transport.js';

export interface HeadlessDevice {
  db: OutpostDb;
  credential: Credential;
  engine: SyncEngine;
  /** Log `n` predictions offline (in batches of 1000 rows per transaction); returns their ids. */
  logPredictions(n: number, projectId?: string): Promise<string[]>;
  sync(): ReturnType<SyncEngine['syncOnce']>;
  /** Sync until nothing waits, retrying transient failures (for tests through faulty links). */
  syncUntilDone(maxAttempts?: number): Promise<number>;
  close(): Promise<void>;
}

export async function createHeadlessDevice(opts: {
  serverUrl: string;
  code: string;
  name: string;
  /** Override how requests travel (e.g. in-process `app.request`). */
  transport?: (token: string | undefined) => Transport;
}): Promise<HeadlessDevice> {
  const db = new OutpostDb(`headless-${opts.name}-${newId()}`);
  const make = opts.transport ?? ((token) => fetchTransport(opts.serverUrl, token, 10_000));
  const credential = await enroll(db, opts.serverUrl, opts.code, opts.name, make(undefined));
  const engine = new SyncEngine({ db, transport: make(credential.token), deviceId: credential.deviceId });
  let project: string | undefined;
  return {
    db,
    credential,
    engine,
    async logPredictions(n, projectId) {
      project ??= projectId ?? (await createProject(db, `${opts.name} field work`)).id;
      const ids: string[] = [];
      for (let i = 0; i < n; i += 1000) {
        const batch: Prediction[] = Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
          id: newId(),
          projectId: project!,
          modelVersionId: 'headless-model',
          inputs: { age: 30 + ((i + j) % 50), weight: 60 + ((i + j) % 30) },
          output: { label: (i + j) % 3 ? 'benign' : 'malignant', probabilities: { benign: 0.7, malignant: 0.3 } },
          latencyMs: 0.05,
          source: 'batch',
          createdAt: Date.now(),
        }));
        await putRecords(db, 'predictions', batch);
        ids.push(...batch.map((b) => b.id));
      }
      return ids;
    },
    sync: () => engine.syncOnce(),
    async syncUntilDone(maxAttempts = 50) {
      let attempts = 0;
      for (;;) {
        attempts++;
        try {
          await engine.syncOnce();
          if ((await engine.pendingCount()) === 0) return attempts;
        } catch (e) {
          if (attempts >= maxAttempts) throw e;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    },
    async close() {
      db.close();
      await db.delete();
    },
  };
}
