// The dashboard with --iam=enforce: it keeps working (its per-process token acts as the local owner), and a
// push the caller's role does not allow shows up as a violation entry in the live feed.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startEmulator, TEST_PROJECT, type TestEmulator } from '../support/emulator.js';
import { chromiumMissingReason, openLiveDashboard, waitForLiveFeed } from './chromium.js';

const missing = chromiumMissingReason();

test.describe('dashboard with IAM enforced', () => {
  test.skip(missing !== undefined, missing ?? '');
  test.describe.configure({ mode: 'serial' });
  let emu: TestEmulator;
  let browser: Browser;
  let page: Page;
  let reader = '';

  const call = async (method: string, path: string, body?: unknown, token?: string) =>
    fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

  test.beforeAll(async ({ browser: shared }) => {
    emu = await startEmulator({ iam: 'enforce' });
    const owner = ((await (await call('POST', '/_emulator/iam/tokens', {})).json()) as { accessToken: string }).accessToken;
    await call('POST', `/v1/projects/${TEST_PROJECT}/locations/us-central1/repositories?repositoryId=locked`, { format: 'DOCKER' }, owner);
    await call('POST', `/v1/projects/${TEST_PROJECT}/serviceAccounts`, { accountId: 'ui-reader' });
    const sa = `serviceAccount:ui-reader@${TEST_PROJECT}.iam.gserviceaccount.com`;
    await call('POST', `/v1/projects/${TEST_PROJECT}/locations/us-central1/repositories/locked:setIamPolicy`, { policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [sa] }] } }, owner);
    reader = ((await (await call('POST', '/_emulator/iam/tokens', { principal: sa })).json()) as { accessToken: string }).accessToken;
    browser = shared;
    page = await openLiveDashboard(browser, emu.url);
  });
  test.afterAll(async () => {
    await emu?.stop();
  });

  test('lists repositories through its token, and shows a denied push as a violation', async () => {
    await page.goto(`${emu.url}/ui/#/repositories`);
    await page.locator('text=locked').first().waitFor({ timeout: 3000 });
    await waitForLiveFeed(page, emu.url);
    const denied = await call('POST', `/v2/${TEST_PROJECT}/locked/app/blobs/uploads/`, undefined, reader);
    expect(denied.status).toBe(403);
    const entry = page.locator('[data-testid="feed-entry"][data-category="violation"]', { hasText: 'ui-reader' });
    await entry.first().waitFor({ timeout: 2000 });
    expect(await entry.first().textContent()).toContain('artifactregistry.repositories.uploadArtifacts');
  });
});
