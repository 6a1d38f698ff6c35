// `ar-emulator auth print-access-token` and `ar-emulator configure-docker`: small clients of a running
// emulator for scripts and for Docker's credential-helper setup.
import { createPrivateKey, sign } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

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

/**
 * An access token for a service-account key file issued by the emulator: the OAuth2 JWT-bearer grant
 * (RFC 7523) against the emulator's /token, which is what the key file's token_uri names. Needed because
 * google-auth-library 10 sends its own token requests to Google whatever token_uri says.
 */
async function keyFileToken(endpoint: string, path: string): Promise<number> {
  let key: { client_email?: string; private_key?: string; private_key_id?: string };
  try {
    key = JSON.parse(await readFile(path, 'utf8')) as typeof key;
  } catch (err) {
    process.stderr.write(`ar-emulator: ${path} is not a readable key file: ${(err as Error).message}\n`);
    return 1;
  }
  if (!key.client_email || !key.private_key || !key.private_key_id) {
    process.stderr.write(`ar-emulator: ${path} is not a service-account key file (client_email, private_key, private_key_id)\n`);
    return 1;
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
    process.stderr.write(`ar-emulator: the private key of ${path} cannot sign: ${(err as Error).message}\n`);
    return 1;
  }
  const res = await fetch(`http://${endpoint}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
  }).catch((err: unknown) => {
    process.stderr.write(`ar-emulator: cannot reach the emulator at ${endpoint}: ${(err as Error).message}\n`);
    return undefined;
  });
  if (!res) return 1;
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; error_description?: string };
  if (!res.ok || !body.access_token) {
    process.stderr.write(`ar-emulator: ${body.error_description ?? `HTTP ${res.status}`}\n`);
    return 1;
  }
  process.stdout.write(`${body.access_token}\n`);
  return 0;
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
  const hosts = [`localhost:${port}`, `127.0.0.1:${port}`];
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
