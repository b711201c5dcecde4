import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '**/.sluice/', 'test-artifacts/', 'web/dist/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      // Garbage collection can silence these (a block's timeout stopped firing); linkSignals cannot be.
      'no-restricted-properties': [
        'error',
        { object: 'AbortSignal', property: 'any', message: 'use linkSignals (src/core/signals/linked-signal.ts): GC can collect an AbortSignal.any result' },
        { object: 'AbortSignal', property: 'timeout', message: 'use linkSignals (src/core/signals/linked-signal.ts): GC can collect an AbortSignal.timeout signal' },
      ],
    },
  },
  {
    // The UI takes the API's shapes from the server's source as types only: a
    // value import would pull server code into the browser bundle.
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: '@sluice/api', allowTypeImports: true, message: 'import the API types with `import type`' }] }],
    },
  },
);
