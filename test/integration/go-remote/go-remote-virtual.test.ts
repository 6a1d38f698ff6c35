// Go remote and virtual repositories with the real go command over a GOPROXY upstream on loopback (static-goproxy.ts):
// a remote miss then a hit with no upstream request, cached versions in the control plane with fetchTime, the list's
// TTL in emulator time, the upstream down (cached versions still download, a stale list, a miss is a 503 naming the
// reason), a truncated zip caching nothing, the preset's URL from AR_EMULATOR_GOPROXY_URL; a virtual repository over
// a standard and the remote: lists merged, an internal version shadowing the public one of the same number.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/index.js';
import { describeWithClients } from '../../support/clients/require-client.js';
import type { CommandError } from '../../support/clients/run.js';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';
import { GO_CLIENTS, go, libraryFiles, moduleZip, uploadZip, writeConsumer } from '../go/go-client.js';
import { StaticGoProxy } from './static-goproxy.js';

const PARENT = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}`;
const PUBLIC = 'example.com/public';
const SHARED = 'example.com/shared';
const CAPS = 'example.com/Caps';

describeWithClients(GO_CLIENTS, 'go through Go remote and virtual repositories', () => {
  let emu: TestEmulator;
  let up: StaticGoProxy;
  let work = '';
  let homes = 0;
  const events: EmulatorEvent[] = [];
  const home = () => join(work, `home${++homes}`);
  const proxy = (id: string) => `${emu.url}/${TEST_PROJECT}/${id}`;
  const create = async (id: string, body: Record<string, unknown>) => {
    const res = await fetch(`${emu.url}/v1/${PARENT}/repositories?repositoryId=${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, await res.text()).toBe(200);
  };
  const download = async (id: string, spec: string) => JSON.parse((await go(['mod', 'download', '-json', spec], { home: home(), goproxy: proxy(id) })).stdout) as { Version: string; Dir: string };
  const versions = async (id: string, module: string) => (await go(['list', '-m', '-versions', module], { home: home(), goproxy: proxy(id) })).stdout.trim().split(/\s+/).slice(1);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'are-goremote-'));
    up = await new StaticGoProxy().start();
    await up.publish(PUBLIC, 'v1.0.0', libraryFiles(PUBLIC, 'v1.0.0'));
    await up.publish(PUBLIC, 'v1.1.0', libraryFiles(PUBLIC, 'v1.1.0'));
    await up.publish(SHARED, 'v1.0.0', libraryFiles(SHARED, 'public-v1.0.0'));
    await up.publish(SHARED, 'v1.1.0', libraryFiles(SHARED, 'public-v1.1.0'));
    await up.publish(CAPS, 'v0.1.0', libraryFiles(CAPS, 'v0.1.0', 'caps'));
    emu = await startEmulator({ grpcPort: false });
    emu.emulator.events.onAny((e) => void events.push(e));
    await create('go-remote', { format: 'GO', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { goRepository: { customRepository: { uri: up.url } } } });
    await create('go-internal', { format: 'GO' });
    expect((await uploadZip(emu.url, `${PARENT}/repositories/go-internal`, await moduleZip(SHARED, 'v1.0.0', libraryFiles(SHARED, 'internal-v1.0.0')))).status).toBe(200);
    await create('go-virtual', {
      format: 'GO', mode: 'VIRTUAL_REPOSITORY',
      virtualRepositoryConfig: { upstreamPolicies: [{ id: 'public', repository: `${PARENT}/repositories/go-remote`, priority: 10 }, { id: 'internal', repository: `${PARENT}/repositories/go-internal`, priority: 100 }] },
    });
  }, 120_000);

  afterAll(async () => {
    await emu?.stop();
    await up?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('fetches a version from the upstream once, then serves it from the cache with no upstream request', async () => {
    expect((await download('go-remote', `${PUBLIC}@v1.0.0`)).Version).toBe('v1.0.0');
    expect(up.count(`/${PUBLIC}/@v/v1.0.0.zip`)).toBe(1);
    const before = up.requests.length;
    const again = await download('go-remote', `${PUBLIC}@v1.0.0`);
    expect(await readFile(join(again.Dir, 'hello.go'), 'utf8')).toContain('"v1.0.0"');
    expect(up.requests.length).toBe(before);
    expect(events.some((e) => e.type === 'cache.miss' && (e.data as { format: string }).format === 'GO')).toBe(true);
    expect(events.some((e) => e.type === 'cache.hit' && (e.data as { format: string; kind: string }).kind === 'file')).toBe(true);
    const files = (await (await fetch(`${emu.url}/v1/${PARENT}/repositories/go-remote/files`)).json()) as { files: Array<{ name: string; fetchTime?: string }> };
    const zip = files.files.find((f) => decodeURIComponent(f.name).endsWith(`${PUBLIC}/@v/v1.0.0.zip`));
    expect(zip?.fetchTime).toBeTruthy();
  });

  it('resolves @latest through the remote with go get and serves the case-encoded module', async () => {
    const h = home();
    const app = join(h, 'app');
    await writeConsumer(app, PUBLIC);
    await go(['get', `${PUBLIC}@latest`], { home: h, goproxy: proxy('go-remote'), cwd: app });
    expect(await readFile(join(app, 'go.mod'), 'utf8')).toContain(`require ${PUBLIC} v1.1.0`);
    expect((await download('go-remote', `${CAPS}@v0.1.0`)).Version).toBe('v0.1.0');
    expect(up.count('/example.com/!caps/@v/v0.1.0.zip')).toBe(1);
  });

  it('keeps the upstream list for its TTL in emulator time, then sees a new version', async () => {
    expect(await versions('go-remote', PUBLIC)).toEqual(['v1.0.0', 'v1.1.0']);
    await up.publish(PUBLIC, 'v1.2.0', libraryFiles(PUBLIC, 'v1.2.0'));
    const lists = up.count(`/${PUBLIC}/@v/list`);
    expect(await versions('go-remote', PUBLIC)).toEqual(['v1.0.0', 'v1.1.0']);
    expect(up.count(`/${PUBLIC}/@v/list`)).toBe(lists);
    emu.emulator.clock.advance(301_000);
    expect(await versions('go-remote', PUBLIC)).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0']);
  });

  it('serves cached versions and a stale list while the upstream is down; a miss is a 503 naming the reason', async () => {
    up.down = true;
    try {
      emu.emulator.clock.advance(301_000);
      expect((await download('go-remote', `${PUBLIC}@v1.0.0`)).Version).toBe('v1.0.0');
      expect(await versions('go-remote', PUBLIC)).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0']);
      const miss = await fetch(`${proxy('go-remote')}/${SHARED}/@v/v1.1.0.info`);
      expect(miss.status).toBe(503);
      expect(await miss.text()).toMatch(/upstream answered 503/);
      expect(events.some((e) => e.type === 'upstream.failed' && (e.data as { format: string; served: boolean }).format === 'GO')).toBe(true);
    } finally {
      up.down = false;
    }
  });

  it('applies an injected fault to the upstream: no request reaches it, a miss is a 503', async () => {
    const fault = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repository: `${PARENT}/repositories/go-remote`, mode: 'down' }) });
    expect(fault.status, await fault.text()).toBeLessThan(300);
    try {
      const before = up.requests.length;
      const miss = await fetch(`${proxy('go-remote')}/${CAPS.replace('C', '!c')}/@v/v9.0.0.info`);
      expect(miss.status).toBe(503);
      expect((await download('go-remote', `${PUBLIC}@v1.0.0`)).Version).toBe('v1.0.0');
      expect(up.requests.length).toBe(before);
    } finally {
      await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' });
    }
  });

  it('caches nothing from a truncated upstream zip, and fetches it whole the next time', async () => {
    up.truncate.add(`/${PUBLIC}/@v/v1.2.0.zip`);
    const failed = await go(['mod', 'download', `${PUBLIC}@v1.2.0`], { home: home(), goproxy: proxy('go-remote') }).then(
      () => '',
      (err: CommandError) => err.stderr,
    );
    expect(failed).toMatch(/v1\.2\.0/);
    up.truncate.clear();
    expect((await download('go-remote', `${PUBLIC}@v1.2.0`)).Version).toBe('v1.2.0');
  });

  it('takes the public preset URL from AR_EMULATOR_GOPROXY_URL', async () => {
    await create('go-preset', { format: 'GO', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { goRepository: { publicRepository: 'GOPROXY' } } });
    const unset = await fetch(`${proxy('go-preset')}/${PUBLIC}/@v/list`);
    expect(unset.status).toBe(400);
    expect(await unset.text()).toMatch(/AR_EMULATOR_GOPROXY_URL/);
    process.env.AR_EMULATOR_GOPROXY_URL = up.url;
    try {
      expect(await versions('go-preset', PUBLIC)).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0']);
    } finally {
      delete process.env.AR_EMULATOR_GOPROXY_URL;
    }
  });

  it('merges the members lists in a virtual repository and serves a version from the first member that has it', async () => {
    expect(await versions('go-virtual', SHARED)).toEqual(['v1.0.0', 'v1.1.0']);
    // v1.0.0 is in the internal member (higher priority): its copy wins over the public one
    const internal = await download('go-virtual', `${SHARED}@v1.0.0`);
    expect(await readFile(join(internal.Dir, 'hello.go'), 'utf8')).toContain('"internal-v1.0.0"');
    // v1.1.0 only upstream: the remote member serves it
    const pub = await download('go-virtual', `${SHARED}@v1.1.0`);
    expect(await readFile(join(pub.Dir, 'hello.go'), 'utf8')).toContain('"public-v1.1.0"');
    expect((await download('go-virtual', `${PUBLIC}@latest`)).Version).toBe('v1.2.0');
    expect((await fetch(`${proxy('go-virtual')}/example.com/nothing/@v/list`)).status).toBe(404);
    expect((await uploadZip(emu.url, `${PARENT}/repositories/go-virtual`, await moduleZip(SHARED, 'v9.0.0', libraryFiles(SHARED, 'v9.0.0')))).status).toBe(400);
  });
});
