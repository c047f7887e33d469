// Lint for the whole tree (`npm run lint`): typescript-eslint's recommended rules and the house limits.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The globals those files use, listed here rather than pulling in a package for a dozen names.
const NODE_GLOBALS = Object.fromEntries(
  [
    'console',
    'process',
    'Buffer',
    'URL',
    'URLSearchParams',
    'TextDecoder',
    'TextEncoder',
    'AbortController',
    'fetch',
    'performance',
    'structuredClone',
    'queueMicrotask',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'clearImmediate',
  ].map((name) => [name, 'readonly']),
);
const BROWSER_GLOBALS = Object.fromEntries(
  ['window', 'document', 'MutationObserver', 'getComputedStyle'].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.e2e/**', 'test/fixtures/**', '**/*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', __dirname: 'readonly', setTimeout: 'readonly' },
    },
    rules: {
      'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'prefer-const': 'error',
    },
  },
  {
    // The compiler already knows every global of node, the DOM and vscode; no-undef only repeats it, worse.
    files: ['**/*.ts'],
    rules: { 'no-undef': 'off' },
  },
  {
    // Scripts and the e2e driver run under plain node.
    files: ['**/*.mjs', 'scripts/**', 'test/e2e/**'],
    languageOptions: { globals: NODE_GLOBALS },
  },
  {
    // The e2e driver also passes functions to page.evaluate, which run inside the VS Code window.
    files: ['test/e2e/**'],
    languageOptions: { globals: BROWSER_GLOBALS },
  },
);
