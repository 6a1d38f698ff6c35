// What the inventory of an image meets in the seed database (resources/vulndb/seed): the extractor's ecosystems,
// releases, source packages and names are the ones the matcher expects.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { bufferLayer, goBinary, gzLayer } from '../../../test/fixtures/inventory/layers.js';
import { normalizePackageName, parseEcosystem, type EcosystemBase } from '../ecosystems.js';
import { matchItem, namesPackage } from '../match.js';
import { toStored, validateOsv, type StoredAdvisory } from '../osv.js';
import { extractInventory, type ImageInventory } from './index.js';

const seedDir = new URL('../../../resources/vulndb/seed/', import.meta.url);
const seed: StoredAdvisory[] = readdirSync(seedDir).map((f) => {
  const v = validateOsv(JSON.parse(readFileSync(new URL(f, seedDir), 'utf8')));
  if (!v.ok) throw new Error(v.reason);
  const s = toStored(v.advisory, v.ecosystems, '2026-01-01T00:00:00Z');
  if ('problem' in s) throw new Error(s.problem);
  return s;
});
const lookup = (base: EcosystemBase, name: string): StoredAdvisory[] =>
  seed.filter((a) => (a.osv.affected ?? []).some((x) => x.package && parseEcosystem(x.package.ecosystem)?.base === base && namesPackage(base, normalizePackageName(base, x.package.name), name)));
const findings = (inv: ImageInventory): string[] =>
  inv.packages.flatMap((p) => matchItem(p, lookup).map((f) => `${f.id} ${p.name} ${p.version}${f.fixedVersion ? ` -> ${f.fixedVersion}` : ''}`)).sort();

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

function jar(files: Record<string, string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, body] of Object.entries(files)) z.addBuffer(Buffer.from(body), name);
  z.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

describe('inventory against the seed advisories', () => {
  it('a Debian 12 image with npm, Python, Java and Go packages', async () => {
    const log4j = await jar({ 'META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties': 'groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n' });
    const inv = await extractInventory([
      await gzLayer([
        { name: 'etc/os-release', body: fixture('os-release.debian12') },
        { name: 'var/lib/dpkg/status', body: fixture('dpkg-status.debian12') },
      ]),
      await gzLayer([
        { name: 'app/package-lock.json', body: fixture('package-lock.v3.json') },
        { name: 'usr/lib/python3/dist-packages/requests-2.30.0.dist-info/METADATA', body: fixture('METADATA.requests') },
        { name: 'opt/app/lib/log4j-core-2.14.1.jar', body: log4j },
        { name: 'usr/local/bin/app', body: goBinary('go1.21.3', 'path\tex/app\nmod\tex/app\t(devel)\t\ndep\tgolang.org/x/text\tv0.3.7\th1:x=\ndep\tgolang.org/x/net\tv0.15.0\th1:y=\n') },
      ]),
    ]);
    expect(findings(inv)).toEqual(
      [
        'DSA-5514-1 libc6 2.36-9+deb12u1 -> 2.36-9+deb12u3',
        'DSA-5532-1 libssl3 3.0.11-1~deb12u1 -> 3.0.11-1~deb12u2',
        'GHSA-35jh-r3h4-6jhm lodash 4.17.20 -> 4.17.21',
        'GHSA-xvch-5gv4-984h minimist 1.2.5 -> 1.2.6',
        'GHSA-xvch-5gv4-984h minimist 0.2.1 -> 0.2.4',
        'GHSA-j8r2-6x86-q33q requests 2.30.0 -> 2.31.0',
        'GHSA-jfh8-c2jp-5v3q org.apache.logging.log4j:log4j-core 2.14.1 -> 2.15.0',
        // GHSA-69ch-w2m2-3vjp names the Go package golang.org/x/text/language: found from its module (match.ts namesPackage)
        'GHSA-69ch-w2m2-3vjp golang.org/x/text v0.3.7 -> 0.3.8',
        'GHSA-qppj-fm5r-hxr3 golang.org/x/net v0.15.0 -> 0.17.0',
      ].sort(),
    );
  });

  it('an Alpine 3.18 image (the zstd fixture): openssl through libssl3\'s origin', async () => {
    const inv = await extractInventory([bufferLayer(fixture('alpine-layer.tar.zst'), 'application/vnd.oci.image.layer.v1.tar+zstd')]);
    expect(findings(inv)).toEqual(['ALPINE-CVE-2023-5363 libssl3 3.1.3-r0 -> 3.1.4-r0']);
  });
});
