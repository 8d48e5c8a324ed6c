// Further fault cases of ../shared/notes/sync.md, against the real server app in-process.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../server/src/app.js';
import { openStore, type Db } from '../../../../server/src/store/index.js';
import { createEnrollmentCode, createOrg, orgStats } from '../../../../server/src/store/orgs.js';
import { PUSH_LIMITS } from '@shared/sync/protocol.js';
import { sha256Hex } from '@shared/data/hash.js';
import { createProject } from '../db/projects.js';
import { blobState, partialBlobBytes, saveLocalBlob } from '../db/blobs.js';
import { createHeadlessDevice } from './headless.js';
import { SyncEngine } from './engine.js';
import type { Transport } from './transport.js';

let server: Db;
let app: ReturnType<typeof createApp>;
let orgId: string;
let failNextQuery = false;

beforeAll(async () => {
  const real = await openStore({});
  // A store that can fail like a database restarting (connection terminated by administrator).
  const flaky =
    (q: Pick<Db, 'query'>) =>
    async <T>(sql: string, params?: unknown[]) => {
      if (failNextQuery && /insert into records/.test(sql)) {
        failNextQuery = false;
        throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      }
      return q.query<T>(sql, params);
    };
  server = { ...real, query: flaky(real), tx: (fn) => real.tx((q) => fn({ query: flaky(q) })) } as Db;
  app = createApp({ db: server, config: { adminToken: 'x'.repeat(20), version: 't' } });
  orgId = (await createOrg(server, 'Cases')).org.id;
});
afterAll(async () => server.close());

const inProcess = (token?: string): Transport => ({
  request: async (method, path, init = {}) =>
    app.request(path, { method, body: init.body as BodyInit, headers: { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } }),
});
const newDevice = async (name: string) => {
  const { code } = await createEnrollmentCode(server, orgId, 1);
  return createHeadlessDevice({ serverUrl: 'http://outpost.test', code, name, transport: inProcess });
};

describe('sync fault cases', () => {
  it('case 5: a transient database error answers 503, acknowledges nothing, and the retry applies', async () => {
    const d = await newDevice('db-blip');
    await d.logPredictions(10);
    const before = (await orgStats(server, orgId)).predictions ?? 0;
    failNextQuery = true;
    await expect(d.sync()).rejects.toMatchObject({ code: 'store_unavailable', retryable: true });
    expect(await d.db.outbox.count()).toBe(11);
    expect((await orgStats(server, orgId)).predictions ?? 0).toBe(before);
    await d.sync();
    expect((await orgStats(server, orgId)).predictions).toBe(before + 10);
  });

  it('case 9: a long offline stretch is pushed in pages within the count and byte bounds', async () => {
    const d = await newDevice('long-offline');
    await d.logPredictions(20_000);
    const sizes: { count: number; bytes: number; wire: number }[] = [];
    const measuring: Transport = {
      async request(method, path, init) {
        if (path === '/api/sync/push') {
          // Pushes travel gzip-compressed; the bounds apply to the JSON inside.
          const raw = init!.body as Uint8Array;
          expect(init?.headers?.['content-encoding']).toBe('gzip');
          const body = await new Response(new Blob([raw as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
          sizes.push({ count: (JSON.parse(body) as { changes: unknown[] }).changes.length, bytes: body.length, wire: raw.length });
        }
        return inProcess(d.credential.token).request(method, path, init);
      },
    };
    await new SyncEngine({ db: d.db, transport: measuring }).syncOnce();
    expect(sizes.length).toBeGreaterThanOrEqual(20_000 / PUSH_LIMITS.maxChanges);
    for (const s of sizes) {
      expect(s.count).toBeLessThanOrEqual(PUSH_LIMITS.maxChanges);
      expect(s.bytes).toBeLessThanOrEqual(PUSH_LIMITS.maxBytes * 1.1);
    }
    expect(await d.db.outbox.count()).toBe(0);
    const wire = sizes.reduce((a, s) => a + s.wire, 0);
    const json = sizes.reduce((a, s) => a + s.bytes, 0);
    expect(wire).toBeLessThan(json / 3); // compression pays on a slow link
  }, 120_000);

  it('case 17: an interrupted model download resumes where it stopped and is verified before use', async () => {
    const src = await newDevice('publisher');
    const p = await createProject(src.db, 'Weights');
    const weights = new Uint8Array(900_000).map((_, i) => (i * 17) % 256);
    const hash = await sha256Hex(weights);
    await saveLocalBlob(src.db, hash, weights.buffer);
    await src.db.model_versions.put({
      id: 'mv-dl',
      projectId: p.id,
      modelName: 'm',
      version: 1,
      task: 'classification',
      stage: 'none',
      schemaVersion: 1,
      appVersion: 't',
      createdAt: 0,
      pipeline: {
        version: 1,
        features: [{ name: 'x', kind: 'numeric', mean: 0, std: 1, impute: 0 }],
        target: { name: 'y', kind: 'categorical', labels: ['a', 'b'] },
      },
      artifacts: { format: 'tfjs-layers', modelTopology: {}, weightSpecs: [] },
      weightsHash: hash,
      weightsSize: weights.length,
    });
    await src.db.outbox.add({
      table: 'model_versions',
      id: 'mv-dl',
      hlc: '000000000000001-0000-pub',
      fields: (await src.db.model_versions.get('mv-dl'))! as unknown as Record<string, unknown>,
    });
    await src.sync();
    const dst = await newDevice('receiver');
    let gets = 0;
    const cutting: Transport = {
      async request(method, path, init) {
        if (method === 'GET' && path === `/api/blobs/${hash}` && ++gets === 3) throw new Error('link dropped');
        return inProcess(dst.credential.token).request(method, path, init);
      },
    };
    await expect(new SyncEngine({ db: dst.db, transport: cutting }).syncOnce()).rejects.toThrow(/link dropped/);
    expect((await blobState(dst.db, hash))?.state).toBe('partial');
    const partial = (await partialBlobBytes(dst.db, hash))!;
    expect(partial.byteLength).toBeGreaterThan(0);
    const ranges: string[] = [];
    const watching: Transport = {
      async request(method, path, init) {
        if (method === 'GET' && path === `/api/blobs/${hash}`) ranges.push(init?.headers?.range ?? '');
        return inProcess(dst.credential.token).request(method, path, init);
      },
    };
    await new SyncEngine({ db: dst.db, transport: watching }).syncOnce();
    expect(ranges[0]).toBe(`bytes=${partial.byteLength}-${Math.min(weights.length, partial.byteLength + 256 * 1024) - 1}`);
    expect((await blobState(dst.db, hash))?.state).toBe('complete');
  });

  it('case 19: local storage wiped: the device enrolls again, pulls everything back, and the server lost nothing', async () => {
    const d = await newDevice('wiped');
    const p = await createProject(d.db, 'Survives a wipe');
    await d.logPredictions(25, p.id);
    await d.sync();
    const before = await orgStats(server, orgId);
    await d.close(); // the browser cleared the site's data
    const again = await newDevice('wiped-again');
    await again.sync();
    expect((await again.db.projects.get(p.id))?.name).toBe('Survives a wipe');
    expect(await orgStats(server, orgId)).toEqual(before);
  });
});
