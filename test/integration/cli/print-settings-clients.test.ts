// Acceptance for `ar-emulator print-settings`: its output, written as it is, is the only configuration a
// fresh project needs. npm publishes and installs with it as the user .npmrc (NPM_CONFIG_USERCONFIG), for
// the whole registry and for one scope; twine uploads with it as .pypirc (--config-file) and pip installs
// with it as pip.conf (PIP_CONFIG_FILE, in a venv of Debian's python3). No other credential or URL is given.
// pip still reads this machine's /etc/pip.conf (file:// extra indexes, clients/REPORT.md §6), which
// PIP_CONFIG_FILE does not switch off; the package name is unique, so only this emulator can serve it.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { buildDemoDist, makeVenv, PY_ENV, PYTHON_CLIENTS, TWINE, type DemoDist } from '../../support/clients/python.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import { run } from '../../support/clients/run.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const BIN = new URL('../../../bin/ar-emulator.mjs', import.meta.url).pathname;

/** What `ar-emulator print-settings ARGS` prints on stdout, written to `file` unchanged. */
async function printSettingsTo(emu: TestEmulator, file: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'print-settings', ...args, '--endpoint', emu.registryHost]);
  await writeFile(file, stdout);
  return stdout;
}

/** npm with `rc` as its only config: a fresh cache, no global config, nothing from the environment. */
function npm(rc: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}) {
  return run('npm', args, {
    cwd,
    timeoutMs: 120_000,
    env: {
      NPM_CONFIG_USERCONFIG: rc, NPM_CONFIG_GLOBALCONFIG: join(cwd, 'no-globalconfig'), NPM_CONFIG_CACHE: join(cwd, '.npm-cache'),
      NPM_CONFIG_AUDIT: 'false', NPM_CONFIG_FUND: 'false', NPM_CONFIG_UPDATE_NOTIFIER: 'false', NPM_CONFIG_LOGLEVEL: 'warn',
      npm_config_registry: undefined, NODE_AUTH_TOKEN: undefined, CI: undefined, ...extraEnv,
    },
  });
}

/** pip in a venv with `conf` as pip.conf (not --isolated, which would ignore PIP_CONFIG_FILE). */
function pipInstall(pip: string, conf: string, spec: string, cwd: string) {
  return run(pip, ['install', '--no-input', '--disable-pip-version-check', '--no-cache-dir', spec], { env: { ...PY_ENV, PIP_CONFIG_FILE: conf }, cwd });
}

async function dir(parent: string, name: string, files: Record<string, string> = {}): Promise<string> {
  const d = join(parent, name);
  await mkdir(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) await writeFile(join(d, f), text);
  return d;
}

function npmPackage(parent: string, name: string, version: string): Promise<string> {
  return dir(parent, `pkg-${name.replace(/\W/g, '-')}-${version}`, {
    'package.json': JSON.stringify({ name, version, description: `print-settings test ${name}`, main: 'index.js', license: 'MIT' }),
    'index.js': `module.exports = ${JSON.stringify(`${name}@${version}`)};\n`,
  });
}

const consumer = (parent: string, name: string) => dir(parent, name, { 'package.json': JSON.stringify({ name, version: '1.0.0', private: true }) });

describeWithClients(['npm', ...PYTHON_CLIENTS], 'print-settings output as the only client configuration', () => {
  let emu: TestEmulator;
  let work = '';
  const events: EmulatorEvent[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-print-settings-clients-'));
    emu = await startEmulator();
    emu.emulator.events.onAny((e) => void events.push(e));
    await emu.createRepository('js', { format: 'NPM' });
    await emu.createRepository('py', { format: 'PYTHON' });
  });
  afterAll(async () => {
    await emu?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('npm publishes and a fresh project installs with only the printed .npmrc', async () => {
    const rc = join(work, 'npmrc');
    const text = await printSettingsTo(emu, rc, ['npm', '--repository', 'js']);
    expect(text).toContain(`registry=http://localhost:${emu.emulator.port}/${TEST_PROJECT}/js/\n`);
    await npm(rc, ['publish'], await npmPackage(work, '@acme/widget', '1.0.0'));
    await npm(rc, ['publish'], await npmPackage(work, 'print-settings-demo', '1.2.0'));
    const project = await consumer(work, 'npm-project');
    const { stdout } = await npm(rc, ['install', '@acme/widget@1.0.0', 'print-settings-demo'], project);
    expect(stdout).toMatch(/added 2 packages/);
    expect(await readFile(join(project, 'node_modules/@acme/widget/index.js'), 'utf8')).toContain('@acme/widget@1.0.0');
    expect(await readFile(join(project, 'node_modules/print-settings-demo/index.js'), 'utf8')).toContain('print-settings-demo@1.2.0');
    await new Promise((r) => setImmediate(r));
    expect(events.filter((e) => e.type === 'artifact.pushed').map((e) => (e.data as { action?: string }).action)).toContain('npm publish @acme/widget@1.0.0');
  });

  it('a fresh project installs a scoped package with only the printed @scope .npmrc', async () => {
    const rc = join(work, 'npmrc-scope');
    const text = await printSettingsTo(emu, rc, ['npm', '--repository', 'js', '--scope', '@acme']);
    expect(text).toContain(`@acme:registry=http://localhost:${emu.emulator.port}/${TEST_PROJECT}/js/\n`);
    expect(text).not.toMatch(/^registry=/m);
    const project = await consumer(work, 'npm-scope-project');
    const { stdout } = await npm(rc, ['install', '@acme/widget'], project);
    expect(stdout).toMatch(/added 1 package/);
    const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; integrity?: string }> };
    expect(lock.packages['node_modules/@acme/widget']).toMatchObject({ version: '1.0.0', integrity: expect.stringMatching(/^sha512-/) });
  });

  it('twine uploads with the printed .pypirc and pip installs into a clean venv with it as pip.conf', async () => {
    const conf = join(work, 'python-settings.conf');
    const text = await printSettingsTo(emu, conf, ['python', '--repository', 'py']);
    expect(text).toContain(`index-url = http://localhost:${emu.emulator.port}/${TEST_PROJECT}/py/simple/\n`);
    const dist: DemoDist = await buildDemoDist(join(work, 'py-src'), { name: 'print-settings-demo', module: 'print_settings_demo', version: '2.0' });
    await run(TWINE, ['upload', '--non-interactive', '--disable-progress-bar', '--config-file', conf, '-r', 'py', dist.wheel, dist.sdist], { env: PY_ENV });
    const venv = await makeVenv(join(work, 'venv'));
    const out = await pipInstall(venv.pip, conf, 'print-settings-demo==2.0', work);
    expect(out.stdout).toContain(`Looking in indexes: http://localhost:${emu.emulator.port}/${TEST_PROJECT}/py/simple/`);
    expect(out.stdout).toContain('Successfully installed print-settings-demo-2.0');
    const value = await run(venv.python, ['-c', 'import print_settings_demo; print(print_settings_demo.VALUE)'], { cwd: work });
    expect(value.stdout.trim()).toBe('2.0');
    await new Promise((r) => setImmediate(r));
    expect(events.filter((e) => e.type === 'artifact.pulled').map((e) => (e.data as { action?: string }).action)).toContain(`pip download ${basename(dist.wheel)}`);
  });
});

describeWithClients(['npm', ...PYTHON_CLIENTS], 'print-settings output under --iam=enforce, with a service-account key', () => {
  const P = 'settings-enforce';
  const WRITER = `ci-writer@${P}.iam.gserviceaccount.com`;
  let emu: TestEmulator;
  let work = '';
  let keyFile = '';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-print-settings-enforce-'));
    emu = await startEmulator({ iam: 'enforce', defaultProject: P });
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await fetch(`${emu.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      const out = (await res.json()) as Record<string, unknown>;
      expect(res.status, `${path}: ${JSON.stringify(out)}`).toBe(200);
      return out;
    };
    const owner = String((await post('/_emulator/iam/tokens', {})).accessToken);
    await post(`/v1/projects/${P}/locations/us-central1/repositories?repositoryId=js`, { format: 'NPM' }, owner);
    await post(`/v1/projects/${P}/locations/us-central1/repositories?repositoryId=py`, { format: 'PYTHON' }, owner);
    await post(`/v1/projects/${P}/serviceAccounts`, { accountId: 'ci-writer' }, owner);
    const key = await post(`/v1/projects/${P}/serviceAccounts/${WRITER}/keys`, {}, owner);
    keyFile = join(work, 'writer-key.json');
    await writeFile(keyFile, Buffer.from(String(key.privateKeyData), 'base64'));
    await post(`/v1/projects/${P}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/artifactregistry.writer', members: [`serviceAccount:${WRITER}`] }] } }, owner);
  });
  afterAll(async () => {
    await emu?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('npm publishes and installs with the .npmrc printed for --key-file (a minted token) and for --json-key', async () => {
    const rc = join(work, 'npmrc-token');
    expect(await printSettingsTo(emu, rc, ['npm', '--repository', 'js', '--key-file', keyFile])).toMatch(/:_authToken=ya29\./);
    await npm(rc, ['publish'], await npmPackage(work, 'enforced-demo', '1.0.0'));
    const keyRc = join(work, 'npmrc-json-key');
    expect(await printSettingsTo(emu, keyRc, ['npm', '--repository', 'js', '--json-key', keyFile])).toContain(':username=_json_key_base64');
    await npm(keyRc, ['publish'], await npmPackage(work, 'enforced-demo', '1.1.0'));
    const project = await consumer(work, 'enforced-project');
    const { stdout } = await npm(keyRc, ['install', 'enforced-demo@1.1.0'], project);
    expect(stdout).toMatch(/added 1 package/);
    // without a credential the snippet reads $AR_EMULATOR_TOKEN: a minted token works, another is refused
    const placeholder = join(work, 'npmrc-placeholder');
    expect(await printSettingsTo(emu, placeholder, ['npm', '--repository', 'js'])).toContain(':_authToken=${AR_EMULATOR_TOKEN}');
    const token = (await promisify(execFile)(process.execPath, [BIN, 'auth', 'print-access-token', '--key-file', keyFile, '--endpoint', emu.registryHost])).stdout.trim();
    expect((await npm(placeholder, ['view', 'enforced-demo', 'version'], project, { AR_EMULATOR_TOKEN: token })).stdout.trim()).toBe('1.1.0');
    const refused = await npm(placeholder, ['view', 'enforced-demo', 'version'], project, { AR_EMULATOR_TOKEN: 'ya29.emu.forged.token' }).catch((err: unknown) => err as Error);
    expect(String(refused)).toMatch(/E401|401/);
  });

  it('twine uploads and pip installs with the settings printed for --json-key', async () => {
    const conf = join(work, 'python-json-key.conf');
    const text = await printSettingsTo(emu, conf, ['python', '--repository', 'py', '--json-key', keyFile]);
    expect(text).toMatch(/^index-url = http:\/\/_json_key_base64:[^@\s]+@localhost:\d+\/settings-enforce\/py\/simple\/$/m);
    const dist = await buildDemoDist(join(work, 'py-src'), { name: 'enforced-demo', module: 'enforced_demo', version: '3.0' });
    await run(TWINE, ['upload', '--non-interactive', '--disable-progress-bar', '--config-file', conf, '-r', 'py', dist.wheel], { env: PY_ENV });
    const venv = await makeVenv(join(work, 'venv'));
    const out = await pipInstall(venv.pip, conf, 'enforced-demo==3.0', work);
    expect(out.stdout).toContain('Successfully installed enforced-demo-3.0');
  });
});
