// Flat ESLint config: typescript-eslint (type-aware), React hooks rules, Vite fast-refresh hints,
// and import boundaries as bulletproof-react draws them: app/ and routes/ compose features;
// a feature imports only itself and the shared layers (components, hooks, lib, test), never
// another feature; the shared layers import no feature, route or app code.
import fs from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import reactRefresh from 'eslint-plugin-react-refresh';
import tseslint from 'typescript-eslint';

const FEATURES = fs
  .readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

const UPWARD = [
  {
    group: ['@/app', '@/app/*', '@/routes', '@/routes/*'],
    message: 'Only app/ and routes/ compose screens; import nothing from them.',
  },
];

const boundaries = [
  {
    files: ['src/components/**', 'src/hooks/**', 'src/lib/**', 'src/test/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...UPWARD,
            {
              group: ['@/features', '@/features/*'],
              message: 'Shared code must not depend on a feature.',
            },
          ],
        },
      ],
    },
  },
  ...FEATURES.map((feature) => ({
    files: [`src/features/${feature}/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...UPWARD,
            {
              group: ['@/features/*', `!@/features/${feature}`, `!@/features/${feature}/**`],
              message: `features/${feature} must not import another feature: move what both need to components/, hooks/ or lib/.`,
            },
            {
              group: ['../../*/**', '../../../**'],
              message:
                'No relative imports out of the feature: use @/ paths within the rules above.',
            },
          ],
        },
      ],
    },
  })),
];

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'src/lib/api/schema.d.ts'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      ecmaVersion: 2022,
      globals: globals.browser,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: {
      'react-hooks': reactHooks,
      'react-refresh': reactRefresh,
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-refresh/only-export-components': ['warn', { allowConstantExport: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.test.{ts,tsx}', 'src/test/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Async mocks stand in for fetchers without awaiting anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  ...boundaries,
  {
    files: ['eslint.config.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
);
