import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { EpochMetrics, Run, TrainParams } from '@shared/schema/records.js';
import { newStudy } from '@shared/study/draft.js';
import { defaultSpace, trialParams } from '@shared/study/trials.js';
import type { Study } from '@shared/study/study.js';
import { OutpostDb } from '../db/db.js';
import { newId, patchRecord, putRecord } from '../db/mutate.js';
import { studyTrials } from '../db/studies.js';
import { runStudy, type TrialTrainer } from './study-loop.js';

// The loop's trainer is its seam: here a deterministic stand-in whose validation loss depends on
// the settings as a small network's does (best near learning rate 0.01 with one layer of 32), so
// the loop's sampling, pruning, recording and resuming are checked without minutes of training.
const base: TrainParams = {
  task: 'classification',
  target: 'y',
  features: ['a'],
  epochs: 8,
  batchSize: 32,
  learningRate: 0.01,
  hiddenLayers: [16],
  validationFraction: 0.2,
  seed: 1,
};

function lossOf(p: TrainParams): number {
  // A linear fit here is far behind any network and the same whatever its penalty.
  if (p.family === 'linear') return 5;
  const lr = Math.log10(p.learningRate) + 2;
  const width = p.hiddenLayers.length ? Math.log2(p.hiddenLayers[0]) - 5 : 3;
  return 0.1 + lr * lr + 0.05 * width * width + 0.1 * Math.abs(p.hiddenLayers.length - 1);
}

/** Trains by epochs, asking onEpoch after each; cancel() stops after the epoch under way. `cutAt` stops the person's way. */
function trainer(opts: { cutAtTrial?: number; onCut?: () => void; fail?: boolean } = {}) {
  const calls: { params: TrainParams; trial: number }[] = [];
  let cancelled = false;
  const t: TrialTrainer = {
    async train(params, { onEpoch, search }) {
      calls.push({ params, trial: search.trial });
      cancelled = false;
      const epochs: EpochMetrics[] = [];
      for (let e = 0; e < params.epochs && !cancelled; e++) {
        const v = lossOf(params) * (1 + 2 / (e + 1));
        epochs.push({ epoch: e, loss: v, valLoss: opts.fail ? NaN : v, valMetric: 1 / (1 + v) });
        onEpoch(epochs);
        if (search.trial === opts.cutAtTrial && e === 2) opts.onCut?.();
        await Promise.resolve();
      }
      const run: Run = {
        id: newId(),
        projectId: 'p',
        datasetId: 'd',
        datasetHash: 'h',
        status: opts.fail ? 'failed' : cancelled ? 'cancelled' : 'completed',
        params,
        epochs,
        backend: 'cpu',
        appVersion: 'test',
        startedAt: 0,
        ...(opts.fail ? { error: 'Training failed: the loss was not a number.' } : {}),
      };
      return run;
    },
    cancel() {
      cancelled = true;
    },
  };
  return { t, calls };
}

let clock = 0;
const control = (stopping = () => false) => ({ stopping, now: () => (clock += 1000) });

function study(extra: Partial<Parameters<typeof newStudy>[0]> = {}): Study {
  return newStudy({
    id: newId(),
    projectId: 'p',
    datasetId: 'd',
    base,
    space: defaultSpace(),
    objective: 'valLoss',
    trials: 16,
    seed: 11,
    pruneEarly: false,
    backend: 'cpu',
    now: 0,
    ...extra,
  });
}

describe('running a search', () => {
  it('records one trial per number until the budget, each queued for sync', async () => {
    const db = new OutpostDb(`loop-${newId()}`);
    const s = study({ trials: 12 });
    const { t, calls } = trainer();
    expect(await runStudy(db, s, t, control())).toEqual({ reason: 'budget' });
    const trials = await studyTrials(db, s.id);
    expect(trials.map((x) => x.number)).toEqual([...Array(12).keys()]);
    expect(calls.length).toBe(12);
    expect(trials.every((x) => x.state === 'complete' && x.value === x.intermediate.at(-1))).toBe(true);
    const queued = await db.outbox.where('table').equals('trials').count();
    expect(queued).toBe(12);
    // Every trial asks settings of its own.
    expect(new Set(trials.map((x) => JSON.stringify(x.params))).size).toBe(12);
  });

  it('resumes a study stopped midway with no trial lost or run twice, asking what an unbroken run asks', async () => {
    const db = new OutpostDb(`loop-${newId()}`);
    const s = study({ trials: 14 });
    let stop = false;
    const first = trainer({ cutAtTrial: 6, onCut: () => (stop = true) });
    // The person stops during trial 6: it is cut off and not recorded.
    expect(
      await runStudy(
        db,
        s,
        first.t,
        control(() => stop),
      ),
    ).toEqual({ reason: 'person' });
    expect((await studyTrials(db, s.id)).map((x) => x.number)).toEqual([0, 1, 2, 3, 4, 5]);
    const second = trainer();
    expect(await runStudy(db, s, second.t, control())).toEqual({ reason: 'budget' });
    const trials = await studyTrials(db, s.id);
    expect(trials.map((x) => x.number)).toEqual([...Array(14).keys()]);
    expect(second.calls.map((c) => c.trial)).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);

    // The same study run without a break asks the same settings for every trial.
    const db2 = new OutpostDb(`loop-${newId()}`);
    const straight = trainer();
    await runStudy(db2, s, straight.t, control());
    const unbroken = await studyTrials(db2, s.id);
    expect(trials.map((x) => x.params)).toEqual(unbroken.map((x) => x.params));
    // The trial cut off was asked again with the values it had when it was cut off.
    expect(trialParams(base, trials[6].params)).toEqual(first.calls[6].params);
  });

  it('stops hopeless trials early with the median pruner, after its five start-up trials', async () => {
    const db = new OutpostDb(`loop-${newId()}`);
    const s = study({ trials: 16, pruneEarly: true, space: [{ name: 'learningRate', kind: 'float', low: 1e-5, high: 1, log: true }] });
    const { t } = trainer();
    await runStudy(db, s, t, control());
    const trials = await studyTrials(db, s.id);
    const pruned = trials.filter((x) => x.state === 'pruned');
    expect(trials.slice(0, 5).every((x) => x.state === 'complete')).toBe(true);
    expect(pruned.length).toBeGreaterThan(0);
    for (const p of pruned) {
      expect(p.value).toBeUndefined();
      expect(p.intermediate.length).toBeLessThan(base.epochs);
    }
  });

  it('stops with the reason after three trials in a row could not run', async () => {
    const db = new OutpostDb(`loop-${newId()}`);
    const s = study({ trials: 10 });
    const { t, calls } = trainer({ fail: true });
    expect(await runStudy(db, s, t, control())).toEqual({ reason: 'error', error: 'Training failed: the loss was not a number.' });
    expect(calls.length).toBe(3);
    expect((await studyTrials(db, s.id)).map((x) => x.state)).toEqual(['failed', 'failed', 'failed']);
  });

  it('stops with nothing recorded when the training is refused', async () => {
    const db = new OutpostDb(`loop-${newId()}`);
    const s = study();
    const refused: TrialTrainer = { train: async () => undefined, cancel() {} };
    expect(await runStudy(db, s, refused, control())).toEqual({ reason: 'error' });
    expect(await studyTrials(db, s.id)).toEqual([]);
  });

  it('stops before its next try once the study is deleted (with its project, or on another device)', async () => {
    const db = new OutpostDb(`loop-${newId()}`);
    const s = await putRecord(db, 'studies', study({ trials: 10 }));
    let n = 0;
    const { t } = trainer();
    const counting: TrialTrainer = {
      train: async (params, options) => {
        if (++n === 3) await patchRecord(db, 'studies', s.id, { deleted: true });
        return t.train(params, options);
      },
      cancel: () => t.cancel(),
    };
    expect(await runStudy(db, s, counting, control())).toEqual({ reason: 'person' });
    expect((await studyTrials(db, s.id)).map((x) => x.number)).toEqual([0, 1, 2]);
  });

  it('trains each try as the kind of model it chose, pruning it against tries of its kind', async () => {
    const db = new OutpostDb(`loop-${newId()}`);
    const s = study({
      trials: 14,
      pruneEarly: true,
      space: [
        { name: 'family', kind: 'choice', choices: ['network', 'linear'] },
        { name: 'learningRate', kind: 'float', low: 1e-4, high: 0.1, log: true },
        { name: 'l2', kind: 'float', low: 1e-3, high: 10, log: true },
      ],
    });
    const { t, calls } = trainer();
    await runStudy(db, s, t, control());
    const trials = await studyTrials(db, s.id);
    expect(trials).toHaveLength(14);
    trials.forEach((x, i) => {
      expect(calls[i].params.family ?? 'network').toBe(x.params.family);
      if (x.params.family === 'linear') expect(calls[i].params.l2).toBe(x.params.l2);
      expect(Object.keys(x.params)).toHaveLength(2);
    });
    // Every linear try trains to the same loss, far behind the networks': judged against networks
    // each would be pruned; against its own kind none is worse than the median.
    const linear = trials.filter((x) => x.params.family === 'linear');
    expect(linear.length).toBeGreaterThan(0);
    expect(linear.every((x) => x.state === 'complete')).toBe(true);
  });
});
