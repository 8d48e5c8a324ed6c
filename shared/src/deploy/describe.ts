import type { AutomationLevel, DeploymentState } from '../schema/deployment.js';
import { canaryShare } from './assign.js';
import type { Said } from '../said.js';

/** How a version is named on screen ("version 3"), given its id. */
export type VersionName = (id: string) => string;

const pct = (x: number) => `${+(x * 100).toFixed(1)}%`;

/**
 * A deployment's mode in plain words for the predict screen and the console (the ML detail, mode
 * names and revision, is shown beside it by the caller).
 */
export function modeSentence(s: DeploymentState, name: VersionName): string {
  const text = modeText(s, name);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function modeText(s: DeploymentState, name: VersionName): string {
  const champ = s.champion ? name(s.champion) : null;
  const chall = s.challenger ? name(s.challenger) : null;
  switch (s.mode) {
    case 'single':
      return `${champ} answers every case.`;
    case 'shadow':
      return champ
        ? `${chall} is being tried quietly: it answers every case too, but only ${champ}’s answer is shown.`
        : `People decide every case. ${chall} is being tried quietly beside them: its answer is kept, not shown.`;
    case 'canary':
      return `${chall} answers ${pct(canaryShare(s))} of ${s.canary?.keyColumn ?? 'subjects'} values (the same ones every time); ${champ} answers the rest.`;
    case 'blue_green':
      return `${champ} answers every case. ${chall} is kept ready on every phone, so the team can switch between them at once.`;
  }
}

/** The level of automation in plain words. */
export function levelSentence(level: AutomationLevel, confidence?: number): string {
  switch (level) {
    case 'human':
      return 'You decide. The model’s answer is kept for checking, not shown.';
    case 'assist':
      return 'The model suggests an answer; you decide.';
    case 'partial':
      return `The model decides when it is at least ${pct(confidence ?? 1)} sure; otherwise you decide.`;
    case 'full':
      return 'The model decides.';
  }
}

/** Every sentence these functions can say, as its message key (the device's catalogues hold them). */
export type DeployKey =
  | 'deploy.mode.single'
  | 'deploy.mode.shadow'
  | 'deploy.mode.shadowPeople'
  | 'deploy.mode.canary'
  | 'deploy.mode.blueGreen'
  | 'deploy.level.human'
  | 'deploy.level.assist'
  | 'deploy.level.partial'
  | 'deploy.level.full';

/**
 * The mode's sentence as a message (see said.ts) for a screen in any language: the same words as
 * modeSentence in the device's English catalogue; versions are named by `name`, shares are fractions.
 */
export function modeSaid(s: DeploymentState, name: VersionName): Said<DeployKey> {
  const champion = s.champion ? name(s.champion) : '';
  const challenger = s.challenger ? name(s.challenger) : '';
  switch (s.mode) {
    case 'single':
      return { key: 'deploy.mode.single', values: { champion } };
    case 'shadow':
      return champion ? { key: 'deploy.mode.shadow', values: { champion, challenger } } : { key: 'deploy.mode.shadowPeople', values: { challenger } };
    case 'canary':
      return { key: 'deploy.mode.canary', values: { challenger, champion, share: canaryShare(s), column: s.canary?.keyColumn ?? 'subjects' } };
    case 'blue_green':
      return { key: 'deploy.mode.blueGreen', values: { champion, challenger } };
  }
}

/** The level of automation as a message (levelSentence's words in the device's English catalogue). */
export function levelSaid(level: AutomationLevel, confidence?: number): Said<DeployKey> {
  if (level === 'partial') return { key: 'deploy.level.partial', values: { confidence: confidence ?? 1 } };
  return { key: level === 'human' ? 'deploy.level.human' : level === 'assist' ? 'deploy.level.assist' : 'deploy.level.full' };
}

export const MODE_LABELS = { single: 'Single model', shadow: 'Shadow', canary: 'Canary', blue_green: 'Blue-green' } as const;
export const LEVEL_LABELS = { human: 'Human only', assist: 'Assistance', partial: 'Partial automation', full: 'Full automation' } as const;
