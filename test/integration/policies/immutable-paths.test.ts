// Immutable tags (spec ar-fidelity §4.1) on every path that could move or delete a tag or a tagged image: the
// registry (PUT and DELETE of manifests), REST (tags.patch/delete, versions.delete with and without force,
// packages.delete, versions:batchDelete) and gRPC through the unmodified Node client. Each refusal names the tag
// and the digest it holds, answers OCI DENIED or FAILED_PRECONDITION, and emits one `policy.violated` naming the
// caller (a service account under --iam=enforce, the local owner in open mode), which the event feed shows.
// Run once per IAM mode.
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { sha256 } from '../../support/registry.js';
import { startEmulator, TEST_PROJECT as P, TEST_LOCATION as L, type TestEmulator } from '../../support/emulator.js';

const REPO_ID = 'frozen';
const REPO = `projects/${P}/locations/${L}/repositories/${REPO_ID}`;
const PKG = `${REPO}/packages/app`;
const SA = `serviceAccount:sa-deployer@${P}.iam.gserviceaccount.com`;
const OWNER = 'user:owner@ar-emulator.local';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

interface Violation {
  principal: string;
  permission: string;
  resource: string;
  operation: string;
}

for (const mode of ['open', 'enforce'] as const) {
  describe(`immutable tags on every path (--iam=${mode})`, () => {
    let emu: TestEmulator;
    let token: string | undefined;
    /** the owner's token under enforce: the service account may delete (repoAdmin) but not update the repository */
    let ownerToken: string | undefined;
    const principal = mode === 'enforce' ? SA : OWNER;
    const digests = { a: '', b: '', c: '' };

    const auth = (): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
    const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${emu.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...auth(), ...headers },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    const ok = async (res: Promise<Response>): Promise<Response> => {
      const r = await res;
      if (r.status >= 300) throw new Error(`${r.status} ${await r.text()}`);
      return r;
    };
    const pushBlob = async (data: string) => {
      const digest = sha256(data);
      await ok(call('POST', `/v2/${P}/${REPO_ID}/app/blobs/uploads/?digest=${digest}`, data, { 'content-type': 'application/octet-stream' }));
      return digest;
    };
    /** An OCI image manifest (config + one layer) whose layer holds `layer`; its bytes and digest. */
    const manifest = async (layer: string) => {
      const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await pushBlob(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: await pushBlob(layer), size: layer.length }],
      });
      return { body, digest: sha256(body) };
    };
    const putManifest = (reference: string, body: string) => call('PUT', `/v2/${P}/${REPO_ID}/app/manifests/${reference}`, body, { 'content-type': OCI_MANIFEST });
    const tagTarget = async (tag: string) => (await ok(call('HEAD', `/v2/${P}/${REPO_ID}/app/manifests/${tag}`, undefined, { accept: OCI_MANIFEST }))).headers.get('docker-content-digest');

    const violations = (after: number) => emu.emulator.events.replay(after).filter((e): e is EmulatorEvent<'policy.violated'> => e.type === 'policy.violated');
    const lastEventId = () => emu.emulator.events.replay().at(-1)?.id ?? 0;
    /** Runs a refused call and checks that it emitted exactly one policy.violated naming the caller. */
    const refusedOnce = async <T>(operation: string, attempt: () => Promise<T>): Promise<T> => {
      const before = lastEventId();
      const result = await attempt();
      await vi.waitFor(() => expect(violations(before).length).toBeGreaterThan(0));
      expect(violations(before).map((e) => e.data)).toEqual([
        { principal, permission: 'dockerConfig.immutableTags', resource: REPO, operation: `immutableTags.${operation}` } satisfies Violation,
      ]);
      return result;
    };
    const restError = async (res: Response) => {
      const body = (await res.json()) as { error: { code: number; status: string; message: string } };
      return { http: res.status, status: body.error.status, message: body.error.message };
    };
    const ociError = async (res: Response) => {
      const body = (await res.json()) as { errors: Array<{ code: string; message: string }> };
      return { http: res.status, code: body.errors[0]!.code, message: body.errors[0]!.message };
    };

    beforeAll(async () => {
      emu = await startEmulator({ iam: mode });
      if (mode === 'enforce') {
        const mint = async (who: string) => ((await (await ok(call('POST', '/_emulator/iam/tokens', { principal: who }))).json()) as { accessToken: string }).accessToken;
        token = ownerToken = await mint(OWNER);
        await ok(call('POST', `/v1/projects/${P}/serviceAccounts`, { accountId: 'sa-deployer' }));
        await ok(call('POST', `/v1/projects/${P}/locations/${L}/repositories?repositoryId=${REPO_ID}`, { format: 'DOCKER', dockerConfig: { immutableTags: true } }));
        await ok(call('POST', `/v1/${REPO}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/artifactregistry.repoAdmin', members: [SA] }] } }));
        token = await mint(SA);
      } else {
        await ok(call('POST', `/v1/projects/${P}/locations/${L}/repositories?repositoryId=${REPO_ID}`, { format: 'DOCKER', dockerConfig: { immutableTags: true } }));
      }
      const a = await manifest('first image');
      const b = await manifest('second image');
      const c = await manifest('third image');
      await ok(putManifest('v1.0', a.body));
      await ok(putManifest(b.digest, b.body));
      await ok(putManifest(c.digest, c.body));
      Object.assign(digests, { a: a.digest, b: b.digest, c: c.digest });
      // kept for the registry tests
      bodies.a = a.body;
      bodies.b = b.body;
    });
    afterAll(() => emu?.stop());
    const bodies = { a: '', b: '' };

    it('registry: a push of another image to v1.0 is DENIED naming the tag and its digest; v1.0 still serves the first', async () => {
      const res = await refusedOnce('tag.move', () => putManifest('v1.0', bodies.b));
      const err = await ociError(res);
      expect(err).toMatchObject({ http: 400, code: 'DENIED' });
      expect(err.message).toContain('Tag "v1.0"');
      expect(err.message).toContain(digests.a);
      expect(await tagTarget('v1.0')).toBe(digests.a);
    });

    it('registry: the same image re-pushed to v1.0 and a new tag on its digest are accepted, and nothing is reported', async () => {
      const before = lastEventId();
      expect((await putManifest('v1.0', bodies.a)).status).toBe(201);
      expect((await putManifest('stable', bodies.a)).status).toBe(201);
      expect(await tagTarget('stable')).toBe(digests.a);
      expect(violations(before)).toEqual([]);
    });

    it('registry: DELETE of the tag and of the tagged digest are DENIED naming the tag and the digest', async () => {
      for (const [reference, operation] of [['v1.0', 'tag.delete'], [digests.a, 'version.delete']] as const) {
        const err = await ociError(await refusedOnce(operation, () => call('DELETE', `/v2/${P}/${REPO_ID}/app/manifests/${reference}`)));
        expect(err).toMatchObject({ http: 400, code: 'DENIED' });
        expect(err.message).toContain('"v1.0"');
        expect(err.message).toContain(digests.a);
      }
      expect(await tagTarget('v1.0')).toBe(digests.a);
    });

    it('REST: tags.patch, tags.delete, versions.delete (with and without force), packages.delete and batchDelete are FAILED_PRECONDITION', async () => {
      const attempts: Array<[string, string, () => Promise<Response>]> = [
        ['tags.patch', 'tag.move', () => call('PATCH', `/v1/${PKG}/tags/v1.0?updateMask=version`, { version: `${PKG}/versions/${digests.b}` })],
        ['tags.delete', 'tag.delete', () => call('DELETE', `/v1/${PKG}/tags/v1.0`)],
        ['versions.delete', 'version.delete', () => call('DELETE', `/v1/${PKG}/versions/${digests.a}`)],
        ['versions.delete force', 'version.delete', () => call('DELETE', `/v1/${PKG}/versions/${digests.a}?force=true`)],
        ['packages.delete', 'version.delete', () => call('DELETE', `/v1/${PKG}`)],
        // the untagged version listed first must survive the refusal: the batch is refused whole
        ['versions.batchDelete', 'version.delete', () => call('POST', `/v1/${PKG}/versions:batchDelete`, { names: [`${PKG}/versions/${digests.c}`, `${PKG}/versions/${digests.a}`] })],
      ];
      for (const [what, operation, attempt] of attempts) {
        const err = await restError(await refusedOnce(operation, attempt));
        expect([what, err.http, err.status]).toEqual([what, 400, 'FAILED_PRECONDITION']);
        expect(err.message).toContain('"v1.0"');
        expect(err.message).toContain(digests.a);
      }
      const tags = (await (await ok(call('GET', `/v1/${PKG}/tags`))).json()) as { tags: Array<{ name: string; version: string }> };
      expect(tags.tags.map((t) => `${t.name.split('/').pop()}=${t.version.split('/').pop()}`)).toEqual([`stable=${digests.a}`, `v1.0=${digests.a}`]);
      const versions = (await (await ok(call('GET', `/v1/${PKG}/versions`))).json()) as { versions: Array<{ name: string }> };
      expect(versions.versions.map((v) => v.name.split('/').pop()).sort()).toEqual([digests.a, digests.b, digests.c].sort());
    });

    it('gRPC: the same calls through the Node client answer FAILED_PRECONDITION (9) naming the tag and the digest', async () => {
      const client = new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port: emu.emulator.grpcPort, sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' });
      const opts = token ? { otherArgs: { headers: { authorization: `Bearer ${token}` } } } : {};
      const failure = async (p: Promise<unknown>) => {
        try {
          await p;
        } catch (err) {
          return { code: (err as { code?: number }).code, message: (err as Error).message };
        }
        throw new Error('expected the call to fail');
      };
      try {
        const attempts: Array<[string, string, () => Promise<unknown>]> = [
          ['UpdateTag', 'tag.move', () => client.updateTag({ tag: { name: `${PKG}/tags/v1.0`, version: `${PKG}/versions/${digests.b}` }, updateMask: { paths: ['version'] } }, opts)],
          ['DeleteTag', 'tag.delete', () => client.deleteTag({ name: `${PKG}/tags/v1.0` }, opts)],
          ['DeleteVersion', 'version.delete', () => client.deleteVersion({ name: `${PKG}/versions/${digests.a}` }, opts).then(([op]) => op.promise())],
          ['DeleteVersion force', 'version.delete', () => client.deleteVersion({ name: `${PKG}/versions/${digests.a}`, force: true }, opts).then(([op]) => op.promise())],
          ['DeletePackage', 'version.delete', () => client.deletePackage({ name: PKG }, opts).then(([op]) => op.promise())],
          ['BatchDeleteVersions', 'version.delete', () => client.batchDeleteVersions({ parent: PKG, names: [`${PKG}/versions/${digests.c}`, `${PKG}/versions/${digests.a}`] }, opts).then(([op]) => op.promise())],
        ];
        for (const [what, operation, attempt] of attempts) {
          const err = await refusedOnce(operation, () => failure(attempt()));
          expect([what, err.code]).toEqual([what, 9]);
          expect(err.message).toContain('"v1.0"');
          expect(err.message).toContain(digests.a);
        }
        const [tag] = await client.getTag({ name: `${PKG}/tags/v1.0` }, opts);
        expect(tag.version).toBe(`${PKG}/versions/${digests.a}`);
      } finally {
        await client.close();
      }
    });

    it("gcloud's tags add sequence (GetTag, DeleteTag, CreateTag) fails at DeleteTag for an existing tag and works for a new one", async () => {
      const client = new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port: emu.emulator.grpcPort, sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' });
      const opts = token ? { otherArgs: { headers: { authorization: `Bearer ${token}` } } } : {};
      /** What gcloud's AddDockerTag does: GetTag; if found DeleteTag; then CreateTag. */
      const tagsAdd = async (tagId: string, digest: string) => {
        const existing = await client.getTag({ name: `${PKG}/tags/${tagId}` }, opts).then(() => true, (err: { code?: number }) => {
          if (err.code === 5) return false;
          throw err;
        });
        if (existing) await client.deleteTag({ name: `${PKG}/tags/${tagId}` }, opts);
        const [tag] = await client.createTag({ parent: PKG, tagId, tag: { name: `${PKG}/tags/${tagId}`, version: `${PKG}/versions/${digest}` } }, opts);
        return tag;
      };
      try {
        const err = await refusedOnce('tag.delete', () => tagsAdd('v1.0', digests.b).then(() => undefined, (e: { code?: number; message: string }) => e));
        expect(err).toMatchObject({ code: 9 });
        expect(err?.message).toContain(digests.a);
        expect((await tagsAdd('release', digests.b)).version).toBe(`${PKG}/versions/${digests.b}`);
      } finally {
        await client.close();
      }
    });

    it('an untagged version can still be deleted (REST and registry), and the feed shows every refusal', async () => {
      await ok(call('DELETE', `/v1/${PKG}/versions/${digests.c}`));
      expect((await call('GET', `/v1/${PKG}/versions/${digests.c}`)).status).toBe(404);
      const d = await manifest('fourth image');
      await ok(putManifest(d.digest, d.body));
      expect((await call('DELETE', `/v2/${P}/${REPO_ID}/app/manifests/${d.digest}`)).status).toBe(202);

      // the SSE feed replays what was refused: 3 registry + 6 REST + 6 gRPC + 1 tags add
      const ac = new AbortController();
      const res = await fetch(`${emu.url}/_emulator/events?types=policy.violated&replay=100`, { headers: auth(), signal: ac.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let text = '';
      try {
        while ((text.match(/^event: policy\.violated$/gm) ?? []).length < 16) {
          const { value, done } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value);
        }
      } finally {
        ac.abort();
      }
      const events = [...text.matchAll(/^data: (.*)$/gm)].map((m) => (JSON.parse(m[1]!) as { data?: Violation } & Violation));
      const data = events.map((e) => e.data ?? e);
      expect(data).toHaveLength(16);
      for (const v of data) expect(v).toMatchObject({ principal, permission: 'dockerConfig.immutableTags', resource: REPO });
    });

    it('with immutableTags turned off (PATCH ?updateMask=dockerConfig) the tag moves again, and back on it is fixed again', async () => {
      const patch = (immutableTags: boolean) =>
        ok(call('PATCH', `/v1/${REPO}?updateMask=dockerConfig`, { dockerConfig: { immutableTags } }, ownerToken ? { authorization: `Bearer ${ownerToken}` } : {}));
      expect(((await (await patch(false)).json()) as { dockerConfig?: { immutableTags?: boolean } }).dockerConfig?.immutableTags).not.toBe(true);
      const before = lastEventId();
      await ok(call('PATCH', `/v1/${PKG}/tags/v1.0?updateMask=version`, { version: `${PKG}/versions/${digests.b}` }));
      expect(await tagTarget('v1.0')).toBe(digests.b);
      expect(violations(before)).toEqual([]);

      await patch(true);
      const err = await restError(await refusedOnce('tag.move', () => call('PATCH', `/v1/${PKG}/tags/v1.0?updateMask=version`, { version: `${PKG}/versions/${digests.a}` })));
      expect(err).toMatchObject({ http: 400, status: 'FAILED_PRECONDITION' });
      expect(err.message).toContain(digests.b);
      expect(await tagTarget('v1.0')).toBe(digests.b);
    });
  });
}
