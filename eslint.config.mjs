// Lint configuration. Its main job is to enforce the dependency direction of ARCHITECTURE.md:
// engine/ imports nothing outside engine/, engine modules only import modules listed before
// them in ENGINE_LAYERS, and renderer/ and preload/ reach the engine only through engine/protocol.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';

/** Engine modules in dependency order: each may import only the ones before it. */
export const ENGINE_LAYERS = [
  'isa', 'asm', 'obj', 'kernel', 'verifier', 'interp', 'x64', 'jit', 'tramp', 'prologue',
  'session', 'protocol', 'host',
];

const NODE_BUILTINS = [
  'node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'net', 'http', 'https',
  'crypto', 'stream', 'util', 'url', 'events', 'buffer', 'process', 'module', 'readline',
];
const OUTSIDE_ENGINE = ['**/main/**', '**/renderer/**', '**/preload/**', 'electron', 'vue', 'pinia', '@xterm/*', 'ws', 'koffi'];

function layerRules(layer, index) {
  const later = ENGINE_LAYERS.slice(index + 1);
  const groups = later.flatMap((m) => [`**/${m}`, `**/${m}/**`, `../${m}`, `../${m}/*`]);
  // engine/host is the engine's only door to Node: built-ins and the koffi FFI (for bpf(2)).
  const restricted = layer === 'host' ? OUTSIDE_ENGINE.filter((m) => m !== 'koffi') : [...OUTSIDE_ENGINE, ...NODE_BUILTINS];
  const patterns = [];
  if (groups.length) patterns.push({ group: groups, message: `engine/${layer} may only import engine modules listed before it (${ENGINE_LAYERS.slice(0, index).join(', ') || 'none'})` });
  patterns.push({ group: restricted, message: layer === 'host' ? 'engine/host may use Node, but not the app hosts or UI libraries' : `engine/${layer} is pure TypeScript: no Node, Electron, DOM-library or host imports (only engine/host may use Node)` });
  return {
    files: [`engine/${layer}/**/*.ts`],
    ignores: ['engine/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'coverage/**', 'test-results/**', 'playwright-report/**', 'resources/**', 'tests/e2e/screenshots/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly', performance: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', URL: 'readonly', structuredClone: 'readonly', window: 'readonly', document: 'readonly', WebSocket: 'readonly', globalThis: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      // TypeScript (tsc, vue-tsc) already reports undefined names, with the right globals per project
      'no-undef': 'off',
    },
  },
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
    rules: {
      // formatting is not lint's business here; these only fight the code style already in use
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
    },
  },
  ...ENGINE_LAYERS.map(layerRules),
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.vue', 'preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{
        group: ['**/engine/**', '!**/engine/protocol', '!**/engine/protocol/**', '**/main/**', 'koffi', 'worker_threads', 'node:*'],
        message: 'renderer and preload reach the engine only through engine/protocol types',
      }] }],
    },
  },
);
