// Tests against the emulator started by global-setup.ts: each begins from the seeded state (a reset before each).
import { beforeEach, describe, expect, inject, it } from 'vitest';

const url = inject('emulatorUrl');
const LOCATION = 'projects/example-project/locations/us-central1';

const repositories = async () => {
  const body = (await (await fetch(`${url}/v1/${LOCATION}/repositories`)).json()) as { repositories?: Array<{ name: string; format: string }> };
  return (body.repositories ?? []).map((r) => `${r.name.split('/').pop()}:${r.format}`);
};

beforeEach(async () => {
  const res = await fetch(`${url}/_emulator/reset`, { method: 'POST' });
  expect(res.status).toBe(200);
});

describe('an app that keeps its build outputs in Artifact Registry', () => {
  it('finds the repositories the config file seeds', async () => {
    expect(await repositories()).toEqual(['files:GENERIC', 'images:DOCKER']);
  });

  it('uploads a file and reads it back', async () => {
    const meta = JSON.stringify({ packageId: 'reports', versionId: '2026.12.01', filename: 'report.txt' });
    const body = `--b\r\ncontent-type: application/json\r\n\r\n${meta}\r\n--b\r\ncontent-type: text/plain\r\n\r\nall green\r\n--b--\r\n`;
    const up = await fetch(`${url}/upload/v1/${LOCATION}/repositories/files/genericArtifacts:create?uploadType=multipart`, {
      method: 'POST', headers: { 'content-type': 'multipart/related; boundary=b' }, body,
    });
    expect(up.status).toBe(200);
    const file = await fetch(`${url}/v1/${LOCATION}/repositories/files/files/reports:2026.12.01:report.txt:download?alt=media`);
    expect(await file.text()).toBe('all green');
  });

  it('starts again from the seed: the file of the previous test is gone, a repository made by a test too', async () => {
    const created = await fetch(`${url}/v1/${LOCATION}/repositories?repositoryId=scratch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'NPM' }) });
    expect(created.status).toBe(200);
    expect(await repositories()).toEqual(['files:GENERIC', 'images:DOCKER', 'scratch:NPM']);
    await fetch(`${url}/_emulator/reset`, { method: 'POST' });
    expect(await repositories()).toEqual(['files:GENERIC', 'images:DOCKER']);
    const files = (await (await fetch(`${url}/v1/${LOCATION}/repositories/files/files`)).json()) as { files?: unknown[] };
    expect(files.files ?? []).toEqual([]);
  });
});
