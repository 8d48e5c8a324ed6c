import { i18n, t } from '../../i18n/i18n.svelte.js';
import { prefs } from '../../prefs.svelte.js';
import type { ModelFamily } from '@shared/schema/records.js';
import type { StudyProblem } from '@shared/study/draft.js';
import { FAMILIES } from '@shared/study/families.js';
import type { Searchable } from '@shared/study/trials.js';
import type { MessageKey } from '../../i18n/catalogue.js';

// The kind of model and its settings carry the Train form's own words (ParamsForm.svelte).
const SHARED: Partial<Record<Searchable, MessageKey>> = {
  family: 'train.params.family',
  l2: 'train.params.l2',
  trees: 'train.params.trees',
  maxDepth: 'train.params.maxDepth',
  minLeaf: 'train.params.minLeaf',
};
const PLAIN: Record<Searchable, MessageKey> = {
  ...(SHARED as Record<Searchable, MessageKey>),
  learningRate: 'search.setting.learningRate',
  batchSize: 'search.setting.batchSize',
  epochs: 'search.setting.epochs',
  layers: 'search.setting.layers',
  units: 'search.setting.units',
};
const ML: Record<Searchable, MessageKey> = {
  ...(SHARED as Record<Searchable, MessageKey>),
  learningRate: 'train.params.learningRate',
  batchSize: 'train.params.batch',
  epochs: 'train.params.epochs',
  layers: 'train.params.hidden',
  units: 'search.setting.unitsMl',
};

/** A searchable setting's name on screen: plain words, or the ML name with "Show ML details". */
export function settingLabel(name: string): string {
  const key = (prefs.mlDetails ? ML : PLAIN)[name as Searchable];
  return key ? t(key) : name;
}

/** A kind of model in words, as the Train form says it. */
export function familyWord(f: ModelFamily): string {
  return t(prefs.mlDetails ? `train.family.${f}.ml` : `train.family.${f}`);
}

/** A trial's value for a setting on screen: a number formatted, a kind of model in words, nothing when the trial did not ask it. */
export function valueSaid(name: string, v: number | string | undefined, fmt: (v: number) => string): string {
  if (typeof v === 'number') return fmt(v);
  if (name === 'family' && (FAMILIES as readonly string[]).includes(v ?? '')) return familyWord(v as ModelFamily);
  return v ?? '';
}

/** Why a search cannot start, in the person's language (codes from shared/src/study/draft.ts). */
export function problemSaid(p: StudyProblem): string {
  if (p.code === 'out_of_limits') return t('search.problem.out_of_limits', { name: settingLabel(p.param), low: i18n.number(p.low), high: i18n.number(p.high) });
  return t(`search.problem.${p.code}`, { name: settingLabel(p.param) });
}
