// Talks to the test server's admin API (the same one `npm run admin` uses) with the token the
// Playwright config gives the server.
const port = Number(process.env.E2E_PORT ?? 8797);
const base = `http://localhost:${port}`;
const token = 'e2e-admin-token-0123456789';

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

let org: { id: string; adminKey: string } | undefined;

/** The organisation every e2e test's devices enroll in (made on first use). */
export async function testOrg(): Promise<string> {
  org ??= await admin<{ id: string; adminKey: string }>('POST', '/orgs', { name: `E2E ${Date.now()}` });
  return org.id;
}

/** The admin key of the test organisation, to sign in to its console. */
export async function testOrgAdminKey(): Promise<string> {
  await testOrg();
  return org!.adminKey;
}

export async function createEnrollmentCode(): Promise<string> {
  const org = await testOrg();
  return (await admin<{ code: string }>('POST', `/orgs/${org}/codes`, {})).code;
}

export async function serverRecordCount(table: string): Promise<number> {
  const org = await testOrg();
  const stats = await admin<{ records: Record<string, number> }>('GET', `/orgs/${org}/stats`);
  return stats.records[table] ?? 0;
}
