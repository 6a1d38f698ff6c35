// Lint: TypeScript rules plus the layering table of ../shared/STYLE.md §A.2 as import restrictions.
import { readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';

const layer = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });
const NOT_ELECTRON = { group: ['electron', '**/main/**', '**/renderer/**'], message: 'emulator/ must stay Electron-free (STYLE §A.2)' };
const UPPER = (names, message) => ({ group: names.map((n) => `**/${n}/**`), message });
// Every format folder (and the Artifact Registry format ids to come): none may import another (STYLE §A.2).
const FORMAT_IDS = [...new Set([...readdirSync(new URL('./emulator/formats/', import.meta.url), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name),
  'docker', 'npm', 'python', 'maven', 'go', 'apt', 'yum', 'generic', 'kfp', 'ruby'])];
const formatLayer = (id) => {
  const others = FORMAT_IDS.filter((f) => f !== id).join('|');
  return layer([`emulator/formats/${id}/**/*.ts`], [NOT_ELECTRON,
    { group: ['**/control/**', '**/scanning/**', '**/jobs/**', '**/remote/**'], message: 'formats know control, scanning, jobs and remote only through interfaces' },
    { regex: `(^|/)formats/(?!${id}/)`, message: 'formats are siblings, not dependencies' },
    { regex: `^(\\.\\./)+(${others})/`, message: 'formats are siblings, not dependencies' }]);
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'dist-desktop/**', 'bench/results/**', 'test-results/**', 'playwright-report/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|test|describe)$/]", message: 'no .only in tests' },
      ],
    },
  },
  layer(['emulator/core/**/*.ts'], [NOT_ELECTRON, UPPER(['storage', 'http', 'iam', 'formats', 'control', 'scanning', 'remote', 'jobs'], 'core imports nothing in the project'),
    { group: ['node:*', '!node:crypto'], message: 'core may only use node:crypto' }]),
  layer(['emulator/storage/**/*.ts'], [NOT_ELECTRON, UPPER(['http', 'iam', 'formats', 'control', 'scanning', 'remote', 'jobs'], 'storage knows nothing of formats or HTTP')]),
  layer(['emulator/http/**/*.ts'], [NOT_ELECTRON, UPPER(['storage', 'iam', 'formats', 'control', 'scanning', 'remote', 'jobs'], 'http is Koa assembly only')]),
  layer(['emulator/content/**/*.ts'], [NOT_ELECTRON, UPPER(['http', 'iam', 'formats', 'control', 'scanning', 'remote', 'jobs'], 'content may import core and storage only (formats describe their tables to it)')]),
  layer(['emulator/settings/**/*.ts'], [NOT_ELECTRON, UPPER(['storage', 'http', 'iam', 'formats', 'control', 'content', 'scanning', 'remote', 'jobs'], 'settings renders client snippets from core only (the CLI and the dashboard print the same bytes)')]),
  layer(['emulator/scanning/**/*.ts'], [NOT_ELECTRON, UPPER(['http', 'iam', 'formats', 'control', 'content', 'remote'], 'scanning may import core, storage and jobs only (STYLE §A.2)')]),
  layer(['emulator/config/**/*.ts'], [NOT_ELECTRON, UPPER(['http', 'iam', 'formats', 'control', 'content', 'scanning', 'remote', 'jobs'], 'config may import core and storage only: it applies the file through ConfigTarget (the control plane, passed in)')]),
  layer(['emulator/jobs/**/*.ts'], [NOT_ELECTRON, UPPER(['storage', 'http', 'iam', 'formats', 'control', 'scanning', 'remote'], 'jobs may import core only')]),
  ...FORMAT_IDS.map(formatLayer),
  layer(['emulator/control/**/*.ts'], [NOT_ELECTRON, UPPER(['formats', 'scanning', 'jobs', 'remote'], 'control knows formats only through FormatModule'),
    { group: ['@grpc/*', 'protobufjs', 'protobufjs/*', '@google-cloud/*', 'google-gax'], message: 'gRPC and protobuf stay inside control/grpc' }]),
  { files: ['emulator/control/grpc/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [NOT_ELECTRON, UPPER(['formats', 'scanning', 'jobs', 'remote'], 'control knows formats only through FormatModule')] }] } },
  layer(['emulator/ui/**/*.ts'], [NOT_ELECTRON, UPPER(['storage', 'iam', 'formats', 'scanning', 'remote', 'jobs'], 'ui serves the dashboard files and reads nothing else'),
    { regex: '(^|/)control/(?!dto\\.js$)', message: 'ui may import only types from control/dto.ts' }]),
  layer(['emulator/index.ts', 'emulator/cli.ts'], [NOT_ELECTRON]),
  // gitignore-style negations cannot re-include a file below an excluded folder, hence regexes for the two exceptions
  layer(['renderer/**/*.ts'], [
    { group: ['electron', 'node:*'], message: 'renderer talks to the shell via window.emulatorShell and to the emulator via HTTP' },
    { regex: '(^|/)main/(?!ipc/contract\\.js$)', message: 'renderer may import only types from main/ipc/contract.ts' },
    { regex: '(^|/)emulator/(?!control/dto\\.js$)', message: 'renderer may import only types from emulator/control/dto.ts' },
  ]),
  // the two exceptions are type-only (STYLE §A.2): a value import from them is an error
  { files: ['renderer/**/*.ts'], rules: { '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }] } },
  // sandboxed preloads are CommonJS (main/preload/package.json): `import x = require()` is the only form there
  { files: ['main/preload/**/*.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  layer(['main/**/*.ts'], [{ group: ['**/emulator/!(index)*', '**/emulator/*/**', '**/renderer/**'], message: 'main/ imports emulator/index.ts only' }]),
);
