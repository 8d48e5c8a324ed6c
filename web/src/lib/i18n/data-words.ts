import type { Message, MessageKey } from './catalogue.js';

/**
 * The reasons `runSplitRows` (web/src/lib/db/lineage.ts) gives for not showing the rows a run
 * learnt from, in its English words, each with its message key. That function returns only the
 * English sentence, so a screen finds the sentence's key here; a reason not listed shows as it
 * is. data-said.test.ts reads lineage.ts, so a sentence changed there and not here fails it.
 */
const LINEAGE_REASONS: Record<string, MessageKey> = {
  'The dataset version this model learnt from is not on this device yet. Sync, then look again.': 'data.lineage.notHere',
  'The rows of that version are not on this device. Turn on row sync for the project, or look on the device that imported them.': 'data.lineage.noRows',
  'This model was trained before splits were recorded, so which rows it validated on cannot be shown.': 'data.lineage.noSplit',
  'The rows here differ from the ones this model learnt from (for example, personal columns left out), so its split cannot be shown.': 'data.lineage.differ',
};

/** A lineage reason as a message, or undefined for one without a key (show its English words). */
export function lineageReason(reason: string): Message | undefined {
  const key = LINEAGE_REASONS[reason];
  return key ? { key } : undefined;
}
