// Fuzz pass over every route family (registry /v2/, REST /v1/, /_emulator/*, /ui/, gRPC): malformed
// percent-encodings in every path segment and query value, and malformed JSON bodies and shapes for every
// route that takes a body. Every answer must be < 500 in its route's dialect, a rejected request must change
// nothing, and the emulator — a child process through the CLI, so a crash is visible — must stay up.
// Inputs are generated from a fixed seed (fuzz-cases.ts): the same cases run every time.
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { credentials } from '@grpc/grpc-js';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorProcesses, type EmulatorProcess } from '../../support/process.js';
import { BAD_ENCODINGS, bodyCases, bodyRoutes, dialectOf, pathCases, type Dialect, type Seed } from './fuzz-cases.js';

const SEED = 0xf022;
const FIELD_CASES_PER_ROUTE = 40;
const OCI_CODES = new Set([
  'BLOB_UNKNOWN', 'BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN', 'MANIFEST_INVALID', 'MANIFEST_UNKNOWN',
  'NAME_INVALID', 'NAME_UNKNOWN', 'SIZE_INVALID', 'UNAUTHORIZED', 'DENIED', 'UNSUPPORTED', 'TOOMANYREQUESTS',
]);
const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const processes = new EmulatorProcesses();
let dataDir = '';
let proc: EmulatorProcess;
let agent: http.Agent;
const seed: Seed = {
  project: 'fuzz-project', location: 'us-central1', repository: 'fuzz-repo', image: 'app', tag: 'v1',
  manifestDigest: '', layerDigest: '', file: '', serviceAccount: '',
};

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One exchange over node:http with the path sent byte for byte (fetch would normalise `..` and escapes). */
function send(method: string, path: string, body?: string, contentType = 'application/json'): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request(proc.url, { method, path, agent, timeout: 15_000, headers: body === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path.slice(0, 200)} timed out`)));
    req.on('error', reject);
    req.on('response', (res) => {
      // The event feed never ends: its status and headers are the answer.
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        res.destroy();
        return resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.end(body);
  });
}

/** Why `reply` is not an acceptable answer in `dialect` (undefined when it is). */
function dialectProblem(dialect: Dialect, method: string, reply: Reply): string | undefined {
  if (reply.status >= 500) {
    // UNIMPLEMENTED is the control plane's answer to what the emulator does not support, not a failure.
    const unimplemented = reply.status === 501 && dialect === 'google' && /"status":"UNIMPLEMENTED"/.test(reply.body);
    if (!unimplemented) return `status ${reply.status}: ${reply.body.slice(0, 200)}`;
  }
  if (reply.status < 400 || method === 'HEAD') return undefined;
  if (dialect === 'plain') return String(reply.headers['content-type']).startsWith('text/plain') ? undefined : `not text/plain: ${reply.headers['content-type']}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply.body);
  } catch {
    return `error body is not JSON: ${reply.body.slice(0, 200)}`;
  }
  if (dialect === 'oauth') {
    const { error, error_description: description } = parsed as { error?: unknown; error_description?: unknown };
    if (typeof error === 'string' && /^[a-z_]+$/.test(error) && (description === undefined || typeof description === 'string')) return undefined;
    // A body over the size limit is refused before the OAuth handler runs, by the emulator API's renderer.
    return dialectProblem('google', method, reply) === undefined ? undefined : `not an OAuth (or emulator API) error body: ${reply.body.slice(0, 200)}`;
  }
  if (dialect === 'oci') {
    const errors = (parsed as { errors?: Array<{ code?: unknown; message?: unknown }> }).errors;
    const first = Array.isArray(errors) ? errors[0] : undefined;
    if (!first || typeof first.code !== 'string' || !OCI_CODES.has(first.code) || typeof first.message !== 'string') return `not an OCI error body: ${reply.body.slice(0, 200)}`;
    return undefined;
  }
  const error = (parsed as { error?: { code?: unknown; status?: unknown; message?: unknown } }).error;
  if (!error || error.code !== reply.status || typeof error.status !== 'string' || !/^[A-Z_]+$/.test(error.status) || typeof error.message !== 'string') {
    return `not a Google error body for ${reply.status}: ${reply.body.slice(0, 200)}`;
  }
  return undefined;
}

async function expectUp(): Promise<void> {
  const exited = await Promise.race([proc.exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 50))]);
  expect(exited, `the emulator exited\n${proc.stderr().slice(-3000)}`).toBe('running');
  expect((await send('GET', '/v2/')).status).toBe(200);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'are-fuzz-'));
  proc = await processes.start({ dataDir, args: ['--iam', 'open'] });
  agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const ok = async (method: string, path: string, body?: string, type?: string) => {
    const r = await send(method, path, body, type);
    if (r.status >= 300) throw new Error(`seeding ${method} ${path}: ${r.status} ${r.body}`);
    return r;
  };
  await ok('POST', `/v1/projects/${seed.project}/locations/${seed.location}/repositories?repositoryId=${seed.repository}`, JSON.stringify({ format: 'DOCKER' }));
  const name = `${seed.project}/${seed.repository}/${seed.image}`;
  const layer = 'fuzz layer bytes';
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
  for (const blob of [layer, config]) await ok('POST', `/v2/${name}/blobs/uploads/?digest=${sha256(blob)}`, blob, 'application/octet-stream');
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
  });
  await ok('PUT', `/v2/${name}/manifests/${seed.tag}`, manifest, 'application/vnd.oci.image.manifest.v1+json');
  seed.manifestDigest = sha256(manifest);
  seed.layerDigest = sha256(layer);
  seed.file = seed.layerDigest;
  const sa = await ok('POST', `/v1/projects/${seed.project}/serviceAccounts`, JSON.stringify({ accountId: 'fuzz-seed' }));
  seed.serviceAccount = (JSON.parse(sa.body) as { email: string }).email;
});

afterAll(async () => {
  agent?.destroy();
  await processes.killAll();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Resource names that exist, read through the public API (what "nothing was created" is checked against). */
interface Inventory {
  repositories: string[];
  packages: string[];
  versions: string[];
  tags: string[];
  serviceAccounts: string[];
  registryTags: string[];
}

async function inventory(): Promise<Inventory> {
  const L = `/v1/projects/${seed.project}/locations/${seed.location}`;
  const P = `${L}/repositories/${seed.repository}/packages/${seed.image}`;
  const names = async (path: string, key: string) => ((JSON.parse((await send('GET', path)).body) as Record<string, Array<{ name?: string; email?: string }>>)[key] ?? []).map((x) => x.name ?? x.email ?? '').sort();
  return {
    repositories: await names(`${L}/repositories?pageSize=1000`, 'repositories'),
    packages: await names(`${L}/repositories/${seed.repository}/packages`, 'packages'),
    versions: await names(`${P}/versions`, 'versions'),
    tags: await names(`${P}/tags`, 'tags'),
    serviceAccounts: await names(`/v1/projects/${seed.project}/serviceAccounts`, 'accounts'),
    registryTags: ((JSON.parse((await send('GET', `/v2/${seed.project}/${seed.repository}/${seed.image}/tags/list`)).body) as { tags?: string[] }).tags ?? []).sort(),
  };
}

describe('fuzz: malformed percent-encoding in every path segment and query value', () => {
  it('answers every case below 500 in its dialect, creates nothing and stays up', async () => {
    const before = await inventory();
    const cases = pathCases(seed, SEED);
    expect(cases.length).toBeGreaterThan(1000);
    const problems: string[] = [];
    let done = 0;
    for (const c of cases) {
      const reply = await send(c.method, c.path).catch((err: Error) => ({ status: -1, headers: {}, body: err.message }) as Reply);
      const problem = reply.status < 0 ? `no answer: ${reply.body}` : dialectProblem(dialectOf(c.path), c.method, reply);
      if (problem) problems.push(`${c.label} → ${c.path.slice(0, 160)}: ${problem}`);
      if (++done % 500 === 0) await expectUp();
    }
    console.info(`[fuzz] ${cases.length} path/query cases, ${problems.length} problems`);
    expect(problems).toEqual([]);
    await expectUp();
    expect(await inventory()).toEqual(before);
  });
});

describe('fuzz: malformed JSON bodies and shapes for every route that takes a body', () => {
  it('answers every case below 500 in its dialect, changes nothing when it refuses, and stays up', async () => {
    const problems: string[] = [];
    const before = await inventory();
    const accepted = { repositories: new Set<string>(), tags: new Set<string>(), registryTags: new Set<string>(), serviceAccounts: 0 };
    let total = 0;
    let n = 0;
    const routes = bodyRoutes(seed);
    for (const [r, route] of routes.entries()) {
      for (const c of bodyCases(route, SEED + r, FIELD_CASES_PER_ROUTE)) {
        const i = ++n;
        const path = route.path(i);
        const state = route.state?.(i);
        const stateBefore = state ? await send(state.method, state.path) : undefined;
        const reply = await send(route.method, path, c.body, route.contentType).catch((err: Error) => ({ status: -1, headers: {}, body: err.message }) as Reply);
        total++;
        const where = `${route.method} ${path.slice(0, 120)} with ${c.label}`;
        const problem = reply.status < 0 ? `no answer: ${reply.body}` : dialectProblem(dialectOf(path), route.method, reply);
        if (problem) problems.push(`${where}: ${problem}`);
        if (reply.status >= 200 && reply.status < 300) {
          if (path.includes('repositoryId=')) accepted.repositories.add(`fuzz-c${i}`);
          if (path.includes('tagId=')) accepted.tags.add(`fuzz-t${i}`);
          if (path.includes('/manifests/fuzz-m')) accepted.registryTags.add(`fuzz-m${i}`);
          if (path.endsWith('/serviceAccounts')) accepted.serviceAccounts++;
        } else if (state && stateBefore) {
          const stateAfter = await send(state.method, state.path);
          if (stateAfter.status !== stateBefore.status || stateAfter.body !== stateBefore.body) {
            problems.push(`${where}: refused with ${reply.status}, yet ${state.path} changed: ${stateBefore.status} ${stateBefore.body.slice(0, 150)} → ${stateAfter.status} ${stateAfter.body.slice(0, 150)}`);
          }
        }
      }
      await expectUp();
    }
    console.info(`[fuzz] ${total} body cases over ${routes.length} routes, ${problems.length} problems`);
    expect(problems).toEqual([]);
    const after = await inventory();
    // Only requests that were answered 2xx may have created anything.
    const created = (now: string[], was: string[]) => now.filter((x) => !was.includes(x));
    expect(created(after.repositories, before.repositories).map((x) => x.split('/').at(-1)!).filter((x) => !accepted.repositories.has(x))).toEqual([]);
    expect(created(after.tags, before.tags).map((x) => x.split('/').at(-1)!).filter((x) => !accepted.tags.has(x))).toEqual([]);
    expect(created(after.registryTags, before.registryTags).filter((x) => !accepted.registryTags.has(x) && !accepted.tags.has(x))).toEqual([]);
    expect(created(after.serviceAccounts, before.serviceAccounts).length).toBeLessThanOrEqual(accepted.serviceAccounts);
  });
});

describe('fuzz: malformed names over gRPC', () => {
  it('answers every method with a status other than INTERNAL or UNKNOWN, and stays up', async () => {
    const info = JSON.parse((await send('GET', '/_emulator/info')).body) as { grpcPort: number };
    const client = new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port: info.grpcPort, sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' });
    const problems: string[] = [];
    let total = 0;
    try {
      const L = `projects/${seed.project}/locations/${seed.location}`;
      const R = `${L}/repositories/${seed.repository}`;
      const P = `${R}/packages/${seed.image}`;
      for (const bad of BAD_ENCODINGS) {
        const calls: Array<[string, () => Promise<unknown>]> = [
          ['getRepository', () => client.getRepository({ name: `${L}/repositories/${bad}` })],
          ['getRepository(project)', () => client.getRepository({ name: `projects/${bad}/locations/${seed.location}/repositories/${seed.repository}` })],
          ['getRepository(location)', () => client.getRepository({ name: `projects/${seed.project}/locations/${bad}/repositories/${seed.repository}` })],
          ['listRepositories', () => client.listRepositories({ parent: `projects/${bad}/locations/${seed.location}` })],
          ['createRepository', () => client.createRepository({ parent: L, repositoryId: `fuzz${bad}`, repository: { format: 'DOCKER' } })],
          ['deleteRepository', () => client.deleteRepository({ name: `${L}/repositories/${seed.repository}${bad}` })],
          ['listPackages', () => client.listPackages({ parent: `${L}/repositories/${bad}` })],
          ['getPackage', () => client.getPackage({ name: `${R}/packages/${bad}` })],
          ['listVersions', () => client.listVersions({ parent: `${R}/packages/${bad}` })],
          ['getVersion', () => client.getVersion({ name: `${P}/versions/${bad}` })],
          ['deleteVersion', () => client.deleteVersion({ name: `${P}/versions/${bad}` })],
          ['listTags', () => client.listTags({ parent: `${R}/packages/${bad}` })],
          ['getTag', () => client.getTag({ name: `${P}/tags/${bad}` })],
          ['createTag', () => client.createTag({ parent: P, tagId: `t${bad}`, tag: { version: `${P}/versions/${bad}` } })],
          ['listFiles', () => client.listFiles({ parent: `${L}/repositories/${bad}` })],
          ['getFile', () => client.getFile({ name: `${R}/files/${bad}` })],
          ['listDockerImages', () => client.listDockerImages({ parent: `${L}/repositories/${bad}` })],
          ['getDockerImage', () => client.getDockerImage({ name: `${R}/dockerImages/${bad}` })],
          ['getIamPolicy', () => client.getIamPolicy({ resource: `${L}/repositories/${bad}` })],
          ['testIamPermissions', () => client.testIamPermissions({ resource: `${L}/repositories/${bad}`, permissions: ['artifactregistry.repositories.get'] })],
          ['getProjectSettings', () => client.getProjectSettings({ name: `projects/${bad}/projectSettings` })],
          ['listRepositories(pageToken)', () => client.listRepositories({ parent: L, pageToken: bad, filter: bad })],
        ];
        for (const [method, call] of calls) {
          total++;
          try {
            await call();
          } catch (err) {
            const code = (err as { code?: unknown }).code;
            if (typeof code !== 'number' || code === 2 || code === 13 || code === 14) problems.push(`${method} with ${bad}: code ${String(code)} ${(err as Error).message.slice(0, 150)}`);
          }
        }
      }
    } finally {
      await client.close();
    }
    console.info(`[fuzz] ${total} gRPC cases, ${problems.length} problems`);
    expect(problems).toEqual([]);
    await expectUp();
  });
});

describe('after the fuzz pass', () => {
  it('logged no unhandled error', () => {
    expect(proc.stderr().split('\n').filter((l) => / ERROR /.test(l))).toEqual([]);
  });
});
