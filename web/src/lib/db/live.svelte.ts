import { liveQuery } from 'dexie';
import { createSubscriber } from 'svelte/reactivity';

/**
 * A named query from lib/db kept current for a screen: `live(() => projectVersions(db, id))`, then
 * read `.current` in markup. Dexie re-runs the query whenever a table it read changes (in this tab
 * or another); the query runs only while something on screen reads it, and stops with the last
 * reader. `current` is undefined until the first answer arrives.
 *
 * The query is read once per subscription: values it closes over (a project id) should not change
 * while the screen shows it (screens are keyed by the ids they show).
 */
export class Live<T> {
  #value: T | undefined = undefined;
  #subscribe: () => void;

  constructor(query: () => Promise<T>) {
    this.#subscribe = createSubscriber((update) => {
      const sub = liveQuery(query).subscribe({
        next: (value) => {
          this.#value = value;
          update();
        },
        // A failed query (storage trouble) keeps showing its last answer; the action that caused
        // the trouble reports it to the person.
        error: () => {},
      });
      return () => sub.unsubscribe();
    });
  }

  /** The latest answer (undefined until the first one). */
  get current(): T | undefined {
    this.#subscribe();
    return this.#value;
  }
}

export function live<T>(query: () => Promise<T>): Live<T> {
  return new Live(query);
}
