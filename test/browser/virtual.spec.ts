// A virtual repository in the dashboard at /ui, in Debian's Chromium: its page lists the members in the order
// they are asked and shows the dependency-confusion warning (a remote member outranks a standard one holding
// packages); the warning disappears once the standard member gets the higher priority; the feed reads the
// virtual.shadowing event in words.
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../support/emulator.js';
import { pushImage } from '../integration/virtual/push-image.js';
import { chromiumMissingReason, openLiveDashboard, SCREENSHOT_DIR } from './chromium.js';

const missing = chromiumMissingReason();
const name = (id: string) => `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${id}`;

test.describe('virtual repositories in the dashboard', () => {
  test.skip(missing !== undefined, missing ?? '');
  test.describe.configure({ mode: 'serial' });
  let emu: TestEmulator;
  let page: Page;
  const api = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, await res.clone().text()).toBe(200);
    return res;
  };

  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    emu = await startEmulator();
    await emu.createRepository('internal');
    await api('POST', `/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=hub`, {
      format: 'DOCKER', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: 'http://127.0.0.1:9' } } },
    });
    await pushImage(emu.url, `${TEST_PROJECT}/internal/team/app`, 'v1');
    page = await openLiveDashboard(browser, emu.url);
  });
  test.afterAll(async () => {
    await emu?.stop();
  });

  test('shows the members in order and the dependency-confusion warning, which goes once fixed', async () => {
    await api('POST', `/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=all`, {
      format: 'DOCKER', mode: 'VIRTUAL_REPOSITORY',
      virtualRepositoryConfig: { upstreamPolicies: [{ id: 'internal', repository: name('internal'), priority: 1 }, { id: 'hub', repository: name('hub'), priority: 10 }] },
    });
    await page.goto(`${emu.url}/ui/#/repositories/${TEST_PROJECT}/${TEST_LOCATION}/all`);
    const rows = page.getByTestId('virtual-upstream');
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toContainText('hub');
    await expect(page.getByTestId('virtual-warning')).toContainText('remote hub (priority 10) is asked before standard internal (priority 1), which holds 1 package: team/app');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'virtual-repository-warning.png'), fullPage: true });
    const patched = await api('PATCH', `/v1/${name('all')}?updateMask=virtualRepositoryConfig`, {
      virtualRepositoryConfig: { upstreamPolicies: [{ id: 'internal', repository: name('internal'), priority: 100 }, { id: 'hub', repository: name('hub'), priority: 10 }] },
    });
    expect(patched.headers.get('warning')).toBeNull();
    await page.reload();
    await expect(rows.first()).toContainText('internal');
    await expect(page.getByTestId('virtual-warning')).toHaveCount(0);
  });

  test('reads the virtual.shadowing event in the feed', async () => {
    await page.goto(`${emu.url}/ui/#/feed`);
    await expect(page.locator('[data-testid="feed-entry"][data-type="virtual.shadowing"]').first()).toContainText('Dependency-confusion risk in all: remote hub outranks standard internal');
  });
});
