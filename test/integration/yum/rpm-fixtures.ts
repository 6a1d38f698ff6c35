// Builds small rpms offline with the real rpmbuild (`--define _topdir` in a temp dir, never the user's ~/rpmbuild),
// for the Yum suites: a noarch package with one script in /usr/bin, a config file, a changelog and dependencies.
import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RpmSpec {
  name: string;
  version: string;
  release?: string;
  summary?: string;
  /** extra preamble lines (Provides:, Requires:, Conflicts:, Obsoletes:, Epoch:) */
  preamble?: string[];
}

/** Builds the rpm in `dir` and answers the path of the .rpm. */
export async function buildRpm(dir: string, spec: RpmSpec): Promise<string> {
  const top = join(dir, `rpmbuild-${spec.name}-${spec.version}`);
  await mkdir(join(top, 'SPECS'), { recursive: true });
  const specFile = join(top, 'SPECS', `${spec.name}.spec`);
  await writeFile(specFile, [
    `Name: ${spec.name}`,
    `Version: ${spec.version}`,
    `Release: ${spec.release ?? '1'}`,
    `Summary: ${spec.summary ?? `The ${spec.name} test package`}`,
    'License: MIT & <Apache-2.0>',
    'URL: http://127.0.0.1/hello?a=1&b=2',
    'BuildArch: noarch',
    'AutoReqProv: no',
    ...(spec.preamble ?? []),
    '',
    '%description',
    `A test package "${spec.name}" for the emulator's Yum repositories <with markup & entities>.`,
    '',
    '%install',
    'mkdir -p %{buildroot}/usr/bin %{buildroot}/etc/%{name} %{buildroot}/usr/share/%{name}',
    `printf '#!/bin/sh\\necho hello from ${spec.name}\\n' > %{buildroot}/usr/bin/%{name}`,
    'chmod 0755 %{buildroot}/usr/bin/%{name}',
    'echo "greeting=hi" > %{buildroot}/etc/%{name}/%{name}.conf',
    'echo data > %{buildroot}/usr/share/%{name}/data.txt',
    '',
    '%files',
    '/usr/bin/%{name}',
    '%dir /etc/%{name}',
    '%config(noreplace) /etc/%{name}/%{name}.conf',
    '/usr/share/%{name}',
    '',
    '%changelog',
    '* Mon Jan 05 2026 Test Packager <test@example.com> - 1.0-1',
    '- First build & <release>',
    '',
  ].join('\n'));
  await run('rpmbuild', ['--define', `_topdir ${top}`, '--define', '_build_id_links none', '-bb', specFile], { timeout: 120_000 });
  const out = join(top, 'RPMS', 'noarch');
  const [file] = (await readdir(out)).filter((f) => f.endsWith('.rpm'));
  if (!file) throw new Error(`rpmbuild made no rpm in ${out}`);
  return join(out, file);
}
