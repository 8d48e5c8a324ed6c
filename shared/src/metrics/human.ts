// Human evaluation: two versions side by side, blind rating studies and their results, and how a
// person's own decisions score against the known results. Device and console both import this, so
// they show the same numbers.
import { OutpostError } from '../errors.js';
import type { Said } from '../said.js';
import { isMissing, toNumber, type Cell } from '../data/columns.js';
import { mulberry32, shuffleInPlace } from '../data/random.js';
import type { PredictionOutput, Task } from '../schema/records.js';
import { preferredOf, STUDY_MAX_ITEMS, type HumanMetrics, type Preferred, type Rating, type RatingChoice, type ShownFirst } from '../schema/human.js';
import { cohensKappa, fleissKappa } from '../stats/agreement.js';
import { bootstrapCi } from '../stats/bootstrap.js';
import { precisionRecallF1 } from './classification.js';
import { mae, r2, rmse } from './regression.js';

export { preferredOf };

// ---- two versions side by side ----

/** What compareOutputs needs: both versions' answers on the same rows, in order. */
export interface CompareInput {
  task: Task;
  a: readonly PredictionOutput[];
  b: readonly PredictionOutput[];
  /** The known result of each row (the target column), when the dataset has it. */
  truth?: readonly Cell[];
  /** Classification: the labels a result must be one of to count (others are left out). */
  labels?: readonly string[];
  /** Regression: answers this close or closer count as agreeing (0 unless told). */
  tolerance?: number;
}

/** One compared row. `difference` is |a - b| for regression (null when either gave no value). */
export interface ComparedRow {
  index: number;
  differ: boolean;
  difference: number | null;
}

/** A version's score on the compared rows that have a known result. */
export interface RowsScore {
  /** Rows scored. */
  n: number;
  /** Share right (classification) or mean absolute error (regression). */
  value: number;
}

/** compareOutputs' answer. */
export interface Comparison {
  task: Task;
  n: number;
  /** Rows where the two versions agree, and their share of n. */
  agreed: number;
  agreement: number;
  tolerance: number;
  /** Every row, the disagreements first (classification: in row order; regression: largest difference first). */
  rows: ComparedRow[];
  /** Each version on the rows with a known result (null when there are none). */
  scoreA: RowsScore | null;
  scoreB: RowsScore | null;
  /** Classification: of the rows where they differ and the result is known, how many each got right. */
  onDisagreements: { n: number; aRight: number; bRight: number } | null;
}

const labelOf = (o: PredictionOutput) => o.label ?? '';

/**
 * Two versions' answers on the same rows, side by side. Classification: the versions agree on a
 * row when they give the same label; regression: when |a - b| <= tolerance. Rows are ordered with
 * the disagreements first (classification in row order; regression by |a - b|, largest first, rows
 * without a value last), then the agreements in row order. With known results, each version's
 * accuracy (classification, over rows whose result is one of `labels` when given) or mean absolute
 * error (regression, over rows with a numeric result) on the same rows. Throws a RangeError when
 * the answer lists differ in length.
 */
export function compareOutputs({ task, a, b, truth, labels, tolerance = 0 }: CompareInput): Comparison {
  if (a.length !== b.length || (truth && truth.length !== a.length)) throw new RangeError(`One answer of each version per row (${a.length}, ${b.length}).`);
  const rows: ComparedRow[] = a.map((oa, i) => {
    const ob = b[i];
    if (task === 'classification') return { index: i, differ: labelOf(oa) !== labelOf(ob), difference: null };
    const difference = oa.value !== undefined && ob.value !== undefined ? Math.abs(oa.value - ob.value) : null;
    return { index: i, differ: difference === null || difference > tolerance, difference };
  });
  const rank = (r: ComparedRow) => (r.difference === null ? -1 : r.difference);
  const ordered = [...rows].sort((x, y) => {
    if (x.differ !== y.differ) return x.differ ? -1 : 1;
    if (task === 'regression' && x.differ) return rank(y) - rank(x) || x.index - y.index;
    return x.index - y.index;
  });
  const agreed = rows.filter((r) => !r.differ).length;
  let scoreA: RowsScore | null = null;
  let scoreB: RowsScore | null = null;
  let onDisagreements: Comparison['onDisagreements'] = null;
  if (truth && task === 'classification') {
    const known = rows.filter((r) => !isMissing(truth[r.index]) && (!labels || labels.includes(String(truth[r.index]).trim())));
    const right = (o: PredictionOutput, i: number) => labelOf(o) === String(truth[i]).trim();
    if (known.length) {
      scoreA = { n: known.length, value: known.filter((r) => right(a[r.index], r.index)).length / known.length };
      scoreB = { n: known.length, value: known.filter((r) => right(b[r.index], r.index)).length / known.length };
      const d = known.filter((r) => r.differ);
      onDisagreements = { n: d.length, aRight: d.filter((r) => right(a[r.index], r.index)).length, bRight: d.filter((r) => right(b[r.index], r.index)).length };
    }
  } else if (truth) {
    const known = rows.filter((r) => toNumber(truth[r.index]) !== null && a[r.index].value !== undefined && b[r.index].value !== undefined);
    if (known.length) {
      const y = known.map((r) => toNumber(truth[r.index])!);
      scoreA = {
        n: known.length,
        value: mae(
          y,
          known.map((r) => a[r.index].value!),
        ),
      };
      scoreB = {
        n: known.length,
        value: mae(
          y,
          known.map((r) => b[r.index].value!),
        ),
      };
    }
  }
  return { task, n: rows.length, agreed, agreement: rows.length ? agreed / rows.length : 0, tolerance, rows: ordered, scoreA, scoreB, onDisagreements };
}

/**
 * An answer as a rater reads it: the label with its probability ("malignant (82% sure)", rounded
 * to a whole percent) or the value to 4 significant digits; "(no answer)" when the model gave none.
 */
export function outputText(task: Task, o: PredictionOutput): string {
  if (task === 'classification') {
    if (o.label === undefined) return '(no answer)';
    const p = o.probabilities?.[o.label];
    return p === undefined ? o.label : `${o.label} (${Math.round(p * 100)}% sure)`;
  }
  return o.value === undefined ? '(no answer)' : String(Number(o.value.toPrecision(4)));
}

/** outputText as a message (said.ts), for a screen in any language: the probability is a fraction rounded to a whole percent. */
export function outputSaid(task: Task, o: PredictionOutput): Said<'studies.output.none' | 'studies.output.sure' | 'studies.output.plain'> {
  if (task === 'classification') {
    if (o.label === undefined) return { key: 'studies.output.none' };
    const p = o.probabilities?.[o.label];
    return p === undefined
      ? { key: 'studies.output.plain', values: { text: o.label } }
      : { key: 'studies.output.sure', values: { label: o.label, share: Math.round(p * 100) / 100 } };
  }
  return o.value === undefined ? { key: 'studies.output.none' } : { key: 'studies.output.plain', values: { text: String(Number(o.value.toPrecision(4))) } };
}

/**
 * The rows of a study: the rows where the versions differ, in a seeded shuffle (mulberry32(seed),
 * Fisher–Yates), topped up with rows where they agree (shuffled by the same stream) when there are
 * fewer than `size` of them. Rating cases where both gave the same answer tells nothing about which
 * is better, so those come only when the differences run out.
 */
export function studyRows(comparison: Comparison, seed: number, size = STUDY_MAX_ITEMS): number[] {
  const rng = mulberry32(seed);
  const differ = shuffleInPlace(
    comparison.rows.filter((r) => r.differ).map((r) => r.index),
    rng,
  );
  const same = shuffleInPlace(
    comparison.rows.filter((r) => !r.differ).map((r) => r.index),
    rng,
  );
  return [...differ, ...same].slice(0, size);
}

// ---- blind rating ----

/** FNV-1a over the UTF-16 code units of a string: a 32-bit seed from text. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Which version's answer a rater sees first on one case: the first draw of mulberry32 seeded by the
 * FNV-1a hash of `seed:item:rater`, 'a' below one half. The same rater always sees a case the same
 * way (coming back to it changes nothing), while the order differs from case to case and from rater
 * to rater, so a preference for whatever is shown first spreads evenly over both versions.
 */
export function shownFirstFor(seed: number, itemIndex: number, rater: string): ShownFirst {
  return mulberry32(fnv1a(`${seed}:${itemIndex}:${rater}`))() < 0.5 ? 'a' : 'b';
}

/** What a rater pressed, with which answer was shown first, and the version it means (see preferredOf). */
export function ratingAnswer(choice: RatingChoice, shownFirst: ShownFirst): { choice: RatingChoice; shownFirst: ShownFirst; preferred: Preferred } {
  return { choice, shownFirst, preferred: preferredOf(choice, shownFirst) };
}

/** The newest rating of each rater for each case (greatest createdAt, then greatest id), of one study. */
export function latestRatings(studyId: string, items: number, ratings: readonly Rating[]): Rating[] {
  const latest = new Map<string, Rating>();
  for (const r of ratings) {
    if (r.studyId !== studyId || r.itemIndex >= items) continue;
    const key = `${r.itemIndex}\u0000${r.rater}`;
    const held = latest.get(key);
    if (!held || r.createdAt > held.createdAt || (r.createdAt === held.createdAt && r.id > held.id)) latest.set(key, r);
  }
  return [...latest.values()];
}

/** The normal quantile of a two-sided 95% interval, scipy.stats.norm.isf(0.025). */
export const Z95 = 1.9599639845400545;

/**
 * The Wilson score interval for a proportion (Wilson 1927), statsmodels 0.13.5's
 * proportion_confint(count, nobs, alpha=0.05, method='wilson'): with p = count/n and z = Z95,
 * centre = (p + z²/2n) / (1 + z²/n) and half-width = z sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n).
 * Unlike the normal approximation it stays inside [0, 1] and behaves at 0 and n successes.
 * NaN bounds for n = 0.
 */
export function wilsonInterval(count: number, n: number): { low: number; high: number } {
  if (n === 0) return { low: NaN, high: NaN };
  const p = count / n;
  const z2 = Z95 * Z95;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Fewest cases rated by every rater for an agreement figure. */
export const MIN_AGREEMENT_ITEMS = 10;
/** Resamples of the by-case bootstrap of a study's preference. */
export const STUDY_RESAMPLES = 2000;

/** Agreement between raters on the cases every one of them rated, or why there is none. */
export type RaterAgreement =
  | {
      kind: 'cohen' | 'fleiss';
      kappa: number;
      /** Share of pairs of raters that gave a case the same answer, averaged over cases. */
      observed: number;
      items: number;
      raters: number;
    }
  | { kind: 'none'; reason: 'one_rater' | 'too_few_items' | 'undefined'; items: number; raters: number };

/** studyResults' answer. Preference is for version A: the share of A-or-B choices that chose A. */
export interface StudyResult {
  /** Cases in the study, cases rated by anyone, people who rated, ratings counted (each rater's newest per case). */
  items: number;
  ratedItems: number;
  raters: number;
  ratings: number;
  wins: { a: number; b: number; same: number };
  /** Wilson 95% interval on A's wins among A and B wins (ties left out); null with no A or B choice. */
  preference: { share: number; low: number; high: number; n: number } | null;
  /** The same share with a percentile bootstrap over cases (every rating of a drawn case comes along). */
  byItem: { share: number; low: number; high: number; resamples: number; seed: number } | null;
  agreement: RaterAgreement;
}

const CATEGORIES: Preferred[] = ['a', 'b', 'same'];

/**
 * The results of a blind rating study from its ratings (each rater's newest per case, see
 * latestRatings). Preference for version A: A's wins over A's and B's wins ("the same" left out),
 * with a Wilson 95% interval (wilsonInterval) that treats each rating as independent; with several
 * raters a case's ratings are alike, so `byItem` also gives a percentile bootstrap over cases
 * (STUDY_RESAMPLES resamples seeded with the study's seed; a resample with no A or B choice is left
 * out). Agreement between raters on the de-randomised answers (A, B, same), over the cases every
 * rater rated: Cohen's kappa for two raters, Fleiss' kappa for three or more (stats/agreement.ts);
 * none with one rater, with fewer than MIN_AGREEMENT_ITEMS such cases, or when kappa is undefined
 * (every answer the same).
 */
export function studyResults(study: { id: string; items: readonly unknown[]; seed: number }, ratings: readonly Rating[]): StudyResult {
  const items = study.items.length;
  const counted = latestRatings(study.id, items, ratings);
  const wins = { a: 0, b: 0, same: 0 };
  for (const r of counted) wins[r.preferred]++;
  const raters = [...new Set(counted.map((r) => r.rater))].sort();
  const byCase = new Map<number, Rating[]>();
  for (const r of counted) byCase.set(r.itemIndex, [...(byCase.get(r.itemIndex) ?? []), r]);
  const decided = wins.a + wins.b;
  const preference = decided ? { share: wins.a / decided, ...wilsonInterval(wins.a, decided), n: decided } : null;
  let byItem: StudyResult['byItem'] = null;
  if (decided) {
    // In case order, so the same ratings give the same interval whatever order they arrived in.
    const cases = [...byCase.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([, rs]) => rs)
      .map((rs) => ({ a: rs.filter((r) => r.preferred === 'a').length, ab: rs.filter((r) => r.preferred !== 'same').length }));
    const ci = bootstrapCi(
      {
        n: cases.length,
        statistic: (idx) => {
          let a = 0;
          let ab = 0;
          for (const i of idx) {
            a += cases[i].a;
            ab += cases[i].ab;
          }
          return ab ? a / ab : NaN;
        },
      },
      { seed: study.seed, resamples: STUDY_RESAMPLES },
    );
    byItem = { share: ci.estimate, low: ci.low, high: ci.high, resamples: ci.resamples, seed: study.seed };
  }
  return { items, ratedItems: byCase.size, raters: raters.length, ratings: counted.length, wins, preference, byItem, agreement: agreementOf(byCase, raters) };
}

function agreementOf(byCase: Map<number, Rating[]>, raters: string[]): RaterAgreement {
  const m = raters.length;
  const common = [...byCase.entries()].filter(([, rs]) => rs.length === m).sort((x, y) => x[0] - y[0]);
  const base = { items: common.length, raters: m };
  if (m < 2) return { kind: 'none', reason: 'one_rater', ...base };
  if (common.length < MIN_AGREEMENT_ITEMS) return { kind: 'none', reason: 'too_few_items', ...base };
  const table = common.map(([, rs]) => CATEGORIES.map((c) => rs.filter((r) => r.preferred === c).length));
  const observed = table.reduce((s, row) => s + row.reduce((t, n) => t + n * (n - 1), 0) / (m * (m - 1)), 0) / table.length;
  let kappa: number;
  if (m === 2) {
    const answer = (rater: string) => common.map(([, rs]) => rs.find((r) => r.rater === rater)!.preferred);
    kappa = cohensKappa(answer(raters[0]), answer(raters[1]));
  } else kappa = fleissKappa(table);
  if (!Number.isFinite(kappa)) return { kind: 'none', reason: 'undefined', ...base };
  return { kind: m === 2 ? 'cohen' : 'fleiss', kappa, observed, ...base };
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * A study's preference in plain words, for the device and the console alike: which version people
 * preferred and whether the 95% interval leaves out one half (no clear preference otherwise).
 */
export function preferenceSentence(r: StudyResult, nameA: string, nameB: string): string {
  if (!r.preference) return r.ratings ? `Every answer so far was “the same” (${r.ratings} ratings).` : 'No ratings yet.';
  const { share, low, high, n } = r.preference;
  const range = `${pct(low)}–${pct(high)}`;
  if (low > 0.5) return `People preferred ${nameA}: ${pct(share)} of ${n} choices (95% interval ${range}).`;
  if (high < 0.5) return `People preferred ${nameB}: ${pct(1 - share)} of ${n} choices (95% interval ${pct(1 - high)}–${pct(1 - low)}).`;
  return `No clear preference yet: ${nameA} was chosen in ${pct(share)} of ${n} choices (95% interval ${range}, which includes half).`;
}

/**
 * Agreement in plain words, with the bands of Landis & Koch (1977) for kappa: below 0 poor, to 0.2
 * slight, to 0.4 fair, to 0.6 moderate, to 0.8 substantial, above almost perfect.
 */
export function agreementSentence(a: RaterAgreement): string {
  if (a.kind === 'none') {
    if (a.reason === 'one_rater') return 'One person has rated so far: agreement between people needs two or more.';
    if (a.reason === 'too_few_items') return `Agreement needs at least ${MIN_AGREEMENT_ITEMS} cases rated by every rater (${a.items} so far).`;
    return 'Every rater gave the same answer to every shared case: agreement beyond chance cannot be measured.';
  }
  const k = a.kappa;
  const band = k < 0 ? 'poor' : k <= 0.2 ? 'slight' : k <= 0.4 ? 'fair' : k <= 0.6 ? 'moderate' : k <= 0.8 ? 'substantial' : 'almost perfect';
  const name = a.kind === 'cohen' ? "Cohen's" : "Fleiss'";
  return `Agreement between the ${a.raters} raters is ${band} (${name} kappa ${k.toFixed(2)} on ${a.items} cases they all rated; same answer ${pct(a.observed)} of the time).`;
}

/** Every sentence preferenceSaid can say, as its message key. */
export type PreferenceKey = 'studies.pref.none' | 'studies.pref.allSame' | 'studies.pref.preferred' | 'studies.pref.unclear';

/** A share as preferenceSentence rounds it (a whole percent), as a fraction for the catalogue's `::percent`. */
const whole = (x: number) => Math.round(x * 100) / 100;

/** preferenceSentence as a message (said.ts), for a screen in any language; versions are named by `nameA` and `nameB`. */
export function preferenceSaid(r: StudyResult, nameA: string, nameB: string): Said<PreferenceKey> {
  if (!r.preference) return r.ratings ? { key: 'studies.pref.allSame', values: { count: r.ratings } } : { key: 'studies.pref.none' };
  const { share, low, high, n } = r.preference;
  if (low > 0.5) return { key: 'studies.pref.preferred', values: { name: nameA, share: whole(share), count: n, low: whole(low), high: whole(high) } };
  if (high < 0.5)
    return { key: 'studies.pref.preferred', values: { name: nameB, share: whole(1 - share), count: n, low: whole(1 - high), high: whole(1 - low) } };
  return { key: 'studies.pref.unclear', values: { name: nameA, share: whole(share), count: n, low: whole(low), high: whole(high) } };
}

/** Every sentence agreementSaid can say, as its message key. */
export type AgreementKey = 'studies.agree.oneRater' | 'studies.agree.fewItems' | 'studies.agree.undefined' | 'studies.agree.kappa';

/** agreementSentence as a message (said.ts): the band is a code (`almost_perfect`), the kappa's name a kind (`cohen`, `fleiss`). */
export function agreementSaid(a: RaterAgreement): Said<AgreementKey> {
  if (a.kind === 'none') {
    if (a.reason === 'one_rater') return { key: 'studies.agree.oneRater' };
    if (a.reason === 'too_few_items') return { key: 'studies.agree.fewItems', values: { needed: MIN_AGREEMENT_ITEMS, count: a.items } };
    return { key: 'studies.agree.undefined' };
  }
  const k = a.kappa;
  const band = k < 0 ? 'poor' : k <= 0.2 ? 'slight' : k <= 0.4 ? 'fair' : k <= 0.6 ? 'moderate' : k <= 0.8 ? 'substantial' : 'almost_perfect';
  return { key: 'studies.agree.kappa', values: { raters: a.raters, band, kind: a.kind, kappa: +k.toFixed(2), count: a.items, observed: whole(a.observed) } };
}

// ---- how people do ----

/** What scoreDecisions reads: the known results and a person's decisions on the same cases, and optionally the model's answers. */
export interface DecisionsInput {
  task: Task;
  /** Classification: the model's labels (a result that is none of them is left out). */
  labels?: readonly string[];
  truth: readonly Cell[];
  decisions: readonly Cell[];
  /** The model's answers on the same rows, scored on exactly the rows the person's are. */
  model?: readonly PredictionOutput[];
}

/** scoreDecisions' answer. */
export interface ScoredDecisions {
  rows: number;
  skipped: number;
  metrics: HumanMetrics;
  model?: HumanMetrics;
}

/** A decision as one of the labels: exactly, else ignoring case and spaces around it; -1 when none. */
function labelIndex(labels: readonly string[], v: Cell): number {
  const s = String(v).trim();
  const exact = labels.indexOf(s);
  if (exact >= 0) return exact;
  return labels.findIndex((l) => l.toLowerCase() === s.toLowerCase());
}

/**
 * Classification figures of decisions over class indices, as scikit-learn 1.2.1's accuracy_score and
 * precision_recall_fscore_support(labels=range(k), zero_division=0) (macro, weighted, and binary
 * for the positive label labels[1] when k = 2) where a decision that is none of the labels is a
 * class of its own (index k): always wrong, never averaged over.
 */
function classificationFigures(labels: readonly string[], y: number[], d: number[]): HumanMetrics {
  const k = labels.length;
  const cm = Array.from({ length: k + 1 }, () => new Array<number>(k + 1).fill(0));
  for (let i = 0; i < y.length; i++) cm[y[i]][d[i]]++;
  const per = labels.map((_, i) => precisionRecallF1(cm, 'binary', i));
  const support = labels.map((_, i) => cm[i].reduce((s, v) => s + v, 0));
  const total = support.reduce((s, v) => s + v, 0);
  const avg = (w: (i: number) => number) => ({
    precision: per.reduce((s, p, i) => s + w(i) * p.precision, 0),
    recall: per.reduce((s, p, i) => s + w(i) * p.recall, 0),
    f1: per.reduce((s, p, i) => s + w(i) * p.f1, 0),
  });
  const right = y.filter((v, i) => v === d[i]).length;
  return {
    task: 'classification',
    n: y.length,
    labels: [...labels],
    accuracy: y.length ? right / y.length : 0,
    macro: avg(() => 1 / k),
    weighted: avg((i) => (total ? support[i] / total : 0)),
    binary: k === 2 ? { positive: labels[1], ...per[1] } : null,
    confusion: cm.slice(0, k).map((row) => row.slice(0, k)),
    otherDecisions: cm.reduce((s, row) => s + row[k], 0),
  };
}

/**
 * A person's decisions scored against the known results like a version's test split (without the
 * figures that need probabilities): classification as classificationFigures, regression as
 * scikit-learn's mean_absolute_error, root mean squared error and r2_score. A row counts when its
 * result is known (classification: one of `labels`) and the person gave a decision (regression: a
 * number); the others are `skipped`. The model's answers, when given, are scored on exactly the
 * counted rows. Throws an OutpostError (dataset_invalid) when no row counts.
 */
export function scoreDecisions({ task, labels = [], truth, decisions, model }: DecisionsInput): ScoredDecisions {
  if (truth.length !== decisions.length || (model && model.length !== truth.length)) throw new RangeError('One result and one decision per row.');
  const none = () =>
    new OutpostError('dataset_invalid', 'No row has both a known result and a decision. Check that you chose the right two columns, then try again.');
  if (task === 'classification') {
    if (labels.length < 2) throw new RangeError('A classification needs its labels.');
    const kept: { i: number; y: number; d: number }[] = [];
    truth.forEach((t, i) => {
      if (isMissing(t) || isMissing(decisions[i])) return;
      const y = labels.indexOf(String(t).trim());
      if (y < 0) return;
      const d = labelIndex(labels, decisions[i]);
      kept.push({ i, y, d: d < 0 ? labels.length : d });
    });
    if (!kept.length) throw none();
    const y = kept.map((x) => x.y);
    const scored: ScoredDecisions = {
      rows: kept.length,
      skipped: truth.length - kept.length,
      metrics: classificationFigures(
        labels,
        y,
        kept.map((x) => x.d),
      ),
    };
    if (model) {
      const m = kept.map((x) => {
        const j = labels.indexOf(model[x.i].label ?? '');
        return j < 0 ? labels.length : j;
      });
      scored.model = classificationFigures(labels, y, m);
    }
    return scored;
  }
  const kept: { i: number; y: number; d: number }[] = [];
  truth.forEach((t, i) => {
    const y = toNumber(t);
    const d = toNumber(decisions[i]);
    if (y !== null && d !== null) kept.push({ i, y, d });
  });
  if (!kept.length) throw none();
  const y = kept.map((x) => x.y);
  const figures = (yHat: number[]): HumanMetrics => ({ task: 'regression', n: y.length, mae: mae(y, yHat), rmse: rmse(y, yHat), r2: r2(y, yHat) });
  const scored: ScoredDecisions = { rows: kept.length, skipped: truth.length - kept.length, metrics: figures(kept.map((x) => x.d)) };
  // A model row without a value (a failed prediction) leaves the model's figures out rather than scoring a subset.
  if (model && kept.every((x) => model[x.i].value !== undefined)) scored.model = figures(kept.map((x) => model[x.i].value!));
  return scored;
}

/** A human baseline's headline in plain words: "People: 91% right on 40 cases" (or "off by 3.2 on average"). */
export function humanHeadline(m: HumanMetrics): string {
  return m.task === 'classification' ? `${pct(m.accuracy)} right on ${m.n} cases` : `off by ${Number(m.mae.toPrecision(3))} on average on ${m.n} cases`;
}

/** The same headline as a message (said.ts), for a screen in any language; the share is a fraction rounded to a percent. */
export function humanHeadlineSaid(m: HumanMetrics): Said<'eval.headline.right' | 'eval.headline.off'> {
  return m.task === 'classification'
    ? { key: 'eval.headline.right', values: { share: Math.round(m.accuracy * 100) / 100, count: m.n } }
    : { key: 'eval.headline.off', values: { by: Number(m.mae.toPrecision(3)), count: m.n } };
}
