// The config file's preload of an npm tarball (`npm pack` output): its package.json read from the archive, then the
// very document `npm publish` sends, through the wire parser and NpmPackages.publish (docs/config.md).
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { EmulatorError } from '../../core/errors.js';
import type { PreloadKind } from '../../core/preload-kind.js';
import { readBounded, walkTar } from '../../storage/tar-walk.js';
import { parsePackumentPut } from './wire.js';
import type { NpmPackages } from './service/packages.js';
import type { NpmTargets } from './service/target.js';

/** the most a package.json may hold */
const MAX_PACKAGE_JSON = 1 << 20;

/** The package.json at the archive's top directory (`package/` for npm pack; any single top directory is taken). */
async function packageJsonOf(file: string): Promise<Record<string, unknown>> {
  let found: Buffer | undefined;
  try {
    await walkTar(file, async (entry, body) => {
      if (found || !/^[^/]+\/package\.json$/.test(entry.name)) return;
      found = await readBounded(body, MAX_PACKAGE_JSON, 'package.json');
    });
  } catch (err) {
    if (err instanceof EmulatorError) throw err;
    throw new EmulatorError('INVALID_ARGUMENT', `${basename(file)} is not an npm tarball (a gzip tar): ${(err as Error).message}`);
  }
  if (!found) throw new EmulatorError('INVALID_ARGUMENT', `${basename(file)} holds no package/package.json: not an npm tarball.`);
  try {
    const json = JSON.parse(found.toString('utf8')) as unknown;
    if (json && typeof json === 'object' && !Array.isArray(json)) return json as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new EmulatorError('INVALID_ARGUMENT', `The package.json in ${basename(file)} is not a JSON object.`);
}

export function npmPreloadKind(targets: NpmTargets, packages: NpmPackages, maxPublishBytes: number): PreloadKind {
  return {
    format: 'NPM',
    async preload(ref, file, metadata) {
      const t = targets.resolve(ref);
      if (t.record.mode !== 'STANDARD_REPOSITORY') throw new EmulatorError('FAILED_PRECONDITION', 'npm tarballs preload into a standard repository only.');
      const size = (await stat(file)).size;
      // the limit of a publish body, whose tarball is base64 (4/3 of its size)
      if (size > Math.floor((maxPublishBytes * 3) / 4)) throw new EmulatorError('RESOURCE_EXHAUSTED', `${basename(file)} is larger than a publish may carry (${maxPublishBytes} bytes as base64).`);
      const pkg = await packageJsonOf(file);
      const name = typeof pkg.name === 'string' ? pkg.name : '';
      const version = typeof pkg.version === 'string' ? pkg.version : '';
      if (!name || !version) throw new EmulatorError('INVALID_ARGUMENT', `The package.json in ${basename(file)} names no package and version.`);
      if (t.content.hasVersion(name, version)) return 'exists';
      const bytes = await readFile(file);
      const tag = metadata.tag ?? 'latest';
      // what libnpmpublish sends: one version, its dist digests, the tarball attached
      const doc = {
        _id: name, name, description: pkg.description, 'dist-tags': { [tag]: version },
        versions: { [version]: { ...pkg, _id: `${name}@${version}`, dist: { shasum: createHash('sha1').update(bytes).digest('hex'), integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}` } } },
        _attachments: { [`${name}-${version}.tgz`]: { content_type: 'application/octet-stream', data: bytes.toString('base64'), length: bytes.length } },
      };
      const parsed = parsePackumentPut(doc, name);
      if (parsed.kind !== 'publish') throw new EmulatorError('INVALID_ARGUMENT', `${basename(file)} could not be read as a publish.`);
      try {
        await packages.publish(t, parsed, undefined);
      } catch (err) {
        if (err instanceof EmulatorError && err.code === 'ALREADY_EXISTS') return 'exists';
        throw err;
      }
      return 'created';
    },
  };
}
