// Starts one emulator for the test run (port 0, a temporary data dir), seeded from ar-emulator.yaml, and gives
// the tests its URL; stops it (and removes its data) when the run ends.
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startEmulator } from 'artifact-registry-emulator';

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const emulator = await startEmulator({ configFile: fileURLToPath(new URL('./ar-emulator.yaml', import.meta.url)), grpcPort: false });
  project.provide('emulatorUrl', emulator.url);
  return () => emulator.stop();
}
