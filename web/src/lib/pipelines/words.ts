import type { PipelineSaid, StepRecord } from '@shared/schema/pipeline-spec.js';
import en from '../i18n/catalogues/en.js';
import type { Message, MessageKey } from '../i18n/catalogue.js';

type Say = (m: Message) => string;

const known = (key: string): key is MessageKey => Object.hasOwn(en, key);

/**
 * A step's reason in the person's language. A failed gate keeps its sentence's frame with what it
 * checked as `whatKey` and `what_*` values (executors.ts), said first as gateWords does; a key
 * this app version does not know is said as a crash with the key, never as nothing.
 */
export function reasonWords(reason: PipelineSaid, say: Say): string {
  const values = reason.values ?? {};
  if (!known(reason.key)) return say({ key: 'pipeline.reason.crashed', values: { message: reason.key } });
  const whatKey = values.whatKey;
  if (typeof whatKey === 'string' && known(whatKey)) {
    const whatValues = Object.fromEntries(Object.entries(values).flatMap(([k, v]) => (k.startsWith('what_') ? [[k.slice(5), v]] : [])));
    const rest = Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'whatKey' && !k.startsWith('what_')));
    return say({ key: reason.key, values: { ...rest, what: say({ key: whatKey, values: whatValues }) } });
  }
  return say({ key: reason.key, values });
}

/** The message key naming a step ("Read the rows", "Train"...). */
export const stepWordKey = (name: StepRecord['name']): MessageKey => `pipeline.step.${name}`;
