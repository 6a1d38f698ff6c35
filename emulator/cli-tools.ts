// `ar-emulator auth print-access-token`, `configure-docker` and `print-settings`: small clients of a running
// emulator for scripts, Docker's credential-helper setup and the clients' config files.
import { createPrivateKey, sign } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EmulatorInfo } from './control/dto.js';
import { isEmulatorError } from './core/errors.js';
import { renderSettings, SETTINGS_RENDERERS, settingsRenderer } from './settings/render-settings.js';
import { settingsHost, type SettingsCredential } from './settings/settings-snippet.js';

const HELPER = 'ar-emulator';

export async function tools(command: string, argv: string[]): Promise<number> {
  const sub = command === 'auth' ? argv[0] : undefined;
  if (command === 'auth' && sub !== 'print-access-token') {
    process.stderr.write('ar-emulator: usage: ar-emulator auth print-access-token [--principal P | --key-file FILE] [--endpoint HOST:PORT]\n');
    return 2;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: command === 'auth' ? argv.slice(1) : argv,
      options: { principal: { type: 'string' }, 'key-file': { type: 'string' }, endpoint: { type: 'string', default: process.env.ARTIFACT_REGISTRY_EMULATOR_HOST ?? 'localhost:8088' } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`ar-emulator: ${(err as Error).message}\n`);
    return 2;
  }
  const endpoint = values.endpoint.replace(/^https?:\/\//, '');
  if (command === 'auth' && values['key-file']) return keyFileToken(endpoint, values['key-file']);
  if (command === 'auth') {
    const res = await fetch(`http://${endpoint}/_emulator/iam/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(values.principal ? { principal: values.principal } : {}),
    }).catch((err: unknown) => {
      process.stderr.write(`ar-emulator: cannot reach the emulator at ${endpoint}: ${(err as Error).message}\n`);
      return undefined;
    });
    if (!res) return 1;
    const body = (await res.json()) as { accessToken?: string; error?: { message: string } };
    if (!res.ok || !body.accessToken) {
      process.stderr.write(`ar-emulator: ${body.error?.message ?? `HTTP ${res.status}`}\n`);
      return 1;
    }
    process.stdout.write(`${body.accessToken}\n`);
    return 0;
  }
  return configureDocker(endpoint);
}

/** A failure a command reports on stderr as `ar-emulator: MESSAGE` (exit status 1). */
class CliError extends Error {}

async function keyFileToken(endpoint: string, path: string): Promise<number> {
  try {
    process.stdout.write(`${await mintKeyFileToken(endpoint, path)}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`ar-emulator: ${err.message}\n`);
    return 1;
  }
}

/**
 * An access token for a service-account key file issued by the emulator: the OAuth2 JWT-bearer grant
 * (RFC 7523) against the emulator's /token, which is what the key file's token_uri names. Needed because
 * google-auth-library 10 sends its own token requests to Google whatever token_uri says.
 */
export async function mintKeyFileToken(endpoint: string, path: string): Promise<string> {
  let key: { client_email?: string; private_key?: string; private_key_id?: string };
  try {
    key = JSON.parse(await readFile(path, 'utf8')) as typeof key;
  } catch (err) {
    throw new CliError(`${path} is not a readable key file: ${(err as Error).message}`);
  }
  if (!key.client_email || !key.private_key || !key.private_key_id) {
    throw new CliError(`${path} is not a service-account key file (client_email, private_key, private_key_id)`);
  }
  const now = Math.floor(Date.now() / 1000);
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT', kid: key.private_key_id })}.${part({
    iss: key.client_email, sub: key.client_email, aud: `http://${endpoint}/token`,
    scope: 'https://www.googleapis.com/auth/cloud-platform', iat: now, exp: now + 3600,
  })}`;
  let assertion: string;
  try {
    assertion = `${unsigned}.${sign('sha256', Buffer.from(unsigned), createPrivateKey(key.private_key)).toString('base64url')}`;
  } catch (err) {
    throw new CliError(`the private key of ${path} cannot sign: ${(err as Error).message}`);
  }
  const res = await reach(endpoint, '/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; error_description?: string };
  if (!res.ok || !body.access_token) throw new CliError(body.error_description ?? `HTTP ${res.status}`);
  return body.access_token;
}

/** fetch() against the running emulator; an emulator that does not answer is a CliError saying so. */
async function reach(endpoint: string, path: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(`http://${endpoint}${path}`, init);
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(
      `cannot reach the emulator at ${endpoint}: ${cause?.code ?? cause?.message ?? (err as Error).message}. ` +
        'Is it running? Start it with `ar-emulator start`, or name it with --endpoint HOST:PORT (or $ARTIFACT_REGISTRY_EMULATOR_HOST).',
    );
  }
}

/** Adds the credential helper for the emulator's host names, keeping every other entry of config.json. */
export async function configureDocker(endpoint: string): Promise<number> {
  const dir = process.env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  const file = join(dir, 'config.json');
  let config: Record<string, unknown> = {};
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') {
      process.stderr.write(`ar-emulator: ${file} is not valid JSON; fix it first (nothing was changed)\n`);
      return 1;
    }
  }
  const port = endpoint.split(':').pop();
  // the Container Registry hosts too (docs/gcr.md): with /etc/hosts mapping them here, docker asks the helper for them
  const hosts = [`localhost:${port}`, `127.0.0.1:${port}`, ...['gcr.io', 'us.gcr.io', 'eu.gcr.io', 'asia.gcr.io'].map((h) => `${h}:${port}`)];
  const helpers = { ...((config.credHelpers as Record<string, string> | undefined) ?? {}) };
  for (const h of hosts) helpers[h] = HELPER;
  config.credHelpers = helpers;
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.ar-emulator.tmp`;
  await writeFile(tmp, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 });
  await rename(tmp, file);
  process.stdout.write(`Added credential helper "${HELPER}" for ${hosts.join(', ')} to ${file}.\n` + 'docker-credential-ar-emulator must be on PATH (npm puts it there with this package).\n');
  return 0;
}

export const PRINT_SETTINGS_USAGE =
  'ar-emulator print-settings npm|python|docker|mvn|gradle|go --repository REPO [--project P] [--location L] [--scope @S] [--endpoint HOST:PORT] [--key-file KEY.json | --token TOKEN | --json-key KEY.json]';

/**
 * `ar-emulator print-settings TOOL`, the counterpart of `gcloud artifacts print-settings`: checks through the
 * control plane that the repository exists and has the tool's format, then prints the snippet that
 * emulator/settings renders (the dashboard shows the same bytes). Advice goes to stderr.
 */
export async function printSettings(argv: string[]): Promise<number> {
  const [tool, ...rest] = argv;
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        repository: { type: 'string' }, project: { type: 'string' }, location: { type: 'string' }, scope: { type: 'string' },
        endpoint: { type: 'string', default: process.env.ARTIFACT_REGISTRY_EMULATOR_HOST ?? 'localhost:8088' },
        'key-file': { type: 'string' }, token: { type: 'string' }, 'json-key': { type: 'string' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`ar-emulator: ${(err as Error).message}\nusage: ${PRINT_SETTINGS_USAGE}\n`);
    return 2;
  }
  const fail = (message: string, status = 2) => {
    process.stderr.write(`ar-emulator: ${message}\n`);
    return status;
  };
  if (!tool || tool.startsWith('-')) return fail(`print-settings needs a tool.\nusage: ${PRINT_SETTINGS_USAGE}`);
  if (!SETTINGS_RENDERERS.some((r) => r.tool === tool)) return fail(`unknown print-settings tool "${tool}": one of ${SETTINGS_RENDERERS.map((r) => r.tool).join(', ')}`);
  if (!values.repository) return fail(`--repository is required.\nusage: ${PRINT_SETTINGS_USAGE}`);
  if ([values['key-file'], values.token, values['json-key']].filter(Boolean).length > 1) return fail('give at most one of --key-file, --token and --json-key');
  const endpoint = values.endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  try {
    const infoRes = await reach(endpoint, '/_emulator/info', { headers: { accept: 'application/json' } });
    const info = (await infoRes.json().catch(() => undefined)) as Partial<EmulatorInfo> | undefined;
    if (!infoRes.ok || !info?.iamMode) throw new CliError(`${endpoint} does not answer as an Artifact Registry emulator (GET /_emulator/info: HTTP ${infoRes.status})`);
    const project = values.project ?? info.defaultProject ?? 'local-project';
    const location = values.location ?? info.defaultLocation ?? 'us-central1';
    const iamMode = info.iamMode === 'enforce' ? 'enforce' : 'open';
    let credential: SettingsCredential | undefined;
    if (values.token) credential = { kind: 'token', token: values.token };
    if (values['key-file']) credential = { kind: 'token', token: await mintKeyFileToken(endpoint, values['key-file']) };
    if (values['json-key']) credential = { kind: 'jsonKey', keyBase64: await readJsonKey(values['json-key']), path: values['json-key'] };
    await checkRepository(endpoint, { project, location, repository: values.repository }, settingsRenderer(tool).format, credential, iamMode);
    const snippet = renderSettings(tool, {
      host: settingsHost(endpoint), project, location, repository: values.repository, iamMode, credential,
      ...(values.scope !== undefined ? { scope: values.scope } : {}),
    });
    process.stdout.write(snippet.text);
    if (snippet.notes.length) process.stderr.write(`${snippet.notes.join('\n')}\n`);
    return 0;
  } catch (err) {
    if (err instanceof CliError || isEmulatorError(err)) return fail(err.message, 1);
    throw err;
  }
}

/** gcloud's --json-key: the key file's bytes, base64, after checking they are JSON. */
async function readJsonKey(path: string): Promise<string> {
  let content: Buffer;
  try {
    content = await readFile(path);
    JSON.parse(content.toString('utf8'));
  } catch (err) {
    throw new CliError(`Could not read JSON file ${path}: ${(err as Error).message}`);
  }
  return content.toString('base64');
}

/**
 * GET the repository through the REST control plane, as gcloud's print-settings does, with the caller's
 * credential; under enforce without one, with a token for the local owner (the admin surface local callers
 * may use, docs/iam.md), since the snippet itself carries no secret then.
 */
async function checkRepository(
  endpoint: string, ref: { project: string; location: string; repository: string }, format: string,
  credential: SettingsCredential | undefined, iamMode: 'open' | 'enforce',
): Promise<void> {
  const name = `projects/${ref.project}/locations/${ref.location}/repositories/${ref.repository}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (credential?.kind === 'token') headers.authorization = `Bearer ${credential.token}`;
  else if (credential?.kind === 'jsonKey') headers.authorization = `Basic ${Buffer.from(`_json_key_base64:${credential.keyBase64}`).toString('base64')}`;
  else if (iamMode === 'enforce') {
    const res = await reach(endpoint, '/_emulator/iam/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const body = (await res.json().catch(() => ({}))) as { accessToken?: string; error?: { message?: string } };
    if (!res.ok || !body.accessToken) throw new CliError(`cannot look up ${name} without a credential: ${body.error?.message ?? `HTTP ${res.status}`} (pass --token or --key-file)`);
    headers.authorization = `Bearer ${body.accessToken}`;
  }
  const path = `/v1/projects/${encodeURIComponent(ref.project)}/locations/${encodeURIComponent(ref.location)}/repositories/${encodeURIComponent(ref.repository)}`;
  const res = await reach(endpoint, path, { headers });
  const body = (await res.json().catch(() => ({}))) as { format?: string | number; error?: { message?: string; status?: string } };
  if (res.status === 404) {
    throw new CliError(`repository ${name} not found. Create it first, e.g. \`curl -X POST -H 'content-type: application/json' -d '{"format":"${format}"}' 'http://${endpoint}/v1/projects/${ref.project}/locations/${ref.location}/repositories?repositoryId=${ref.repository}'\``);
  }
  if (!res.ok) throw new CliError(`cannot read ${name}: ${body.error?.message ?? `HTTP ${res.status}`}`);
  const actual = String(body.format ?? '');
  // gcloud's text (print_settings/settings_util.py)
  if (actual !== format) throw new CliError(`Invalid repository type ${actual || 'FORMAT_UNSPECIFIED'}. Valid type is ${format}. (${name})`);
}
