import type { ModelVersion } from '@shared/schema/records.js';
import type { VersionName } from '@shared/deploy/describe.js';
import { t } from '../../i18n/i18n.svelte.js';

/** How the deployment screens name a version: "version 4" (the number its model gave it). */
export function versionNamer(versions: readonly ModelVersion[]): VersionName {
  return (id) => {
    const v = versions.find((x) => x.id === id);
    return v ? t('deploy.version', { n: v.version }) : t('deploy.versionUnknown');
  };
}

/** Which of the deployment's versions a case was answered by, for the details line. */
export function armWords(arm: 'champion' | 'challenger' | null): string {
  return arm === 'challenger' ? t('deploy.arm.challenger') : arm === 'champion' ? t('deploy.arm.champion') : '';
}

/** A sentence starts with a capital, whatever a placeholder at its start holds ("Version 2 answers…"). */
export const sentence = (text: string): string => text.charAt(0).toLocaleUpperCase() + text.slice(1);
