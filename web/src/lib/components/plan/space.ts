import { i18n } from '../../i18n/i18n.svelte.js';

/** A size on the phone in the person's language: "0.4 MB", "12 MB", "1.2 GB". */
export function spaceText(bytes: number): string {
  // Never "0 MB": a project with anything in it takes some space.
  const mb = Math.max(bytes / 1_000_000, 0.1);
  if (mb >= 1000) return i18n.number(mb / 1000, { style: 'unit', unit: 'gigabyte', maximumFractionDigits: 1 });
  return i18n.number(mb, { style: 'unit', unit: 'megabyte', maximumFractionDigits: mb < 10 ? 1 : 0 });
}
