import type { Db } from './db.js';
import { migrate } from './migrations.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

export type { Db } from './db.js';

/** Open the configured store and bring its schema up to date. */
export async function openStore(opts: { databaseUrl?: string; dataDir?: string; schema?: string }): Promise<Db> {
  const db = opts.databaseUrl ? await openPostgres(opts.databaseUrl, { schema: opts.schema }) : await openPglite(opts.dataDir);
  await migrate(db);
  return db;
}
