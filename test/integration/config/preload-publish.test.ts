// Preloading through each format's own publish path (docs/config.md): an npm tarball made by `npm pack`, a wheel and
// an sdist made by setuptools, a jar carrying its pom.properties, an OCI image layout (a directory, and the same as
// a tar) and a `docker save` tarball of older engines land at start; real npm, pip and skopeo then read them back
// byte for byte; applying again uploads nothing twice; a corrupt file is refused at its line and undoes the round.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createContainersEnv, type ContainersEnv } from '../../support/clients/containers.js';
import { sha256Digest, writeMultiArchOciLayout, type WrittenOciIndex } from '../../support/clients/oci-layout.js';
import { buildDemoDist, makeVenv, pip, PYTHON_CLIENTS, storedZip } from '../../support/clients/python.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { run } from '../../support/clients/run.js';
import { createTar } from '../../support/clients/tar.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';
import { npmClient } from '../npm/npm-client.js';

const L = `projects/${P}/locations/us-central1/repositories`;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describeWithClients(['npm', 'skopeo', ...PYTHON_CLIENTS], 'preload through the formats\' publish paths', () => {
  let dir = '';
  let file = '';
  let emu: TestEmulator;
  let containers: ContainersEnv;
  let tgz = '';
  let wheel = '';
  let layout: WrittenOciIndex;
  const jar = storedZip({
    'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n',
    'META-INF/maven/com.example/seeded/pom.properties': 'groupId=com.example\nartifactId=seeded\nversion=1.2.0\n',
    'META-INF/maven/com.example/seeded/pom.xml': '<project><modelVersion>4.0.0</modelVersion><groupId>com.example</groupId><artifactId>seeded</artifactId><version>1.2.0</version></project>\n',
    'com/example/Seeded.class': 'not really bytecode',
  });
  const saveConfig = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
  const saveLayer = createTar({ 'hello.txt': 'from docker save\n' });

  const seed = (extra = '') => `repositories:
  - name: ${L}/npm-seeded
    format: NPM
  - name: ${L}/py-seeded
    format: PYTHON
  - name: ${L}/mvn-seeded
    format: MAVEN
  - name: ${L}/img-seeded
    format: DOCKER
preload:
  - repository: ${L}/npm-seeded
    file: ${tgz}
  - repository: ${L}/py-seeded
    file: ${wheel}
  - repository: ${L}/mvn-seeded
    file: seeded.jar
  - repository: ${L}/img-seeded
    file: layout
    image: app
  - repository: ${L}/img-seeded
    file: layout.tar
    image: app-from-tar
    tag: multi
  - repository: ${L}/img-seeded
    file: saved.tar
    image: legacy
${extra}`;
  const apply = async () => (await (await fetch(`${emu.url}/_emulator/config/apply`, { method: 'POST' })).json()) as { state: string; problems: string[]; last?: { preloaded: string[] } };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'are-preload-publish-'));
    file = join(dir, 'ar-emulator.yaml');
    // npm pack of a package (no registry is asked)
    const packer = await npmClient('http://127.0.0.1:9/');
    const pkg = await packer.makePackage('seeded-npm', '1.0.0');
    await packer.npm(['pack', '--pack-destination', dir], { cwd: pkg });
    await packer.dispose();
    tgz = (await readdir(dir)).find((f) => f.endsWith('.tgz'))!;
    // a wheel and an sdist by setuptools
    const dist = await buildDemoDist(join(dir, 'py'), { name: 'seeded-py', module: 'seeded_py', version: '2.0' });
    wheel = dist.wheel;
    await writeFile(join(dir, 'seeded.jar'), jar);
    // an OCI layout, and the same layout as a tar (oci-archive)
    layout = await writeMultiArchOciLayout(join(dir, 'layout'), 'multi', [
      { architecture: 'amd64', files: { 'arch.txt': 'amd64\n' } },
      { architecture: 'arm64', files: { 'arch.txt': 'arm64\n' } },
    ]);
    await run('tar', ['-cf', join(dir, 'layout.tar'), '-C', join(dir, 'layout'), '.']);
    // `docker save` of an engine before 25: manifest.json, the config and an uncompressed layer
    await writeFile(join(dir, 'saved.tar'), createTar({
      'manifest.json': JSON.stringify([{ Config: 'cfg.json', RepoTags: ['legacy:v7'], Layers: ['abc/layer.tar'] }]),
      'cfg.json': saveConfig,
      'abc/layer.tar': saveLayer,
    }));
    await writeFile(file, seed());
    containers = await createContainersEnv();
    emu = await startEmulator({ configFile: file, grpcPort: false, watchConfig: false });
  }, 240_000);
  afterAll(async () => {
    await containers?.cleanup();
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lands every file at start', () => {
    expect(emu.emulator.configStatus()).toMatchObject({ state: 'applied', last: { preloaded: [tgz, wheel, 'seeded.jar', 'layout', 'layout.tar', 'saved.tar'] } });
  });

  it('npm installs the preloaded tarball, byte for byte', async () => {
    const npm = await npmClient(`${emu.url}/${P}/npm-seeded/`);
    try {
      const project = await npm.makeProject();
      await npm.npm(['install', 'seeded-npm@1.0.0'], { cwd: project });
      expect(await readFile(join(project, 'node_modules', 'seeded-npm', 'index.js'), 'utf8')).toBe('module.exports = "seeded-npm@1.0.0";\n');
      const tarball = await fetch(`${emu.url}/${P}/npm-seeded/seeded-npm/-/seeded-npm-1.0.0.tgz`);
      expect(sha256(Buffer.from(await tarball.arrayBuffer()))).toBe(sha256(await readFile(join(dir, tgz))));
    } finally {
      await npm.dispose();
    }
  }, 120_000);

  it('pip downloads the preloaded wheel, byte for byte', async () => {
    const venv = await makeVenv(join(dir, 'venv'));
    const out = join(dir, 'pip-out');
    await pip(venv.pip, ['download', '--no-deps', '--index-url', `${emu.url}/${P}/py-seeded/simple/`, '-d', out, 'seeded-py==2.0']);
    const [got] = await readdir(out);
    expect(sha256(await readFile(join(out, got!)))).toBe(sha256(await readFile(wheel)));
  }, 180_000);

  it('serves the jar and the pom it carried at their Maven paths', async () => {
    const base = `${emu.url}/${P}/mvn-seeded/com/example/seeded`;
    expect(sha256(Buffer.from(await (await fetch(`${base}/1.2.0/seeded-1.2.0.jar`)).arrayBuffer()))).toBe(sha256(jar));
    expect(await (await fetch(`${base}/1.2.0/seeded-1.2.0.pom`)).text()).toContain('<artifactId>seeded</artifactId>');
    expect(await (await fetch(`${base}/maven-metadata.xml`)).text()).toContain('<version>1.2.0</version>');
  });

  it('skopeo reads the layout, its tar and the docker save tarball back', async () => {
    const skopeo = async (...args: string[]) => (await run('skopeo', args, { env: containers.env })).stdout;
    const host = emu.registryHost;
    // the index digest the layout's ref.name tag points at, kept as it was
    const raw = await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${host}/${P}/img-seeded/app:multi`);
    expect(sha256Digest(Buffer.from(raw))).toBe(layout.indexDigest);
    const rawTar = await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${host}/${P}/img-seeded/app-from-tar:multi`);
    expect(sha256Digest(Buffer.from(rawTar))).toBe(layout.indexDigest);
    const legacy = JSON.parse(await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${host}/${P}/img-seeded/legacy:v7`)) as { config: { digest: string }; layers: Array<{ digest: string; size: number }> };
    expect(legacy.config.digest).toBe(sha256Digest(saveConfig));
    expect(legacy.layers).toEqual([expect.objectContaining({ digest: sha256Digest(saveLayer), size: saveLayer.length })]);
    // and a client can pull it whole
    const out = join(dir, 'copied');
    await mkdir(out);
    await skopeo('copy', '--src-tls-verify=false', `docker://${host}/${P}/img-seeded/legacy:v7`, `oci:${out}:v7`);
    expect(JSON.parse(await readFile(join(out, 'index.json'), 'utf8'))).toMatchObject({ manifests: [expect.objectContaining({ mediaType: 'application/vnd.oci.image.manifest.v1+json' })] });
  }, 120_000);

  it('uploads nothing twice when applied again', async () => {
    expect(await apply()).toMatchObject({ state: 'applied', last: { preloaded: [] } });
  });

  it('refuses a corrupt npm tarball at its line and undoes the round', async () => {
    await writeFile(join(dir, 'broken.tgz'), 'not a tarball');
    await writeFile(file, seed(`  - repository: ${L}/npm-more
    file: broken.tgz
`).replace('repositories:\n', `repositories:\n  - name: ${L}/npm-more\n    format: NPM\n`));
    const r = await apply();
    expect(r.state).toBe('invalid');
    expect(r.problems[0]).toMatch(/:\d+:1: preload "broken\.tgz" into .*npm-more: broken\.tgz is not an npm tarball/);
    expect((await fetch(`${emu.url}/v1/${L}/npm-more`)).status).toBe(404);
  });

  it('refuses an image preload without its image path', async () => {
    await writeFile(file, seed(`  - repository: ${L}/img-seeded
    file: saved.tar
`));
    const r = await apply();
    expect(r.problems[0]).toMatch(/A DOCKER preload needs `image`/);
  });
});
