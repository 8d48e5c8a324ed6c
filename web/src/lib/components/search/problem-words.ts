import { t } from '../../i18n/i18n.svelte.js';
import { prefs } from '../../prefs.svelte.js';
import type { StudyProblem } from '@shared/study/draft.js';
import type { Searchable } from '@shared/study/trials.js';
import type { MessageKey } from '../../i18n/catalogue.js';

const PLAIN: Record<Searchable, MessageKey> = {
  learningRate: 'search.setting.learningRate',
  batchSize: 'search.setting.batchSize',
  epochs: 'search.setting.epochs',
  layers: 'search.setting.layers',
  units: 'search.setting.units',
};
const ML: Record<Searchable, MessageKey> = {
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

/** Why a search cannot start, in the person's language (codes from shared/src/study/draft.ts). */
export function problemSaid(p: StudyProblem): string {
  return t(`search.problem.${p.code}`, { name: settingLabel(p.param) });
}
