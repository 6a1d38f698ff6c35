// Real gcloud against a YUM repository (optional client: skipped with its reason when gcloud is missing):
// `gcloud artifacts yum upload` (yumArtifacts:create) and `gcloud artifacts yum import` (gs:// sources mapped to
// `<dataDir>/gcs/BUCKET/OBJECT`), with the artifactregistry endpoint overridden and credentials disabled.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';
import { syntheticRpm } from '../../support/rpm-builder.js';

describeWithClients(['gcloud'], 'gcloud artifacts yum upload / import', () => {
  let emu: TestEmulator;
  let dir: string;

  beforeAll(async () => {
    emu = await startEmulator({ grpcPort: false });
    dir = await mkdtemp(join(tmpdir(), 'are-gcloud-yum-'));
    await mkdir(join(dir, 'config'));
    await emu.createRepository('rpms', { format: 'YUM' });
  });
  afterAll(async () => {
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const gcloud = (args: string[]) =>
    promisify(execFile)('gcloud', [...args, '--project', P, '--location', 'us-central1', '--format', 'json'], {
      env: {
        ...process.env, CLOUDSDK_CONFIG: join(dir, 'config'), CLOUDSDK_CORE_DISABLE_PROMPTS: '1', CLOUDSDK_AUTH_DISABLE_CREDENTIALS: 'true', CLOUDSDK_CORE_PROJECT: P,
        CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY: `${emu.url}/`,
      },
      timeout: 120_000,
    });

  it('uploads an rpm, imports another from gs://, and reports the duplicate of an import', async () => {
    await writeFile(join(dir, 'up.rpm'), syntheticRpm({ name: 'uploaded', version: '1.0' }));
    const up = JSON.parse((await gcloud(['artifacts', 'yum', 'upload', 'rpms', '--source', join(dir, 'up.rpm')])).stdout) as { yumArtifacts: Array<{ packageName: string }> };
    expect(up.yumArtifacts.map((a) => a.packageName)).toEqual(['uploaded']);

    const bucket = join(emu.dataDir, 'gcs', 'rpm-bucket');
    await mkdir(bucket, { recursive: true });
    await writeFile(join(bucket, 'imported.rpm'), syntheticRpm({ name: 'imported', version: '1.0' }));
    await writeFile(join(bucket, 'again.rpm'), syntheticRpm({ name: 'uploaded', version: '1.0' }));
    const imp = JSON.parse((await gcloud(['artifacts', 'yum', 'import', 'rpms', '--gcs-source', 'gs://rpm-bucket/imported.rpm,gs://rpm-bucket/again.rpm'])).stdout) as {
      yumArtifacts: Array<{ packageName: string }>; errors: Array<{ error: { code: number; message: string }; gcsSource: { uris: string[] } }>;
    };
    expect(imp.yumArtifacts.map((a) => a.packageName)).toEqual(['imported']);
    expect(imp.errors).toEqual([{ gcsSource: { uris: ['gs://rpm-bucket/again.rpm'] }, error: { code: 6, message: expect.stringMatching(/already exists/) } }]);
    const files = (await (await fetch(`${emu.url}/v1/projects/${P}/locations/us-central1/repositories/rpms/files`)).json()) as { files: Array<{ name: string }> };
    expect(files.files.map((f) => f.name.split('/files/')[1]).sort()).toEqual(['imported-1.0-1.noarch.rpm', 'uploaded-1.0-1.noarch.rpm']);
  }, 240_000);
});
