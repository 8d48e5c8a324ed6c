// Test support only: vitest compiles `.svelte.ts` files as plain TypeScript (no Svelte plugin), so
// the runes they use are left as calls to globals. These stand-ins make a session class such as
// TrainingSession run unchanged in Node, without reactivity (nothing is drawn in a test): `$state`
// returns its value, `$state.snapshot` a structured clone, as the real rune gives a plain copy.
// Import this module before the `.svelte.ts` module under test (dynamic import after it).
const state = Object.assign(<T>(value: T): T => value, {
  snapshot: <T>(value: T): T => structuredClone(value),
  raw: <T>(value: T): T => value,
});
(globalThis as { $state?: unknown }).$state = state;
export {};
