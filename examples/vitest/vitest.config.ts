// A test project that uses the emulator as a fixture: one emulator for the whole run (globalSetup), seeded from
// ar-emulator.yaml, reset between tests. In your own project `artifact-registry-emulator` is the installed package;
// here the alias points at the sources it is built from, so this example runs against the code beside it.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { 'artifact-registry-emulator': fileURLToPath(new URL('../../emulator/index.ts', import.meta.url)) } },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.test.ts'],
    globalSetup: ['./global-setup.ts'],
    // the tests share one emulator and reset it: one file at a time
    fileParallelism: false,
  },
});
