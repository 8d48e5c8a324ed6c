// `npm run admin -- <command>`: manage organisations, enrollment codes and devices.
// It talks to the running server's admin API when one answers (PGlite lets only one process open
// its data directory), and opens the store itself when the server is not running.
import { readFileSync } from 'node:fs';
import { readConfig } from './config.js';
import { openStore } from './store/index.js';
import { createEnrollmentCode, createOrg, listDevices, listOrgs, revokeDevice } from './store/orgs.js';
import { importModel, type ImportRequest } from './store/imports.js';
import { IMPORT_USAGE, importArgs } from './import-args.js';

const USAGE = `Usage: npm run admin -- <command>
  create-org NAME              create an organisation; prints its id and an admin key
  create-code ORG_ID [--days N] a one-time enrollment code for a device (default 7 days)
  list-orgs                    organisations
  list-devices ORG_ID          devices of an organisation
  revoke-device DEVICE_ID      disconnect a device
  ${IMPORT_USAGE}`;

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const config = readConfig(process.env, pkg.version);
const [cmd, ...args] = process.argv.slice(2);
const days = args.includes('--days') ? Number(args[args.indexOf('--days') + 1]) : undefined;
const base = process.env.OUTPOST_URL ?? `http://localhost:${config.port}`;

type Imported = { id: string; projectId: string; modelName: string; version: number };
type Api = {
  via: string;
  call: (method: string, path: string, body?: unknown) => Promise<unknown>;
  importModel: (orgId: string, req: ImportRequest) => Promise<Imported>;
  close: () => Promise<void>;
};

async function viaServer(): Promise<Api | undefined> {
  try {
    const health = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(1500) });
    if (!health.ok) return undefined;
  } catch {
    return undefined;
  }
  return {
    via: `the running server at ${base}`,
    async call(method, path, body) {
      const res = await fetch(`${base}/api/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as { error?: { message: string } };
      if (!res.ok) throw new Error(json.error?.message ?? `HTTP ${res.status}`);
      return json;
    },
    async importModel(orgId, req) {
      // The file goes as it is (multipart), the declaration beside it as JSON.
      const form = new FormData();
      if ('bytes' in req) form.append('file', new Blob([req.bytes as Uint8Array<ArrayBuffer>]), req.fileName);
      form.append('request', JSON.stringify({ spec: req.spec, name: req.name, projectId: req.projectId, by: req.by }));
      const res = await fetch(`${base}/api/admin/orgs/${encodeURIComponent(orgId)}/models`, {
        method: 'POST',
        headers: { authorization: `Bearer ${config.adminToken}` },
        body: form,
      });
      const json = (await res.json()) as Imported & { error?: { message: string } };
      if (!res.ok) throw new Error(json.error?.message ?? `HTTP ${res.status}`);
      return json;
    },
    close: async () => {},
  };
}

async function viaStore(): Promise<Api> {
  const db = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  return {
    via: `the store (${db.kind})`,
    async call(method, path, body) {
      const m = path.split('/').filter(Boolean);
      if (method === 'GET' && path === '/orgs') return listOrgs(db);
      if (method === 'POST' && path === '/orgs') {
        const { org, adminKey } = await createOrg(db, (body as { name: string }).name);
        return { ...org, adminKey };
      }
      if (method === 'POST' && m[2] === 'codes') return createEnrollmentCode(db, m[1], (body as { days?: number }).days);
      if (method === 'GET' && m[2] === 'devices') return listDevices(db, m[1]);
      if (method === 'POST' && m[0] === 'devices') return { revoked: await revokeDevice(db, m[1]) };
      throw new Error(`unknown call ${method} ${path}`);
    },
    importModel: (orgId, req) =>
      importModel(db, orgId, req, {
        now: Date.now(),
        appVersion: pkg.version,
        limits: { maxBlobBytes: config.maxBlobBytes, maxOrgBlobBytes: config.maxOrgBlobBytes },
      }),
    close: () => db.close(),
  };
}

async function main() {
  if (!cmd || cmd === 'help' || cmd === '--help') {
    console.log(USAGE);
    return;
  }
  const need = (n: number) => {
    if (args.length < n) throw new Error(`${cmd} needs ${n} argument(s).\n${USAGE}`);
  };
  // Read and checked before anything is opened: a wrong flag or path is said at once.
  const importing = cmd === 'import-model' ? importArgs(args) : undefined;
  const api = (await viaServer()) ?? (await viaStore());
  try {
    switch (cmd) {
      case 'create-org': {
        need(1);
        const r = (await api.call('POST', '/orgs', { name: args.filter((a) => !a.startsWith('--')).join(' ') })) as {
          id: string;
          name: string;
          adminKey: string;
        };
        console.log(`Organisation "${r.name}" created.\n  id:        ${r.id}\n  admin key: ${r.adminKey}   (shown once: it signs in to /console)`);
        break;
      }
      case 'create-code': {
        need(1);
        const r = (await api.call('POST', `/orgs/${args[0]}/codes`, days ? { days } : {})) as { code: string; expiresAt: string };
        console.log(`Enrollment code: ${r.code}   (one device, until ${r.expiresAt})`);
        break;
      }
      case 'list-orgs':
        for (const o of (await api.call('GET', '/orgs')) as { id: string; name: string }[]) console.log(`${o.id}  ${o.name}`);
        break;
      case 'list-devices': {
        need(1);
        const list = (await api.call('GET', `/orgs/${args[0]}/devices`)) as { id: string; name: string; lastSeenAt: string | null; revokedAt: string | null }[];
        if (!list.length) console.log('No devices yet.');
        for (const d of list) console.log(`${d.id}  ${d.name.padEnd(24)} last contact: ${d.lastSeenAt ?? 'never'}${d.revokedAt ? '  REVOKED' : ''}`);
        break;
      }
      case 'revoke-device':
        need(1);
        await api.call('POST', `/devices/${args[0]}/revoke`);
        console.log(`Device ${args[0]} revoked: it can no longer sync.`);
        break;
      case 'import-model': {
        const { orgId, request } = importing!;
        const v = await api.importModel(orgId, request);
        console.log(v.id);
        console.error(`Imported "${v.modelName}" version ${v.version} into project ${v.projectId} (via ${api.via}). Devices receive it at their next sync.`);
        break;
      }
      default:
        throw new Error(`Unknown command "${cmd}".\n${USAGE}`);
    }
  } finally {
    await api.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
