// Lint rules that keep each process in its lane: the path of a file says which process runs it
// and what it may import (see README, "Architecture").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

// Dependencies point down: the entry points (main/index.ts, main/web/serve.ts, main/cli.ts and
// main/cli/) assemble the engine; the capabilities below it never import it or the CLI back.
const belowTheEngine = ['main/orders/**/*.ts', 'main/sync/**/*.ts', 'main/db/**/*.ts', 'main/config/**/*.ts', 'main/gameball/**/*.ts'];

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
  // No import cycles in any process's code. Every import names its file with its extension, so
  // the plain node resolver finds .ts files (no TypeScript resolver needed); type-only imports
  // do not count, since they vanish at run time.
  {
    files: ['main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] })],
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/main/**', '../main', '../../main'], message: 'The renderer talks to main only through preload/api.ts.' },
            { group: nodeOnly, message: 'The renderer runs in a sandboxed page: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/main/**', '**/renderer/**'], message: 'preload/ is the contract: it imports neither side.' },
            { group: ['react', 'react-dom', 'better-sqlite3', 'node-hid'], message: 'preload/ stays small: zod and the contract only.' },
          ],
        },
      ],
    },
  },
  // main/: no screen code anywhere; `electron` only in the shell; `node-hid` only in its adapter;
  // the capabilities below the engine do not import it or the CLI (the last entry wins for them).
  ...[
    { files: ['main/**/*.ts'], ignores: ['main/index.ts', 'main/electron/**', 'main/scanner/node-hid-transport.ts'], allow: [] },
    { files: ['main/index.ts', 'main/electron/**/*.ts'], allow: ['electron'] },
    { files: ['main/scanner/node-hid-transport.ts'], allow: ['node-hid'] },
    { files: belowTheEngine, allow: [], below: true },
    { files: ['main/engine.ts'], allow: [], engine: true },
  ].map(({ files, ignores, allow, below, engine }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'Only the Electron shell (main/index.ts, main/electron/) imports electron; pass platform effects in.',
            },
            { name: 'node-hid', message: 'Only main/scanner/node-hid-transport.ts opens HID devices (one owner).' },
          ].filter((p) => !allow.includes(p.name)),
          patterns: [
            { group: ['**/renderer/**', 'react', 'react-dom'], message: 'main/ never imports the screen.' },
            ...(below
              ? [
                  {
                    group: ['**/engine.ts', '**/engine', '**/cli.ts', '**/cli', '**/cli/**'],
                    message:
                      'Dependencies point down: the engine and the CLI are assembled above this folder; take what you need as a parameter.',
                  },
                ]
              : []),
            ...(engine
              ? [
                  {
                    group: ['**/sync/wiring.ts', '**/simulator/**'],
                    allowTypeImports: true,
                    message:
                      'The entry points hand the engine its sync part (main/sync/port.ts): loading the engine loads no Gameball sync or simulator.',
                  },
                ]
              : []),
          ],
        },
      ],
    },
  })),
);
