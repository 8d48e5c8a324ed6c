import pg from 'pg';
import type { Db, Queryable } from './db.js';

// Postgres BIGINT (int8) comes back as a JS number: our sequence values stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * A real PostgreSQL through a connection pool. `schema`, when given, is put first on every
 * connection's search_path (tests use one schema per run).
 */
export async function openPostgres(url: string, opts: { schema?: string; max?: number } = {}): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    options: opts.schema ? `-c search_path=${opts.schema}` : undefined,
  });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => {});
  const q: Queryable = {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pool.query(sql, params)).rows as T[];
    },
  };
  return {
    kind: 'postgres',
    ...q,
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({ query: async (sql, params = []) => (await client.query(sql, params)).rows });
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
