// Real gcloud against the deploy policy's API (docs/deploy-policy.md), through api_endpoint_overrides: `gcloud container
// binauthz policy import/export`, `attestors create`, `attestors public-keys add` (a PKIX key, whose id the emulator
// derives as the service does), `create-signature-payload` and `attestations create` with an ECDSA signature. The
// pull is denied before the attestation and served after it.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClients } from '../../support/clients/require-client.js';
import { Registry, sha256 } from '../../support/registry.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const P = TEST_PROJECT;

describeWithClients(['gcloud'], 'gcloud container binauthz against the deploy policy', () => {
  let emu: TestEmulator;
  let work: string;
  let digest: string;

  beforeAll(async () => {
    emu = await startEmulator({ grpcPort: false, vulnDbSeed: false });
    work = await mkdtemp(join(tmpdir(), 'are-binauthz-'));
    await emu.createRepository('main');
    const reg = new Registry(emu.url);
    const manifest = await reg.imageManifest(`${P}/main/app`, 'layer');
    expect((await reg.putManifest(`${P}/main/app`, 'v1', manifest)).status).toBe(201);
    digest = sha256(JSON.stringify(manifest));
  });
  afterAll(async () => {
    await emu?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const gcloudRun = (args: string[]) =>
    promisify(execFile)('gcloud', args, {
      env: {
        ...process.env, CLOUDSDK_CONFIG: join(work, 'config'), CLOUDSDK_CORE_DISABLE_PROMPTS: '1', CLOUDSDK_AUTH_DISABLE_CREDENTIALS: 'true', CLOUDSDK_CORE_PROJECT: P,
        CLOUDSDK_API_ENDPOINT_OVERRIDES_BINARYAUTHORIZATION: `${emu.url}/`, CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINERANALYSIS: `${emu.url}/`,
      },
    });
  const gcloud = async (args: string[]) => (await gcloudRun(args)).stdout;
  const pull = async () => {
    const res = await fetch(`${emu.url}/v2/${P}/main/app/manifests/v1`);
    return { status: res.status, text: await res.text() };
  };

  it('imports a policy, registers a PKIX attestor, and an attestation made by gcloud admits the image', async () => {
    await writeFile(join(work, 'policy.yaml'), [
      'defaultAdmissionRule:',
      '  evaluationMode: REQUIRE_ATTESTATION',
      '  enforcementMode: ENFORCED_BLOCK_AND_AUDIT_LOG',
      '  requireAttestationsBy:',
      `  - projects/${P}/attestors/built-by-ci`,
      'admissionWhitelistPatterns:',
      `- namePattern: us-central1-docker.pkg.dev/${P}/other/**`,
      '',
    ].join('\n'));
    await gcloud(['container', 'binauthz', 'policy', 'import', join(work, 'policy.yaml')]);
    const exported = await gcloud(['container', 'binauthz', 'policy', 'export']);
    expect(exported).toContain(`- projects/${P}/attestors/built-by-ci`);
    expect(exported).toContain(`name: projects/${P}/policy`);

    await gcloud(['container', 'binauthz', 'attestors', 'create', 'built-by-ci', '--attestation-authority-note=built-by-ci', `--attestation-authority-note-project=${P}`]);
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await writeFile(join(work, 'pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    await gcloud(['container', 'binauthz', 'attestors', 'public-keys', 'add', '--attestor=built-by-ci', `--pkix-public-key-file=${join(work, 'pub.pem')}`, '--pkix-public-key-algorithm=ecdsa-p256-sha256']);
    const keyId = (await gcloud(['container', 'binauthz', 'attestors', 'describe', 'built-by-ci', '--format=value(userOwnedGrafeasNote.publicKeys[0].id)'])).trim();
    expect(keyId).toMatch(/^ni:\/\/\/sha-256;[A-Za-z0-9_-]{43}$/);

    const denied = await pull();
    expect(denied.status).toBe(403);
    expect(denied.text).toContain(`denied by attestor projects/${P}/attestors/built-by-ci: No attestations found that were valid and signed by a key trusted by the attestor`);

    const artifact = `us-central1-docker.pkg.dev/${P}/main/app@${digest}`;
    const payload = await gcloud(['container', 'binauthz', 'create-signature-payload', `--artifact-url=${artifact}`]);
    await writeFile(join(work, 'payload.json'), payload);
    const create = () => gcloudRun(['container', 'binauthz', 'attestations', 'create', `--artifact-url=${artifact}`, '--attestor=built-by-ci',
      `--signature-file=${join(work, 'sig.bin')}`, `--public-key-id=${keyId}`, `--payload-file=${join(work, 'payload.json')}`, '--validate']);
    // --validate asks attestors/A:validateAttestationOccurrence first; gcloud warns about a signature over other
    // bytes and creates the occurrence all the same, which then admits nothing
    await writeFile(join(work, 'sig.bin'), sign('sha256', Buffer.from('other bytes'), privateKey));
    expect((await create()).stderr).toContain('WARNING: Attestation could not be validated! (No signature was valid for a key trusted by the attestor');
    expect((await pull()).status).toBe(403);
    await writeFile(join(work, 'sig.bin'), sign('sha256', await readFile(join(work, 'payload.json')), privateKey));
    expect((await create()).stderr).not.toContain('could not be validated');
    expect((await pull()).status).toBe(200);
  }, 120_000);
});
