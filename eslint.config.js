// Lint: the boundaries between the parts, and a small set of correctness rules. Types and globals
// are checked by each part's tsconfig (npm run typecheck); formatting by Prettier.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const restrict = (patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'web/dist/**', 'test-results/**', '.outpost-test/**', 'bench/results/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      'no-undef': 'off', // TypeScript checks names, with each part's own globals
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  // shared/ is pure: it imports neither the app, nor the server, nor any platform or I/O library.
  // The one exception: shared/src/runtime/ holds the two ML runtime adapters (TensorFlow.js and ONNX
  // Runtime Web, both isomorphic), so that a device and the server run a version with the same code
  // and answer alike. They may import those runtimes, nothing else of the platform.
  {
    files: ['shared/src/runtime/tfjs.ts', 'shared/src/runtime/onnx.ts'],
    rules: restrict([
      { group: ['**/web/**', '**/server/**'], message: 'shared/ imports neither web/ nor server/.' },
      { group: ['node:*', 'dexie', 'hono', 'hono/*', 'pg', '@electric-sql/*'], message: 'The runtime adapters import only their runtime.' },
    ]),
  },
  {
    files: ['shared/src/**/*.ts'],
    ignores: ['shared/src/**/*.test.ts', 'shared/src/runtime/tfjs.ts', 'shared/src/runtime/onnx.ts'],
    rules: restrict([
      { group: ['**/web/**', '**/server/**'], message: 'shared/ imports neither web/ nor server/.' },
      {
        group: ['node:*', 'dexie', 'hono', 'hono/*', 'pg', '@electric-sql/*', '@tensorflow/*', 'onnxruntime-web'],
        message: 'shared/ is pure: no platform, I/O or runtime libraries.',
      },
    ]),
  },
  // The app uses the server only through its types (the HTTP surface), never its code.
  {
    files: ['web/src/**/*.ts', 'web/src/**/*.svelte'],
    ignores: ['web/src/**/*.test.ts', 'web/src/**/*.testing.ts', 'web/src/lib/sync/headless.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/server/**'], allowTypeImports: true, message: 'web/ imports server/ only with `import type`.' }] },
      ],
    },
  },
  // Screens and components read and write through named queries in lib/db and run models through
  // lib/ml: they import neither Dexie nor an ML runtime.
  {
    files: ['web/src/routes/**', 'web/src/lib/components/**'],
    rules: restrict([
      { group: ['**/server/**'], allowTypeImports: true, message: 'web/ imports server/ only with `import type`.' },
      { group: ['dexie'], message: 'Screens use the named queries in lib/db/ (and live() from lib/db/live.svelte.ts), not Dexie.' },
      { group: ['@tensorflow/*', 'onnxruntime-web'], message: 'Screens run models through lib/ml/, never a runtime directly.' },
    ]),
  },
);
