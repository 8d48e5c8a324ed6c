import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { TlsSettings } from './config.js';

/**
 * HTTPS for a server on a clinic's LAN (docs/lan-https.md). Phones need a secure context to install
 * the app (service worker) and use Web Crypto, and no public authority signs `192.168.1.20`. So with
 * OUTPOST_TLS=auto the server makes its own small certificate authority once, keeps it in
 * `$OUTPOST_DATA_DIR/tls/`, and issues itself a server certificate for every name and address it
 * has. A phone trusts the authority once; when the machine gets a new address the server issues a
 * new server certificate from the same authority and the phone goes on trusting it. With
 * OUTPOST_TLS=custom the operator brings the certificate and key.
 */

const DAY = 86_400_000;
/** Apple refuses TLS server certificates valid for longer (support.apple.com/103769); Chrome allows it for local roots. */
export const SERVER_CERT_DAYS = 825;
/** The authority a phone trusts: long-lived, so phones are not asked again every two years. */
export const CA_DAYS = 3650;
/** A certificate this close to its end is replaced at start. */
const RENEW_BEFORE_DAYS = 30;
/** Valid from a day back: a phone whose clock is a few hours behind still accepts a new certificate. */
const BACKDATE_MS = DAY;

export interface ServingCertificate {
  /** PEM for `https.createServer`. */
  key: string;
  cert: string;
  /** SHA-256 of the certificate the server presents, as browsers show it (`AB:CD:…`). */
  fingerprint: string;
  /** The names and addresses it is valid for (its subjectAltName). */
  names: string[];
  validTo: Date;
  /** What a phone installs to trust the server (served at GET /outpost-ca.cer), when there is one. */
  authority?: { der: Buffer; fingerprint: string; subject: string; validTo: Date };
  /** What happened at start, in sentences, for the log. */
  notes: string[];
}

const FILES = { caCert: 'ca.pem', caKey: 'ca-key.pem', cert: 'server.pem', key: 'server-key.pem' };

/** `fe80::1`, `FE80:0:0:0:0:0:0:1` and `[fe80::1]` are one address; host names are case-blind. */
export function canonicalName(name: string): string {
  const bare = name.trim().replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) === 6) return new URL(`http://[${bare}]`).hostname.slice(1, -1);
  return bare.toLowerCase();
}

/** The host part of a URL for a name: IPv6 addresses in brackets. */
export const urlHost = (name: string) => (isIP(name) === 6 ? `[${name}]` : name);

// A DNS name a certificate may carry: letters, digits, hyphens, dots (no underscores, no spaces).
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
export const isCertificateName = (name: string) => isIP(canonicalName(name)) !== 0 || DNS_NAME.test(canonicalName(name));

/**
 * Every name a phone on the LAN may use for this machine: `localhost`, the loopback addresses, the
 * host name (and `<host>.local` for mDNS), and every non-internal IPv4 and IPv6 address.
 */
export function machineNames(interfaces = networkInterfaces(), hostname = osHostname()): string[] {
  const names = ['localhost', '127.0.0.1', '::1'];
  const host = canonicalName(hostname);
  if (DNS_NAME.test(host) && host !== 'localhost') names.push(host, ...(host.includes('.') ? [] : [`${host}.local`]));
  for (const list of Object.values(interfaces)) for (const a of list ?? []) if (!a.internal) names.push(a.address);
  return [...new Set(names.map(canonicalName))];
}

/** Link-local addresses (169.254/16, fe80::/10) go in the certificate but make poor URLs to hand out. */
const linkLocal = (name: string) => /^169\.254\./.test(name) || /^fe[89ab][0-9a-f]:/i.test(name);

/** The https URLs to print, one per name a person could type (loopback and link-local left out but localhost). */
export function httpsUrls(names: string[], port: number): string[] {
  const suffix = port === 443 ? '' : `:${port}`;
  return names.filter((n) => n === 'localhost' || (n !== '127.0.0.1' && n !== '::1' && !linkLocal(n))).map((n) => `https://${urlHost(n)}${suffix}`);
}

/** `AB:CD:…`: the SHA-256 fingerprint as Chrome, Safari and Android's settings show it. */
export const fingerprintOf = (cert: X509Certificate) => cert.fingerprint256;

/** The subjectAltName entries of a certificate, canonical (`DNS:a, IP Address:1.2.3.4` → `['a', '1.2.3.4']`). */
export function certificateNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .map((e) => e.replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean)
    .map(canonicalName);
}

function writeAtomically(file: string, text: string, mode: number) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, file);
}

const notBefore = (now: Date) => new Date(now.getTime() - BACKDATE_MS);
const daysAfter = (from: Date, days: number) => new Date(from.getTime() + days * DAY);
const usableAt = (cert: X509Certificate, now: Date) => new Date(cert.validTo).getTime() - now.getTime() > RENEW_BEFORE_DAYS * DAY;

async function makeAuthority(host: string, now: Date) {
  const from = notBefore(now);
  return generate(
    [
      { name: 'commonName', value: `Outpost CA ${host} ${now.toISOString().slice(0, 10)}` },
      { name: 'organizationName', value: 'Outpost' },
    ],
    {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: from,
      notAfterDate: daysAfter(from, CA_DAYS),
      // Only for issuing this server's certificates (pathLen 0: no authorities below it).
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    },
  );
}

async function makeServerCertificate(names: string[], ca: { cert: string; key: string }, now: Date) {
  const from = notBefore(now);
  const dns = names.find((n) => isIP(n) === 0 && n !== 'localhost') ?? 'localhost';
  return generate([{ name: 'commonName', value: dns }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: from,
    notAfterDate: daysAfter(from, SERVER_CERT_DAYS),
    ca,
    // What Apple and Chrome ask of a TLS server certificate: not a CA, serverAuth, the names in SAN.
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })) },
    ],
  });
}

function readPair(dir: string, certFile: string, keyFile: string): { cert: X509Certificate; certPem: string; keyPem: string; key: KeyObject } | undefined {
  const cf = join(dir, certFile);
  const kf = join(dir, keyFile);
  if (!existsSync(cf) || !existsSync(kf)) return undefined;
  try {
    const certPem = readFileSync(cf, 'utf8');
    const keyPem = readFileSync(kf, 'utf8');
    const cert = new X509Certificate(certPem);
    const key = createPrivateKey(keyPem);
    if (!cert.checkPrivateKey(key)) throw new Error('the key is not the certificate’s');
    return { cert, certPem, keyPem, key };
  } catch (e) {
    throw new Error(
      `The certificate files ${cf} and ${kf} cannot be used (${(e as Error).message}). Restore them from a backup, or move ${dir} away to make new ones (phones must then trust the new authority, see docs/lan-https.md).`,
      { cause: e },
    );
  }
}

/**
 * OUTPOST_TLS=auto: the server's certificate in `dir`, made at first start and reused after. The
 * authority is kept while it is valid; the server certificate is reissued from it when it does not
 * cover every name in `names` or is within 30 days of its end.
 */
export async function autoCertificate(dir: string, names: string[], now = new Date()): Promise<ServingCertificate> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const wanted = [...new Set(names.map(canonicalName))];
  const notes: string[] = [];

  let ca = readPair(dir, FILES.caCert, FILES.caKey);
  if (ca && !usableAt(ca.cert, now)) {
    notes.push(`The certificate authority in ${dir} ends on ${ca.cert.validTo}: made a new one. Phones must trust the new one (docs/lan-https.md).`);
    ca = undefined;
  }
  if (!ca) {
    const made = await makeAuthority(wanted.find((n) => isIP(n) === 0 && n !== 'localhost') ?? 'localhost', now);
    writeAtomically(join(dir, FILES.caKey), made.private, 0o600);
    writeAtomically(join(dir, FILES.caCert), made.cert, 0o644);
    // Any server certificate from an earlier authority is now worthless.
    ca = readPair(dir, FILES.caCert, FILES.caKey)!;
    if (!notes.length) notes.push(`Made a certificate authority for this server in ${dir}.`);
  }

  let server = readPair(dir, FILES.cert, FILES.key);
  if (server) {
    const has = new Set(certificateNames(server.cert));
    const missing = wanted.filter((n) => !has.has(n));
    const fromThisCa = server.cert.checkIssued(ca.cert) && server.cert.verify(ca.cert.publicKey);
    const reason = !fromThisCa
      ? 'it is not from the current authority'
      : !usableAt(server.cert, now)
        ? `it ends on ${server.cert.validTo}`
        : missing.length
          ? `it does not cover ${missing.join(', ')}`
          : undefined;
    if (reason) {
      notes.push(`Issued a new server certificate: ${reason}.`);
      server = undefined;
    } else notes.push(`Reused the server certificate in ${dir}.`);
  }
  if (!server) {
    const made = await makeServerCertificate(wanted, { cert: ca.certPem, key: ca.keyPem }, now);
    writeAtomically(join(dir, FILES.key), made.private, 0o600);
    writeAtomically(join(dir, FILES.cert), made.cert, 0o644);
    server = readPair(dir, FILES.cert, FILES.key)!;
    if (!notes.some((n) => n.startsWith('Issued'))) notes.push(`Issued a server certificate for ${wanted.join(', ')}.`);
  }

  return {
    key: server.keyPem,
    cert: server.certPem,
    fingerprint: fingerprintOf(server.cert),
    names: certificateNames(server.cert),
    validTo: new Date(server.cert.validTo),
    authority: { der: ca.cert.raw, fingerprint: fingerprintOf(ca.cert), subject: ca.cert.subject, validTo: new Date(ca.cert.validTo) },
    notes,
  };
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * OUTPOST_TLS=custom: the operator's certificate (PEM, the server's first and then its chain) and
 * key. A file that cannot be read or used stops the server with a sentence naming its variable.
 * When the chain ends in a root (or the certificate is its own), that root is what phones install.
 */
export function customCertificate(certFile: string, keyFile: string, now = new Date()): ServingCertificate {
  const read = (file: string, variable: string, what: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(
        `${variable}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Point ${variable} at ${what} and start again.`,
        { cause: e },
      );
    }
  };
  const certPem = read(certFile, 'OUTPOST_TLS_CERT', 'the server certificate in PEM form (the full chain, the server’s certificate first)');
  const keyPem = read(keyFile, 'OUTPOST_TLS_KEY', 'the certificate’s private key in PEM form');

  let chain: X509Certificate[];
  try {
    chain = (certPem.match(PEM_CERT) ?? []).map((pem) => new X509Certificate(pem));
  } catch (e) {
    throw new Error(`OUTPOST_TLS_CERT: ${certFile} holds a certificate that cannot be read (${(e as Error).message}). Give the certificate in PEM form.`, {
      cause: e,
    });
  }
  if (!chain.length) throw new Error(`OUTPOST_TLS_CERT: ${certFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----). Give the certificate in PEM form.`);
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (e) {
    throw new Error(`OUTPOST_TLS_KEY: ${keyFile} holds no private key that can be read (${(e as Error).message}). Give an unencrypted PEM private key.`, {
      cause: e,
    });
  }
  const [leaf] = chain;
  if (!leaf.checkPrivateKey(key))
    throw new Error(`OUTPOST_TLS_KEY: the key in ${keyFile} is not the key of the certificate in ${certFile} (OUTPOST_TLS_CERT).`);

  const notes = [`Serving the certificate in ${certFile}.`];
  if (new Date(leaf.validTo).getTime() <= now.getTime())
    notes.push(`Warning: the certificate in ${certFile} ended on ${leaf.validTo}; browsers will refuse it. Renew it.`);
  else if (!usableAt(leaf, now)) notes.push(`Warning: the certificate in ${certFile} ends on ${leaf.validTo}. Renew it soon.`);
  const last = chain[chain.length - 1];
  const root = last.ca && last.checkIssued(last) ? last : undefined;
  return {
    key: keyPem,
    cert: certPem,
    fingerprint: fingerprintOf(leaf),
    names: certificateNames(leaf),
    validTo: new Date(leaf.validTo),
    ...(root ? { authority: { der: root.raw, fingerprint: fingerprintOf(root), subject: root.subject, validTo: new Date(root.validTo) } } : {}),
    notes,
  };
}

/** The certificate the settings ask for, or none with OUTPOST_TLS=off. */
export async function serverCertificate(tls: TlsSettings, dataDir: string, names = machineNames(), now = new Date()): Promise<ServingCertificate | undefined> {
  if (tls.mode === 'off') return undefined;
  if (tls.mode === 'custom') return customCertificate(tls.certFile!, tls.keyFile!, now);
  // The operator's names first: they are how phones reach the server (a container sees only its own addresses).
  return autoCertificate(join(dataDir, 'tls'), [...tls.names, ...names], now);
}

/** What the server prints at start: where to reach it over HTTPS and what to compare on a phone. */
export function tlsBanner(cert: ServingCertificate, httpsPort: number, httpPort: number, ipv6 = true): string {
  // A server listening on an IPv4 address (HOST=0.0.0.0, the default) cannot be reached at its IPv6 ones.
  const urls = httpsUrls(cert.names.length ? cert.names.filter((n) => ipv6 || isIP(n) !== 6) : ['localhost'], httpsPort);
  // The address to type on a phone: an IPv4 address resolves everywhere, a host name not always.
  const hosts = urls.map((u) => new URL(u).hostname);
  const lan = hosts.find((h) => isIP(h) === 4) ?? hosts.find((h) => h !== 'localhost') ?? 'localhost';
  const plain = `http://${lan}:${httpPort}`;
  return [
    ...cert.notes.map((n) => `  ${n}`),
    `  HTTPS on ${urls.join(', ')}`,
    `  Server certificate SHA-256: ${cert.fingerprint} (until ${cert.validTo.toISOString().slice(0, 10)})`,
    ...(cert.authority
      ? [
          `  Phones trust it once: open ${plain}/outpost-ca.cer and follow docs/lan-https.md;`,
          `  the certificate to trust, "${cert.authority.subject.replace(/\n/g, ', ')}", has SHA-256 ${cert.authority.fingerprint}`,
        ]
      : []),
  ].join('\n');
}
