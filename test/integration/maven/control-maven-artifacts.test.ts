// The control plane over a MAVEN repository: mavenArtifacts (artifact.proto MavenArtifact, one per version, named
// GROUP:ARTIFACT:VERSION, with the pomUri Maven would fetch), and the generic packages/versions/files lists.
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const REPO = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/mvn-ctl`;
let emu: TestEmulator;
const json = async <T>(path: string) => (await (await fetch(`${emu.url}/v1/${REPO}${path}`)).json()) as T;
const put = async (path: string, body: string) => {
  const res = await fetch(`${emu.url}/${TEST_PROJECT}/mvn-ctl/${path}`, { method: 'PUT', body });
  if (res.status !== 201) throw new Error(`PUT ${path}: ${res.status} ${res.statusText}`);
};

beforeAll(async () => {
  emu = await startEmulator();
  await emu.createRepository('mvn-ctl', { format: 'MAVEN' });
  await put('com/example/hello/1.0/hello-1.0.pom', '<project/>');
  await put('com/example/hello/1.0/hello-1.0.jar', 'jar');
  await put('com/example/hello/1.1/hello-1.1.pom', '<project/>');
  await put('org/acme/tool/0.1-SNAPSHOT/tool-0.1-20260101.120000-1.pom', '<project/>');
});
afterAll(() => emu.stop());

describe('listMavenArtifacts', () => {
  it('lists each version with its coordinates and pomUri', async () => {
    const { mavenArtifacts } = await json<{ mavenArtifacts: Array<Record<string, string>> }>('/mavenArtifacts');
    expect(mavenArtifacts.map((a) => [a.name, a.groupId, a.artifactId, a.version])).toEqual([
      [`${REPO}/mavenArtifacts/com.example:hello:1.0`, 'com.example', 'hello', '1.0'],
      [`${REPO}/mavenArtifacts/com.example:hello:1.1`, 'com.example', 'hello', '1.1'],
      [`${REPO}/mavenArtifacts/org.acme:tool:0.1-SNAPSHOT`, 'org.acme', 'tool', '0.1-SNAPSHOT'],
    ]);
    const host = `localhost:${new URL(emu.url).port}`;
    expect(mavenArtifacts[0]!.pomUri).toBe(`${host}/${TEST_PROJECT}/mvn-ctl/com/example/hello/1.0/hello-1.0.pom`);
    expect(mavenArtifacts[2]!.pomUri).toBe(`${host}/${TEST_PROJECT}/mvn-ctl/org/acme/tool/0.1-SNAPSHOT/tool-0.1-20260101.120000-1.pom`);
    expect(mavenArtifacts[0]).toMatchObject({ createTime: expect.any(String), updateTime: expect.any(String) });
  });

  it('answers ListMavenArtifacts and GetMavenArtifact over gRPC (the Node client)', async () => {
    // an explicit universeDomain keeps google-auth-library from probing for Application Default Credentials
    const client = new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port: emu.emulator.grpcPort, sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' });
    try {
      const [items] = await client.listMavenArtifacts({ parent: REPO });
      expect(items.map((a) => a.name)).toContain(`${REPO}/mavenArtifacts/org.acme:tool:0.1-SNAPSHOT`);
      const [one] = await client.getMavenArtifact({ name: `${REPO}/mavenArtifacts/com.example:hello:1.0` });
      expect([one.groupId, one.artifactId, one.version]).toEqual(['com.example', 'hello', '1.0']);
    } finally {
      await client.close();
    }
  });
});

describe('getMavenArtifact', () => {
  it('pages, gets one by GROUP:ARTIFACT:VERSION and answers NOT_FOUND for another', async () => {
    const first = await json<{ mavenArtifacts: unknown[]; nextPageToken: string }>('/mavenArtifacts?pageSize=2');
    expect(first.mavenArtifacts).toHaveLength(2);
    const rest = await json<{ mavenArtifacts: unknown[]; nextPageToken?: string }>(`/mavenArtifacts?pageSize=2&pageToken=${encodeURIComponent(first.nextPageToken)}`);
    expect(rest.mavenArtifacts).toHaveLength(1);
    expect(await json('/mavenArtifacts/com.example:hello:1.1')).toMatchObject({ version: '1.1', artifactId: 'hello' });
    expect((await fetch(`${emu.url}/v1/${REPO}/mavenArtifacts/com.example:hello:9`)).status).toBe(404);
  });
});

describe('generic inventory', () => {
  it('lists packages GROUP:ARTIFACT, their versions, and files by repository path', async () => {
    const { packages } = await json<{ packages: Array<{ name: string }> }>('/packages');
    expect(packages.map((p) => p.name)).toEqual([`${REPO}/packages/com.example:hello`, `${REPO}/packages/org.acme:tool`]);
    const { versions } = await json<{ versions: Array<{ name: string }> }>('/packages/com.example:hello/versions');
    expect(versions.map((v) => v.name.split('/').pop())).toEqual(['1.0', '1.1']);
    const { files } = await json<{ files: Array<{ name: string; sizeBytes: string }> }>('/files');
    expect(files.map((f) => decodeURIComponent(f.name.split('/files/')[1]!))).toContain('com/example/hello/1.0/hello-1.0.jar');
  });

  it('deleting a version removes its files and its metadata entry', async () => {
    const res = await fetch(`${emu.url}/v1/${REPO}/packages/com.example:hello/versions/1.0`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect((await fetch(`${emu.url}/${TEST_PROJECT}/mvn-ctl/com/example/hello/1.0/hello-1.0.jar`)).status).toBe(404);
    const meta = await (await fetch(`${emu.url}/${TEST_PROJECT}/mvn-ctl/com/example/hello/maven-metadata.xml`)).text();
    expect(meta).not.toContain('<version>1.0</version>');
    expect(meta).toContain('<version>1.1</version>');
  });
});
