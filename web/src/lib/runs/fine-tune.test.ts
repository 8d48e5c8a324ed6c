import { describe, expect, it } from 'vitest';
import type { ColumnInfo, ModelVersion } from '@shared/schema/records.js';
import type { FeaturePipeline } from '@shared/schema/pipeline.js';
import { completedRun } from '../db/fixtures.testing.js';
import { english } from '../i18n/speaking.js';
import { canFineTune, childParams, fineTuneRefusal } from './fine-tune.js';

// Whether a version's inputs match a dataset's columns before it is trained more on them.
const col = (name: string, type: ColumnInfo['type'], top?: [string, number][]): ColumnInfo => ({
  name,
  type,
  missing: 0,
  distinct: 3,
  invalid: 0,
  ...(top ? { top } : {}),
});
const pipeline: FeaturePipeline = {
  version: 2,
  features: [
    { name: 'age', kind: 'numeric', mean: 40, std: 10, impute: 40 },
    { name: 'village', kind: 'categorical', categories: ['a', 'b'], impute: 'a' },
    { name: 'visit (month)', kind: 'numeric', mean: 6, std: 3, impute: 6, source: { column: 'visit', part: 'month', order: 'dmy' } },
  ],
  target: { name: 'outcome', kind: 'categorical', labels: ['well', 'referred'] },
};
const columns = [
  col('age', 'numeric'),
  col('village', 'categorical'),
  col('visit', 'date'),
  col('outcome', 'categorical', [
    ['well', 10],
    ['referred', 3],
  ]),
  col('extra', 'numeric'),
];
const say = (m: ReturnType<typeof fineTuneRefusal>) => (m ? english(m) : undefined);

describe('fine-tune refusal', () => {
  it('accepts the same columns (more columns are fine)', () => {
    expect(fineTuneRefusal(pipeline, columns)).toBeUndefined();
  });

  it('names the column missing, or of another kind, or an answer never learnt', () => {
    expect(
      say(
        fineTuneRefusal(
          pipeline,
          columns.filter((c) => c.name !== 'village'),
        ),
      ),
    ).toBe('This model reads the column “village”, which the chosen data does not have. Choose data with that column, or train a new model.');
    // A derived feature reads its source column: a date.
    expect(
      fineTuneRefusal(
        pipeline,
        columns.filter((c) => c.name !== 'visit'),
      ),
    ).toEqual({ key: 'fineTune.missingColumn', values: { column: 'visit' } });
    const ageText = columns.map((c) => (c.name === 'age' ? col('age', 'text') : c));
    expect(say(fineTuneRefusal(pipeline, ageText))).toBe(
      'This model needs “age” to be a number column, but in the chosen data it is a free text column. Choose other data, or train a new model.',
    );
    expect(fineTuneRefusal(pipeline, columns.slice(0, 3))).toEqual({ key: 'fineTune.missingColumn', values: { column: 'outcome' } });
    const newAnswer = columns.map((c) =>
      c.name === 'outcome'
        ? col('outcome', 'categorical', [
            ['well', 9],
            ['died', 1],
          ])
        : c,
    );
    expect(fineTuneRefusal(pipeline, newAnswer)).toEqual({ key: 'fineTune.newAnswer', values: { column: 'outcome', answer: 'died' } });
    expect(fineTuneRefusal(pipeline, columns, ['well', 'transferred'])?.values).toMatchObject({ answer: 'transferred' });
  });

  it('a regression target must stay a number', () => {
    const reg: FeaturePipeline = { ...pipeline, target: { name: 'outcome', kind: 'numeric', mean: 1, std: 1 } };
    expect(fineTuneRefusal(reg, columns)).toMatchObject({ key: 'fineTune.otherKind', values: { column: 'outcome', kind: 'categorical', wanted: 'numeric' } });
    expect(
      fineTuneRefusal(
        reg,
        columns.map((c) => (c.name === 'outcome' ? col('outcome', 'numeric') : c)),
      ),
    ).toBeUndefined();
  });
});

describe('which versions can be trained more', () => {
  const run = completedRun('p');
  const version = (artifacts: ModelVersion['artifacts'], extra: Partial<ModelVersion> = {}): ModelVersion => ({
    id: 'v',
    projectId: 'p',
    modelName: 'm',
    version: 1,
    runId: run.id,
    task: 'classification',
    pipeline: run.pipeline!,
    artifacts,
    weightsHash: 'h'.repeat(64),
    weightsSize: 8,
    stage: 'none',
    schemaVersion: 1,
    appVersion: 't',
    createdAt: 0,
    ...extra,
  });
  const layers = { format: 'tfjs-layers' as const, modelTopology: {}, weightSpecs: [] };
  it('a network trained here can; a linear fit, a forest, an imported model cannot', () => {
    expect(canFineTune(version(layers))).toBe(true);
    expect(canFineTune(version({ ...layers, family: 'linear' }))).toBe(false);
    expect(canFineTune(version({ format: 'outpost-trees', kind: 'random-forest', trees: 10, inputWidth: 1, outputWidth: 2 }))).toBe(false);
    expect(canFineTune(version(layers, { imported: { fileName: 'm.json', at: 0 } as ModelVersion['imported'] }))).toBe(false);
  });
  it('keeps the parent run’s settings but the epochs and learning rate chosen', () => {
    expect(childParams(run, { epochs: 3, learningRate: 0.001 })).toEqual({ ...run.params, epochs: 3, learningRate: 0.001 });
  });
});
