// The Node client's upload path, unmodified: googleapis' generated `artifactregistry_v1` methods are thin calls of
// googleapis-common's createAPIRequest; the three below pass it exactly the parameters the generated
// `genericArtifacts.upload`, `files.download` and `operations.get` pass (googleapis 188, build/src/apis/
// artifactregistry/v1.js), with rootUrl pointing at the emulator. (The whole googleapis package is 213 MB unpacked
// for this one API, so the test depends on the engine it runs on, not the generated wrapper.) googleapis-common
// sends a request with media and a requestBody as uploadType=multipart (multipart/related, JSON then bytes).
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { OAuth2Client } from 'google-auth-library';
import { createAPIRequest, type APIRequestContext, type GlobalOptions } from 'googleapis-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

const REPO = `projects/${P}/locations/us-central1/repositories/gen-node`;
let emu: TestEmulator;
let context: APIRequestContext;

/** `new google.artifactregistry({version: 'v1', auth, rootUrl})`'s context */
const clientContext = (rootUrl: string): APIRequestContext => {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'any-token-in-open-mode', expiry_date: Date.now() + 3_600_000 });
  return { _options: { auth, rootUrl } as GlobalOptions, google: undefined } as unknown as APIRequestContext;
};
const rootUrlOf = () => `${emu.url}/`;

/** artifactregistry_v1 …repositories.genericArtifacts.upload */
function upload(params: { parent: string; requestBody: Record<string, unknown>; media: { mimeType: string; body: Readable } }) {
  const rootUrl = rootUrlOf();
  return createAPIRequest<Record<string, unknown>>({
    options: { url: (rootUrl + '/v1/{+parent}/genericArtifacts:create').replace(/([^:]\/)\/+/g, '$1'), method: 'POST', apiVersion: '' },
    params,
    mediaUrl: (rootUrl + '/upload/v1/{+parent}/genericArtifacts:create').replace(/([^:]\/)\/+/g, '$1'),
    requiredParams: ['parent'],
    pathParams: ['parent'],
    context,
  });
}
/** artifactregistry_v1 …repositories.files.download, with `{responseType: 'arraybuffer'}` as a caller passes it */
function download(params: { name: string; alt?: string }) {
  const rootUrl = rootUrlOf();
  return createAPIRequest<ArrayBuffer>({
    options: { url: (rootUrl + '/v1/{+name}:download').replace(/([^:]\/)\/+/g, '$1'), method: 'GET', apiVersion: '', responseType: 'arraybuffer' },
    params,
    requiredParams: ['name'],
    pathParams: ['name'],
    context,
  });
}

beforeAll(async () => {
  emu = await startEmulator({ grpcPort: false });
  await emu.createRepository('gen-node', { format: 'GENERIC' });
  context = clientContext(rootUrlOf());
});
afterAll(() => emu?.stop());

describe("the Node client's genericArtifacts.upload", () => {
  const bytes = randomBytes(300_000);
  const meta = { packageId: 'tools', versionId: '1.2.3', filename: 'tool.bin' };

  it('uploads (multipart) and answers the done operation, then files.download gives the same bytes', async () => {
    const res = await upload({ parent: REPO, requestBody: meta, media: { mimeType: 'application/octet-stream', body: Readable.from([bytes]) } });
    expect(res.status).toBe(200);
    expect(String(res.config.url)).toContain('/upload/v1/');
    expect(String(res.config.url)).toContain('uploadType=multipart');
    const op = res.data.operation as Record<string, unknown>;
    expect(op).toMatchObject({ done: true, response: { '@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.UploadGenericArtifactResponse' } });

    const got = await download({ name: `${REPO}/files/tools:1.2.3:tool.bin`, alt: 'media' });
    expect(got.status).toBe(200);
    const back = Buffer.from(got.data);
    expect(back.length).toBe(bytes.length);
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('a second upload of the same file is ALREADY_EXISTS, as a GaxiosError with the Google error body', async () => {
    const err = await upload({ parent: REPO, requestBody: meta, media: { mimeType: 'application/octet-stream', body: Readable.from([Buffer.from('other')]) } }).then(
      () => undefined,
      (e: unknown) => e as { status?: number; response?: { data?: { error?: { status?: string } } } },
    );
    expect(err?.status).toBe(409);
    expect(err?.response?.data?.error?.status).toBe('ALREADY_EXISTS');
  });
});
