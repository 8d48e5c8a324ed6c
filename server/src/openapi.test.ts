import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { openStore, type Db } from './store/index.js';
import { OPERATIONS } from './openapi.js';

let db: Db;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: 'openapi-admin-token-0123456789', version: '9.9.9', webDir: '/nonexistent' } });
});
afterAll(async () => db.close());

describe('OpenAPI document', () => {
  it('lists exactly the routes the app serves (besides the web app fallback)', () => {
    const served = new Set(app.routes.filter((r) => r.method !== 'ALL' && r.path !== '/*').map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`));
    const documented = new Set(OPERATIONS.map((o) => `${o.method.toUpperCase()} ${o.path}`));
    expect([...served].sort()).toEqual([...documented].sort());
  });

  it('is served at /api/openapi.json with request bodies from the zod schemas the server validates with', async () => {
    const res = await app.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      info: { version: string };
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('9.9.9');
    const push = doc.paths['/api/sync/push'].post.requestBody!.content['application/json'].schema;
    expect(Object.keys(push.properties ?? {})).toEqual(expect.arrayContaining(['batchSeq', 'changes']));
    const records = (doc as unknown as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } }).components.schemas;
    expect(Object.keys(records.dataset_versions.properties ?? {})).toEqual(expect.arrayContaining(['parentId', 'hash', 'change', 'checks', 'rows']));
    expect(Object.keys(records.datasets.properties ?? {})).toEqual(expect.arrayContaining(['versionId', 'rules', 'personal']));
    const enroll = doc.paths['/api/enroll'].post.requestBody!.content['application/json'].schema;
    expect(Object.keys(enroll.properties ?? {}).sort()).toEqual(['code', 'deviceName']);
  });
});
