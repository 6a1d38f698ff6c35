// The "Client settings" panel of a repository page at /ui in Debian's Chromium: the snippet is byte for
// byte what `ar-emulator print-settings` prints, the copy button puts it on the clipboard (and falls back to
// execCommand('copy') where navigator.clipboard is missing), an npm scope re-renders it, and under
// --iam=enforce it shows the token placeholder, never a token.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../support/emulator.js';
import { chromiumMissingReason, SCREENSHOT_DIR } from './chromium.js';

const missing = chromiumMissingReason();
const BIN = new URL('../../bin/ar-emulator.mjs', import.meta.url).pathname;

async function printSettings(emu: TestEmulator, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'print-settings', ...args, '--endpoint', emu.registryHost]);
  return stdout;
}

async function openRepository(context: BrowserContext, emu: TestEmulator, repo: string, project = TEST_PROJECT): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${emu.url}/ui/#/repositories/${project}/${TEST_LOCATION}/${repo}`);
  await page.getByTestId('settings-snippet').waitFor({ timeout: 5000 });
  return page;
}

test.describe('client settings on the repository page', () => {
  test.skip(missing !== undefined, missing ?? '');
  test.describe.configure({ mode: 'serial' });
  let emu: TestEmulator;
  let context: BrowserContext;

  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    emu = await startEmulator();
    await emu.createRepository('js', { format: 'NPM' });
    await emu.createRepository('py', { format: 'PYTHON' });
    await emu.createRepository('img', { format: 'DOCKER' });
    context = await browser.newContext({ viewport: { width: 1280, height: 820 }, permissions: ['clipboard-read', 'clipboard-write'] });
  });
  test.afterAll(async () => {
    await context?.close();
    await emu?.stop();
  });

  for (const [tool, repo] of [['npm', 'js'], ['python', 'py'], ['docker', 'img']] as const) {
    test(`shows the ${tool} snippet for ${repo} exactly as print-settings prints it`, async () => {
      const page = await openRepository(context, emu, repo);
      expect(await page.getByTestId('client-settings').getAttribute('data-tool')).toBe(tool);
      expect(await page.getByTestId('settings-snippet').textContent()).toBe(await printSettings(emu, [tool, '--repository', repo]));
      await page.screenshot({ path: join(SCREENSHOT_DIR, `settings-${tool}.png`), fullPage: true });
      await page.close();
    });
  }

  test('copies the snippet to the clipboard', async () => {
    const page = await openRepository(context, emu, 'py');
    const text = await page.getByTestId('settings-snippet').textContent();
    await page.getByTestId('client-settings').getByTestId('copy').click();
    await page.getByTestId('client-settings').getByTestId('copy').filter({ hasText: 'Copied' }).waitFor({ timeout: 2000 });
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(text);
    await page.close();
  });

  test('re-renders the npm snippet for a scope', async () => {
    const page = await openRepository(context, emu, 'js');
    await page.getByTestId('settings-scope').fill('@acme');
    await page.getByTestId('settings-scope').press('Enter');
    await page.getByTestId('settings-snippet').filter({ hasText: '@acme:registry=' }).waitFor({ timeout: 2000 });
    expect(await page.getByTestId('settings-snippet').textContent()).toBe(await printSettings(emu, ['npm', '--repository', 'js', '--scope', '@acme']));
    await page.close();
  });

  test('falls back to execCommand(\'copy\') where navigator.clipboard is missing', async ({ browser }: { browser: Browser }) => {
    const plain = await browser.newContext();
    // test/ has no DOM types: the page scripts are strings
    await plain.addInitScript(`
      Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined, configurable: true });
      document.addEventListener('copy', (e) => {
        const area = e.target;
        window.copied = area.value ? area.value.slice(area.selectionStart, area.selectionEnd) : '';
      });`);
    const page = await openRepository(plain, emu, 'js');
    expect(await page.evaluate('typeof navigator.clipboard')).toBe('undefined');
    const text = await page.getByTestId('settings-snippet').textContent();
    await page.getByTestId('client-settings').getByTestId('copy').click();
    await page.getByTestId('client-settings').getByTestId('copy').filter({ hasText: 'Copied' }).waitFor({ timeout: 2000 });
    expect(await page.evaluate('window.copied')).toBe(text);
    expect(await page.locator('textarea.copy-buffer').count()).toBe(0);
    await plain.close();
  });
});

test.describe('client settings under --iam=enforce', () => {
  test.skip(missing !== undefined, missing ?? '');
  const P = 'enforce-ui-project';
  let emu: TestEmulator;

  test.beforeAll(async () => {
    emu = await startEmulator({ iam: 'enforce', defaultProject: P });
    const owner = (await (await fetch(`${emu.url}/_emulator/iam/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { accessToken: string };
    const res = await fetch(`${emu.url}/v1/projects/${P}/locations/${TEST_LOCATION}/repositories?repositoryId=js`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.accessToken}` }, body: '{"format":"NPM"}',
    });
    expect(res.status).toBe(200);
  });
  test.afterAll(async () => {
    await emu?.stop();
  });

  test('shows the $AR_EMULATOR_TOKEN placeholder and the advice, as print-settings does, and no token', async ({ browser }: { browser: Browser }) => {
    const context = await browser.newContext();
    const page = await openRepository(context, emu, 'js', P);
    const text = await page.getByTestId('settings-snippet').textContent();
    expect(text).toContain(`//localhost:${emu.emulator.port}/${P}/js/:_authToken=\${AR_EMULATOR_TOKEN}`);
    expect(text).not.toContain('ya29.');
    expect(text).toBe(await printSettings(emu, ['npm', '--repository', 'js']));
    expect(await page.getByTestId('settings-notes').textContent()).toContain('export AR_EMULATOR_TOKEN=');
    await context.close();
  });
});
