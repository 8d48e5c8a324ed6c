// Test support: the real server in this process (PGlite in memory) with one organisation, a
// transport that reaches it through app.request() (no network), and headless devices enrolled in it.
import { createApp, type AppDeps } from '../../../../server/src/app.js';
import { openStore, type Db } from '../../../../server/src/store/index.js';
import { createEnrollmentCode, createOrg } from '../../../../server/src/store/orgs.js';
import { createHeadlessDevice, type HeadlessDevice } from './headless.js';
import type { Transport } from './transport.js';

export { loggedPrediction } from '../db/fixtures.testing.js';

export interface InProcessServer {
  db: Db;
  app: ReturnType<typeof createApp>;
  orgId: string;
  /** Requests as the device with `token`; `loseAnswer` drops an answer after the server committed. */
  transport(token?: string, loseAnswer?: () => boolean): Transport;
  /** A device enrolled in the organisation with a fresh code. */
  newDevice(name: string): Promise<HeadlessDevice>;
  close(): Promise<void>;
}

export interface InProcessOptions {
  /** Settings beyond the defaults (e.g. small blob limits). */
  config?: Partial<AppDeps['config']>;
  /** Wrap the store the app sees (e.g. to make it fail like a restarting database). */
  wrapDb?: (db: Db) => Db;
}

export async function inProcessServer(orgName: string, opts: InProcessOptions = {}): Promise<InProcessServer> {
  const real = await openStore({});
  const db = opts.wrapDb?.(real) ?? real;
  const app = createApp({ db, config: { adminToken: 'x'.repeat(20), version: 't', ...opts.config } });
  const orgId = (await createOrg(db, orgName)).org.id;
  const transport = (token?: string, loseAnswer = () => false): Transport => ({
    async request(method, path, init = {}) {
      const headers = { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
      const res = await app.request(path, { method, body: init.body as BodyInit, headers });
      if (loseAnswer()) throw new Error('answer lost on the way back');
      return res;
    },
  });
  return {
    db,
    app,
    orgId,
    transport,
    async newDevice(name) {
      const { code } = await createEnrollmentCode(db, orgId, 1);
      return createHeadlessDevice({ serverUrl: 'http://outpost.test', code, name, transport: (t) => transport(t) });
    },
    close: () => real.close(),
  };
}
