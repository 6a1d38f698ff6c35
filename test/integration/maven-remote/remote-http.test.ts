// A Maven remote repository over HTTP, its upstream a second emulator (and, for a bad checksum, a hand-written
// loopback server): files cached once and then served with no upstream request, maven-metadata.xml revalidated
// after its TTL (emulator time) and served stale under an injected fault, a file whose .sha1 disagrees refused
// and not kept, garbage collection keeping cached files.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { LoopbackServer } from '../../support/loopback-server.js';

const PARENT = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}`;

class BadSumUpstream extends LoopbackServer {
  protected handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.url?.endsWith('.jar.sha1')) res.end('0'.repeat(40));
    else if (req.url?.endsWith('.jar')) res.end('the real bytes');
    else res.writeHead(404).end();
  }
}

let emu: TestEmulator;
let up: TestEmulator;
let bad: BadSumUpstream;
const events: EmulatorEvent[] = [];
const upstreamPulls: EmulatorEvent[] = [];
const remote = (path: string) => fetch(`${emu.url}/${TEST_PROJECT}/cache/${path}`);
const deploy = async (path: string, body: string) => {
  const res = await fetch(`${up.url}/${TEST_PROJECT}/central/${path}`, { method: 'PUT', body });
  expect(res.status).toBe(201);
};
const create = async (id: string, uri: string) => {
  const res = await fetch(`${emu.url}/v1/${PARENT}/repositories?repositoryId=${id}`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ format: 'MAVEN', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { mavenRepository: { customRepository: { uri } } } }),
  });
  expect(res.status).toBe(200);
};

beforeAll(async () => {
  [emu, up] = await Promise.all([startEmulator(), startEmulator()]);
  bad = await new BadSumUpstream().start();
  emu.emulator.events.onAny((e) => void events.push(e));
  up.emulator.events.onAny((e) => void (e.type === 'artifact.pulled' && upstreamPulls.push(e)));
  await up.createRepository('central', { format: 'MAVEN' });
  await create('cache', `${up.url}/${TEST_PROJECT}/central`);
  await create('badsum', bad.url);
  await deploy('org/pub/lib/1.0/lib-1.0.pom', '<project>1.0</project>');
  await deploy('org/pub/lib/1.0/lib-1.0.jar', 'jar 1.0');
});
afterAll(async () => {
  await emu?.stop();
  await up?.stop();
  await bad?.stop();
});

describe('a Maven remote repository', () => {
  it('fetches a file once, verified by the upstream .sha1, then serves it from its cache', async () => {
    const first = await remote('org/pub/lib/1.0/lib-1.0.jar');
    expect([first.status, await first.text()]).toEqual([200, 'jar 1.0']);
    const pulls = upstreamPulls.length;
    expect(await (await remote('org/pub/lib/1.0/lib-1.0.jar')).text()).toBe('jar 1.0');
    expect(await (await remote('org/pub/lib/1.0/lib-1.0.jar.sha1')).text()).toBe(createHash('sha1').update('jar 1.0').digest('hex'));
    expect(upstreamPulls.length).toBe(pulls);
    expect(events.filter((e) => e.type === 'cache.miss').length).toBe(1);
    expect(events.some((e) => e.type === 'cache.hit')).toBe(true);
  });

  it('revalidates maven-metadata.xml only after its TTL, and serves it stale when the upstream is down', async () => {
    expect(await (await remote('org/pub/lib/maven-metadata.xml')).text()).toContain('<version>1.0</version>');
    await deploy('org/pub/lib/1.1/lib-1.1.pom', '<project>1.1</project>');
    expect(await (await remote('org/pub/lib/maven-metadata.xml')).text()).not.toContain('<version>1.1</version>');
    emu.emulator.clock.advance(301_000);
    expect(await (await remote('org/pub/lib/maven-metadata.xml')).text()).toContain('<version>1.1</version>');
    emu.emulator.clock.advance(301_000);
    emu.emulator.upstream.setFault({ repository: `${PARENT}/repositories/cache`, mode: 'down' });
    try {
      const stale = await remote('org/pub/lib/maven-metadata.xml');
      expect([stale.status, (await stale.text()).includes('<version>1.1</version>')]).toEqual([200, true]);
      expect(events.some((e) => e.type === 'upstream.failed' && (e.data as { served: boolean }).served)).toBe(true);
      expect((await remote('org/pub/lib/1.1/lib-1.1.pom')).status).toBe(503);
      expect((await remote('org/pub/lib/1.0/lib-1.0.jar')).status).toBe(200);
    } finally {
      emu.emulator.upstream.clearFaults();
    }
  });

  it('answers 404 for what the upstream does not have', async () => {
    expect((await remote('org/pub/none/1.0/none-1.0.jar')).status).toBe(404);
  });

  it('refuses a file whose upstream .sha1 disagrees with its bytes, and keeps nothing', async () => {
    const res = await fetch(`${emu.url}/${TEST_PROJECT}/badsum/org/x/y/1.0/y-1.0.jar`);
    expect(res.status).toBe(503);
    expect(res.statusText).toMatch(/sha1/);
    const files = (await (await fetch(`${emu.url}/v1/${PARENT}/repositories/badsum/files`)).json()) as { files?: unknown[] };
    expect(files.files ?? []).toEqual([]);
  });

  it('takes the MAVEN_CENTRAL preset\'s URL from AR_EMULATOR_MAVEN_CENTRAL_URL', async () => {
    const res = await fetch(`${emu.url}/v1/${PARENT}/repositories?repositoryId=central-preset`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'MAVEN', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { mavenRepository: { publicRepository: 'MAVEN_CENTRAL' } } }),
    });
    expect(res.status).toBe(200);
    const saved = process.env.AR_EMULATOR_MAVEN_CENTRAL_URL;
    process.env.AR_EMULATOR_MAVEN_CENTRAL_URL = `${up.url}/${TEST_PROJECT}/central/`;
    try {
      const pom = await fetch(`${emu.url}/${TEST_PROJECT}/central-preset/org/pub/lib/1.0/lib-1.0.pom`);
      expect([pom.status, await pom.text()]).toEqual([200, '<project>1.0</project>']);
    } finally {
      if (saved === undefined) delete process.env.AR_EMULATOR_MAVEN_CENTRAL_URL;
      else process.env.AR_EMULATOR_MAVEN_CENTRAL_URL = saved;
    }
  });

  it('keeps cached files and metadata through garbage collection', async () => {
    await emu.emulator.collectGarbage();
    expect(await (await remote('org/pub/lib/1.0/lib-1.0.jar')).text()).toBe('jar 1.0');
    expect((await remote('org/pub/lib/maven-metadata.xml')).status).toBe(200);
  });
});
