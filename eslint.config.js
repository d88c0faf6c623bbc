import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.output/**', '.wxt/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.demo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
      // Async functions that satisfy an async interface without awaiting are fine.
      '@typescript-eslint/require-await': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    // Content scripts run on every Feishu page: they must not pull in settings (credentials) or zod.
    files: ['entrypoints/*.content.ts', 'entrypoints/*.content/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/settings', '**/settings.ts', 'zod', '**/protocol', '**/background/**'], message: 'Content scripts stay small and never see credentials.' }] },
      ],
    },
  },
  {
    files: ['**/*.js', 'scripts/**', 'tests/**', '*.config.ts'],
    rules: { 'no-console': 'off' },
  },
);
