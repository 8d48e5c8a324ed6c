import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { isOutpostError } from '@shared/errors.js';
import type { DatasetMeta, TrainParams } from '@shared/schema/records.js';
import { OutpostDb } from '../db/db.js';
import { newId, putRecord } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { defaultParams } from '../ml/defaults.js';
import { userMessage } from '../messages.js';
import { speakWith } from '../i18n/speaking.js';
import en from '../i18n/catalogues/en.js';
import fr from '../i18n/catalogues/fr.js';
import { refusePersonalTraining } from './personal.js';

// What the training session asks before it records a run or reads a row (TrainingSession.start,
// a .svelte.ts class vitest does not compile): no column marked personal, whichever dataset of the
// project marked it.
const T0 = Date.UTC(2026, 5, 1);

async function setUp() {
  const db = new OutpostDb(`training-personal-${newId()}`);
  const projectId = (await createProject(db, 'Clinic', T0)).id;
  const dataset = (extra: Partial<DatasetMeta>): DatasetMeta => ({
    id: newId(),
    projectId,
    name: 'visits',
    fileName: 'visits.csv',
    hash: '0'.repeat(64),
    rowCount: 10,
    columns: ['age', 'phone', 'village', 'outcome'].map((name) => ({ name, type: 'categorical' as const, missing: 0, distinct: 3, invalid: 0 })),
    createdAt: T0,
    ...extra,
  });
  const visits = await putRecord(db, 'datasets', dataset({ personal: { phone: 'hash' } }), T0);
  // Another dataset of the project marks "village"; the visits dataset itself does not.
  await putRecord(db, 'datasets', dataset({ name: 'households', personal: { village: 'never' } }), T0);
  return { db, visits };
}
const params = (features: string[]): TrainParams => ({ ...defaultParams('classification', 10), task: 'classification', target: 'outcome', features });

describe('training and personal columns', () => {
  it('refuses a column marked personal on the dataset or on another of the project, with a sentence', async () => {
    const { db, visits } = await setUp();
    for (const [features, column] of [
      [['age', 'phone'], 'phone'],
      [['age', 'village'], 'village'],
    ] as const) {
      const refused = await refusePersonalTraining(db, visits, params([...features])).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isOutpostError(refused) && refused.code).toBe('personal_column');
      expect(userMessage(refused)).toMatch(new RegExp(`“${column}” is marked personal, so a model may not learn from it`));
    }
  });

  it('says the refusal in the language on screen, for one column or several', async () => {
    const { db, visits } = await setUp();
    const refusal = (features: string[]) =>
      refusePersonalTraining(db, visits, params(features)).then(
        () => undefined,
        (e: unknown) => e,
      );
    try {
      speakWith('fr', fr);
      expect(userMessage(await refusal(['age', 'phone']))).toBe(
        'La colonne “phone” est marquée personnelle : un modèle ne peut pas en apprendre. Décochez-la, ou retirez sa marque dans les colonnes personnelles du jeu de données si elle n’est pas personnelle.',
      );
      speakWith('en', en);
      expect(userMessage(await refusal(['phone', 'village']))).toMatch(
        /^The columns “phone”, “village” are marked personal, so a model may not learn from them\./,
      );
    } finally {
      speakWith('en', en);
    }
  });

  it('lets training go on when no chosen column is personal', async () => {
    const { db, visits } = await setUp();
    await expect(refusePersonalTraining(db, visits, params(['age']))).resolves.toBeUndefined();
  });
});
