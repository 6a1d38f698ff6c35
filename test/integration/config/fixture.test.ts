// startEmulator() from the package: a free port, a temp data dir removed at stop, URLs for each client, tokens
// that IAM in enforce mode accepts, reset to the config's seed.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../emulator/index.js';

let dir: string;
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('startEmulator()', () => {
  it('gives URLs, tokens, reset and a stop that removes its data', async () => {
    dir = await mkdtemp(join(tmpdir(), 'are-fixture-'));
    const configFile = join(dir, 'seed.yaml');
    await writeFile(configFile, 'repositories:\n  - name: projects/fx-project/locations/us-central1/repositories/web\n    format: NPM\n');
    const emu = await startEmulator({ configFile, defaultProject: 'fx-project', iam: 'enforce' });
    try {
      const port = new URL(emu.url).port;
      expect(emu.urls.npm('web')).toBe(`http://127.0.0.1:${port}/fx-project/web/`);
      expect(emu.urls.docker('imgs')).toBe(`localhost:${port}/fx-project/imgs`);
      expect(emu.urls.python('py', 'other-project')).toBe(`http://127.0.0.1:${port}/other-project/py/simple/`);
      expect(emu.urls.apt('debs')).toBe(`http://127.0.0.1:${port}/projects/fx-project`);
      expect(emu.grpcAddress).toMatch(/^127\.0\.0\.1:\d+$/);

      const anonymous = await fetch(`${emu.urls.rest}projects/fx-project/locations/us-central1/repositories`);
      expect(anonymous.status).toBe(401);
      const stranger = await emu.token('user:someone@example.com');
      const denied = await fetch(`${emu.urls.rest}projects/fx-project/locations/us-central1/repositories`, { headers: { authorization: `Bearer ${stranger}` } });
      expect(denied.status).toBe(403);
      const token = await emu.token('user:owner@ar-emulator.local');
      const listed = await fetch(`${emu.urls.rest}projects/fx-project/locations/us-central1/repositories`, { headers: { authorization: `Bearer ${token}` } });
      expect(listed.status).toBe(200);

      emu.clock.advance(3600_000);
      await emu.reset();
      expect(Math.abs(emu.clock.now().getTime() - Date.now())).toBeLessThan(60_000);
      expect(existsSync(emu.emulator.dataDir)).toBe(true);
    } finally {
      await emu.stop();
    }
    expect(existsSync(emu.emulator.dataDir)).toBe(false);
  });

  it('snapshots while serving, and a new fixture starts from the snapshot', async () => {
    const snapDir = await mkdtemp(join(tmpdir(), 'are-fixture-snap-'));
    const first = await startEmulator({ defaultProject: 'fx-project', grpcPort: false });
    try {
      const created = await fetch(`${first.urls.rest}projects/fx-project/locations/us-central1/repositories?repositoryId=kept`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'GENERIC' }),
      });
      expect(created.status).toBe(200);
      const result = await first.snapshot(join(snapDir, 'base'));
      expect(result).toMatchObject({ dir: join(snapDir, 'base') });
    } finally {
      await first.stop();
    }
    const second = await startEmulator({ defaultProject: 'fx-project', grpcPort: false, importSnapshot: join(snapDir, 'base') });
    try {
      const got = await fetch(`${second.urls.rest}projects/fx-project/locations/us-central1/repositories/kept`);
      expect(await got.json()).toMatchObject({ name: 'projects/fx-project/locations/us-central1/repositories/kept', format: 'GENERIC' });
    } finally {
      await second.stop();
      await rm(snapDir, { recursive: true, force: true });
    }
  });
});
