// IAM in enforce mode with the machine's real npm 11: a writer publishes, a reader installs but cannot publish
// or retag (npm shows the 403 with the real denial text), an anonymous npm gets a 401 whose text npm prints,
// and a bad token makes npm say the token seems invalid.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { npmClient, type NpmClient } from './npm-client.js';

const P = TEST_PROJECT;
const REPO = 'npm-private';
const SA = (id: string) => `${id}@${P}.iam.gserviceaccount.com`;
const RESOURCE = `projects/${P}/locations/us-central1/repositories/${REPO}`;

describeWithClients(['npm'], 'npm under IAM enforce mode', () => {
  let emu: TestEmulator;
  let c: NpmClient;
  const tokens: Record<string, string> = {};

  const api = async (method: string, path: string, body?: unknown, token = tokens.owner) => {
    const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    emu = await startEmulator({ iam: 'enforce' });
    tokens.owner = String((await api('POST', '/_emulator/iam/tokens', { principal: 'user:owner@ar-emulator.local' }, '')).accessToken);
    await api('POST', `/v1/projects/${P}/locations/us-central1/repositories?repositoryId=${REPO}`, { format: 'NPM' });
    for (const id of ['ci-reader', 'ci-writer']) {
      await api('POST', `/v1/projects/${P}/serviceAccounts`, { accountId: id });
      tokens[id] = String((await api('POST', '/_emulator/iam/tokens', { principal: `serviceAccount:${SA(id)}` }, '')).accessToken);
    }
    await api('POST', `/v1/${RESOURCE}:setIamPolicy`, { policy: { bindings: [
      { role: 'roles/artifactregistry.reader', members: [`serviceAccount:${SA('ci-reader')}`] },
      { role: 'roles/artifactregistry.writer', members: [`serviceAccount:${SA('ci-writer')}`] },
    ] } });
    c = await npmClient(`${emu.url}/${P}/${REPO}/`, { scopes: ['@lab'], token: tokens['ci-writer']! });
  });
  afterAll(async () => {
    await c?.dispose();
    await emu?.stop();
  });

  it('lets a writer publish and says who it is', async () => {
    await c.npm(['publish'], { cwd: await c.makePackage('@lab/secure', '1.0.0') });
    expect((await c.npm(['whoami'])).stdout.trim()).toBe(SA('ci-writer'));
  });

  it('lets a reader install, and denies its publish and dist-tag with the real text', async () => {
    const reader = { token: tokens['ci-reader']! };
    const project = await c.makeProject();
    await c.npm(['install', '@lab/secure'], { cwd: project, ...reader });
    const publish = await c.npmFails(['publish'], { cwd: await c.makePackage('@lab/secure', '1.1.0'), ...reader });
    expect(publish).toContain('403 Forbidden - PUT');
    expect(publish).toContain(`Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "${RESOURCE}" (or it may not exist)`);
    const tag = await c.npmFails(['dist-tag', 'add', '@lab/secure@1.0.0', 'beta'], reader);
    expect(tag).toContain('Permission "artifactregistry.repositories.uploadArtifacts" denied');
  });

  it('denies a writer\'s unpublish (deleteArtifacts is repoAdmin\'s)', async () => {
    const out = await c.npmFails(['unpublish', '@lab/secure', '--force']);
    expect(out).toContain('Permission "artifactregistry.repositories.deleteArtifacts" denied');
  });

  it('answers an anonymous npm with a 401 whose text npm prints', async () => {
    const out = await c.npmFails(['view', '@lab/secure', '--prefer-online'], { token: null });
    expect(out).toContain('E401');
    expect(out).toContain(`Unauthenticated request. Unauthenticated requests do not have permission "artifactregistry.repositories.downloadArtifacts" on resource "${RESOURCE}" (or it may not exist)`);
    expect(out).not.toContain('[object Object]');
  });

  it('makes npm say the token seems invalid when it is', async () => {
    const out = await c.npmFails(['view', '@lab/secure', '--prefer-online'], { token: 'ya29.not-a-valid-token' });
    expect(out).toContain('E401');
    expect(out).toContain('your authentication token seems to be invalid');
  });

  it('answers npm ping without credentials', async () => {
    await c.npm(['ping'], { token: null });
  });
});
