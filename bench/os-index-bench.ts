// Issue 15's figure: a repository that holds 2,000 packages gets one more, and the index a client reads must show it.
// Apt: upload of one .deb → InRelease and the component's Packages.gz read back (what `apt-get update` fetches),
// against dpkg-scanpackages regenerating Packages.gz over the same 2,001 .debs on disk (what a static repository
// does). Yum: upload of one .rpm → repomd.xml and primary.xml.gz read back, against `createrepo_c --update` over the
// same 2,001 rpms (its incremental mode; skipped when createrepo_c is not installed). Packages are synthetic (one
// file each, test/integration/apt/synthetic-deb.ts and test/support/rpm-builder.ts), so the figure is index work.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './stats.js';
import { EMULATOR_PROJECT, type RunningServer } from './servers.js';
import { controlText, syntheticDeb } from '../test/integration/apt/synthetic-deb.js';
import { syntheticRpm } from '../test/support/rpm-builder.js';

export interface OsIndexResult {
  packages: number;
  apt: { emulatorMs: number; peerMs: number; fillS: number; runs: { emulatorMs: number[]; peerMs: number[] } };
  yum: { emulatorMs: number; peerMs: number; fillS: number; peerName: string; runs: { emulatorMs: number[]; peerMs: number[] } };
}

const P = EMULATOR_PROJECT;
const L = `projects/${P}/locations/us-central1/repositories`;

export async function osIndexBench(server: RunningServer, opts: { packages: number; reps: number; workDir: string; log: (line: string) => void }): Promise<OsIndexResult> {
  const base = `http://127.0.0.1:${server.port}`;
  const create = async (id: string, format: string) => {
    const res = await fetch(`${base}/v1/projects/${P}/locations/us-central1/repositories?repositoryId=${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format }) });
    if (res.status !== 200) throw new Error(`create ${id}: ${res.status} ${await res.text()}`);
  };
  const upload = async (repo: string, kind: string, type: string, bytes: Buffer) => {
    const res = await fetch(`${base}/upload/v1/${L}/${repo}/${kind}:create?uploadType=media`, { method: 'POST', headers: { 'content-type': type }, body: bytes });
    if (res.status !== 200) throw new Error(`${kind} upload: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  const read = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const pool = async (n: number, each: (i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < n) await each(next++);
    }));
  };
  const timed = async (f: () => Promise<unknown>) => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  const run = (cmd: string, args: string[], cwd: string) => {
    const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`${cmd}: ${r.status} ${r.stderr?.toString().slice(0, 300)}`);
    return r.stdout;
  };
  const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

  // Apt
  await create('bench-apt', 'APT');
  const debDir = join(opts.workDir, 'os-index-debs');
  rmSync(debDir, { recursive: true, force: true });
  mkdirSync(debDir, { recursive: true });
  const deb = (name: string) => syntheticDeb(controlText({ Package: name, Version: '1.0', Architecture: 'amd64', Maintainer: 'B <b@example.invalid>', Description: `bench package ${name}` }));
  const aptRead = async () => {
    await read(`/projects/${P}/dists/bench-apt/InRelease`);
    await read(`/projects/${P}/dists/bench-apt/main/binary-amd64/Packages.gz`);
  };
  const fillApt = await timed(() => pool(opts.packages, async (i) => {
    const bytes = await deb(`pkg${i}`);
    writeFileSync(join(debDir, `pkg${i}_1.0_amd64.deb`), bytes);
    await upload('bench-apt', 'aptArtifacts', 'application/vnd.debian.binary-package', bytes);
  }));
  await aptRead();
  opts.log(`  apt: ${opts.packages} packages uploaded in ${(fillApt / 1000).toFixed(1)} s, first index built`);
  const apt = { emulatorMs: [] as number[], peerMs: [] as number[] };
  for (let r = 0; r < opts.reps; r++) {
    const bytes = await deb(`extra${r}`);
    apt.emulatorMs.push(await timed(async () => {
      await upload('bench-apt', 'aptArtifacts', 'application/vnd.debian.binary-package', bytes);
      await aptRead();
    }));
    writeFileSync(join(debDir, `extra${r}_1.0_amd64.deb`), bytes);
    apt.peerMs.push(await timed(async () => {
      const packages = run('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], debDir);
      writeFileSync(join(debDir, 'Packages'), packages);
      run('gzip', ['-9kf', 'Packages'], debDir);
    }));
    opts.log(`  apt rep ${r + 1}/${opts.reps}: emulator ${apt.emulatorMs.at(-1)!.toFixed(0)} ms, dpkg-scanpackages ${apt.peerMs.at(-1)!.toFixed(0)} ms`);
  }

  // Yum
  await create('bench-yum', 'YUM');
  const rpmDir = join(opts.workDir, 'os-index-rpms');
  rmSync(rpmDir, { recursive: true, force: true });
  mkdirSync(rpmDir, { recursive: true });
  const rpm = (name: string) => syntheticRpm({ name, version: '1.0', files: [`/usr/bin/${name}`] });
  const yumRead = async () => {
    const repomd = (await read(`/projects/${P}/bench-yum/repodata/repomd.xml`)).toString('utf8');
    const href = /href="(repodata\/[^"]*primary\.xml\.gz)"/.exec(repomd)?.[1];
    if (!href) throw new Error('no primary in repomd.xml');
    await read(`/projects/${P}/bench-yum/${href}`);
  };
  const fillYum = await timed(() => pool(opts.packages, async (i) => {
    const bytes = rpm(`pkg${i}`);
    writeFileSync(join(rpmDir, `pkg${i}-1.0-1.noarch.rpm`), bytes);
    await upload('bench-yum', 'yumArtifacts', 'application/x-rpm', bytes);
  }));
  await yumRead();
  const createrepo = has('createrepo_c');
  if (createrepo) run('createrepo_c', ['--quiet', '.'], rpmDir);
  opts.log(`  yum: ${opts.packages} packages uploaded in ${(fillYum / 1000).toFixed(1)} s, first index built${createrepo ? '' : ' (createrepo_c not installed: no peer figure)'}`);
  const yum = { emulatorMs: [] as number[], peerMs: [] as number[] };
  for (let r = 0; r < opts.reps; r++) {
    const bytes = rpm(`extra${r}`);
    yum.emulatorMs.push(await timed(async () => {
      await upload('bench-yum', 'yumArtifacts', 'application/x-rpm', bytes);
      await yumRead();
    }));
    writeFileSync(join(rpmDir, `extra${r}-1.0-1.noarch.rpm`), bytes);
    yum.peerMs.push(createrepo ? await timed(async () => run('createrepo_c', ['--quiet', '--update', '.'], rpmDir)) : NaN);
    opts.log(`  yum rep ${r + 1}/${opts.reps}: emulator ${yum.emulatorMs.at(-1)!.toFixed(0)} ms, createrepo_c --update ${yum.peerMs.at(-1)!.toFixed(0)} ms`);
  }
  rmSync(debDir, { recursive: true, force: true });
  rmSync(rpmDir, { recursive: true, force: true });
  return {
    packages: opts.packages,
    apt: { emulatorMs: median(apt.emulatorMs), peerMs: median(apt.peerMs), fillS: fillApt / 1000, runs: apt },
    yum: { emulatorMs: median(yum.emulatorMs), peerMs: median(yum.peerMs), fillS: fillYum / 1000, peerName: 'createrepo_c --update', runs: yum },
  };
}
