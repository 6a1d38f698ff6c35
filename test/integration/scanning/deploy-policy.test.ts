// The deploy policy (Binary Authorization, docs/deploy-policy.md) in enforce mode: a real image layer whose
// package-lock.json and Python dist-info name seed advisories (GHSA-35jh-r3h4-6jhm HIGH, GHSA-j8r2-6x86-q33q MEDIUM)
// is pushed and scanned; policies are set through /v1/projects/P/policy; manifest GET/HEAD are allowed or denied with
// the documented text (OCI DENIED, 403) and policy.violated; attestations come from the API (with and without a
// verified PKIX signature) and from an OCI referrer; a real `docker pull` by the deployer service account is denied,
// then succeeds once the image is attested.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { startDockerDaemon, type DockerDaemon } from '../../support/clients/docker-daemon.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { CommandError, run } from '../../support/clients/run.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const P = TEST_PROJECT;
const L = TEST_LOCATION;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const SA = (id: string) => `${id}@${P}.iam.gserviceaccount.com`;
const DEPLOYER = SA('deployer');
const ATTESTOR = `projects/${P}/attestors/built-by-ci`;
const NOTE = `projects/${P}/notes/built-by-ci`;
const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let emu: TestEmulator;
const tokens: Record<string, string> = {};
const images: Record<string, { digest: string; uri: string }> = {};
let violations: EmulatorEvent<'policy.violated'>[] = [];

const call = (method: string, path: string, token: string | undefined, body?: string | Buffer, type = 'application/json') =>
  fetch(`${emu.url}${path}`, { method, headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body !== undefined ? { body } : {}) });
const ok = async (res: Promise<Response>) => {
  const r = await res;
  if (r.status >= 300) throw new Error(`${r.status} ${await r.text()}`);
  return r;
};
const json = async (res: Promise<Response>) => (await (await ok(res)).json()) as Record<string, unknown>;
const setPolicy = (policy: object) => ok(call('PUT', `/v1/projects/${P}/policy`, tokens.owner, JSON.stringify(policy)));
const pull = (image: string, reference: string, token = tokens.deployer, method = 'GET') =>
  call(method, `/v2/${P}/main/${image}/manifests/${reference}`, token, undefined, MANIFEST).then(async (r) => ({ status: r.status, body: method === 'HEAD' ? '' : await r.text() }));
const ALLOW = { evaluationMode: 'ALWAYS_ALLOW', enforcementMode: 'ENFORCED_BLOCK_AND_AUDIT_LOG' };
const VULN_RULE = {
  evaluationMode: 'REQUIRE_ATTESTATION', requireAttestationsBy: [ATTESTOR], enforcementMode: 'ENFORCED_BLOCK_AND_AUDIT_LOG',
  vulnerabilityCheck: { maximumFixableSeverity: 'MEDIUM', maximumUnfixableSeverity: 'ALLOW_ALL' },
};
const DENIAL = (name: string) =>
  `Image ${L}-docker.pkg.dev/${P}/main/${name} denied by Binary Authorization admission rule for ${DEPLOYER}. Image ${L}-docker.pkg.dev/${P}/main/${name} failed to pass the vulnerability check: GHSA-35jh-r3h4-6jhm (HIGH, fixable) is above the allowed severity, and it is not attested: denied by attestor ${ATTESTOR}: No attestations found that were valid and signed by a key trusted by the attestor`;

async function layerTar(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

const appFiles = (lodash: string, requests: string) => ({
  'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
  'app/package-lock.json': JSON.stringify({
    name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true,
    packages: { '': { name: 'app', version: '1.0.0', dependencies: { lodash } }, 'node_modules/lodash': { version: lodash, resolved: 'https://example.invalid/lodash.tgz' } },
  }),
  [`usr/lib/python3/dist-packages/requests-${requests}.dist-info/METADATA`]: `Metadata-Version: 2.1\nName: requests\nVersion: ${requests}\n`,
});

async function blob(name: string, data: Buffer | string): Promise<string> {
  await ok(call('POST', `/v2/${name}/blobs/uploads/?digest=${sha256(data)}`, tokens.owner, data, 'application/octet-stream'));
  return sha256(data);
}

/** Pushes a real image (config with the layer's diff_id, so docker accepts it) and waits for its scan. */
async function pushImage(image: string, tag: string, files: Record<string, string>): Promise<{ digest: string; uri: string }> {
  const name = `${P}/main/${image}`;
  const raw = await layerTar(files);
  const layer = gzipSync(raw);
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(raw)] } });
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await blob(name, config), size: Buffer.byteLength(config) },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await blob(name, layer), size: layer.length }],
  });
  await ok(call('PUT', `/v2/${name}/manifests/${tag}`, tokens.owner, manifest, MANIFEST));
  const digest = sha256(manifest);
  const uri = `https://${L}-docker.pkg.dev/${name}@${digest}`;
  for (let i = 0; i < 1000; i++) {
    const body = await json(call('GET', `/v1/projects/${P}/occurrences?filter=${encodeURIComponent(`kind = "DISCOVERY" AND resourceUrl = "${uri}"`)}`, tokens.owner));
    const status = (body.occurrences as Array<{ discovery: { analysisStatus: string } }> | undefined)?.[0]?.discovery.analysisStatus;
    if (status === 'FINISHED_SUCCESS') return { digest, uri };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no finished scan of ${uri}`);
}

const attest = (uri: string, digest: string, signatures?: Array<{ signature: string; publicKeyId: string }>, payloadDigest = digest) =>
  call('POST', `/v1/projects/${P}/occurrences`, tokens.owner, JSON.stringify({
    kind: 'ATTESTATION', resourceUri: uri, noteName: NOTE,
    attestation: {
      serializedPayload: Buffer.from(simpleSigning(uri, payloadDigest)).toString('base64'),
      ...(signatures ? { signatures } : {}),
    },
  }));
const simpleSigning = (uri: string, digest: string) =>
  JSON.stringify({ critical: { identity: { 'docker-reference': uri.replace(/^https:\/\//, '').replace(/@.*$/, '') }, image: { 'docker-manifest-digest': digest }, type: 'Google cloud binauthz container signature' } });

beforeAll(async () => {
  emu = await startEmulator({ iam: 'enforce' });
  const mint = async (principal: string) => String((await json(call('POST', '/_emulator/iam/tokens', undefined, JSON.stringify({ principal })))).accessToken);
  tokens.owner = await mint('user:owner@ar-emulator.local');
  for (const id of ['deployer', 'bystander']) {
    await ok(call('POST', `/v1/projects/${P}/serviceAccounts`, undefined, JSON.stringify({ accountId: id })));
    tokens[id] = await mint(`serviceAccount:${SA(id)}`);
  }
  await ok(call('POST', `/v1/projects/${P}:setIamPolicy`, undefined, JSON.stringify({ policy: { bindings: [
    { role: 'roles/artifactregistry.reader', members: [`serviceAccount:${DEPLOYER}`, `serviceAccount:${SA('bystander')}`] },
  ] } })));
  await ok(call('POST', `/v1/projects/${P}/locations/${L}/repositories?repositoryId=main`, tokens.owner, JSON.stringify({ format: 'DOCKER' })));
  await ok(call('GET', '/_emulator/vulndb', undefined));
  images.vulnerable = await pushImage('app', 'v1', appFiles('4.17.20', '2.30.0'));
  images.fixed = await pushImage('app', 'v2', appFiles('4.17.21', '2.31.0'));
  images.signed = await pushImage('signed', 'v1', appFiles('4.17.20', '2.30.0'));
  images.referred = await pushImage('referred', 'v1', appFiles('4.17.20', '2.30.0'));
  images.docker = await pushImage('deployed', 'v1', appFiles('4.17.20', '2.30.0'));
  await ok(call('POST', `/v1/projects/${P}/attestors?attestorId=built-by-ci`, tokens.owner, JSON.stringify({ userOwnedGrafeasNote: { noteReference: NOTE } })));
  emu.emulator.events.on('policy.violated', (e) => void violations.push(e));
}, 120_000);
afterAll(() => emu?.stop());
beforeEach(() => {
  violations = [];
});

describe('the deploy policy over the registry API', () => {
  it('allows every pull while the project has no policy, and GET answers the allow-all default', async () => {
    expect((await pull('app', 'v1')).status).toBe(200);
    const policy = await json(call('GET', `/v1/projects/${P}/policy`, tokens.owner));
    expect(policy).toMatchObject({ name: `projects/${P}/policy`, defaultAdmissionRule: ALLOW });
  });

  it('refuses invalid policies with Google JSON errors naming the field, and keeps the old one', async () => {
    const cases: Array<[object, RegExp]> = [
      [{}, /policy\.defaultAdmissionRule is required/],
      [{ defaultAdmissionRule: { evaluationMode: 'REQUIRE_ATTESTATION', enforcementMode: 'ENFORCED_BLOCK_AND_AUDIT_LOG' } }, /requireAttestationsBy must name at least one attestor/],
      [{ defaultAdmissionRule: { ...ALLOW, requireAttestationsBy: [ATTESTOR] } }, /must be empty unless evaluationMode is REQUIRE_ATTESTATION/],
      [{ defaultAdmissionRule: { evaluationMode: 'SOMETIMES', enforcementMode: 'ENFORCED_BLOCK_AND_AUDIT_LOG' } }, /expected one of ALWAYS_ALLOW, REQUIRE_ATTESTATION, ALWAYS_DENY/],
      [{ defaultAdmissionRule: { evaluationMode: 'ALWAYS_DENY' } }, /enforcementMode is required/],
      [{ defaultAdmissionRule: ALLOW, clusterAdmissionRules: { 'us-east1-a.prod': ALLOW }, kubernetesServiceAccountAdmissionRules: { [DEPLOYER]: ALLOW } }, /At most one of/],
      [{ defaultAdmissionRule: ALLOW, colour: 'blue' }, /Unknown name "colour"/],
      [{ defaultAdmissionRule: { ...ALLOW, vulnerabilityCheck: { maximumFixableSeverity: 'SEVERE' } } }, /maximumFixableSeverity/],
      [{ name: 'projects/other-project/policy', defaultAdmissionRule: ALLOW }, /policy\.name must be/],
    ];
    for (const [body, message] of cases) {
      const res = await call('PUT', `/v1/projects/${P}/policy`, tokens.owner, JSON.stringify(body));
      expect(res.status).toBe(400);
      const err = ((await res.json()) as { error: { status: string; message: string } }).error;
      expect(err.status).toBe('INVALID_ARGUMENT');
      expect(err.message).toMatch(message);
    }
    const notJson = await call('PUT', `/v1/projects/${P}/policy`, tokens.owner, '{nope');
    expect(notJson.status).toBe(400);
    expect((await json(call('GET', `/v1/projects/${P}/policy`, tokens.owner))).updateTime).toBeUndefined();
  });

  it('ALWAYS_DENY denies GET and HEAD by tag and by digest with the documented text, and emits policy.violated', async () => {
    await setPolicy({ defaultAdmissionRule: { evaluationMode: 'always_deny', enforcementMode: 'ENFORCED_BLOCK_AND_AUDIT_LOG' } });
    const denied = await pull('app', 'v2');
    expect(denied.status).toBe(403);
    const err = (JSON.parse(denied.body) as { errors: Array<{ code: string; message: string }> }).errors[0]!;
    expect(err.code).toBe('DENIED');
    expect(err.message).toBe(`Image ${L}-docker.pkg.dev/${P}/main/app denied by Binary Authorization default admission rule. Denied by always_deny admission rule`);
    expect((await pull('app', images.fixed!.digest)).status).toBe(403);
    expect((await pull('app', 'v2', tokens.deployer, 'HEAD')).status).toBe(403);
    expect(violations[0]!.data).toMatchObject({
      principal: `serviceAccount:${DEPLOYER}`, permission: 'binaryauthorization.policy', resource: `projects/${P}/policy`,
      operation: 'deployPolicy.defaultAdmissionRule', rule: 'defaultAdmissionRule', image: `${L}-docker.pkg.dev/${P}/main/app@${images.fixed!.digest}`,
    });
    // the policy reads back canonical
    expect((await json(call('GET', `/v1/projects/${P}/policy`, tokens.owner))).defaultAdmissionRule).toEqual({ evaluationMode: 'ALWAYS_DENY', enforcementMode: 'ENFORCED_BLOCK_AND_AUDIT_LOG' });
  });

  it('an admissionWhitelistPatterns entry admits the images it matches (`*` stops at `/`)', async () => {
    const deny = { evaluationMode: 'ALWAYS_DENY', enforcementMode: 'ENFORCED_BLOCK_AND_AUDIT_LOG' };
    await setPolicy({ defaultAdmissionRule: deny, admissionWhitelistPatterns: [{ namePattern: `${L}-docker.pkg.dev/${P}/main/ap*` }] });
    expect((await pull('app', 'v1')).status).toBe(200);
    expect((await pull('signed', 'v1')).status).toBe(403);
    await setPolicy({ defaultAdmissionRule: deny, admissionWhitelistPatterns: [{ namePattern: `${L}-docker.pkg.dev/${P}/*` }] });
    expect((await pull('app', 'v1')).status).toBe(403);
    await setPolicy({ defaultAdmissionRule: deny, admissionWhitelistPatterns: [{ namePattern: `${L}-docker.pkg.dev/${P}/**` }] });
    expect((await pull('signed', 'v1')).status).toBe(200);
  });

  it('DRYRUN_AUDIT_LOG_ONLY admits the pull and emits policy.violated marked dryRun', async () => {
    await setPolicy({ defaultAdmissionRule: { evaluationMode: 'ALWAYS_DENY', enforcementMode: 'DRYRUN_AUDIT_LOG_ONLY' } });
    expect((await pull('app', 'v1')).status).toBe(200);
    expect(violations).toHaveLength(1);
    expect(violations[0]!.data).toMatchObject({ principal: `serviceAccount:${DEPLOYER}`, dryRun: true, message: expect.stringContaining('Denied by always_deny admission rule') });
  });

  it("the deployer's rule denies the vulnerable image naming the worst finding, not the fixed one, and not other pullers", async () => {
    await setPolicy({ defaultAdmissionRule: ALLOW, kubernetesServiceAccountAdmissionRules: { [DEPLOYER]: VULN_RULE } });
    const denied = await pull('app', 'v1');
    expect(denied.status).toBe(403);
    expect((JSON.parse(denied.body) as { errors: Array<{ message: string }> }).errors[0]!.message).toBe(DENIAL('app'));
    expect(violations[0]!.data).toMatchObject({ worst: { id: 'GHSA-35jh-r3h4-6jhm', severity: 'HIGH' }, rule: `kubernetesServiceAccountAdmissionRules["${DEPLOYER}"]` });
    expect((await pull('app', 'v2')).status).toBe(200);
    expect((await pull('app', 'v1', tokens.bystander)).status).toBe(200);
    expect((await pull('app', 'v1', tokens.owner)).status).toBe(200);
    // allowedCves waives the finding (by its CVE alias), blockedCves denies an image below the threshold
    await setPolicy({ defaultAdmissionRule: ALLOW, kubernetesServiceAccountAdmissionRules: { [DEPLOYER]: { ...VULN_RULE, vulnerabilityCheck: { maximumFixableSeverity: 'MEDIUM', allowedCves: ['CVE-2021-23337'] } } } });
    expect((await pull('app', 'v1')).status).toBe(200);
    await setPolicy({ defaultAdmissionRule: ALLOW, kubernetesServiceAccountAdmissionRules: { [DEPLOYER]: { ...VULN_RULE, vulnerabilityCheck: { maximumFixableSeverity: 'CRITICAL', blockedCves: ['CVE-2023-32681'] } } } });
    expect((await pull('app', 'v1')).status).toBe(403);
  });

  it('checks pulls through a virtual repository too, naming the image as the client asked for it', async () => {
    await ok(call('POST', `/v1/projects/${P}/locations/${L}/repositories?repositoryId=virt`, tokens.owner, JSON.stringify({
      format: 'DOCKER', mode: 'VIRTUAL_REPOSITORY',
      virtualRepositoryConfig: { upstreamPolicies: [{ id: 'main', repository: `projects/${P}/locations/${L}/repositories/main`, priority: 1 }] },
    })));
    await setPolicy({ defaultAdmissionRule: ALLOW, kubernetesServiceAccountAdmissionRules: { [DEPLOYER]: VULN_RULE } });
    const res = await call('GET', `/v2/${P}/virt/app/manifests/v1`, tokens.deployer, undefined, MANIFEST);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toBe(DENIAL('app').replaceAll(`/${P}/main/app`, `/${P}/virt/app`));
    expect((await call('GET', `/v2/${P}/virt/app/manifests/v2`, tokens.deployer, undefined, MANIFEST)).status).toBe(200);
  });

  it('an ATTESTATION occurrence on the attestor\'s note admits that digest (and only a payload naming it)', async () => {
    await setPolicy({ defaultAdmissionRule: ALLOW, kubernetesServiceAccountAdmissionRules: { [DEPLOYER]: VULN_RULE } });
    const wrong = await json(attest(images.vulnerable!.uri, images.vulnerable!.digest, undefined, images.fixed!.digest));
    expect(wrong).toMatchObject({ kind: 'ATTESTATION', noteName: NOTE, resourceUri: images.vulnerable!.uri, name: expect.stringMatching(new RegExp(`^projects/${P}/occurrences/`)) });
    expect((await pull('app', 'v1')).status).toBe(403);
    const good = await json(attest(images.vulnerable!.uri, images.vulnerable!.digest));
    expect((await pull('app', 'v1')).status).toBe(200);
    expect(violations).toHaveLength(1);
    // both attestations are stored as OCI referrers of the image (simple-signing artifacts)
    const referrers = await json(call('GET', `/v2/${P}/main/app/referrers/${images.vulnerable!.digest}`, tokens.owner));
    const listed = referrers.manifests as Array<{ artifactType: string; annotations: Record<string, string> }>;
    expect(listed.map((m) => m.artifactType)).toEqual([SIMPLE_SIGNING, SIMPLE_SIGNING]);
    expect(listed.map((m) => m.annotations['dev.ar-emulator.binauthz.occurrence']).sort()).toEqual([wrong.name, good.name].sort());
    // removing the attestation denies the pull again
    await ok(call('DELETE', `/v1/projects/${P}/occurrences/${String(good.name).split('/').pop()}`, tokens.owner));
    expect((await pull('app', 'v1')).status).toBe(403);
    await json(attest(images.vulnerable!.uri, images.vulnerable!.digest));
    expect((await pull('app', 'v1')).status).toBe(200);
    // bad occurrences are refused
    const bad = await call('POST', `/v1/projects/${P}/occurrences`, tokens.owner, JSON.stringify({ kind: 'ATTESTATION', resourceUri: 'nginx:latest', noteName: NOTE, attestation: { serializedPayload: 'eA==' } }));
    expect(bad.status).toBe(400);
    const other = await call('POST', `/v1/projects/${P}/occurrences`, tokens.owner, JSON.stringify({ kind: 'VULNERABILITY', resourceUri: images.vulnerable!.uri, noteName: NOTE }));
    expect(other.status).toBe(501);
  });

  it('with a PKIX key on the attestor, only a signature by that key counts', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await ok(call('POST', `/v1/projects/${P}/attestors?attestorId=signer`, tokens.owner, JSON.stringify({
      userOwnedGrafeasNote: { noteReference: `projects/${P}/notes/signer`, publicKeys: [{ id: 'ci-key', pkixPublicKey: { publicKeyPem: pem, signatureAlgorithm: 'ECDSA_P256_SHA256' } }] },
    })));
    await setPolicy({ defaultAdmissionRule: ALLOW, kubernetesServiceAccountAdmissionRules: { [DEPLOYER]: { ...VULN_RULE, requireAttestationsBy: [`projects/${P}/attestors/signer`] } } });
    const { uri, digest } = images.signed!;
    const payload = simpleSigning(uri, digest);
    const occurrence = (signature: Buffer) => JSON.stringify({
      kind: 'ATTESTATION', resourceUri: uri, noteName: `projects/${P}/notes/signer`,
      attestation: { serializedPayload: Buffer.from(payload).toString('base64'), signatures: [{ publicKeyId: 'ci-key', signature: signature.toString('base64') }] },
    });
    await ok(call('POST', `/v1/projects/${P}/occurrences`, tokens.owner, occurrence(sign('sha256', Buffer.from('something else'), privateKey))));
    expect((await pull('signed', 'v1')).status).toBe(403);
    await ok(call('POST', `/v1/projects/${P}/occurrences`, tokens.owner, occurrence(sign('sha256', Buffer.from(payload), privateKey))));
    expect((await pull('signed', 'v1')).status).toBe(200);
  });

  it('a simple-signing OCI referrer of the image naming the attestor admits it', async () => {
    await setPolicy({ defaultAdmissionRule: ALLOW, kubernetesServiceAccountAdmissionRules: { [DEPLOYER]: VULN_RULE } });
    expect((await pull('referred', 'v1')).status).toBe(403);
    const name = `${P}/main/referred`;
    const payload = simpleSigning(images.referred!.uri, images.referred!.digest);
    const empty = '{}';
    const manifest = JSON.stringify({
      schemaVersion: 2, mediaType: MANIFEST, artifactType: SIMPLE_SIGNING,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: await blob(name, empty), size: 2 },
      layers: [{ mediaType: SIMPLE_SIGNING, digest: await blob(name, payload), size: Buffer.byteLength(payload) }],
      subject: { mediaType: MANIFEST, digest: images.referred!.digest, size: 1 },
      annotations: { 'dev.ar-emulator.binauthz.attestor': ATTESTOR },
    });
    await ok(call('PUT', `/v2/${name}/manifests/${sha256(manifest)}`, tokens.owner, manifest, MANIFEST));
    expect((await pull('referred', 'v1')).status).toBe(200);
  });

  it('attestors: CRUD with Google JSON errors, and IAM on the policy', async () => {
    const list = await json(call('GET', `/v1/projects/${P}/attestors`, tokens.owner));
    expect((list.attestors as Array<{ name: string }>).map((a) => a.name)).toEqual([ATTESTOR, `projects/${P}/attestors/signer`]);
    expect((await call('POST', `/v1/projects/${P}/attestors?attestorId=built-by-ci`, tokens.owner, JSON.stringify({ userOwnedGrafeasNote: { noteReference: NOTE } }))).status).toBe(409);
    expect((await call('POST', `/v1/projects/${P}/attestors?attestorId=x`, tokens.owner, JSON.stringify({ userOwnedGrafeasNote: {} }))).status).toBe(400);
    await ok(call('POST', `/v1/projects/${P}/attestors?attestorId=tmp`, tokens.owner, JSON.stringify({ userOwnedGrafeasNote: { noteReference: NOTE } })));
    const updated = await json(call('PUT', `/v1/projects/${P}/attestors/tmp`, tokens.owner, JSON.stringify({ description: 'temp', userOwnedGrafeasNote: { noteReference: NOTE } })));
    expect(updated).toMatchObject({ name: `projects/${P}/attestors/tmp`, description: 'temp' });
    await ok(call('DELETE', `/v1/projects/${P}/attestors/tmp`, tokens.owner));
    expect((await call('GET', `/v1/projects/${P}/attestors/tmp`, tokens.owner)).status).toBe(404);
    // a reader of images is no policy editor
    const denied = await call('PUT', `/v1/projects/${P}/policy`, tokens.deployer, JSON.stringify({ defaultAdmissionRule: ALLOW }));
    expect(denied.status).toBe(403);
    expect(await denied.text()).toMatch(/binaryauthorization\.policy\.update/);
  });
});

describeWithClients(['dockerd', 'docker'], 'docker pull under the deploy policy', () => {
  let daemon: DockerDaemon;
  let work = '';
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return err instanceof CommandError ? `${err.stdout}${err.stderr}` : String(err);
    }
    throw new Error('expected the command to fail');
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-deploy-'));
    daemon = await startDockerDaemon();
  }, 120_000);
  afterAll(async () => {
    await daemon?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('denies the deployer\'s docker pull of the vulnerable image with the documented text; after an attestation the same pull succeeds', async () => {
    const docker = (args: string[], input?: string) => run('docker', args, { env: daemon.env, ...(input ? { input } : {}) });
    await setPolicy({ defaultAdmissionRule: ALLOW, kubernetesServiceAccountAdmissionRules: { [DEPLOYER]: VULN_RULE } });
    await docker(['login', emu.registryHost, '-u', 'oauth2accesstoken', '--password-stdin'], tokens.deployer);
    const ref = `${emu.registryHost}/${P}/main/deployed:v1`;
    const out = await failure(docker(['pull', ref]));
    expect(out).toContain('denied');
    expect(out).toContain(DENIAL('deployed'));
    expect(violations.some((e) => e.data.principal === `serviceAccount:${DEPLOYER}` && e.data.worst?.id === 'GHSA-35jh-r3h4-6jhm')).toBe(true);
    await json(attest(images.docker!.uri, images.docker!.digest));
    const pulled = await docker(['pull', ref]);
    expect(pulled.stdout).toContain(images.docker!.digest);
  }, 120_000);
});
