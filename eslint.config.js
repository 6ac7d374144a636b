// Lint rules that keep each process in its lane: the path of a file says which process runs it
// and what it may import (see README, "Architecture").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeOnly = ['node:*', 'fs', 'path', 'os', 'child_process', 'better-sqlite3', 'node-hid', 'electron', 'ws', 'pino'];

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'dist/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // Promises: one that nobody awaits or catches loses its error (an unhandled rejection ends the
  // process); one handed where a plain callback is expected (an onClick, an event listener) runs
  // unawaited. These rules need the types, so they run with the three TypeScript projects.
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.web.json', './tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/main/**', '../main', '../../main'], message: 'The renderer talks to main only through preload/api.ts.' },
          { group: nodeOnly, message: 'The renderer runs in a sandboxed page: no Node modules.' },
        ],
      }],
    },
  },
  {
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/main/**', '**/renderer/**'], message: 'preload/ is the contract: it imports neither side.' },
          { group: ['react', 'react-dom', 'better-sqlite3', 'node-hid'], message: 'preload/ stays small: zod and the contract only.' },
        ],
      }],
    },
  },
  // main/: no screen code anywhere; `electron` only in the shell; `node-hid` only in its adapter.
  ...[
    { files: ['main/**/*.ts'], ignores: ['main/index.ts', 'main/electron/**', 'main/scanner/node-hid-transport.ts'], allow: [] },
    { files: ['main/index.ts', 'main/electron/**/*.ts'], allow: ['electron'] },
    { files: ['main/scanner/node-hid-transport.ts'], allow: ['node-hid'] },
  ].map(({ files, ignores, allow }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'electron', message: 'Only the Electron shell (main/index.ts, main/electron/) imports electron; pass platform effects in.' },
          { name: 'node-hid', message: 'Only main/scanner/node-hid-transport.ts opens HID devices (one owner).' },
        ].filter((p) => !allow.includes(p.name)),
        patterns: [
          { group: ['**/renderer/**', 'react', 'react-dom'], message: 'main/ never imports the screen.' },
        ],
      }],
    },
  })),
);
