import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFUSAL_REASONS } from '@shared/errors.js';
import { RejectedChange } from '@shared/sync/protocol.js';
import { STORES } from './test-stores.js';
import type { Db } from './db.js';
import { createEnrollmentCode, createOrg, enrollDevice } from './orgs.js';
import { applyPush } from './sync.js';
import { decideProposal, setAlias, type RegistryOutcome } from './registry.js';
import { change, insertRecord, modelVersion, project, stamp, T0 } from './fixtures.js';

// Every refusal a store makes while writing a pushed batch (labels, record writes, stage moves)
// names its reason's code and values beside its English, so the phone says it in its language.
const move = (id: string, modelVersionId: string, from: string, to: string) => change('stage_changes', id, { id, modelVersionId, from, to, createdAt: T0 });

describe.each(STORES)('refusal reasons of the stores: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  let orgId: string;
  beforeAll(async () => {
    db = await factory.open();
    orgId = (await createOrg(db, 'Reasons')).org.id;
    await insertRecord(db, orgId, 'projects', 'p1', project('p1'));
    await insertRecord(db, orgId, 'datasets', 'd1', {
      id: 'd1',
      projectId: 'p1',
      name: 'Visits',
      fileName: 'v.csv',
      hash: 'a'.repeat(64),
      rowCount: 1,
      columns: [],
      createdAt: T0,
    });
    await insertRecord(db, orgId, 'model_versions', 'mv-prod', modelVersion('mv-prod', 'c'.repeat(64), 'production'));
    await insertRecord(db, orgId, 'model_versions', 'mv-stage', modelVersion('mv-stage', 'c'.repeat(64), 'staging'));
  });
  afterAll(async () => db?.drop());

  it('a label of another project, a file not uploaded, a deletion in production and four refused stage moves each carry their reason', async () => {
    const { code } = await createEnrollmentCode(db, orgId, 1, T0);
    const d = await enrollDevice(db, code, 'phone', T0);
    const label = { id: 'l1', projectId: 'p2', datasetId: 'd1', column: 'label', item: `image:${'b'.repeat(64)}`, value: 'x', by: 'a', name: 'a', at: T0 };
    const batch = [
      change('labels', 'l1', label),
      change('model_versions', 'mv-new', modelVersion('mv-new', 'e'.repeat(64), 'none')),
      change('model_versions', 'mv-prod', { deleted: true }, stamp(T0 + 1)),
      move('s1', 'mv-gone', 'none', 'staging'),
      move('s2', 'mv-stage', 'none', 'staging'),
      move('s3', 'mv-prod', 'production', 'staging'),
      move('s4', 'mv-prod', 'production', 'archived'),
    ];
    const r = await applyPush(db, { id: d.deviceId, orgId }, 1, batch, T0);
    expect(r.applied).toBe(0);
    const byId = Object.fromEntries(r.rejected.map((x) => [x.id, x]));
    expect(Object.fromEntries(r.rejected.map((x) => [x.id, [x.code, x.reason]]))).toEqual({
      l1: ['invalid_body', { code: 'label_other_project' }],
      'mv-new': ['blob_missing', { code: 'blob_missing', params: { blob: 'model_weights' } }],
      'mv-prod': ['conflict', { code: 'delete_in_production', params: { model: 'triage', version: '1', what: 'version' } }],
      s1: ['not_found', { code: 'version_not_found' }],
      s2: ['conflict', { code: 'stage_changed', params: { current: 'staging', to: 'staging' } }],
      s3: ['conflict', { code: 'stage_move_not_allowed', params: { from: 'production', to: 'staging' } }],
      s4: ['forbidden', { code: 'production_lead_only' }],
    });
    // The English stays beside the code, for older apps and the console; what is sent parses on a device.
    expect(byId['mv-prod'].message).toMatch(/^triage version 1 is in production on the server/);
    for (const x of r.rejected) {
      expect(REFUSAL_REASONS).toContain(x.reason?.code);
      expect(RejectedChange.parse(x)).toEqual(x);
    }
    // Kept with the batch: a re-send is answered with the same reasons.
    const again = await applyPush(db, { id: d.deviceId, orgId }, 1, batch, T0);
    expect(again).toMatchObject({ outcome: 'duplicate', rejected: r.rejected });
  });

  it('deciding a proposal or setting an alias says why it was refused: a person who may not, a proposal not there or decided already', async () => {
    const field = { kind: 'person' as const, id: 'f1', name: 'Field', role: 'field' as const };
    const lead = { kind: 'person' as const, id: 'l1', name: 'Lead', role: 'ml_lead' as const };
    const reasonOf = async (o: Promise<RegistryOutcome>) => {
      const r = await o;
      return typeof r === 'string' ? r : r.reason;
    };
    expect(await reasonOf(db.tx((q) => decideProposal(q, orgId, 'none', true, '', field, T0, stamp(T0))))).toEqual({
      code: 'lead_only',
      params: { action: 'decide' },
    });
    expect(await reasonOf(db.tx((q) => setAlias(q, orgId, 'mv-stage', 'champion', field, T0, stamp(T0))))).toEqual({
      code: 'lead_only',
      params: { action: 'alias' },
    });
    expect(await reasonOf(db.tx((q) => decideProposal(q, orgId, 'none', true, '', lead, T0, stamp(T0))))).toEqual({ code: 'proposal_not_found' });
    await insertRecord(db, orgId, 'proposals', 'pr1', {
      id: 'pr1',
      projectId: 'p1',
      modelVersionId: 'mv-stage',
      to: 'production',
      status: 'rejected',
      proposedBy: field,
      why: '',
      at: T0,
    });
    expect(await reasonOf(db.tx((q) => decideProposal(q, orgId, 'pr1', true, '', lead, T0, stamp(T0))))).toEqual({
      code: 'proposal_decided',
      params: { status: 'rejected' },
    });
  });
});
