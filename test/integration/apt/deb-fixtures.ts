// Builds small .deb files offline with the real dpkg-deb (xz-compressed control and data, bookworm's default), and
// runs apt-get in a scratch root (its own sources, lists, cache, status and keyring; the machine's apt setup is
// never read or changed, clients REPORT §9).
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DebSpec { name: string; version: string; arch?: string; section?: string; extraControl?: string[] }

export async function buildDeb(dir: string, spec: DebSpec): Promise<Buffer> {
  const root = join(dir, `src-${spec.name}-${spec.version}-${spec.arch ?? 'all'}`);
  await mkdir(join(root, 'DEBIAN'), { recursive: true });
  await mkdir(join(root, 'usr', 'share', 'doc', spec.name), { recursive: true });
  await writeFile(join(root, 'usr', 'share', 'doc', spec.name, 'README'), `${spec.name} ${spec.version}\n`);
  await writeFile(join(root, 'DEBIAN', 'control'), [
    `Package: ${spec.name}`, `Version: ${spec.version}`, `Architecture: ${spec.arch ?? 'all'}`, 'Maintainer: Emulator Tests <tests@example.invalid>',
    `Section: ${spec.section ?? 'utils'}`, 'Priority: optional', ...(spec.extraControl ?? []),
    `Description: test package ${spec.name}`, ' A package built by the apt integration tests.', '',
  ].join('\n'));
  const out = join(dir, `${spec.name}_${spec.version}_${spec.arch ?? 'all'}.deb`);
  await run('dpkg-deb', ['--build', '--root-owner-group', '-Zxz', root, out]);
  return readFile(out);
}

export interface AptRoot { dir: string; get(args: string[], cwd?: string): Promise<{ code: number; out: string }> }

/** A scratch apt root whose only source is `line` (a sources.list line, naming its key) and credentials `authConf`. */
export async function aptRoot(dir: string, line: string, authConf = ''): Promise<AptRoot> {
  for (const d of ['lists/partial', 'archives/partial', 'parts', 'trusted', 'prefs', 'dl', 'auth.d']) await mkdir(join(dir, d), { recursive: true });
  await writeFile(join(dir, 'auth.conf'), authConf);
  await writeFile(join(dir, 'sources.list'), `${line}\n`);
  await writeFile(join(dir, 'status'), '');
  const opts = [
    `Dir::Etc::SourceList=${dir}/sources.list`, `Dir::Etc::SourceParts=${dir}/parts`, `Dir::Etc::TrustedParts=${dir}/trusted`, `Dir::Etc::Trusted=${dir}/trusted/none.gpg`,
    `Dir::Etc::Preferences=${dir}/prefs/none`, `Dir::Etc::PreferencesParts=${dir}/prefs`,
    `Dir::State::Lists=${dir}/lists`, `Dir::State::status=${dir}/status`, `Dir::Cache=${dir}`, 'Dir::Cache::pkgcache=', 'Dir::Cache::srcpkgcache=',
    `Dir::Cache::archives=${dir}/archives`, 'APT::Get::List-Cleanup=0', 'APT::Get::AllowUnauthenticated=false', 'APT::Sandbox::User=root',
    `Dir::Etc::netrc=${dir}/auth.conf`, `Dir::Etc::netrcparts=${dir}/auth.d`, 'Debug::NoLocking=1', 'DPkg::Lock::Timeout=600', 'Acquire::Retries=0', 'Acquire::http::Proxy=DIRECT',
  ].flatMap((o) => ['-o', o]);
  return {
    dir,
    async get(args, cwd) {
      try {
        const r = await run('apt-get', [...opts, ...args], { cwd: cwd ?? join(dir, 'dl'), timeout: 120_000, env: { ...process.env, LC_ALL: 'C' } });
        return { code: 0, out: r.stdout + r.stderr };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
      }
    },
  };
}

/** Uploads a .deb as gcloud does (multipart: an empty JSON part, then the file). */
export const uploadDeb = (url: string, repo: string, bytes: Buffer) => {
  const head = Buffer.from('--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b\r\nContent-Type: application/vnd.debian.binary-package\r\n\r\n');
  return fetch(`${url}/upload/v1/${repo}/aptArtifacts:create?uploadType=multipart`, {
    method: 'POST', headers: { 'content-type': 'multipart/related; boundary=b' }, body: Buffer.concat([head, bytes, Buffer.from('\r\n--b--\r\n')]),
  });
};
