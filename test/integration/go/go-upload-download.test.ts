// Go modules through a standard GO repository with the real go command: uploaded with `ar-emulator go upload`
// (from a source folder with a VCS folder, a nested module and vendored code left out) and with the upload
// protocol directly (as `gcloud artifacts go upload` sends it); then `go mod download -json`, `go get M@latest` in
// a consumer module, `go list -m -versions`, a module path with upper case (the `!x` encoding), the control plane's
// package/version/file listings, and a duplicate version refused.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { CommandError, run } from '../../support/clients/run.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { GO_CLIENTS, go, libraryFiles, moduleZip, uploadZip, writeConsumer, writeTree } from './go-client.js';

const BIN = new URL('../../../bin/ar-emulator.mjs', import.meta.url).pathname;
const PARENT = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/go-repo`;
const HELLO = 'example.com/hello';
const UPPER = 'example.com/Upper/Case';

describeWithClients(GO_CLIENTS, 'go mod download / go get from a standard GO repository', () => {
  let emu: TestEmulator;
  let work = '';
  let homes = 0;
  const events: EmulatorEvent[] = [];
  const proxy = () => `${emu.url}/${TEST_PROJECT}/go-repo`;
  const home = () => join(work, `home${++homes}`);
  const cli = (args: string[]) => run(process.execPath, [BIN, ...args], { env: { ARTIFACT_REGISTRY_EMULATOR_HOST: emu.registryHost } });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-go-'));
    emu = await startEmulator();
    emu.emulator.events.onAny((e) => void events.push(e));
    await emu.createRepository('go-repo', { format: 'GO' });
    // v1.0.0 through the CLI, from a folder holding what CreateFromDir leaves out
    const src = join(work, 'src');
    await writeTree(src, {
      ...libraryFiles(HELLO, 'v1.0.0'),
      '.git/config': '[core]\n',
      'nested/go.mod': 'module example.com/hello/nested\n',
      'nested/n.go': 'package nested\n',
      'vendor/example.com/dep/dep.go': 'package dep\n',
      'vendor/modules.txt': '# example.com/dep v1.0.0\n',
    });
    const out = await cli(['go', 'upload', '--module-path', HELLO, '--version', 'v1.0.0', '--source', src, '--repository', 'go-repo']);
    expect(out.stdout).toContain(`Uploaded ${HELLO}@v1.0.0`);
    // v1.1.0 and a pre-release through the upload protocol, as gcloud sends it
    for (const v of ['v1.1.0', 'v1.2.0-rc.1']) {
      const res = await uploadZip(emu.url, PARENT, await moduleZip(HELLO, v, libraryFiles(HELLO, v)));
      const body = (await res.json()) as { operation: { done: boolean; response: { goModule: { version: string } } } };
      expect(res.status).toBe(200);
      expect(body.operation.done).toBe(true);
      expect(body.operation.response.goModule.version).toBe(v);
    }
    expect((await uploadZip(emu.url, PARENT, await moduleZip(UPPER, 'v0.1.0', libraryFiles(UPPER, 'v0.1.0', 'upper')))).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await emu?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('downloads an uploaded version with go mod download -json, the zip holding only what CreateFromDir keeps', async () => {
    const h = home();
    const out = await go(['mod', 'download', '-json', `${HELLO}@v1.0.0`], { home: h, goproxy: proxy() });
    const info = JSON.parse(out.stdout) as { Version: string; Zip: string; GoMod: string; Dir: string; Error?: string };
    expect(info.Error).toBeUndefined();
    expect(info.Version).toBe('v1.0.0');
    expect(await readFile(info.GoMod, 'utf8')).toBe(`module ${HELLO}\n\ngo 1.19\n`);
    expect(await readFile(join(info.Dir, 'hello.go'), 'utf8')).toContain('"v1.0.0"');
    await expect(readFile(join(info.Dir, 'nested', 'n.go'))).rejects.toThrow();
    await expect(readFile(join(info.Dir, 'vendor', 'example.com', 'dep', 'dep.go'))).rejects.toThrow();
    expect(await readFile(join(info.Dir, 'vendor', 'modules.txt'), 'utf8')).toContain('example.com/dep');
    expect(events.some((e) => e.type === 'artifact.pulled' && (e as EmulatorEvent<'artifact.pulled'>).data.format === 'GO' && (e as EmulatorEvent<'artifact.pulled'>).data.version === 'v1.0.0')).toBe(true);
    expect(events.filter((e) => e.type === 'artifact.pushed' && (e as EmulatorEvent<'artifact.pushed'>).data.format === 'GO')).toHaveLength(4);
  });

  it('downloads with GONOSUMDB for the module prefix instead of GOSUMDB=off', async () => {
    const out = await go(['mod', 'download', '-json', `${HELLO}@v1.1.0`], { home: home(), goproxy: proxy(), env: { GOSUMDB: undefined, GONOSUMDB: 'example.com/hello' } });
    expect((JSON.parse(out.stdout) as { Version: string }).Version).toBe('v1.1.0');
  });

  it('works with the environment print-settings go prints', async () => {
    const printed = (await cli(['print-settings', 'go', '--repository', 'go-repo'])).stdout;
    const env = Object.fromEntries([...printed.matchAll(/^export (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(env.GOPROXY).toBe(`http://localhost:${emu.emulator.port}/${TEST_PROJECT}/go-repo`);
    expect(env.GOTOOLCHAIN).toBe('local');
    const out = await go(['list', '-m', '-versions', HELLO], { home: home(), goproxy: env.GOPROXY!, env: { GOSUMDB: undefined, GONOSUMDB: HELLO } });
    expect(out.stdout.trim()).toBe(`${HELLO} v1.0.0 v1.1.0 v1.2.0-rc.1`);
  });

  it('resolves @latest to the highest release with go get in a consumer module, and the program builds', async () => {
    const h = home();
    const app = join(h, 'app');
    await writeConsumer(app, HELLO);
    await go(['get', `${HELLO}@latest`], { home: h, goproxy: proxy(), cwd: app });
    expect(await readFile(join(app, 'go.mod'), 'utf8')).toContain(`require ${HELLO} v1.1.0`);
    expect((await go(['run', '.'], { home: h, goproxy: proxy(), cwd: app })).stdout.trim()).toBe('version v1.1.0');
  });

  it('lists the uploaded versions with go list -m -versions', async () => {
    const out = await go(['list', '-m', '-versions', HELLO], { home: home(), goproxy: proxy() });
    expect(out.stdout.trim().split(/\s+/)).toEqual([HELLO, 'v1.0.0', 'v1.1.0', 'v1.2.0-rc.1']);
  });

  it('serves a module path with upper case through the !x encoding', async () => {
    const out = await go(['mod', 'download', '-json', `${UPPER}@v0.1.0`], { home: home(), goproxy: proxy() });
    expect((JSON.parse(out.stdout) as { Version: string }).Version).toBe('v0.1.0');
    expect((await fetch(`${proxy()}/example.com/!upper/!case/@v/list`)).status).toBe(200);
    const raw = await fetch(`${proxy()}/example.com/Upper/Case/@v/list`);
    expect(raw.status).toBe(404);
    expect(await raw.text()).toMatch(/not found: .*escaped/);
  });

  it('answers 404 with a plain-text reason for unknown modules and versions, so go moves on', async () => {
    const res = await fetch(`${proxy()}/example.com/@v/list`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(/^not found: /);
    expect((await fetch(`${proxy()}/${HELLO}/@v/v9.9.9.info`)).status).toBe(404);
    const failed = await go(['mod', 'download', `${HELLO}@v1.9.0`], { home: home(), goproxy: proxy() }).then(
      () => '',
      (err: CommandError) => err.stderr,
    );
    expect(failed).toMatch(/v1\.9\.0/);
  });

  it('shows the modules in the control plane as packages, versions and files', async () => {
    const base = `${emu.url}/v1/${PARENT}`;
    const pkgs = (await (await fetch(`${base}/packages`)).json()) as { packages: Array<{ name: string }> };
    expect(pkgs.packages.map((p) => p.name.split('/packages/')[1])).toEqual([encodeURIComponent(UPPER), encodeURIComponent(HELLO)].sort());
    const versions = (await (await fetch(`${base}/packages/${encodeURIComponent(HELLO)}/versions`)).json()) as { versions: Array<{ name: string }> };
    expect(versions.versions.map((v) => v.name.split('/versions/')[1])).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0-rc.1']);
    const files = (await (await fetch(`${base}/files?pageSize=100`)).json()) as { files: Array<{ name: string; sizeBytes: string }> };
    expect(files.files.map((f) => decodeURIComponent(f.name.split('/files/')[1]!))).toContain(`${HELLO}/@v/v1.0.0.zip`);
  });

  it('refuses a second upload of a version with ALREADY_EXISTS, through the protocol and the CLI', async () => {
    const res = await uploadZip(emu.url, PARENT, await moduleZip(HELLO, 'v1.1.0', libraryFiles(HELLO, 'v1.1.0-changed')));
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { status: string; message: string } }).error).toMatchObject({ status: 'ALREADY_EXISTS', message: expect.stringMatching(/already exists/) });
    const src = join(work, 'dup');
    await writeTree(src, libraryFiles(HELLO, 'v1.0.0'));
    const err = await cli(['go', 'upload', '--module-path', HELLO, '--version', 'v1.0.0', '--source', src, '--repository', 'go-repo']).then(
      () => undefined,
      (e: CommandError) => e,
    );
    expect(err?.exitCode).toBe(1);
    expect(err?.stderr).toMatch(/already exists/);
    // the served copy is still the first one
    const h = home();
    const out = await go(['mod', 'download', '-json', `${HELLO}@v1.1.0`], { home: h, goproxy: proxy() });
    expect(await readFile(join((JSON.parse(out.stdout) as { Dir: string }).Dir, 'hello.go'), 'utf8')).toContain('"v1.1.0"');
  });

  it('refuses bad CLI input before sending anything: a malformed path, a go.mod naming another module, no repository', async () => {
    const src = join(work, 'other');
    await writeTree(src, libraryFiles('example.com/other', 'v1.0.0'));
    const fail = (args: string[]) => cli(['go', 'upload', ...args]).then(() => undefined, (e: CommandError) => e);
    const traversal = await fail(['--module-path', 'example.com/../etc', '--version', 'v1.0.0', '--source', src, '--repository', 'go-repo']);
    expect([traversal?.exitCode, traversal?.stderr]).toEqual([2, expect.stringMatching(/malformed module path/)]);
    const mismatch = await fail(['--module-path', 'example.com/mine', '--version', 'v1.0.0', '--source', src, '--repository', 'go-repo']);
    expect([mismatch?.exitCode, mismatch?.stderr]).toEqual([2, expect.stringMatching(/declares module "example.com\/other"/)]);
    const usage = await fail(['--module-path', 'example.com/other', '--version', 'v1.0.0', '--source', src]);
    expect([usage?.exitCode, usage?.stderr]).toEqual([2, expect.stringMatching(/--repository is required/)]);
    expect((await fetch(`${proxy()}/example.com/mine/@v/list`)).status).toBe(404);
  });

  it('accepts a multipart upload with an empty UploadGoModuleRequest, as the discovery clients send it', async () => {
    const zip = await moduleZip(HELLO, 'v1.3.0', libraryFiles(HELLO, 'v1.3.0'));
    const boundary = 'go-boundary-1';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\ncontent-type: application/json; charset=UTF-8\r\n\r\n{}\r\n--${boundary}\r\ncontent-type: application/zip\r\n\r\n`),
      zip,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await fetch(`${emu.url}/upload/v1/${PARENT}/goModules:create?uploadType=multipart`, { method: 'POST', headers: { 'content-type': `multipart/related; boundary=${boundary}` }, body });
    expect(res.status, await res.clone().text()).toBe(200);
    const info = await fetch(`${proxy()}/${HELLO}/@v/v1.3.0.info`);
    expect(((await info.json()) as { Version: string }).Version).toBe('v1.3.0');
  });
});
