// Flat config: typescript-eslint's recommended rules on the TypeScript sources, formatting left to Prettier.
import js from '@eslint/js';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/generated/**',
      '.data/**',
      'bench/results/**',
      'tools/**',
      'helm/**',
      'services/web/dist/**',
      'services/web/dist.tmp-*/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // The storefront runs in the browser.
  { files: ['services/web/src/**', 'services/web/test/**'], languageOptions: { globals: globals.browser } },
  prettier,
);
