import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate, createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { createServer as createHttpsServer } from 'node:https';
import {
  autoCertificate,
  canonicalName,
  customCertificate,
  httpsUrls,
  machineNames,
  SERVER_CERT_DAYS,
  serverCertificate,
  tlsBanner,
  type ServingCertificate,
} from './tls.js';
import { readConfig } from './config.js';
import { createApp } from './app.js';
import { openStore, type Db } from './store/index.js';

const temp = (name: string) => mkdtempSync(join(tmpdir(), `outpost-tls-${name}-`));
const NAMES = ['localhost', '127.0.0.1', '::1', 'clinic-server', 'clinic-server.local', '192.168.1.20', 'fd00::20'];
const NOW = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

interface Answer {
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
  peer?: X509Certificate;
}

/** One request with Node's own client; over HTTPS it verifies the chain against `ca` and the host against the SANs. */
function get(url: string, ca?: string): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const done = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = u.protocol === 'https:' ? (res.socket as TLSSocket).getPeerX509Certificate?.() : undefined;
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers, peer: raw });
      });
    };
    const req = u.protocol === 'https:' ? httpsRequest(u, { ca, agent: false }, done) : httpRequest(u, { agent: false }, done);
    req.on('error', reject);
    req.end();
  });
}

const pemOf = (der: Buffer) => new X509Certificate(der).toString();

describe('the names a certificate carries', () => {
  it('are localhost, the loopbacks, the host name (and .local) and every non-internal address, canonical', () => {
    const names = machineNames(
      {
        lo: [{ address: '127.0.0.1', internal: true, family: 'IPv4', netmask: '255.0.0.0', mac: '00:00:00:00:00:00', cidr: null }],
        eth0: [
          { address: '192.168.1.20', internal: false, family: 'IPv4', netmask: '255.255.255.0', mac: '02:00:00:00:00:01', cidr: null },
          {
            address: 'FE80:0:0:0:0:0:0:20',
            internal: false,
            family: 'IPv6',
            netmask: 'ffff:ffff:ffff:ffff::',
            mac: '02:00:00:00:00:01',
            scopeid: 2,
            cidr: null,
          },
        ],
        docker0: [{ address: '10.88.0.1', internal: false, family: 'IPv4', netmask: '255.255.0.0', mac: '02:00:00:00:00:02', cidr: null }],
      },
      'Clinic-Server',
    );
    expect(names).toEqual(['localhost', '127.0.0.1', '::1', 'clinic-server', 'clinic-server.local', '192.168.1.20', 'fe80::20', '10.88.0.1']);
    // A host name a certificate cannot carry (an underscore) is left out rather than making a broken certificate.
    expect(machineNames({}, 'my_box')).toEqual(['localhost', '127.0.0.1', '::1']);
    expect(canonicalName('[FD00:0:0:0:0:0:0:20]')).toBe('fd00::20');
  });

  it('are printed as https URLs a person can type (no loopback or link-local addresses but localhost)', () => {
    expect(httpsUrls(['localhost', '127.0.0.1', '::1', '192.168.1.20', 'fe80::20', 'fd00::20'], 8443)).toEqual([
      'https://localhost:8443',
      'https://192.168.1.20:8443',
      'https://[fd00::20]:8443',
    ]);
    expect(httpsUrls(['clinic.example'], 443)).toEqual(['https://clinic.example']);
  });
});

describe('OUTPOST_TLS=auto', () => {
  let dir: string;
  let first: ServingCertificate;
  beforeAll(async () => {
    dir = temp('auto');
    first = await autoCertificate(dir, NAMES, NOW);
  });

  it('makes an authority and a server certificate for every name, valid 825 days, ECDSA P-256', () => {
    const cert = new X509Certificate(first.cert);
    const ca = new X509Certificate(first.authority!.der);
    expect(first.notes.join(' ')).toMatch(/Made a certificate authority/);
    expect(first.names.sort()).toEqual([...NAMES].sort());
    expect(cert.subjectAltName).toContain('DNS:clinic-server.local');
    expect(cert.subjectAltName).toContain('IP Address:192.168.1.20');
    expect(cert.ca).toBe(false);
    expect(ca.ca).toBe(true);
    expect(cert.checkIssued(ca) && cert.verify(ca.publicKey)).toBe(true);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
    expect((new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()) / DAY).toBe(SERVER_CERT_DAYS);
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(first.fingerprint).toBe(cert.fingerprint256);
    // The private keys are the server's alone.
    expect(statSync(join(dir, 'server-key.pem')).mode & 0o077).toBe(0);
    expect(statSync(join(dir, 'ca-key.pem')).mode & 0o077).toBe(0);
  });

  it('reuses both at the next start', async () => {
    const again = await autoCertificate(dir, NAMES, new Date(NOW.getTime() + 7 * DAY));
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.authority!.fingerprint).toBe(first.authority!.fingerprint);
    expect(again.key).toBe(first.key);
    expect(again.notes).toEqual([`Reused the server certificate in ${dir}.`]);
  });

  it('issues a new server certificate from the same authority for a new address, or near its end, so phones keep trusting it', async () => {
    const moved = await autoCertificate(dir, [...NAMES, '192.168.1.77'], NOW);
    expect(moved.fingerprint).not.toBe(first.fingerprint);
    expect(moved.authority!.fingerprint).toBe(first.authority!.fingerprint);
    expect(moved.names).toContain('192.168.1.77');
    expect(moved.notes.join(' ')).toMatch(/does not cover 192\.168\.1\.77/);

    const late = await autoCertificate(dir, NAMES, new Date(NOW.getTime() + (SERVER_CERT_DAYS - 20) * DAY));
    expect(late.fingerprint).not.toBe(moved.fingerprint);
    expect(late.authority!.fingerprint).toBe(first.authority!.fingerprint);
    expect(late.notes.join(' ')).toMatch(/it ends on/);
  });

  it('puts the names the operator gives first, and the banner sends phones to the first IPv4 address for the certificate', async () => {
    const dataDir = temp('names');
    const inContainer = ['localhost', '127.0.0.1', '::1', '172.17.0.2'];
    const cert = await serverCertificate({ mode: 'auto', httpsPort: 8443, names: ['192.168.1.20', 'clinic.lan'] }, dataDir, inContainer, NOW);
    expect(cert!.names.slice(0, 2)).toEqual(['192.168.1.20', 'clinic.lan']);
    const banner = tlsBanner(cert!, 8443, 8787);
    expect(banner).toContain('HTTPS on https://192.168.1.20:8443, https://clinic.lan:8443, https://localhost:8443, https://172.17.0.2:8443');
    expect(banner).toContain('open http://192.168.1.20:8787/outpost-ca.cer');
    expect(banner).toContain(`Server certificate SHA-256: ${cert!.fingerprint}`);
    expect(banner).toContain(`has SHA-256 ${cert!.authority!.fingerprint}`);
    // A server on an IPv4 address (HOST=0.0.0.0) does not offer URLs it cannot answer at.
    const v6 = { ...cert!, names: ['localhost', 'fd00::20', '192.168.1.20'] };
    expect(tlsBanner(v6, 8443, 8787, false)).not.toContain('fd00::20');
    expect(tlsBanner(v6, 8443, 8787, true)).toContain('https://[fd00::20]:8443');
  });

  it('stops with a sentence when its files are damaged, rather than quietly making an authority phones do not trust', async () => {
    const broken = temp('broken');
    await autoCertificate(broken, NAMES, NOW);
    writeFileSync(join(broken, 'ca-key.pem'), 'not a key');
    await expect(autoCertificate(broken, NAMES, NOW)).rejects.toThrow(/cannot be used .*move .* away to make new ones/);
  });
});

describe('OUTPOST_TLS=custom', () => {
  let dir: string;
  let made: ServingCertificate;
  beforeAll(async () => {
    dir = temp('custom');
    made = await autoCertificate(dir, NAMES, NOW);
  });

  it('serves the operator’s chain, and offers phones its root', () => {
    const chain = join(dir, 'chain.pem');
    writeFileSync(chain, readFileSync(join(dir, 'server.pem'), 'utf8') + readFileSync(join(dir, 'ca.pem'), 'utf8'));
    const c = customCertificate(chain, join(dir, 'server-key.pem'), NOW);
    expect(c.fingerprint).toBe(made.fingerprint);
    expect(c.authority?.fingerprint).toBe(made.authority!.fingerprint);
    // Without its root in the file (a public authority, say) there is nothing for phones to install.
    expect(customCertificate(join(dir, 'server.pem'), join(dir, 'server-key.pem'), NOW).authority).toBeUndefined();
  });

  it('a file that cannot be used stops the server with a sentence naming its variable', () => {
    const key = join(dir, 'server-key.pem');
    expect(() => customCertificate(join(dir, 'missing.pem'), key)).toThrow(
      /^OUTPOST_TLS_CERT: cannot read .*missing\.pem \(ENOENT\)\. Point OUTPOST_TLS_CERT at/,
    );
    expect(() => customCertificate(join(dir, 'server.pem'), join(dir, 'nokey.pem'))).toThrow(/^OUTPOST_TLS_KEY: cannot read/);
    writeFileSync(join(dir, 'junk.pem'), 'hello');
    expect(() => customCertificate(join(dir, 'junk.pem'), key)).toThrow(/^OUTPOST_TLS_CERT: .* holds no PEM certificate/);
    expect(() => customCertificate(join(dir, 'server.pem'), join(dir, 'junk.pem'))).toThrow(/^OUTPOST_TLS_KEY: .* holds no private key/);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    writeFileSync(join(dir, 'other-key.pem'), other);
    expect(() => customCertificate(join(dir, 'server.pem'), join(dir, 'other-key.pem'))).toThrow(
      /^OUTPOST_TLS_KEY: the key in .* is not the key of the certificate/,
    );
  });

  it('warns of a certificate that has ended', () => {
    const c = customCertificate(join(dir, 'server.pem'), join(dir, 'server-key.pem'), new Date(NOW.getTime() + 900 * DAY));
    expect(c.notes.join(' ')).toMatch(/Warning: .* ended on .*Renew it/);
  });
});

describe('the HTTPS settings', () => {
  const base = () => ({ OUTPOST_DATA_DIR: temp('config') });

  it('keep HTTP only by default, and turn on auto with a port and custom with files', () => {
    expect(readConfig(base(), 't').tls).toEqual({ mode: 'off', httpsPort: 8443, names: [] });
    expect(readConfig({ ...base(), OUTPOST_HTTPS_PORT: '9443' }, 't').tls).toMatchObject({ mode: 'auto', httpsPort: 9443 });
    expect(readConfig({ ...base(), OUTPOST_TLS: 'auto', OUTPOST_TLS_NAMES: 'clinic.lan, 192.168.1.20' }, 't').tls).toEqual({
      mode: 'auto',
      httpsPort: 8443,
      names: ['clinic.lan', '192.168.1.20'],
    });
    expect(readConfig({ ...base(), OUTPOST_TLS_CERT: 'a.pem', OUTPOST_TLS_KEY: 'b.pem' }, 't').tls).toMatchObject({
      mode: 'custom',
      certFile: join(process.cwd(), 'a.pem'),
      keyFile: join(process.cwd(), 'b.pem'),
    });
  });

  it('that do not fit together stop the server with a sentence naming each variable', () => {
    const bad = (env: Record<string, string>) => () => readConfig({ ...base(), ...env }, 't');
    expect(bad({ OUTPOST_TLS: 'on' })).toThrow(/OUTPOST_TLS: /);
    expect(bad({ OUTPOST_TLS: 'custom' })).toThrow(
      /OUTPOST_TLS_CERT: OUTPOST_TLS=custom needs the certificate file.*OUTPOST_TLS_KEY: OUTPOST_TLS=custom needs/,
    );
    expect(bad({ OUTPOST_TLS: 'auto', OUTPOST_TLS_CERT: 'a.pem' })).toThrow(/OUTPOST_TLS_CERT: is set but OUTPOST_TLS is auto/);
    expect(bad({ OUTPOST_TLS: 'off', OUTPOST_HTTPS_PORT: '8443' })).toThrow(/OUTPOST_HTTPS_PORT: is set but OUTPOST_TLS is off/);
    expect(bad({ OUTPOST_TLS: 'auto', PORT: '8443' })).toThrow(/OUTPOST_HTTPS_PORT: must differ from PORT/);
    expect(bad({ OUTPOST_HTTPS_PORT: '0' })).toThrow(/OUTPOST_HTTPS_PORT: /);
    expect(bad({ OUTPOST_TLS: 'auto', OUTPOST_TLS_NAMES: 'clinic server' })).toThrow(/OUTPOST_TLS_NAMES: each entry is a host name or an IP address/);
  });
});

describe('the app over HTTPS', () => {
  let db: Db;
  let cert: ServingCertificate;
  let secure: ServerType;
  let plain: ServerType;
  let httpsPort = 0;
  let httpPort = 0;
  beforeAll(async () => {
    db = await openStore({});
    cert = await autoCertificate(temp('serve'), NAMES, new Date());
    const app = createApp({ db, config: { adminToken: 'tls-admin-token-0123456789', version: '9.9.9' }, certificateAuthority: cert.authority!.der });
    await new Promise<void>((ok) => {
      secure = serve(
        { fetch: app.fetch, port: 0, hostname: '127.0.0.1', createServer: createHttpsServer, serverOptions: { key: cert.key, cert: cert.cert } },
        (info) => ((httpsPort = info.port), ok()),
      );
    });
    await new Promise<void>((ok) => {
      plain = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => ((httpPort = info.port), ok()));
    });
  });
  afterAll(async () => {
    secure.close();
    plain.close();
    await db.close();
  });

  it('answers /api/health to a client that trusts only the authority, with the certificate whose fingerprint was printed', async () => {
    const ca = pemOf(cert.authority!.der);
    for (const host of ['127.0.0.1', 'localhost']) {
      const res = await get(`https://${host}:${httpsPort}/api/health`, ca);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body.toString())).toMatchObject({ status: 'ok', version: '9.9.9' });
      expect(res.peer?.fingerprint256).toBe(cert.fingerprint);
    }
    // A client that does not trust the authority is refused: the certificate is what makes it safe.
    await expect(get(`https://127.0.0.1:${httpsPort}/api/health`)).rejects.toThrow(/self-signed certificate in certificate chain|unable to (get|verify)/);
  });

  it('serves the authority at /outpost-ca.cer over plain HTTP for phones, the same bytes whose fingerprint was printed', async () => {
    const res = await get(`http://127.0.0.1:${httpPort}/outpost-ca.cer`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-x509-ca-cert');
    expect(new X509Certificate(res.body).fingerprint256).toBe(cert.authority!.fingerprint);
    const hex = createHash('sha256').update(res.body).digest('hex').toUpperCase();
    expect(cert.authority!.fingerprint.replace(/:/g, '')).toBe(hex);
  });

  it('answers 404 with a sentence when the server has no certificate to install', async () => {
    const app = createApp({ db, config: { adminToken: 'tls-admin-token-0123456789', version: '9.9.9' } });
    const res = await app.request('/outpost-ca.cer');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/OUTPOST_TLS=off/);
  });
});

// The whole server as `npm run serve` starts it: index.ts reads the settings, makes the certificate and serves both ports.
describe('the server started with OUTPOST_TLS=auto', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const freePort = () =>
    new Promise<number>((ok) => {
      const s = createNetServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => ok(port));
      });
    });
  function start(env: Record<string, string>, until: RegExp) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/index.ts'], {
      cwd: root,
      env: { ...process.env, HOST: '127.0.0.1', OUTPOST_WEB_DIR: join(root, '.no-web-build'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const seen = new Promise<{ out: string; code: number | null }>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`the server did not start in time:\n${out}`)), 45_000);
      const look = (d: Buffer) => {
        out += d.toString();
        if (!until.test(out)) return;
        clearTimeout(timer);
        ok({ out, code: null });
      };
      child.stdout.on('data', look);
      child.stderr.on('data', look);
      child.on('exit', (code) => {
        clearTimeout(timer);
        ok({ out, code });
      });
    });
    return { child, seen };
  }

  it('prints the https URL and the fingerprint of the certificate it serves, and answers over both ports', async () => {
    const [port, httpsPort] = [await freePort(), await freePort()];
    const dataDir = temp('index');
    const { child, seen } = start({ OUTPOST_DATA_DIR: dataDir, PORT: String(port), OUTPOST_HTTPS_PORT: String(httpsPort) }, /has SHA-256 [0-9A-F:]{95}/);
    try {
      const { out } = await seen;
      expect(out).toContain(`HTTPS on https://localhost:${httpsPort}`);
      const printed = out.match(/Server certificate SHA-256: ([0-9A-F:]{95})/)?.[1];
      const printedCa = out.match(/has SHA-256 ([0-9A-F:]{95})/)?.[1];
      const caDer = (await get(`http://127.0.0.1:${port}/outpost-ca.cer`)).body;
      expect(new X509Certificate(caDer).fingerprint256).toBe(printedCa);
      const res = await get(`https://localhost:${httpsPort}/api/health`, pemOf(caDer));
      expect(res.status).toBe(200);
      expect(res.peer?.fingerprint256).toBe(printed);
      expect(new X509Certificate(readFileSync(join(dataDir, 'tls', 'server.pem'))).fingerprint256).toBe(printed);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('stops at once with a sentence naming the variable when the operator’s certificate file is missing', async () => {
    const { seen } = start(
      {
        OUTPOST_DATA_DIR: temp('index-bad'),
        PORT: String(await freePort()),
        OUTPOST_TLS_CERT: '/nonexistent/cert.pem',
        OUTPOST_TLS_KEY: '/nonexistent/key.pem',
      },
      /(?!)/,
    );
    const { out, code } = await seen;
    expect(code).toBe(1);
    expect(out).toMatch(/^OUTPOST_TLS_CERT: cannot read \/nonexistent\/cert\.pem \(ENOENT\)/m);
    expect(out).not.toMatch(/at .*\.ts:\d+/); // a sentence, not a stack trace
  });
});
