// Real gcloud against an APT repository (optional client: skipped with its reason when gcloud is missing):
// `gcloud artifacts apt upload` (aptArtifacts:create) and `gcloud artifacts apt import` (gs:// sources mapped to
// `<dataDir>/gcs/BUCKET/OBJECT`), with the artifactregistry endpoint overridden and credentials disabled.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';
import { simpleControl, syntheticDeb } from './synthetic-deb.js';

describeWithClients(['gcloud'], 'gcloud artifacts apt upload / import', () => {
  let emu: TestEmulator;
  let dir: string;

  beforeAll(async () => {
    emu = await startEmulator({ grpcPort: false });
    dir = await mkdtemp(join(tmpdir(), 'are-gcloud-apt-'));
    await mkdir(join(dir, 'config'));
    await emu.createRepository('debs', { format: 'APT' });
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

  it('uploads a deb, imports another from gs://, and reports the duplicate of an import', async () => {
    await writeFile(join(dir, 'up.deb'), await syntheticDeb(simpleControl({ Package: 'uploaded' })));
    const up = JSON.parse((await gcloud(['artifacts', 'apt', 'upload', 'debs', '--source', join(dir, 'up.deb')])).stdout) as { aptArtifacts: Array<{ packageName: string; component: string }> };
    expect(up.aptArtifacts.map((a) => [a.packageName, a.component])).toEqual([['uploaded', 'main']]);

    const bucket = join(emu.dataDir, 'gcs', 'deb-bucket');
    await mkdir(bucket, { recursive: true });
    await writeFile(join(bucket, 'imported.deb'), await syntheticDeb(simpleControl({ Package: 'imported' })));
    await writeFile(join(bucket, 'again.deb'), await syntheticDeb(simpleControl({ Package: 'uploaded' })));
    const imp = JSON.parse((await gcloud(['artifacts', 'apt', 'import', 'debs', '--gcs-source', 'gs://deb-bucket/imported.deb,gs://deb-bucket/again.deb'])).stdout) as {
      aptArtifacts: Array<{ packageName: string }>; errors: Array<{ error: { code: number; message: string }; gcsSource: { uris: string[] } }>;
    };
    expect(imp.aptArtifacts.map((a) => a.packageName)).toEqual(['imported']);
    expect(imp.errors).toEqual([{ gcsSource: { uris: ['gs://deb-bucket/again.deb'] }, error: { code: 6, message: expect.stringMatching(/already exists/) } }]);
    const files = (await (await fetch(`${emu.url}/v1/projects/${P}/locations/us-central1/repositories/debs/files`)).json()) as { files: Array<{ name: string }> };
    expect(files.files.map((f) => f.name.split('/files/')[1]).sort()).toEqual(['imported_1.0_amd64.deb', 'uploaded_1.0_amd64.deb']);
  }, 240_000);
});
