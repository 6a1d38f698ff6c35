// GET /v2/<name>/referrers/<digest>: OCI 1.1 referrers, with the artifactType filter.
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256, useRegistry } from '../../../../test/support/registry.js';

const t = useRegistry(['repo']);
const NAME = 'test-project/repo/app';
let subject = '';

beforeAll(async () => {
  const res = await t.reg.putManifest(NAME, 'v1', await t.reg.imageManifest(NAME));
  subject = res.headers.get('docker-content-digest')!;
  const empty = await t.reg.pushBlob(NAME, '{}');
  for (const type of ['application/vnd.example.sbom', 'application/vnd.example.sig']) {
    const layer = await t.reg.pushBlob(NAME, type);
    const m = {
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: type,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
      layers: [{ mediaType: type, digest: layer, size: type.length }],
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: subject, size: 1 },
      annotations: { kind: type },
    };
    expect((await t.reg.putManifest(NAME, sha256(JSON.stringify(m)), m)).status).toBe(201);
  }
});

describe('listReferrers', () => {
  it('lists the manifests whose subject is the digest, as an OCI index', async () => {
    const res = await t.reg.fetch(`/v2/${NAME}/referrers/${subject}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json');
    const body = (await res.json()) as { manifests: Array<{ artifactType: string; annotations: Record<string, string> }> };
    expect(body.manifests.map((m) => m.artifactType).sort()).toEqual(['application/vnd.example.sbom', 'application/vnd.example.sig']);
    expect(body.manifests[0]!.annotations.kind).toBe(body.manifests[0]!.artifactType);
  });

  it('filters by artifactType and says so in OCI-Filters-Applied', async () => {
    const res = await t.reg.fetch(`/v2/${NAME}/referrers/${subject}?artifactType=application/vnd.example.sig`);
    expect(res.headers.get('oci-filters-applied')).toBe('artifactType');
    expect(((await res.json()) as { manifests: unknown[] }).manifests).toHaveLength(1);
  });

  it('answers an unknown subject, or an image never pushed, with an empty index', async () => {
    for (const path of [`/v2/${NAME}/referrers/${sha256('x')}`, `/v2/test-project/repo/none/referrers/${sha256('x')}`]) {
      const res = await t.reg.fetch(path);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });
    }
  });

  it('drops a referrer once its manifest is deleted', async () => {
    const before = (await (await t.reg.fetch(`/v2/${NAME}/referrers/${subject}`)).json()) as { manifests: Array<{ digest: string }> };
    await t.reg.fetch(`/v2/${NAME}/manifests/${before.manifests[0]!.digest}`, { method: 'DELETE' });
    const after = (await (await t.reg.fetch(`/v2/${NAME}/referrers/${subject}`)).json()) as { manifests: unknown[] };
    expect(after.manifests).toHaveLength(1);
  });
});
