import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, REFUSAL_REASONS } from '@shared/errors.js';
import { PROTOCOL, PROTOCOL_HEADER, PUSH_LIMITS, PushResponse } from '@shared/sync/protocol.js';
import { createEnrollmentCode } from '../../../../server/src/store/orgs.js';
import en from '../i18n/catalogues/en.js';
import fr from '../i18n/catalogues/fr.js';
import ha from '../i18n/catalogues/ha.js';
import yo from '../i18n/catalogues/yo.js';
import ig from '../i18n/catalogues/ig.js';
import pcm from '../i18n/catalogues/pcm.js';
import sw from '../i18n/catalogues/sw.js';
import type { Catalogue, Message } from '../i18n/catalogue.js';
import { sayNow, speakWith } from '../i18n/speaking.js';
import { DEVICE_ONLY_CODES, reasonSaid, requestRefusalSaid } from './refusals.js';
import { describeFailure } from './status.js';
import { checkGates, gateRefusal } from '@shared/registry/gates.js';
import { readAnswer, SyncError } from './transport.js';
import { inProcessServer, type InProcessServer } from './in-process.testing.js';

const CATALOGUES: [string, Partial<Catalogue>][] = Object.entries({ en, fr, ha, yo, ig, pcm, sw });
// Values of every kind a reason carries (errors.ts names them per code).
const PARAMS = {
  detail: 'Expected number',
  field: 'name',
  depth: 64,
  table: 'predictions',
  fields: 'sneaky',
  mb: 2.5,
  blob: 'model_weights',
  model: 'triage',
  version: '3',
  what: 'project',
  current: 'staging',
  from: 'production',
  to: 'archived',
  action: 'alias',
  status: 'rejected',
  max: 1000,
};

afterEach(() => speakWith('en', en));

/** The message is in every catalogue, and each says it whole: no marker of a key it cannot format, no placeholder left. */
function saidEverywhere(m: Message | undefined, what: string) {
  expect(m, what).toBeDefined();
  for (const [lang, cat] of CATALOGUES) {
    expect(Object.hasOwn(cat, m!.key), `${lang} lacks ${m!.key} (${what})`).toBe(true);
    speakWith(lang, cat);
    const said = sayNow(m!);
    expect(said, `${lang}: ${what}`).not.toMatch(/⟦|[{}]/);
    expect(said.length).toBeGreaterThan(10);
  }
}

describe('every reason and code the server can send has words in every language', () => {
  it('each REFUSAL_REASONS code, with its values', () => {
    expect(REFUSAL_REASONS.length).toBeGreaterThanOrEqual(25);
    for (const code of REFUSAL_REASONS) saidEverywhere(reasonSaid({ code, params: PARAMS }), code);
    // A code from a newer server has none: the server's English is shown then.
    expect(reasonSaid({ code: 'from_a_newer_server' })).toBeUndefined();
  });

  it('each error code the server answers with, for an answer without a reason', () => {
    const serverCodes = Object.keys(ERROR_CODES).filter((c) => !(DEVICE_ONLY_CODES as readonly string[]).includes(c));
    expect(serverCodes).toContain('payload_too_large');
    for (const code of serverCodes) saidEverywhere(requestRefusalSaid(code, undefined), code);
    expect(requestRefusalSaid('a_newer_code', undefined)).toBeUndefined();
    // A known reason wins over the code's general words.
    expect(requestRefusalSaid('payload_too_large', { code: 'batch_too_many', params: { max: 9 } })).toEqual({
      key: 'sync.failure.batchTooMany',
      values: { max: 9 },
    });
  });

  it('the stages inside a refused stage move are said in the language too', () => {
    speakWith('fr', fr);
    expect(sayNow(reasonSaid({ code: 'stage_changed', params: { current: 'archived', to: 'production' } })!)).toBe(
      fr['refusal.stageChanged'].replace('{current}', fr['stage.archived']).replace('{to}', fr['stage.production']),
    );
    speakWith('sw', sw);
    expect(sayNow(reasonSaid({ code: 'delete_in_production', params: { model: 'triage', version: '2', what: 'project' } })!)).toMatch(
      /^Toleo 2 la “triage” liko kazini kwenye seva\..* kisha futa mradi\.$/,
    );
  });
});

describe('a promotion its gates refused', () => {
  const results = checkGates(
    { minMetric: { metric: 'accuracy', value: 0.9 }, maxModelKb: 100 },
    { version: { metrics: { accuracy: 0.6 }, weightsSize: 512_000 } as never, production: null },
  );
  const refusal = gateRefusal(results)!;

  it('is said gate by gate in each language, as the device says its own gate report, and with the part refused in a deployment', () => {
    expect(refusal.reason.code).toBe('gates_failed');
    saidEverywhere(reasonSaid(refusal.reason), 'gates_failed');
    speakWith('fr', fr);
    const said = sayNow(reasonSaid(refusal.reason)!);
    expect(said.startsWith(fr['gates.notPromoted'].replace('{reasons}', ''))).toBe(true);
    expect(said).toContain(fr['gates.what.metric'].split('{')[0].trim());
    expect(said).not.toMatch(/Not promoted|needed/);
    const asChallenger = reasonSaid({ code: 'gates_failed', params: { ...refusal.reason.params, role: 'challenger', version: '2' } });
    saidEverywhere(asChallenger, 'gates_failed as challenger');
    speakWith('sw', sw);
    expect(sayNow(asChallenger!)).toMatch(/^Toleo 2 haliwezi kuwa mshindani bado: /);
  });

  it('a list it cannot read (a newer server’s) is said in general words, not dropped', () => {
    saidEverywhere(reasonSaid({ code: 'gates_failed', params: { gates: '[{"frame":{"key":"gates.frame.fromTheFuture"}}]' } }), 'unreadable gates');
    expect(reasonSaid({ code: 'gates_failed', params: { gates: 'not json' } })).toEqual({ key: 'refusal.gatesFailed' });
  });
});

describe('a request the real server refuses is said in the person’s language', () => {
  let server: InProcessServer;
  let token: string;
  beforeAll(async () => {
    server = await inProcessServer('Words');
    const { code } = await createEnrollmentCode(server.db, server.orgId, 1);
    const res = await server.app.request('/api/enroll', {
      method: 'POST',
      body: JSON.stringify({ code, deviceName: 'phone' }),
      headers: { 'content-type': 'application/json' },
    });
    token = ((await res.json()) as { token: string }).token;
  });
  afterAll(async () => server.close());

  const push = async (body: unknown) => {
    const res = await server.transport(token).request('POST', '/api/sync/push', {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', [PROTOCOL_HEADER]: String(PROTOCOL.version) },
    });
    return readAnswer(res, PushResponse).then(
      () => undefined,
      (e: unknown) => e as SyncError,
    );
  };

  it('by its reason (another device’s push, a batch too large, a malformed push), the English kept for the console', async () => {
    const other = await push({ batchSeq: 1, deviceId: 'someone-else', changes: [] });
    expect(other).toBeInstanceOf(SyncError);
    expect(other!.refusal).toEqual({ code: 'credential_other_device' });
    speakWith('fr', fr);
    const shown = describeFailure(other);
    expect(shown.said).toEqual({ key: 'sync.failure.otherDevice' });
    expect(sayNow(shown.said!)).toBe(fr['sync.failure.otherDevice']);
    expect(shown.message).toMatch(/^This credential belongs to another device/);

    const many = await push({ batchSeq: 1, changes: Array.from({ length: PUSH_LIMITS.maxChanges + 1 }, () => ({})) });
    expect(many!.refusal).toEqual({ code: 'batch_too_many', params: { max: PUSH_LIMITS.maxChanges } });
    speakWith('ha', ha);
    expect(sayNow(describeFailure(many).said!)).toMatch(/^Sabar tana karɓar canje-canje 1,?000/);

    const odd = await push({ changes: 'no' });
    expect(odd!.refusal).toEqual({ code: 'request_malformed', params: { what: 'push' } });
    expect(describeFailure(odd).said).toEqual({ key: 'sync.failure.malformed' });
  });

  it('by its code when the answer has no reason (a refusal of the middleware), and in English only for a code this app does not know', async () => {
    const res = await server.transport(token).request('POST', '/api/sync/push', {
      body: '{"batchSeq": 1, "changes": [',
      headers: { 'content-type': 'application/json', [PROTOCOL_HEADER]: String(PROTOCOL.version) },
    });
    const e = await readAnswer(res, PushResponse).catch((x: unknown) => x as SyncError);
    expect(e).toMatchObject({ code: 'invalid_json' });
    expect((e as SyncError).refusal).toBeUndefined();
    expect(describeFailure(e).said).toEqual({ key: 'sync.failure.malformed' });
    const unknown = new SyncError('from_a_newer_server' as never, 'Something new.', false);
    expect(describeFailure(unknown)).toMatchObject({ said: undefined, message: 'Something new.' });
  });
});
