// The unmodified Node client (@google-cloud/artifact-registry) over both transports — REST fallback with a
// static token, and plaintext gRPC — against a real emulator, on images pushed by podman. One scenario,
// run per transport (../shared/STYLE.md §E.4).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nodeClientFor } from '../../support/node-client.js';
import { startEmulator, type TestEmulator } from '../../support/emulator.js';
import { createContainersEnv, type ContainersEnv } from '../../support/clients/containers.js';
import { podmanClient, type ImageClient } from '../../support/clients/image-clients.js';
import { writeRootfsTar } from '../../support/clients/images.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { removeTree } from '../../support/clients/remove-tree.js';

const PROJECT = 'test-project';
const PARENT = `projects/${PROJECT}/locations/us-central1`;


/** The status a failed call carries: the gRPC code, or (REST fallback, gax 5) the HTTP status. */
const EXPECTED = {
  grpc: { NOT_FOUND: 5, ALREADY_EXISTS: 6, INVALID_ARGUMENT: 3, FAILED_PRECONDITION: 9 },
  rest: { NOT_FOUND: 404, ALREADY_EXISTS: 409, INVALID_ARGUMENT: 400, FAILED_PRECONDITION: 400 },
};

async function failure(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: number; status?: number; message: string };
    return { code: Number(e.code ?? e.status), message: e.message };
  }
  throw new Error('expected the call to fail');
}

describeWithClients(['podman'], 'the Node client against the emulator', () => {
  let emu: TestEmulator;
  let containers: ContainersEnv;
  let podman: ImageClient;
  let work: string;

  beforeAll(async () => {
    emu = await startEmulator();
    containers = await createContainersEnv({ insecureRegistries: [] });
    work = await mkdtemp(join(tmpdir(), 'are-node-client-'));
    podman = podmanClient({ ...process.env, ...containers.env }, work, ['--tls-verify=false']);
  });
  afterAll(async () => {
    await emu?.stop();
    await containers?.cleanup();
    if (work) await removeTree(work);
  });

  for (const transport of ['rest', 'grpc'] as const) {
    it(`${transport}: drives repositories, packages, versions, tags, IAM and errors end to end`, async () => {
      const client = nodeClientFor(emu, transport);
      const codes = EXPECTED[transport];
      const repoId = `node-${transport}`;
      const repoName = `${PARENT}/repositories/${repoId}`;
      try {
        // create and await the operation; get it
        const [op] = await client.createRepository({ parent: PARENT, repositoryId: repoId, repository: { format: 'DOCKER', description: 'from node', labels: { team: 'a' } } });
        const [created] = await op.promise();
        expect(created.name).toBe(repoName);
        const [got] = await client.getRepository({ name: repoName });
        expect(got).toMatchObject({ name: repoName, description: 'from node', labels: { team: 'a' } });
        expect(String(got.format)).toMatch(/^(DOCKER|1)$/);

        // pagination over 250 repositories (created through the emulator's REST API, quickly)
        const bulkParent = `projects/bulk-${transport}/locations/us-central1`;
        for (let i = 0; i < 250; i++) await emu.createRepository(`r${String(i).padStart(3, '0')}`, { project: `bulk-${transport}` });
        const names: string[] = [];
        for await (const r of client.listRepositoriesAsync({ parent: bulkParent, pageSize: 40 })) names.push(r.name!);
        expect(names).toHaveLength(250);
        expect(new Set(names).size).toBe(250);

        // patch labels with an updateMask
        const [patched] = await client.updateRepository({ repository: { name: repoName, labels: { team: 'b', env: 'ci' }, description: 'not in mask' }, updateMask: { paths: ['labels'] } });
        expect(patched).toMatchObject({ labels: { team: 'b', env: 'ci' }, description: 'from node' });

        // packages, versions and tags of images pushed by podman
        const image = `${emu.registryHost}/${PROJECT}/${repoId}/web/app`;
        const tar = await writeRootfsTar(work, `${transport}.tar`, { 'hello.txt': `hello ${transport}\n` });
        await podman.importTar(tar, `${image}:v1`);
        const digest = await podman.push(`${image}:v1`);
        const tar2 = await writeRootfsTar(work, `${transport}-2.tar`, { 'hello.txt': `second ${transport}\n` });
        await podman.importTar(tar2, `${image}:v2`);
        const digest2 = await podman.push(`${image}:v2`);
        const [packages] = await client.listPackages({ parent: repoName });
        expect(packages.map((p) => p.name)).toEqual([`${repoName}/packages/web%2Fapp`]);
        const pkg = packages[0]!.name!;
        const [versions] = await client.listVersions({ parent: pkg, view: 'FULL' });
        expect(versions.map((v) => v.name!.split('/').pop()).sort()).toEqual([digest, digest2].sort());
        const [tags] = await client.listTags({ parent: pkg });
        expect(tags.map((t) => t.name!.split('/').pop()).sort()).toEqual(['v1', 'v2']);

        // create, move and delete a tag
        const [tag] = await client.createTag({ parent: pkg, tagId: 'stable', tag: { version: `${pkg}/versions/${digest}` } });
        expect(tag.version).toBe(`${pkg}/versions/${digest}`);
        const [moved] = await client.updateTag({ tag: { name: `${pkg}/tags/stable`, version: `${pkg}/versions/${digest2}` }, updateMask: { paths: ['version'] } });
        expect(moved.version).toBe(`${pkg}/versions/${digest2}`);
        await client.deleteTag({ name: `${pkg}/tags/stable` });
        expect((await failure(client.getTag({ name: `${pkg}/tags/stable` }))).code).toBe(codes.NOT_FOUND);

        // a tagged version cannot go without force; with force it goes, and podman pull then fails
        expect((await failure(client.deleteVersion({ name: `${pkg}/versions/${digest}` }).then(([o]) => o.promise()))).code).toBe(codes.FAILED_PRECONDITION);
        const [del] = await client.deleteVersion({ name: `${pkg}/versions/${digest}`, force: true });
        await del.promise();
        await podman.remove(`${image}:v1`);
        await expect(podman.pull(`${image}:v1`)).rejects.toThrow(/manifest unknown|not found/i);

        // IAM policy: get, set (etag), test
        const [empty] = await client.getIamPolicy({ resource: repoName });
        const [policy] = await client.setIamPolicy({ resource: repoName, policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: ['allUsers'] }], etag: empty.etag } });
        expect(policy.bindings).toEqual([expect.objectContaining({ role: 'roles/artifactregistry.reader', members: ['allUsers'] })]);
        const [again] = await client.getIamPolicy({ resource: repoName });
        expect(Buffer.from(again.etag as Uint8Array).toString('base64')).toBe(Buffer.from(policy.etag as Uint8Array).toString('base64'));
        const [held] = await client.testIamPermissions({ resource: repoName, permissions: ['artifactregistry.repositories.get'] });
        expect(held.permissions).toEqual(['artifactregistry.repositories.get']);

        // error paths
        expect((await failure(client.getRepository({ name: `${PARENT}/repositories/missing` }))).code).toBe(codes.NOT_FOUND);
        expect((await failure(client.createRepository({ parent: PARENT, repositoryId: repoId, repository: { format: 'DOCKER' } }).then(([o]) => o.promise()))).code).toBe(codes.ALREADY_EXISTS);
        expect((await failure(client.createRepository({ parent: PARENT, repositoryId: 'Bad_Id', repository: { format: 'DOCKER' } }).then(([o]) => o.promise()))).code).toBe(codes.INVALID_ARGUMENT);

        // delete the repository: an operation
        const [gone] = await client.deleteRepository({ name: repoName });
        await gone.promise();
        expect((await failure(client.getRepository({ name: repoName }))).code).toBe(codes.NOT_FOUND);
      } finally {
        await client.close();
      }
    });
  }
});
