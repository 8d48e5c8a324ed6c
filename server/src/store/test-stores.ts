// Which stores the contract suites run on: PGlite always, PostgreSQL when TEST_DATABASE_URL answers
// (default postgres://postgres@127.0.0.1:5432/test). In CI a missing Postgres is a failure.
import pg from 'pg';
import { postgresProblem, TEST_DATABASE_URL } from '../testing/postgres.js';
import { randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import { openStore } from './index.js';

export interface StoreFactory {
  name: 'pglite' | 'postgres';
  open(): Promise<Db & { drop(): Promise<void> }>;
}

const url = TEST_DATABASE_URL;

const problem = await postgresProblem(url);
if (problem) {
  if (process.env.CI === 'true') throw new Error(`CI needs PostgreSQL for the store contract suite: ${problem}`);
  console.warn(`Postgres contract suite NOT run: ${problem}`);
}

export const STORES: StoreFactory[] = [
  {
    name: 'pglite',
    async open() {
      const db = await openStore({});
      return Object.assign(db, { drop: () => db.close() });
    },
  },
  ...(problem
    ? []
    : [
        {
          name: 'postgres' as const,
          async open() {
            // A schema of its own per test store, dropped afterwards.
            const schema = `outpost_t_${randomBytes(6).toString('hex')}`;
            const admin = new pg.Client({ connectionString: url });
            await admin.connect();
            await admin.query(`create schema ${schema}`);
            await admin.end();
            const db = await openStore({ databaseUrl: url, schema });
            return Object.assign(db, {
              async drop() {
                await db.close();
                const c = new pg.Client({ connectionString: url });
                await c.connect();
                await c.query(`drop schema ${schema} cascade`);
                await c.end();
              },
            });
          },
        },
      ]),
];
