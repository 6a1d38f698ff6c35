// A format added as a test fixture: a toy FormatModule registered through createEmulator's `formats` option is
// reached at /PROJECT/REPO/… for a repository of its format, renders its own errors, and needed no edit of
// shared code. A repository of another format addressed the same way gets an error naming both formats.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorError, type ErrorCode } from '../../../emulator/core/errors.js';
import type { Handler } from '../../../emulator/http/context.js';
import type { FormatModule } from '../../../emulator/http/format-module.js';
import { Routes } from '../../../emulator/http/routes.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

/** The toy protocol: GET /PROJECT/REPO/greetings/NAME answers `hello NAME`; NAME `nobody` is a failure. */
function toyModule(): FormatModule {
  const greet: Handler = async (ctx, params) => {
    if (params.who === 'nobody') throw new EmulatorError('NOT_FOUND', 'nobody to greet');
    ctx.type = 'text/plain';
    ctx.body = `hello ${params.who} from ${params.repository} in ${ctx.state.hostLocation}`;
  };
  return {
    id: 'toy',
    repositoryFormat: 'TOY',
    repositoryPaths: true,
    routes: new Routes([{ name: 'toy.greeting.get', method: 'GET', path: '/:project/:repository/greetings/:who', handler: greet }]),
    validateRepositoryConfig(config) {
      if (config.mavenConfig !== undefined) throw new EmulatorError('INVALID_ARGUMENT', 'mavenConfig is not valid for TOY repositories', { field: 'repository.maven_config' });
    },
    renderError(err, ctx) {
      const status: Partial<Record<ErrorCode, number>> = { NOT_FOUND: 404, REPOSITORY_NOT_FOUND: 404, METHOD_NOT_ALLOWED: 405, FAILED_PRECONDITION: 400, PERMISSION_DENIED: 403 };
      ctx.status = status[err.code] ?? 500;
      ctx.type = 'text/plain';
      ctx.body = `TOY-ERROR ${err.code}: ${err.message}`;
    },
  };
}

let emu: TestEmulator;

/** A GET with a Host header of its own (fetch may not set Host). */
function getWithHost(path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${emu.url}${path}`, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

beforeAll(async () => {
  emu = await startEmulator({ formats: () => [toyModule()] });
  await emu.createRepository('toys', { format: 'TOY' });
  await emu.createRepository('images', { format: 'DOCKER' });
});
afterAll(() => emu.stop());

describe('a toy format registered by a test', () => {
  it('is reached at /PROJECT/REPO/… for a repository of its format', async () => {
    const res = await fetch(`${emu.url}/${TEST_PROJECT}/toys/greetings/ada`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello ada from toys in us-central1');
  });

  it('is reached by a LOCATION-FORMAT.pkg.dev Host', async () => {
    const res = await getWithHost(`/${TEST_PROJECT}/toys/greetings/ada`, 'europe-west1-toy.pkg.dev:443');
    // the Host's location is the one looked up: there is no `toys` in europe-west1 (a 404 in the toy's dialect)
    expect(res).toEqual({ status: 404, body: 'TOY-ERROR REPOSITORY_NOT_FOUND: Repository "toys" was not found in project "test-project", location "europe-west1".' });
    expect(await getWithHost(`/${TEST_PROJECT}/toys/greetings/ada`, 'us-central1-toy.pkg.dev')).toEqual({ status: 200, body: 'hello ada from toys in us-central1' });
  });

  it('renders its own errors: a handler failure, an unknown path, a wrong method', async () => {
    const failed = await fetch(`${emu.url}/${TEST_PROJECT}/toys/greetings/nobody`);
    expect([failed.status, await failed.text()]).toEqual([404, 'TOY-ERROR NOT_FOUND: nobody to greet']);
    const unknown = await fetch(`${emu.url}/${TEST_PROJECT}/toys/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toMatch(/^TOY-ERROR NOT_FOUND: no route/);
    const wrongMethod = await fetch(`${emu.url}/${TEST_PROJECT}/toys/greetings/ada`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('HEAD, GET');
    expect(await wrongMethod.text()).toMatch(/^TOY-ERROR METHOD_NOT_ALLOWED/);
  });

  it('renders the host guard refusal in its own dialect', async () => {
    const res = await fetch(`${emu.url}/${TEST_PROJECT}/toys/greetings/ada`, { method: 'POST', headers: { origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/^TOY-ERROR PERMISSION_DENIED: cross-origin request/);
  });

  it('answers a DOCKER repository addressed at /PROJECT/REPO/… in the OCI dialect, naming its format and URL', async () => {
    const res = await fetch(`${emu.url}/${TEST_PROJECT}/images/greetings/ada`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ code: string; message: string }> };
    expect(body.errors[0]).toEqual({
      code: 'DENIED',
      message: 'Repository "images" is a DOCKER repository: its clients reach it under /v2/, not at /PROJECT/REPOSITORY/ paths.',
    });
  });

  it('answers a DOCKER repository asked for by a toy Host in the toy dialect, naming both formats', async () => {
    const res = await getWithHost(`/${TEST_PROJECT}/images/greetings/ada`, 'us-central1-toy.pkg.dev');
    expect(res.status).toBe(400);
    expect(res.body).toBe('TOY-ERROR FAILED_PRECONDITION: Repository "images" is a DOCKER repository, not a TOY repository: use the DOCKER client\'s URL for it.');
  });

  it('leaves /PROJECT/REPO/… of an unknown repository to the emulator API (its 404)', async () => {
    const res = await fetch(`${emu.url}/${TEST_PROJECT}/missing/greetings/ada`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('NOT_FOUND');
  });

  it('checks the format-specific part of a repository being created with its own hook', async () => {
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/us-central1/repositories?repositoryId=toys2`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'TOY', mavenConfig: {} }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('mavenConfig is not valid for TOY repositories');
  });

  it('is listed as a repository of format TOY by the control plane', async () => {
    const res = await fetch(`${emu.url}/v1/projects/${TEST_PROJECT}/locations/us-central1/repositories/toys`);
    expect(((await res.json()) as { format: string }).format).toBe('TOY');
  });
});
