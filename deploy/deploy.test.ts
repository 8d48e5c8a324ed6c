// The packaging, checked without Docker or a cluster: every Kubernetes manifest parsed and held to
// what the server needs, the Dockerfile read instruction by instruction, and the compiled server run
// from a folder laid out as the image lays it out, with the image's own CMD and HEALTHCHECK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabase, postgresProblem } from '../server/src/testing/postgres.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const k8s = join(root, 'deploy/k8s');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

// --- Kubernetes -------------------------------------------------------------------------------

type Obj = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [k: string]: unknown };
// What each kind is, in the API versions current clusters serve (none deprecated).
const API_VERSIONS: Record<string, string> = {
  Namespace: 'v1',
  Secret: 'v1',
  ConfigMap: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PodDisruptionBudget: 'policy/v1',
  Ingress: 'networking.k8s.io/v1',
};

const manifestFiles = readdirSync(k8s).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const objects: Obj[] = manifestFiles.flatMap((f) =>
  parseAllDocuments(readFileSync(join(k8s, f), 'utf8')).map((doc) => {
    if (doc.errors.length) throw new Error(`${f}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as Obj;
  }),
);
const one = <T = Obj>(kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, `one ${kind}`).toHaveLength(1);
  return found[0] as unknown as T;
};

interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  ports: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe: Probe;
  livenessProbe: Probe;
  startupProbe?: Probe;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: { allowPrivilegeEscalation: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Deployment extends Obj {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        securityContext: { runAsNonRoot: boolean; runAsUser: number; runAsGroup?: number };
        containers: Container[];
        volumes?: { name: string }[];
      };
    };
  };
}

/** `250m` → 0.25, `1` → 1, `768Mi` → bytes. */
function quantity(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|k|M|G)?$/.exec(String(q));
  if (!m) throw new Error(`not a quantity: ${q}`);
  const unit = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

/** The settings docs/server.md documents, from its table (`| \`NAME\` | … |`). */
const documented = new Set([...readFileSync(join(root, 'docs/server.md'), 'utf8').matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));

describe('the Kubernetes manifests', () => {
  const deployment = () => one<Deployment>('Deployment');
  const container = () => deployment().spec.template.spec.containers[0];
  const portNumber = (port: string | number) => (typeof port === 'number' ? port : container().ports.find((p) => p.name === port)?.containerPort);

  it('parse, and each object names a known kind at a current apiVersion', () => {
    expect(objects.length).toBeGreaterThanOrEqual(6);
    for (const o of objects) {
      expect(API_VERSIONS[o.kind], `${o.kind} is a kind this test knows`).toBeDefined();
      expect(o.apiVersion, o.kind).toBe(API_VERSIONS[o.kind]);
      expect(o.metadata?.name, `${o.kind} has a name`).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'Secret']) one(kind);
  });

  it('kustomization.yaml lists every manifest, and only those', () => {
    const kustomization = parseAllDocuments(readFileSync(join(k8s, 'kustomization.yaml'), 'utf8'))[0].toJS() as {
      apiVersion: string;
      kind: string;
      resources: string[];
      namespace?: string;
      images?: { name: string }[];
    };
    expect(kustomization).toMatchObject({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' });
    expect([...kustomization.resources].sort()).toEqual([...manifestFiles].sort());
    expect(kustomization.namespace).toBe(one('Namespace').metadata.name);
    // The image it rewrites is the one the Deployment runs.
    expect(kustomization.images?.map((i) => i.name)).toContain(container().image.split(':')[0]);
  });

  it('run several replicas on one PostgreSQL from the Secret, never PGlite', () => {
    const d = deployment();
    expect(d.spec.replicas).toBeGreaterThan(1);
    const secret = one<Obj & { stringData?: Record<string, string>; data?: Record<string, string> }>('Secret');
    const keys = Object.keys({ ...secret.stringData, ...secret.data });
    const fromSecret = (name: string) => container().env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
    for (const name of ['DATABASE_URL', 'OUTPOST_ADMIN_TOKEN']) {
      const ref = fromSecret(name);
      expect(ref, `${name} comes from a Secret`).toBeDefined();
      expect(ref!.name).toBe(secret.metadata.name);
      expect(keys).toContain(ref!.key);
      // Not optional: a pod without its DATABASE_URL must not start (it would open a PGlite of its own).
      expect(ref!.optional ?? false).toBe(false);
    }
    expect(secret.stringData?.DATABASE_URL).toMatch(/^postgres(ql)?:\/\//);
    expect(secret.stringData?.OUTPOST_ADMIN_TOKEN?.length).toBeGreaterThanOrEqual(16);
  });

  it('probe /api/health on the container port the server listens on', () => {
    const c = container();
    const settings = one<Obj & { data: Record<string, string> }>('ConfigMap');
    expect(c.envFrom?.map((e) => e.configMapRef?.name)).toContain(settings.metadata.name);
    const port = Number(settings.data.PORT ?? 8787);
    expect(c.ports.map((p) => p.containerPort)).toContain(port);
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
      expect(probe?.httpGet.path).toBe('/api/health');
      expect(portNumber(probe!.httpGet.port)).toBe(port);
    }
  });

  it('set only settings the server documents', () => {
    const settings = one<Obj & { data: Record<string, string> }>('ConfigMap');
    const names = [...Object.keys(settings.data), ...(container().env ?? []).map((e) => e.name)];
    expect(names.filter((n) => !documented.has(n))).toEqual([]);
    expect(settings.data.OUTPOST_TLS).toBe('off'); // HTTPS ends at the Ingress
  });

  it('run as a non-root user with no privileges, a read-only root and writable data and tmp', () => {
    const spec = deployment().spec.template.spec;
    expect(spec.securityContext.runAsNonRoot).toBe(true);
    expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
    const c = container();
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const mounts = Object.fromEntries((c.volumeMounts ?? []).map((m) => [m.mountPath, m.name]));
    expect(Object.keys(mounts)).toEqual(expect.arrayContaining(['/data', '/tmp']));
    for (const name of Object.values(mounts)) expect(spec.volumes?.map((v) => v.name)).toContain(name);
  });

  it('ask for resources within their limits', () => {
    const { requests, limits } = container().resources;
    for (const r of ['cpu', 'memory']) {
      expect(requests[r], `requests.${r}`).toBeDefined();
      expect(limits[r], `limits.${r}`).toBeDefined();
      expect(quantity(requests[r])).toBeLessThanOrEqual(quantity(limits[r]));
    }
    expect(quantity(limits.memory)).toBeGreaterThanOrEqual(512 * 2 ** 20); // a 100 MiB blob upload adds ~40 MB on PostgreSQL
  });

  it('select the Deployment’s pods from the Service, the PodDisruptionBudget and the HorizontalPodAutoscaler', () => {
    const d = deployment();
    const labels = d.spec.template.metadata.labels;
    const matches = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    expect(matches(d.spec.selector.matchLabels)).toBe(true);

    const service = one<Obj & { spec: { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string | number }[] } }>('Service');
    expect(matches(service.spec.selector)).toBe(true);
    for (const p of service.spec.ports) expect(portNumber(p.targetPort)).toBeDefined();

    const pdb = one<Obj & { spec: { selector: { matchLabels: Record<string, string> }; minAvailable: number } }>('PodDisruptionBudget');
    expect(matches(pdb.spec.selector.matchLabels)).toBe(true);
    expect(pdb.spec.minAvailable).toBeLessThan(d.spec.replicas);

    const hpa = one<Obj & { spec: { scaleTargetRef: { apiVersion: string; kind: string; name: string }; minReplicas: number; maxReplicas: number } }>(
      'HorizontalPodAutoscaler',
    );
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: d.apiVersion, kind: 'Deployment', name: d.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThan(1);
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);

    const ingress = one<
      Obj & { spec: { rules: { http: { paths: { backend: { service: { name: string; port: { name?: string; number?: number } } } }[] } }[] } }
    >('Ingress');
    for (const path of ingress.spec.rules.flatMap((r) => r.http.paths)) {
      expect(path.backend.service.name).toBe(service.metadata.name);
      expect(service.spec.ports.some((p) => p.name === path.backend.service.port.name || p.port === path.backend.service.port.number)).toBe(true);
    }
  });
});

// --- Dockerfile -------------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}
/** The Dockerfile's instructions: comments dropped, `\` continuations joined, split into stages at FROM. */
function dockerfile(text: string): Instruction[][] {
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const instructions = joined
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [, op, args] = /^(\S+)\s+([\s\S]*)$/.exec(l) ?? [];
      return { op: op.toUpperCase(), args: args.trim() };
    });
  const stages: Instruction[][] = [];
  for (const i of instructions) {
    if (i.op === 'FROM') stages.push([]);
    stages[stages.length - 1]?.push(i);
  }
  return stages;
}
/** `ENV A=1 B=2` → { A: '1', B: '2' }. */
const envOf = (stage: Instruction[]) =>
  Object.fromEntries(
    stage
      .filter((i) => i.op === 'ENV')
      .flatMap((i) => i.args.split(/\s+/))
      .map((kv) => kv.split('=') as [string, string]),
  );
const execForm = (args: string) => JSON.parse(args) as string[];

const stages = dockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const runtime = stages[stages.length - 1];
const runtimeEnv = envOf(runtime);
const cmd = execForm(runtime.find((i) => i.op === 'CMD')!.args);
const healthcheck = execForm(/CMD\s+(\[.*\])$/.exec(runtime.find((i) => i.op === 'HEALTHCHECK')!.args)![1]);

describe('the Dockerfile', () => {
  it('builds in one stage and runs from another that copies only what it needs from it', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const names = stages.map((s) => /\sAS\s+(\S+)$/i.exec(s[0].args)?.[1]);
    expect(names.every(Boolean)).toBe(true);
    const build = stages[0];
    expect(build.some((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args))).toBe(true);
    expect(build.some((i) => i.op === 'RUN' && /\bnpm run build\b/.test(i.args))).toBe(true);
    // The runtime installs nothing: it copies the build's output, and never the whole node_modules.
    expect(runtime.some((i) => i.op === 'RUN' && /\bnpm\b/.test(i.args))).toBe(false);
    const copies = runtime.filter((i) => i.op === 'COPY');
    expect(copies.every((i) => i.args.startsWith(`--from=${names[0]} `))).toBe(true);
    expect(copies.some((i) => /\/app\/node_modules\s/.test(i.args))).toBe(false);
    expect(stages.every((s) => /^\$\{NODE_IMAGE\}|^node:20/.test(s[0].args))).toBe(true);
  });

  it('runs as a non-root user given by number, exposes the port it listens on, keeps data in a volume and checks /api/health', () => {
    const user = runtime.filter((i) => i.op === 'USER').pop()?.args;
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/); // numeric, so Kubernetes' runAsNonRoot can verify it
    const deployment = objects.find((o) => o.kind === 'Deployment') as Deployment;
    expect(Number(user!.split(':')[0])).toBe(deployment.spec.template.spec.securityContext.runAsUser);

    const exposed = runtime
      .filter((i) => i.op === 'EXPOSE')
      .flatMap((i) => i.args.split(/\s+/))
      .map((p) => Number(p.split('/')[0]));
    expect(exposed).toContain(Number(runtimeEnv.PORT));
    expect(deployment.spec.template.spec.containers[0].ports.map((p) => p.containerPort)).toContain(Number(runtimeEnv.PORT));

    const volumes = runtime.filter((i) => i.op === 'VOLUME').flatMap((i) => (i.args.startsWith('[') ? execForm(i.args) : i.args.split(/\s+/)));
    expect(volumes).toContain(runtimeEnv.OUTPOST_DATA_DIR);
    expect(healthcheck.join(' ')).toContain('/api/health');
    expect(runtime.find((i) => i.op === 'HEALTHCHECK')!.args).toMatch(/--start-period=\d+s/);
  });

  it('documents every setting it sets, and leaves out of the context what the image makes itself', () => {
    expect(Object.keys(runtimeEnv).filter((n) => n !== 'NODE_ENV' && !documented.has(n))).toEqual([]);
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['node_modules', 'web/dist', 'data', '.git']) expect(ignored).toContain(p);
  });
});

// --- The compiled server, laid out as in the image ----------------------------------------------

// Postgres where one answers (TEST_DATABASE_URL), as the store suites do; CI must have it.
const pgProblem = await postgresProblem();

const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => ok(port));
    });
  });

describe('the image’s server, run from a folder laid out like the image', () => {
  // /app in the image: package.json, dist/server (compiled), node_modules with PGlite alone, web/dist.
  const app = mkdtempSync(join(tmpdir(), 'outpost-image-'));
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(() => {
    copyFileSync(join(root, 'package.json'), join(app, 'package.json'));
    mkdirSync(join(app, 'node_modules/@electric-sql'), { recursive: true });
    symlinkSync(join(root, 'node_modules/@electric-sql/pglite'), join(app, 'node_modules/@electric-sql/pglite'), 'dir');
    mkdirSync(join(app, 'web/dist'), { recursive: true });
    writeFileSync(join(app, 'web/dist/index.html'), '<!doctype html><title>Outpost image test</title>');
    const built = spawnSync(process.execPath, ['deploy/build-server.mjs', join(app, 'dist/server')], { cwd: root, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const c of cleanups.reverse()) await c().catch(() => {});
    rmSync(app, { recursive: true, force: true });
  });

  /** The image's CMD, in its WORKDIR, with its ENV (the data directory and ports made local). */
  async function run(env: Record<string, string>) {
    const port = await freePort();
    const full = { PATH: process.env.PATH ?? '', ...runtimeEnv, OUTPOST_WEB_DIR: join(app, 'web/dist'), HOST: '127.0.0.1', PORT: String(port), ...env };
    const child = spawn(cmd[0] === 'node' ? process.execPath : cmd[0], cmd.slice(1), { cwd: app, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    // The image's HEALTHCHECK command, as Docker runs it: exit 0 once the server answers.
    const healthy = () => spawnSync(process.execPath, healthcheck.slice(1), { env: full, timeout: 10_000 }).status === 0;
    const started = Date.now();
    while (!healthy()) {
      if (child.exitCode !== null) throw new Error(`the server exited:\n${out}`);
      if (Date.now() - started > 90_000) throw new Error(`the server did not become healthy:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return { url: `http://127.0.0.1:${port}`, env: full, child, exited, healthy, output: () => out };
  }

  it('starts with the image’s CMD on PGlite in its data directory, passes its HEALTHCHECK, serves the app and the admin CLI, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-image-data-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const server = await run({ OUTPOST_DATA_DIR: dataDir });
    expect(await (await fetch(`${server.url}/api/health`)).json()).toEqual({ status: 'ok', store: 'pglite', version: pkg.version });
    expect(await (await fetch(`${server.url}/`)).text()).toContain('Outpost image test');
    expect(existsSync(join(dataDir, 'admin-token'))).toBe(true);
    // `docker exec outpost node dist/server/admin.mjs list-orgs` (docs/deploy.md).
    const admin = spawnSync(process.execPath, ['dist/server/admin.mjs', 'list-orgs'], { cwd: app, env: server.env, encoding: 'utf8' });
    expect(admin.stdout, admin.stderr).toMatch(/\bDefault\b/);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.healthy()).toBe(false);
  });

  it.skipIf(!!pgProblem && process.env.CI !== 'true')('runs as several replicas on one PostgreSQL, each seeing what another wrote', async () => {
    const db = await freshDatabase(undefined, 'outpost_image');
    cleanups.push(db.drop);
    const shared = { DATABASE_URL: db.url, OUTPOST_ADMIN_TOKEN: 'image-test-admin-token-0123456789' };
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'outpost-replica-')));
    for (const d of dirs) cleanups.push(async () => rmSync(d, { recursive: true, force: true }));
    // Started at once, as a Deployment's pods are: the migrations must not trip over each other.
    const [a, b] = await Promise.all(dirs.map((d) => run({ ...shared, OUTPOST_DATA_DIR: d })));
    for (const r of [a, b]) expect(await (await fetch(`${r.url}/api/health`)).json()).toMatchObject({ status: 'ok', store: 'postgres' });

    const auth = { authorization: `Bearer ${shared.OUTPOST_ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const made = await fetch(`${a.url}/api/admin/orgs`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Clinic North' }) });
    expect(made.status).toBe(201);
    const { id } = (await made.json()) as { id: string };
    const orgs = (await (await fetch(`${b.url}/api/admin/orgs`, { headers: auth })).json()) as { id: string }[];
    expect(orgs.map((o) => o.id)).toContain(id);
    for (const r of [a, b]) r.child.kill('SIGTERM');
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
  });
});
