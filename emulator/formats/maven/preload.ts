// The config file's preload of a jar (or a pom): its coordinates from the entry (`groupId`, `artifactId`,
// `version`, optional `classifier`) or from the jar's own META-INF/maven/G/A/pom.properties, then the files
// `mvn deploy` would PUT — the jar and its pom (the jar's embedded pom.xml, else a minimal one) — through the
// deploy checks (version policy, overwrite) and the same store (docs/config.md).
import { createRequire } from 'node:module';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { EmulatorError } from '../../core/errors.js';
import type { PreloadKind } from '../../core/preload-kind.js';
import { readBounded } from '../../storage/tar-walk.js';
import type { MavenDeps } from './handlers/deps.js';
import { parseMavenPath } from './names.js';
import type { MavenTarget } from './service/packages.js';
import { checkVersionPolicy } from './service/policy.js';

const require = createRequire(import.meta.url);
const MAX_POM = 4 << 20;

interface Embedded { properties?: string; pom?: string }

/** pom.properties and pom.xml under META-INF/maven/ of a jar (the first pair found). */
async function embeddedPom(file: string): Promise<Embedded> {
  const lib = require('yauzl') as typeof yauzl;
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    lib.open(file, { lazyEntries: true, autoClose: true, validateEntrySizes: true }, (err, z) => (err ? reject(new EmulatorError('INVALID_ARGUMENT', `${basename(file)} is not a jar (a zip): ${err.message.slice(0, 200)}`)) : resolve(z))),
  );
  const out: Embedded = {};
  await new Promise<void>((resolve, reject) => {
    zip.on('error', (err: Error) => reject(new EmulatorError('INVALID_ARGUMENT', `${basename(file)} is not a readable jar: ${err.message.slice(0, 200)}`)));
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      const m = /^META-INF\/maven\/[^/]+\/[^/]+\/(pom\.properties|pom\.xml)$/.exec(entry.fileName);
      const key = m?.[1] === 'pom.properties' ? 'properties' : m ? 'pom' : undefined;
      if (!key || out[key] !== undefined || entry.uncompressedSize > MAX_POM) return zip.readEntry();
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(new EmulatorError('INVALID_ARGUMENT', `${basename(file)}: ${err.message.slice(0, 200)}`));
        readBounded(stream as AsyncIterable<Buffer>, MAX_POM, entry.fileName).then((b) => {
          out[key] = b.toString('utf8');
          zip.readEntry();
        }, reject);
      });
    });
    zip.readEntry();
  });
  return out;
}

function property(text: string | undefined, key: string): string | undefined {
  const m = text && new RegExp(`^\\s*${key}\\s*[=:]\\s*(.+?)\\s*$`, 'm').exec(text);
  return m ? m[1] : undefined;
}

const minimalPom = (g: string, a: string, v: string) => `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${g}</groupId>
  <artifactId>${a}</artifactId>
  <version>${v}</version>
  <packaging>jar</packaging>
</project>
`;

export function mavenPreloadKind(d: MavenDeps): PreloadKind {
  /** one deployed file, as putPath stores it: 'exists' when that path is already there */
  const deploy = async (t: MavenTarget, path: string, body: Readable): Promise<'created' | 'exists'> => {
    const p = parseMavenPath(path);
    if (p.kind !== 'file' || p.checksum) throw new EmulatorError('INVALID_ARGUMENT', `${path} is not an artifact path.`);
    checkVersionPolicy(t.record, p.version);
    if (d.packages.file(t, p.path)) {
      body.destroy();
      return 'exists';
    }
    const f = await d.ingest.ingest(body, { algorithms: ['sha1', 'md5', 'sha512'], limit: { bytes: d.maxFileBytes, code: 'RESOURCE_EXHAUSTED' } }, async (blob) => {
      const now = d.clock.now().toISOString();
      return d.packages.addFile(t, {
        path: p.path, groupId: p.groupId, artifactId: p.artifactId, version: p.version, filename: p.filename, size: blob.size, digest: blob.digest,
        sha1: blob.digests.sha1!, md5: blob.digests.md5!, sha256: blob.digests.sha256!, sha512: blob.digests.sha512!, uploadTime: now, updateTime: now,
      });
    });
    d.events.emit('artifact.pushed', {
      repository: t.repository, format: 'MAVEN', package: `${f.groupId}:${f.artifactId}`, version: f.version, kind: 'file', sizeBytes: f.size, action: `preload ${f.filename}`,
    });
    return 'created';
  };

  return {
    format: 'MAVEN',
    async preload(ref, file, metadata) {
      const t = d.packages.target(ref);
      if (t.record.mode !== 'STANDARD_REPOSITORY') throw new EmulatorError('FAILED_PRECONDITION', 'Maven files preload into a standard repository only.');
      const name = basename(file);
      const ext = /\.(jar|war|aar|pom)$/.exec(name)?.[1];
      if (!ext) throw new EmulatorError('INVALID_ARGUMENT', `${name} is not a .jar, .war, .aar or .pom file.`);
      const embedded = ext === 'pom' ? {} : await embeddedPom(file);
      const groupId = metadata.groupId ?? property(embedded.properties, 'groupId');
      const artifactId = metadata.artifactId ?? property(embedded.properties, 'artifactId');
      const version = metadata.version ?? property(embedded.properties, 'version');
      if (!groupId || !artifactId || !version) {
        throw new EmulatorError('INVALID_ARGUMENT', `${name} has no META-INF/maven/…/pom.properties: give groupId, artifactId and version in the preload entry.`);
      }
      const base = `${groupId.replaceAll('.', '/')}/${artifactId}/${version}/${artifactId}-${version}`;
      if (ext === 'pom') return deploy(t, `${base}.pom`, createReadStream(file));
      const classifier = metadata.classifier ? `-${metadata.classifier}` : '';
      const result = await deploy(t, `${base}${classifier}.${ext}`, createReadStream(file));
      // the main artifact's pom, as mvn deploy sends it (a classified jar rides on the main one's)
      if (!classifier) await deploy(t, `${base}.pom`, Readable.from([Buffer.from(embedded.pom ?? minimalPom(groupId, artifactId, version))]));
      return result;
    },
  };
}
