// npm pointed at a repository that does not exist, or at one of another format, with a plain localhost URL (no
// LOCATION-npm.pkg.dev Host to say it is npm): the emulator knows npm by its User-Agent and answers in npm's
// dialect, so npm prints the reason instead of `[object Object]` (the symptom issue 10 started from).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClients } from '../../support/clients/require-client.js';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { npmClient, type NpmClient } from './npm-client.js';

describeWithClients(['npm'], 'npm against a missing or a foreign repository', () => {
  let emu: TestEmulator;
  const clients: NpmClient[] = [];
  const client = async (repo: string) => {
    const c = await npmClient(`${emu.url}/${TEST_PROJECT}/${repo}/`);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    emu = await startEmulator();
    await emu.createRepository('images', { format: 'DOCKER' });
    await emu.createRepository('wheels', { format: 'PYTHON' });
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await emu?.stop();
  });

  it('prints the missing repository, not [object Object]', async () => {
    const out = await (await client('nothing-here')).npmFails(['view', 'left-pad']);
    expect(out).not.toContain('[object Object]');
    expect(out).toContain(`Repository "nothing-here" was not found in project "${TEST_PROJECT}".`);
  });

  it('names both formats for a DOCKER or a PYTHON repository', async () => {
    const docker = await (await client('images')).npmFails(['view', 'left-pad']);
    expect(docker).toContain('Repository "images" is a DOCKER repository, not a NPM repository');
    const python = await (await client('wheels')).npmFails(['publish'], { cwd: await clients[0]!.makePackage('x-pkg', '1.0.0') });
    expect(python).toContain('Repository "wheels" is a PYTHON repository, not a NPM repository');
  });

  it('leaves other clients the emulator API answer (Google JSON)', async () => {
    const res = await fetch(`${emu.url}/${TEST_PROJECT}/nothing-here/left-pad`, { headers: { 'user-agent': 'curl/8.0' } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('NOT_FOUND');
  });
});
