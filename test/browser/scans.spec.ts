// The image view's vulnerabilities in Debian's Chromium: an image whose one gzip layer holds a Debian 12 dpkg status,
// a package-lock.json and a Python dist-info at versions named by seed advisories is pushed over the OCI API and
// scanned on push; its image view shows the findings grouped by severity (advisory, package, installed, fixed) read
// from the emulator's Container Analysis API, the scan status, and "Scan again" scans it on demand; the feed reads
// the scans in words; an image whose layer is not gzip shows its failed scan with the reason. Run with IAM open and
// enforced (the dashboard's token acts as the local owner). A screenshot goes to test-results/ui/image-findings.png.
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, test, type Browser, type Page } from '@playwright/test';
import tar from 'tar-stream';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../support/emulator.js';
import { sha256 } from '../support/registry.js';
import { chromiumMissingReason, SCREENSHOT_DIR, openLiveDashboard } from './chromium.js';

const missing = chromiumMissingReason();
const P = TEST_PROJECT;
const L = TEST_LOCATION;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

async function layer(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
  return gzipSync(Buffer.concat(chunks));
}

const FILES = {
  'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
  'var/lib/dpkg/status': 'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u1\nDescription: TLS\n',
  'app/package-lock.json': JSON.stringify({
    name: 'app', version: '1.0.0', lockfileVersion: 3,
    packages: { '': { name: 'app', version: '1.0.0', dependencies: { lodash: '4.17.20' } }, 'node_modules/lodash': { version: '4.17.20' } },
  }),
  'usr/lib/python3/dist-packages/requests-2.30.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: requests\nVersion: 2.30.0\n',
};

for (const iam of ['open', 'enforce'] as const) test.describe(`image findings in Chromium (IAM ${iam})`, () => {
  test.skip(missing !== undefined, missing ?? '');
  test.describe.configure({ mode: 'serial' });
  let emu: TestEmulator;
  let page: Page;
  let digest: string;
  let uri: string;
  let auth: Record<string, string> = {};
  const view = (image: string, d: string) => page.goto(`${emu.url}/ui/#/image/${[P, L, 'scanned', image, d].map(encodeURIComponent).join('/')}`);

  /** Pushes a one-layer image over the OCI API (as the owner when IAM is enforced); its digest. */
  const push = async (image: string, bytes: Buffer): Promise<string> => {
    const name = `${P}/scanned/${image}`;
    const blob = async (data: Buffer | string) => {
      const res = await fetch(`${emu.url}/v2/${name}/blobs/uploads/?digest=${sha256(data)}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: data });
      expect(res.status).toBe(201);
      return sha256(data);
    };
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    const manifest = JSON.stringify({
      schemaVersion: 2, mediaType: MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await blob(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await blob(bytes), size: bytes.length }],
    });
    const res = await fetch(`${emu.url}/v2/${name}/manifests/v1`, { method: 'PUT', headers: { ...auth, 'content-type': MANIFEST }, body: manifest });
    expect(res.status).toBe(201);
    return sha256(manifest);
  };

  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    emu = await startEmulator({ iam });
    if (iam === 'enforce') {
      const owner = ((await (await fetch(`${emu.url}/_emulator/iam/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { accessToken: string }).accessToken;
      auth = { authorization: `Bearer ${owner}` };
    }
    const created = await fetch(`${emu.url}/v1/projects/${P}/locations/${L}/repositories?repositoryId=scanned`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ format: 'DOCKER' }) });
    expect(created.status).toBe(200);
    await fetch(`${emu.url}/_emulator/vulndb`).then((r) => r.json());
    page = await openLiveDashboard(browser, emu.url);
    digest = await push('app', await layer(FILES));
    uri = `https://${L}-docker.pkg.dev/${P}/scanned/app@${digest}`;
  });
  test.afterAll(async () => {
    await emu?.stop();
  });

  test('shows the findings of a pushed image grouped by severity, with the scan status', async () => {
    await view('app', digest);
    await page.getByTestId('scan-state').filter({ hasText: 'finished' }).waitFor({ timeout: 10_000 });
    await page.getByTestId('finding-group').first().waitFor();
    const groups = await page.getByTestId('finding-group').evaluateAll((els) =>
      els.map((g) => ({
        severity: g.getAttribute('data-severity'),
        rows: [...g.querySelectorAll('[data-testid="finding"]')].map((r) =>
          ['finding-advisory', 'finding-package', 'finding-installed', 'finding-fixed'].map((id) => r.querySelector(`[data-testid="${id}"]`)?.textContent?.trim()).join(' ')),
      })),
    );
    expect(groups).toEqual([
      { severity: 'HIGH', rows: ['GHSA-35jh-r3h4-6jhm lodash 4.17.20 4.17.21'] },
      { severity: 'MEDIUM', rows: ['GHSA-j8r2-6x86-q33q requests 2.30.0 2.31.0'] },
      { severity: 'UNSPECIFIED', rows: ['DSA-5532-1 openssl 3.0.11-1~deb12u1 3.0.11-1~deb12u2'] },
    ]);
    expect(await page.getByTestId('scan-time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await page.getByTestId('scan-error').count()).toBe(0);
    if (iam === 'open') await page.screenshot({ path: join(SCREENSHOT_DIR, 'image-findings.png'), fullPage: true });
  });

  test('"Scan again" scans the image on demand and shows the result', async () => {
    const before = await page.getByTestId('scan-time').getAttribute('datetime');
    await page.getByTestId('scan-again').click();
    await page.getByTestId('scan-note').filter({ hasText: 'Scanned: 3 findings, 3 fixable.' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByTestId('scan-time').getAttribute('datetime')).not.toBe(before);
    expect(await page.getByTestId('finding').count()).toBe(3);
    // the API says the same: one on-demand scan, the DISCOVERY occurrence's lastScanTime is the shown one
    const res = await fetch(`${emu.url}/v1/projects/${P}/occurrences?filter=${encodeURIComponent(`resourceUrl = "${uri}" AND kind = "DISCOVERY"`)}`, { headers: auth });
    const [d] = ((await res.json()) as { occurrences: Array<{ discovery: { lastScanTime: string } }> }).occurrences;
    expect(await page.getByTestId('scan-time').getAttribute('datetime')).toBe(d!.discovery.lastScanTime);
  });

  test('the feed reads the scans in words, under "Scans"', async () => {
    await page.click('nav.nav >> text=Feed');
    const img = `scanned/app@${digest.slice(0, 19)}`;
    await page.locator('[data-testid="feed-entry"][data-type="scan.started"]', { hasText: `Scanning ${img}` }).filter({ hasText: 'on demand' }).first().waitFor({ timeout: 5000 });
    const done = page.locator('[data-testid="feed-entry"][data-type="scan.completed"]', { hasText: `Scan of ${img} found 3 vulnerabilities` }).first();
    await done.waitFor({ timeout: 5000 });
    expect(await done.textContent()).toContain('1 high · 1 medium · 1 unrated · 3 fixable');
    expect(await done.getAttribute('data-category')).toBe('scan');
  });

  test('shows a failed scan with its reason, and no findings', async () => {
    const broken = await push('broken', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('not really gzip')]));
    await view('broken', broken);
    await page.getByTestId('scan-state').filter({ hasText: 'failed' }).waitFor({ timeout: 10_000 });
    expect((await page.getByTestId('scan-error').textContent())?.length).toBeGreaterThan(0);
    expect(await page.getByTestId('finding').count()).toBe(0);
    await page.click('nav.nav >> text=Feed');
    const failed = page.locator('[data-testid="feed-entry"][data-type="scan.failed"]', { hasText: `Scan of scanned/broken@${broken.slice(0, 19)} failed` }).first();
    await failed.waitFor({ timeout: 5000 });
    expect(await failed.getAttribute('data-category')).toBe('scan');
  });
});
