import { describe, expect, it } from 'vitest';
import { studyProblems } from '@shared/study/draft.js';
import { defaultFamilies, defaultRows, rowsToSpace, shownRows } from './space-rows.js';

describe('the search form’s rows', () => {
  it('offers the Train form’s kind of model only, until the person lets the search choose', () => {
    const rows = defaultRows();
    const families = defaultFamilies();
    expect(shownRows(rows, families, {}).map((r) => r.name)).toEqual(['learningRate', 'batchSize', 'epochs', 'layers', 'units']);
    expect(rowsToSpace(rows, families, {}).map((p) => p.name)).toEqual(['learningRate', 'batchSize', 'layers', 'units']);
    expect(rowsToSpace(rows, families, { family: 'forest' }).map((p) => p.name)).toEqual(['trees', 'maxDepth']);
    expect(studyProblems({ space: rowsToSpace(rows, families, { family: 'linear' }), trials: 5, base: { family: 'linear' } })).toEqual([]);
  });

  it('asks the kind first among the kinds ticked, with the ticked settings of those kinds', () => {
    const rows = defaultRows();
    const families = { on: true, picked: { network: false, linear: true, forest: true } };
    const space = rowsToSpace(rows, families, {});
    expect(space[0]).toEqual({ name: 'family', kind: 'choice', choices: ['linear', 'forest'] });
    expect(space.slice(1).map((p) => p.name)).toEqual(['l2', 'trees', 'maxDepth']);
    expect(space.find((p) => p.name === 'l2')).toMatchObject({ kind: 'float', log: true });
    expect(studyProblems({ space, trials: 5 })).toEqual([]);
    // No kind ticked: nothing to try, said as such.
    const none = rowsToSpace(rows, { on: true, picked: { network: false, linear: false, forest: false } }, {});
    expect(studyProblems({ space: none, trials: 5 })).toEqual([{ param: 'family', code: 'no_choices' }]);
  });
});
