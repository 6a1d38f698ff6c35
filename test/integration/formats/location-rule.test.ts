// The location rule of `/PROJECT/REPO/…` paths, seen through a toy format: the Host's location, else the default
// location, else the one location holding the repository; several and no Host → an error in the format's dialect
// asking for a LOCATION-FORMAT.pkg.dev Host.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Handler } from '../../../emulator/http/context.js';
import type { FormatModule } from '../../../emulator/http/format-module.js';
import { Routes } from '../../../emulator/http/routes.js';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

function toyModule(): FormatModule {
  const where: Handler = async (ctx, params) => {
    ctx.type = 'text/plain';
    ctx.body = `${params.repository} in ${ctx.state.hostLocation}`;
  };
  return {
    id: 'toy',
    repositoryFormat: 'TOY',
    repositoryPaths: true,
    routes: new Routes([{ name: 'toy.where.get', method: 'GET', path: '/:project/:repository/where', handler: where }]),
    renderError(err, ctx) {
      ctx.status = err.code === 'FAILED_PRECONDITION' ? 400 : 404;
      ctx.type = 'text/plain';
      ctx.body = `TOY-ERROR ${err.code}: ${err.message}`;
    },
  };
}

let emu: TestEmulator;

function getWithHost(path: string, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${emu.url}${path}`, host ? { headers: { host } } : {}, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

beforeAll(async () => {
  emu = await startEmulator({ formats: () => [toyModule()] });
  await emu.createRepository('far', { format: 'TOY', location: 'asia-east1' });
  await emu.createRepository('home', { format: 'TOY' });
  await emu.createRepository('home', { format: 'TOY', location: 'europe-west1' });
  await emu.createRepository('split', { format: 'TOY', location: 'europe-west1' });
  await emu.createRepository('split', { format: 'TOY', location: 'us-east1' });
});
afterAll(() => emu.stop());

describe('/PROJECT/REPO/… without a LOCATION Host', () => {
  it('reaches the one location holding the repository', async () => {
    expect(await getWithHost(`/${P}/far/where`)).toEqual({ status: 200, body: 'far in asia-east1' });
  });

  it('prefers the default location', async () => {
    expect(await getWithHost(`/${P}/home/where`)).toEqual({ status: 200, body: 'home in us-central1' });
  });

  it("asks for a Host, in the format's dialect, when several locations hold it and the default does not", async () => {
    expect(await getWithHost(`/${P}/split/where`)).toEqual({
      status: 400,
      body:
        `TOY-ERROR FAILED_PRECONDITION: Repository "split" exists in several locations of project "${P}" (europe-west1, us-east1) and none is the default location: ` +
        "say which with a Host header of the form LOCATION-toy.pkg.dev[:PORT] (for example europe-west1-toy.pkg.dev, mapped to this emulator's address).",
    });
    expect(await getWithHost(`/${P}/split/where`, 'us-east1-toy.pkg.dev')).toEqual({ status: 200, body: 'split in us-east1' });
  });
});
