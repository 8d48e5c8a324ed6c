import { describe, expect, it } from 'vitest';
import { Run } from '../schema/records.js';
import {
  availableMetrics,
  bestIndices,
  cleanNote,
  filterRuns,
  fineTuneLinks,
  metricRows,
  metricValue,
  paramRows,
  parentsToAdd,
  parseTags,
  runTags,
  sortRuns,
} from './compare.js';
import { testRun } from './run.testing.js';

const withAccuracy = (id: string, accuracy: number, startedAt: number, over: Partial<Run> = {}) => {
  const r = testRun(id, { startedAt, ...over });
  return { ...r, metrics: { ...(r.metrics as Extract<Run['metrics'], { task: 'classification' }>), accuracy } };
};
const regression = (id: string, mae: number) =>
  testRun(id, { metrics: { task: 'regression', mae, rmse: mae * 1.5, r2: 0.5 } }, { task: 'regression', target: 'weight' });

describe('the settings table', () => {
  it('marks a setting that differs, hidden layers compared item by item, and leaves equal ones unmarked', () => {
    const rows = paramRows([testRun('a'), testRun('b', {}, { learningRate: 0.1, hiddenLayers: [16] }), testRun('c', {}, { hiddenLayers: [16] })]);
    const by = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(by.learningRate).toMatchObject({ values: [0.01, 0.1, 0.01], differs: true });
    expect(by.hiddenLayers.differs).toBe(false);
    expect(by.epochs.differs).toBe(false);
    expect(by.features.differs).toBe(false);
  });
  it('lists a setting only some runs have as differing, and leaves out one no run has', () => {
    const rows = paramRows([testRun('a'), testRun('b', {}, { testFraction: 0.1 })]);
    expect(rows.find((r) => r.key === 'testFraction')).toMatchObject({ values: [undefined, 0.1], differs: true });
    expect(paramRows([testRun('a')]).some((r) => r.key === 'testFraction')).toBe(false);
  });
  it('compares layer lists by order and length', () => {
    const rows = paramRows([testRun('a', {}, { hiddenLayers: [16, 8] }), testRun('b', {}, { hiddenLayers: [8, 16] })]);
    expect(rows.find((r) => r.key === 'hiddenLayers')?.differs).toBe(true);
  });
});

describe('the settings table across model families', () => {
  const net = testRun('net');
  const lin = testRun('lin', {}, { family: 'linear', l2: 1 });
  const forest = testRun('forest', {}, { family: 'forest', trees: 50, maxDepth: 8, minLeaf: 1 });
  const by = (runs: Run[]) => Object.fromEntries(paramRows(runs).map((r) => [r.key, r]));
  it('names the family (a run without one trained the network) and marks it when it differs', () => {
    expect(by([net, lin, forest]).family).toMatchObject({ values: ['network', 'linear', 'forest'], differs: true });
    expect(by([net, testRun('n2', {}, { family: 'network' })]).family).toMatchObject({ values: ['network', 'network'], differs: false });
  });
  it('leaves a setting of another family empty and not a difference', () => {
    const rows = by([net, lin, forest]);
    // The network has epochs 10; the linear model and the forest read none: no difference.
    expect(rows.epochs).toMatchObject({ values: [10, undefined, undefined], applies: [true, false, false], differs: false });
    expect(rows.learningRate.differs).toBe(false);
    expect(rows.l2).toMatchObject({ values: [undefined, 1, undefined], applies: [false, true, false], differs: false });
    expect(rows.trees).toMatchObject({ values: [undefined, undefined, 50], differs: false });
    // Shared settings still compare across families.
    expect(rows.seed).toMatchObject({ values: [1, 1, 1], applies: [true, true, true] });
  });
  it('marks a family setting that differs between runs of that family, ignoring runs of another', () => {
    const rows = by([testRun('f1', {}, { family: 'forest', trees: 20 }), testRun('f2', {}, { family: 'forest', trees: 80 }), net]);
    expect(rows.trees).toMatchObject({ values: [20, 80, undefined], differs: true });
    // Two forests with the same epochs value in their params still show none: it does not apply.
    expect(rows.epochs).toMatchObject({ values: [undefined, undefined, 10], differs: false });
    expect(rows.l2).toBeUndefined();
  });
  it('a linear run without its penalty against one with it differs (the value is missing, not inapplicable)', () => {
    expect(by([testRun('a', {}, { family: 'linear' }), lin]).l2).toMatchObject({ values: [undefined, 1], differs: true });
  });
});

describe('fine-tuning among compared runs', () => {
  const parent = testRun('parent');
  const child = testRun('child', { fineTune: { fromVersionId: 'v1', fromRunId: 'parent' } });
  it('places the parent run when it is compared, and offers nothing to add', () => {
    const links = fineTuneLinks([parent, child]);
    expect(links).toEqual([{ child: 1, fromVersionId: 'v1', parentRunId: 'parent', parent: 0 }]);
    expect(parentsToAdd(links)).toEqual([]);
  });
  it('offers a parent run not compared, once for two children, found through the version when the run does not name it', () => {
    const viaVersion = testRun('c2', { fineTune: { fromVersionId: 'v1' } });
    const links = fineTuneLinks([child, viaVersion, testRun('plain')], [{ id: 'v1', runId: 'parent' }]);
    expect(links).toEqual([
      { child: 0, fromVersionId: 'v1', parentRunId: 'parent' },
      { child: 1, fromVersionId: 'v1', parentRunId: 'parent' },
    ]);
    expect(parentsToAdd(links)).toEqual(['parent']);
  });
  it('knows only the version when no run trained it (an imported model), and never a run as its own parent', () => {
    const imported = testRun('c3', { fineTune: { fromVersionId: 'imp' } });
    const self = testRun('c4', { fineTune: { fromVersionId: 'v9', fromRunId: 'c4' } });
    expect(fineTuneLinks([imported, self], [{ id: 'imp' }])).toEqual([
      { child: 0, fromVersionId: 'imp' },
      { child: 1, fromVersionId: 'v9' },
    ]);
    expect(parentsToAdd(fineTuneLinks([imported]))).toEqual([]);
  });
});

describe('the figures table', () => {
  it('marks the highest accuracy best and the lowest loss best, ties all marked', () => {
    const a = withAccuracy('a', 0.9, 1);
    const b = withAccuracy('b', 0.7, 2);
    const c = withAccuracy('c', 0.9, 3, { epochs: [{ epoch: 0, loss: 0.2, valLoss: 0.3 }] });
    const rows = Object.fromEntries(metricRows([a, b, c]).map((r) => [r.key, r]));
    expect(rows.accuracy).toMatchObject({ values: [0.9, 0.7, 0.9], best: [0, 2], differs: true });
    expect(rows.valLoss).toMatchObject({ values: [0.6, 0.6, 0.3], best: [2] });
    expect(rows.f1).toMatchObject({ best: [0, 1, 2], differs: false });
    expect(rows.mae).toBeUndefined();
  });
  it('marks no best with one figure, and a lowest MAE best across tasks', () => {
    expect(bestIndices([undefined, 0.4], true)).toEqual([]);
    const rows = Object.fromEntries(metricRows([regression('r1', 3), regression('r2', 2), testRun('c')]).map((r) => [r.key, r]));
    expect(rows.mae).toMatchObject({ values: [3, 2, undefined], best: [1] });
    expect(rows.accuracy.best).toEqual([]);
  });
  it('reads the training loss where no rows were kept aside, and no figure from a diverged run', () => {
    expect(metricValue(testRun('a', { epochs: [{ epoch: 0, loss: 0.4 }] }), 'valLoss')).toBe(0.4);
    expect(metricValue(testRun('a', { epochs: [] }), 'valLoss')).toBeUndefined();
    const nan = { ...testRun('n'), epochs: [{ epoch: 0, loss: Number.NaN }] };
    expect(metricValue(nan, 'valLoss')).toBeUndefined();
    expect(availableMetrics([regression('r', 1)])).toEqual(['mae', 'rmse', 'r2', 'valLoss']);
  });
});

describe('sorting and filtering runs', () => {
  const runs = [
    withAccuracy('old', 0.6, 1),
    withAccuracy('mid', 0.9, 2),
    testRun('none', { startedAt: 3, metrics: undefined, status: 'failed' }),
    withAccuracy('new', 0.9, 4),
  ];
  it('sorts by date either way, and by a figure best first with runs lacking it last', () => {
    expect(sortRuns(runs, 'newest').map((r) => r.id)).toEqual(['new', 'none', 'mid', 'old']);
    expect(sortRuns(runs, 'oldest').map((r) => r.id)).toEqual(['old', 'mid', 'none', 'new']);
    expect(sortRuns(runs, 'accuracy').map((r) => r.id)).toEqual(['new', 'mid', 'old', 'none']);
    expect(sortRuns([regression('r1', 3), regression('r2', 1), regression('r3', 2)], 'mae').map((r) => r.id)).toEqual(['r2', 'r3', 'r1']);
    expect(runs.map((r) => r.id)).toEqual(['old', 'mid', 'none', 'new']);
  });
  it('filters by tag, status and words of the note, ignoring case and accents', () => {
    const tagged = [
      testRun('a', { tags: ['clinic', 'night'], note: 'Fièvre cases from Kano' }),
      testRun('b', { tags: ['clinic'], status: 'failed' }),
      testRun('c', { note: 'small batch' }),
    ];
    expect(filterRuns(tagged, { tag: 'clinic' }).map((r) => r.id)).toEqual(['a', 'b']);
    expect(filterRuns(tagged, { tag: 'clinic', status: 'completed' }).map((r) => r.id)).toEqual(['a']);
    expect(filterRuns(tagged, { text: '  FIEVRE ' }).map((r) => r.id)).toEqual(['a']);
    expect(filterRuns(tagged, { text: 'batch', tag: 'night' })).toEqual([]);
    expect(filterRuns(tagged, { tag: '', status: '', text: '' })).toHaveLength(3);
    expect(runTags(tagged)).toEqual(['clinic', 'night']);
  });
  it('stays one pass per figure with hundreds of runs', () => {
    const many = Array.from({ length: 600 }, (_, i) => withAccuracy(`r${i}`, ((i * 37) % 101) / 100, i));
    const sorted = sortRuns(many, 'accuracy');
    for (let i = 1; i < sorted.length; i++) expect(metricValue(sorted[i - 1], 'accuracy')!).toBeGreaterThanOrEqual(metricValue(sorted[i], 'accuracy')!);
  });
});

describe('tags and notes as typed', () => {
  it('splits at commas, trims, drops repeats whatever their case, and keeps the schema bounds', () => {
    expect(parseTags(' clinic ,  night   shift,Clinic,, ')).toEqual(['clinic', 'night shift']);
    expect(parseTags('x'.repeat(60))).toEqual(['x'.repeat(40)]);
    const many = parseTags(Array.from({ length: 30 }, (_, i) => `t${i}`).join(','));
    expect(many).toHaveLength(20);
    expect(() => testRun('a', { tags: many, note: cleanNote('n'.repeat(2500)) })).not.toThrow();
  });
  it('cuts a note to 2000 units without leaving half an emoji', () => {
    const note = cleanNote(`${'a'.repeat(1999)}😀 more`);
    expect(note).toBe('a'.repeat(1999));
    expect(cleanNote('  ok  ')).toBe('ok');
  });
  it('the Run schema refuses tags past its bounds', () => {
    expect(Run.safeParse({ ...testRun('a'), tags: [''] }).success).toBe(false);
    expect(Run.safeParse({ ...testRun('a'), note: 'n'.repeat(2001) }).success).toBe(false);
  });
});
