// Java archives: a jar (or war) is a zip (https://docs.oracle.com/en/java/javase/21/docs/specs/jar/jar.html); Maven
// writes `META-INF/maven/GROUP/ARTIFACT/pom.properties` into what it packages (maven-archiver,
// https://maven.apache.org/shared/maven-archiver/), a Java properties file
// (https://docs.oracle.com/javase/8/docs/api/java/util/Properties.html#load-java.io.Reader-) with `groupId`,
// `artifactId` and `version`. A shaded jar holds several. Jars inside a war or a Spring Boot jar
// (`WEB-INF/lib/*.jar`, `BOOT-INF/lib/*.jar`) are read one level deep. yauzl reads the zip from memory and checks
// every entry's sizes; an archive it refuses is a warning.
import { createRequire } from 'node:module';
import type yauzl from 'yauzl';
import type { ParseResult, RawPackage } from './raw.js';

const require = createRequire(import.meta.url);
let yauzlModule: typeof yauzl | undefined;
const yauzlLib = (): typeof yauzl => (yauzlModule ??= require('yauzl') as typeof yauzl);

export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^((?:\\.|[^=:\s\\])+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out.set(m[1]!.replace(/\\(.)/g, '$1'), m[2]!.replace(/\\(.)/g, '$1'));
  }
  return out;
}

function openZip(buf: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzlLib().fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (entry.uncompressedSize > max) return reject(new Error(`${entry.fileName} is over ${max} bytes`));
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) stream.destroy(new Error(`${entry.fileName} is over ${max} bytes`));
        else chunks.push(c);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

/** `path` is the archive's path in the image; `maxBytes` bounds a nested jar held in memory. */
export async function parseJavaArchive(buf: Buffer, path: string, maxBytes: number, depth = 0): Promise<ParseResult> {
  const packages: RawPackage[] = [];
  const warnings: string[] = [];
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(buf);
  } catch (err) {
    return { packages, warnings: [`/${path}: not a readable jar (${(err as Error).message})`] };
  }
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          const name = entry.fileName;
          if (/^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(name)) {
            const props = parseProperties((await readEntry(zip, entry, 1024 * 1024)).toString('utf8'));
            const groupId = props.get('groupId');
            const artifactId = props.get('artifactId');
            const version = props.get('version');
            if (groupId && artifactId && version) {
              packages.push({ kind: 'Maven', packageType: 'MAVEN', name: `${groupId}:${artifactId}`, version, filePath: `/${path}` });
            }
          } else if (depth === 0 && /\.jar$/i.test(name) && !name.endsWith('/')) {
            const nested = `${path}!/${name}`;
            if (entry.uncompressedSize > maxBytes) warnings.push(`/${nested}: over maxFileBytes (${maxBytes}), not read`);
            else {
              const inner = await parseJavaArchive(await readEntry(zip, entry, maxBytes), nested, maxBytes, depth + 1);
              packages.push(...inner.packages);
              warnings.push(...inner.warnings);
            }
          }
        })().then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } catch (err) {
    warnings.push(`/${path}: jar not fully read (${(err as Error).message})`);
  } finally {
    zip.close();
  }
  return { packages, warnings };
}
