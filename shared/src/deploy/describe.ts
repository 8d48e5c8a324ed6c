import type { AutomationLevel, DeploymentState } from '../schema/deployment.js';
import { canaryShare } from './assign.js';

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

export const MODE_LABELS = { single: 'Single model', shadow: 'Shadow', canary: 'Canary', blue_green: 'Blue-green' } as const;
export const LEVEL_LABELS = { human: 'Human only', assist: 'Assistance', partial: 'Partial automation', full: 'Full automation' } as const;
