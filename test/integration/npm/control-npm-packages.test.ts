// The control plane's npmPackages (artifact.proto NpmPackage): one entry per published version, named
// `PACKAGE:VERSION` with a scope's `/` escaped, with its dist-tags; and a file per tarball, served where npm gets it.
import { describe, expect, it } from 'vitest';
import { TEST_PROJECT } from '../../support/emulator.js';
import { useNpmRegistry } from './npm-http.js';

const r = useNpmRegistry('npm-ctl');
const REPO = `projects/${TEST_PROJECT}/locations/us-central1/repositories/npm-ctl`;
const v1 = async <T>(path: string) => (await (await fetch(`${r.emu.url}/v1/${REPO}${path}`)).json()) as T;

describe('listNpmPackages', () => {
  it('lists every version of every package with its tags', async () => {
    await r.publish('@ctl/one', '1.0.0');
    await r.publish('@ctl/one', '1.1.0', undefined, { tag: 'beta' });
    await r.publish('two', '0.1.0');
    const { npmPackages } = await v1<{ npmPackages: Array<Record<string, unknown>> }>('/npmPackages');
    expect(npmPackages.map((p) => [p.name, p.packageName, p.version, p.tags])).toEqual(expect.arrayContaining([
      [`${REPO}/npmPackages/@ctl%2Fone:1.0.0`, '@ctl/one', '1.0.0', ['latest']],
      [`${REPO}/npmPackages/@ctl%2Fone:1.1.0`, '@ctl/one', '1.1.0', ['beta']],
      [`${REPO}/npmPackages/two:0.1.0`, 'two', '0.1.0', ['latest']],
    ]));
    expect(npmPackages).toHaveLength(3);
  });
});

describe('getNpmPackage', () => {
  it('gets one version, and 404s for one that was unpublished', async () => {
    await r.publish('three', '1.0.0');
    await r.publish('three', '2.0.0');
    expect(await v1('/npmPackages/three:1.0.0')).toMatchObject({ packageName: 'three', version: '1.0.0' });
    const rev = (await r.json<{ _rev: string }>('/three')).body._rev;
    await r.fetch(`/three/-/three-1.0.0.tgz/-rev/${rev}`, { method: 'DELETE' });
    const gone = await fetch(`${r.emu.url}/v1/${REPO}/npmPackages/three:1.0.0`);
    expect(gone.status).toBe(404);
  });

  it('shows each tarball as a file that downloads the published bytes', async () => {
    await r.publish('four', '1.0.0', Buffer.from('four bytes'));
    const file = await fetch(`${r.emu.url}/v1/${REPO}/files/${encodeURIComponent('four/-/four-1.0.0.tgz')}:download?alt=media`);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe('four bytes');
  });
});
