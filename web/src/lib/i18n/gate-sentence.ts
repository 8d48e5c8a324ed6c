import type { GateSaid } from '@shared/registry/gates.js';
import type { Message } from './catalogue.js';

/**
 * A promotion gate's sentence (GateSaid): what was checked said first, then the frame that holds
 * it, both by `speak`. Plain TS, so the sync engine's refusals say it without Svelte's runes and a
 * screen says it reactively (gate-words.ts).
 */
export function gateSentence(said: GateSaid, speak: (m: Message) => string): string {
  const what = said.what ? speak(said.what) : '';
  return speak({ key: said.frame.key, values: { ...said.frame.values, what } });
}
