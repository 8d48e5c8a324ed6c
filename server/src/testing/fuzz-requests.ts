// Random and malformed requests for the route fuzzer (server/src/fuzz.test.ts): bodies, headers,
// paths and query strings as a careless client, a broken proxy or an attacker might send them.
import fc from 'fast-check';

/** What the fuzzer knows that makes a request get past the first checks. */
export interface FuzzKeys {
  deviceToken: string;
  adminToken: string;
  adminKey: string;
  blobHash: string;
  versionId: string;
  /** A console session and its form token, made for each request that needs a fresh one. */
  session: () => Promise<{ cookie: string; token: string }>;
  login: { cookie: string; token: string };
  origin: string;
}

export type BodyKind = 'json' | 'form' | 'bytes' | 'none';
export type Auth = 'device' | 'admin' | 'console' | 'login' | 'none';

export interface FuzzRoute {
  name: string;
  method: string;
  path: (k: FuzzKeys) => fc.Arbitrary<string>;
  body: BodyKind;
  auth: Auth;
  /** Field names this route reads, so that generated bodies sometimes almost fit. */
  fields?: string[];
}

// Header values must be byte strings without control characters (as on the wire).
const headerChar = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })).map((c) => String.fromCharCode(c));
export const headerText = fc.string({ unit: headerChar, maxLength: 60 });
const junk = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), headerText);

const safeEncode = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return 'x'; // a lone surrogate cannot be percent-encoded
  }
};
const NASTY_SEGMENTS = ['..%2F..%2Fetc%2Fpasswd', '%E0%A4%A', '%', '%00', '%2e%2e', '..', '.', 'a'.repeat(64), 'A'.repeat(64), '%ZZ', '%F0%9F%98', '%C0%AF'];
export const segment = (valid: string[] = []) =>
  fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...valid, ...NASTY_SEGMENTS) }, { weight: 1, arbitrary: junk.map(safeEncode) });

const queryPart = fc.oneof(
  fc.constant(''),
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom('cursor', 'limit', 'offset', 'total'), junk.map(safeEncode)),
        fc.oneof(junk.map(safeEncode), fc.constantFrom('%', '%E0%A4%A', '-1', '1e309', '9'.repeat(30), '0x10', '')),
      ),
      { maxLength: 4 },
    )
    .map((kv) => kv.map(([k, v]) => `${k}=${v}`).join('&')),
);
/** `path` with a random query string after it (joined to one it already has). */
export const withQuery = (path: fc.Arbitrary<string>) => fc.tuple(path, queryPart).map(([p, q]) => (q ? `${p}${p.includes('?') ? '&' : '?'}${q}` : p));

function jsonBody(fields: string[]) {
  const near = fc.dictionary(fc.constantFrom(...fields, 'changes', 'batchSeq', '__proto__'), fc.anything(), { maxKeys: 5 }).map((o) => JSON.stringify(o));
  const deep = fc.integer({ min: 1, max: 3000 }).map((n) => '['.repeat(n) + ']'.repeat(n));
  return fc.oneof(
    junk,
    fc.json(),
    near,
    deep,
    fc.constantFrom('', 'null', '[]', '{}', '{"a":', '"\\ud800"', '{"changes":[{"table":{},"id":[]}],"batchSeq":0}'),
  );
}

function formBody(fields: string[], token: fc.Arbitrary<string>) {
  const value = fc.oneof(junk, token, fc.constantFrom('none', 'staging', 'production', 'archived', '__proto__'));
  const pairs = fc.dictionary(fc.oneof(fc.constantFrom(...fields, 'csrf'), junk), value, { maxKeys: 5 });
  return fc.oneof(
    { weight: 3, arbitrary: pairs.map((o) => new URLSearchParams(o).toString()) },
    { weight: 1, arbitrary: junk },
    { weight: 1, arbitrary: fc.constantFrom('--x\r\nContent-Disposition: form-data; name="key"\r\n\r\nv\r\n--x--', '--x\r\n\r\n', '%%%=&&=%E0') },
  );
}

/** A body for the route as text or bytes, and whether to send it gzip-compressed. */
export function body(route: FuzzRoute, k: FuzzKeys): fc.Arbitrary<{ data: string | Uint8Array | undefined; gzip: 'no' | 'yes' | 'junk' }> {
  const fields = route.fields ?? [];
  const data: fc.Arbitrary<string | Uint8Array | undefined> =
    route.body === 'none'
      ? fc.oneof(fc.constant(undefined), junk)
      : route.body === 'bytes'
        ? fc.oneof(fc.uint8Array({ maxLength: 4096 }), fc.constant(new Uint8Array(0)))
        : route.body === 'form'
          ? formBody(fields, fc.constantFrom(k.login.token, 'forged'))
          : jsonBody(fields);
  return fc.record({ data, gzip: fc.constantFrom('no', 'no', 'no', 'yes', 'junk') });
}

/** Headers: content type and encoding, length lies, credentials, range, cookie and origin junk. */
export const headers = (route: FuzzRoute, k: FuzzKeys) =>
  fc.record(
    {
      valid: fc.boolean(),
      'content-type': fc.oneof(
        fc.constantFrom(
          'application/json',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'multipart/form-data',
          'text/plain',
          'application/octet-stream',
        ),
        headerText,
      ),
      // Mostly small lies (a body longer or shorter than it says); a large one is a 413 unread.
      'content-length': fc.oneof(
        { weight: 1, arbitrary: fc.nat().map(String) },
        { weight: 4, arbitrary: fc.oneof(fc.nat({ max: 5000 }).map(String), fc.constantFrom('-1', 'abc', '99999999999999999999', '1e3', '')) },
      ),
      authorization: fc.oneof(fc.constantFrom('Bearer ', 'Bearer opd_nope', `Bearer ${k.deviceToken}x`, 'Basic Zm9vOmJhcg=='), headerText),
      range: fc.oneof(
        fc.constantFrom(
          'bytes=10-5',
          'bytes=0-',
          'bytes=-5',
          'bytes=-0',
          'bytes=99999999999999999999-',
          'bytes=5-9007199254740993',
          'bytes=0-1,2-3',
          'items=0-1',
        ),
        headerText,
      ),
      cookie: fc.oneof(
        fc.constantFrom('outpost_session=%E0%A4%A', 'outpost_session=; outpost_session=x', `outpost_login=${'x'.repeat(300)}`, '=;;=='),
        headerText,
      ),
      origin: fc.oneof(fc.constantFrom('null', 'https://evil.example', k.origin, 'http://localhost:1'), headerText),
      'sec-fetch-site': fc.constantFrom('same-origin', 'cross-site', 'none', 'bogus'),
      'x-forwarded-for': headerText,
      'x-outpost-protocol': fc.oneof(fc.constantFrom('0', '1', '2', '3', '-1', '1e400', 'NaN'), headerText),
    },
    { requiredKeys: ['valid'] },
  );
