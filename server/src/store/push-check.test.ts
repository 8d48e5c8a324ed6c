import { describe, expect, it } from 'vitest';
import { REFUSAL_REASONS } from '@shared/errors.js';
import { RejectedChange } from '@shared/sync/protocol.js';
import { checkChanges, rejection } from './push-check.js';
import { change, prediction, project, T0 } from './fixtures.js';

describe('a refused change says why with a code a device can say in its language', () => {
  it('each refusal carries its reason code and values beside the English message', () => {
    const { valid, rejected } = checkChanges(
      [
        change('projects', 'nul', project('nul', 'Clinic \u0000')),
        change('registry_events', 'ev1', { id: 'ev1' }),
        change('deployments', 'dep1', { id: 'dep1' }),
        change('predictions', 'extra', { ...prediction('extra'), sneaky: 1, other: 2 }),
        change('projects', 'p2', project('p3')),
        change('projects', 'bad', { ...project('bad'), createdAt: 'yesterday' }),
        { table: 'projects' },
        change('projects', 'ok', project('ok')),
      ],
      T0,
    );
    expect(valid.map((c) => c.id)).toEqual(['ok']);
    expect(rejected.map((r) => [r.id, r.code, r.reason?.code])).toEqual([
      ['nul', 'invalid_body', 'text_unstorable'],
      ['ev1', 'forbidden', 'registry_server_only'],
      ['dep1', 'forbidden', 'deployment_server_only'],
      ['extra', 'invalid_body', 'fields_unknown'],
      ['p2', 'invalid_body', 'id_mismatch'],
      ['bad', 'invalid_body', 'record_invalid'],
      ['', 'invalid_body', 'record_invalid'],
    ]);
    expect(rejected[0].reason?.params).toEqual({ field: 'name' });
    expect(rejected[3].reason?.params).toEqual({ table: 'predictions', fields: 'sneaky, other' });
    expect(rejected[5].reason?.params?.detail).toMatch(/createdAt/);
    // The English stays for older apps and the console.
    expect(rejected[3].message).toBe('Unknown field(s) for predictions: sneaky, other.');
    for (const r of rejected) {
      expect(REFUSAL_REASONS).toContain(r.reason?.code);
      // What the server sends parses on a device (the field is optional, so older servers' answers do too).
      expect(RejectedChange.parse(r)).toEqual(r);
    }
    expect(RejectedChange.parse({ table: 't', id: 'i', code: 'conflict', message: 'm' }).reason).toBeUndefined();
  });

  it('a nested record too deep names its depth; values are cut short and storable', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = { x: deep };
    const { rejected } = checkChanges([change('predictions', 'deep', { ...prediction('deep'), inputs: deep })], T0);
    expect(rejected[0].reason).toMatchObject({ code: 'record_too_deep', params: { depth: 64 } });
    const r = rejection({ table: 'runs', id: 'r' }, 'invalid_body', 'x', { code: 'store_refused', params: { detail: `a\u0000${'b'.repeat(500)}` } });
    expect(r.reason?.params?.detail).toHaveLength(200);
    expect(String(r.reason?.params?.detail)).not.toContain('\u0000');
  });
});
