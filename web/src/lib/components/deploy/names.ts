import type { ModelVersion } from '@shared/schema/records.js';
import type { VersionName } from '@shared/deploy/describe.js';

/** How the deployment screens name a version: "version 4" (the number its model gave it). */
export function versionNamer(versions: readonly ModelVersion[]): VersionName {
  return (id) => {
    const v = versions.find((x) => x.id === id);
    return v ? `version ${v.version}` : 'a version this phone has not received yet';
  };
}

/** Which of the deployment's versions a case was answered by, for the details line. */
export function armWords(arm: 'champion' | 'challenger' | null): string {
  return arm === 'challenger' ? 'new version, on trial' : arm === 'champion' ? 'the version in use' : '';
}
