// Runs the real server as a child process (one Node process, so SIGKILL really kills it) for
// fault and scale-out tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
  output(): string;
}

export async function startServer(env: {
  port: number;
  dataDir?: string;
  databaseUrl?: string;
  webDir?: string;
  /** More environment variables for the server (e.g. a raised limit). */
  extraEnv?: Record<string, string>;
  /** How long to wait for it to answer (PGlite's first start in a new data directory is slow on a busy machine). */
  startTimeoutMs?: number;
}): Promise<ServerProcess> {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/index.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(env.port),
      HOST: '127.0.0.1',
      OUTPOST_DATA_DIR: env.dataDir ?? '',
      DATABASE_URL: env.databaseUrl ?? '',
      OUTPOST_ADMIN_TOKEN: 'test-admin-token-0123456789',
      OUTPOST_WEB_DIR: env.webDir ?? '/nonexistent',
      ...env.extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${env.port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() - started > (env.startTimeoutMs ?? 30_000)) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => out,
    kill: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

export async function adminCall<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}/api/admin${path}`, {
    method,
    headers: { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
