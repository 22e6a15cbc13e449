// ESLint flat config. Besides the usual TypeScript rules it enforces the layering of
// ARCHITECTURE.md: shared ← engine ← lab ← hosts, and preload/renderer import only shared.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeBuiltins = ['node:*', 'fs', 'path', 'child_process', 'os', 'http', 'crypto', 'worker_threads'];
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/shared/**'],
    rules: restrict(
      [
        ...nodeBuiltins,
        'electron',
        'better-sqlite3',
        '**/main/**',
        '**/renderer/**',
        '**/preload/**',
        'react',
      ],
      'src/shared is the contract: it imports nothing from node, electron, the DOM or other layers.',
    ),
  },
  {
    files: ['src/main/engine/**'],
    rules: restrict(
      ['electron', 'better-sqlite3', '**/lab/**', '**/hosts/**', '**/renderer/**', '**/preload/**'],
      'engine is pure ML: no SQLite, no IPC, no Electron, no application layers.',
    ),
  },
  {
    files: ['src/main/lab/**'],
    rules: restrict(
      ['electron', '**/hosts/**', '**/renderer/**', '**/preload/**'],
      'lab must not know its hosts.',
    ),
  },
  {
    files: ['src/preload/**'],
    rules: restrict(['**/main/**', '**/renderer/**'], 'preload imports only src/shared (and electron).'),
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict(
        [...nodeBuiltins, 'electron', 'better-sqlite3', '**/main/**', '**/preload/**'],
        'the renderer talks to LabApi only; import from src/shared.',
      ),
    },
  },
);
