// Real gcloud against a GENERIC repository (optional client: skipped with its reason when gcloud is missing):
// `gcloud artifacts generic upload` (a small file goes multipart, one over 5 MiB resumable in chunks), then
// `gcloud artifacts generic download` of both, byte-identical, with the artifactregistry endpoint overridden and
// credentials disabled; a second upload of the same file fails with "already exists".
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

describeWithClients(['gcloud'], 'gcloud artifacts generic upload / download', () => {
  let emu: TestEmulator;
  let dir: string;

  beforeAll(async () => {
    emu = await startEmulator({ grpcPort: false });
    dir = await mkdtemp(join(tmpdir(), 'are-gcloud-generic-'));
    await mkdir(join(dir, 'config'));
    await mkdir(join(dir, 'out'));
    await emu.createRepository('gen', { format: 'GENERIC' });
  });
  afterAll(async () => {
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const gcloud = (args: string[]) =>
    promisify(execFile)('gcloud', [...args, '--project', P, '--location', 'us-central1', '--repository', 'gen'], {
      env: {
        ...process.env, CLOUDSDK_CONFIG: join(dir, 'config'), CLOUDSDK_CORE_DISABLE_PROMPTS: '1', CLOUDSDK_AUTH_DISABLE_CREDENTIALS: 'true', CLOUDSDK_CORE_PROJECT: P,
        CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY: `${emu.url}/`,
      },
      timeout: 120_000,
    });

  it('uploads a small and a large file and downloads both byte-identical', async () => {
    const small = randomBytes(10_000);
    const large = randomBytes(6 * 1024 * 1024 + 17);
    await writeFile(join(dir, 'small.bin'), small);
    await writeFile(join(dir, 'large.bin'), large);
    await gcloud(['artifacts', 'generic', 'upload', '--package', 'pkg', '--version', '1.0.0', '--source', join(dir, 'small.bin')]);
    await gcloud(['artifacts', 'generic', 'upload', '--package', 'pkg', '--version', '1.0.0', '--source', join(dir, 'large.bin')]);
    const files = (await (await fetch(`${emu.url}/v1/projects/${P}/locations/us-central1/repositories/gen/files`)).json()) as { files: Array<{ name: string; sizeBytes: string }> };
    expect(files.files.map((f) => `${f.name.split('/files/')[1]} ${f.sizeBytes}`).sort()).toEqual([`pkg:1.0.0:large.bin ${large.length}`, `pkg:1.0.0:small.bin ${small.length}`]);
    await gcloud(['artifacts', 'generic', 'download', '--package', 'pkg', '--version', '1.0.0', '--name', 'small.bin', '--destination', join(dir, 'out')]);
    await gcloud(['artifacts', 'generic', 'download', '--package', 'pkg', '--version', '1.0.0', '--name', 'large.bin', '--destination', join(dir, 'out')]);
    expect((await readFile(join(dir, 'out', 'small.bin'))).equals(small)).toBe(true);
    expect((await readFile(join(dir, 'out', 'large.bin'))).equals(large)).toBe(true);
  }, 180_000);

  it('fails a second upload of the same file with "already exists"', async () => {
    const err = await gcloud(['artifacts', 'generic', 'upload', '--package', 'pkg', '--version', '1.0.0', '--source', join(dir, 'small.bin')]).then(() => undefined, (e: Error & { stderr?: string }) => e);
    expect(err?.stderr ?? '').toMatch(/already exists/);
  }, 130_000);
});
