import { CUSTOM_HOST, DOCS, startSandbox, TOKENS, type Sandbox } from '../sandbox';
import { allowPermissionPrompt, desktopToolsMissing, ensureDisplay } from './desktop';
import { expect, test } from './fixtures';
import { launchExtensionBrowser, listFiles, type ExtensionBrowser } from './harness';
import { apiCalls, expectPlatformRulesKept } from './invariants';
import { badgeText, openDocument, openTabList, saveFeishuSettings } from './steps';

let sandbox: Sandbox;
let browser: ExtensionBrowser | undefined;
let stopDisplay = () => undefined as void;

test.beforeEach(() => {
  const missing = desktopToolsMissing();
  if (missing && process.env.CI) throw new Error(`${missing}: .ci/run installs xvfb and xdotool`);
  test.info().skip(missing !== null, `${missing ?? ''}: the permission dialog cannot be answered here`);
});

test.afterEach(async () => {
  await browser?.close();
  await sandbox?.close();
  stopDisplay();
});

test('a private deployment added in the options page is recognised at once, with its own API origin', async () => {
  sandbox = await startSandbox();
  const { display, stop } = await ensureDisplay();
  stopDisplay = stop;
  browser = await launchExtensionBrowser({ sandbox, headless: false, display });

  const options = await browser.context.newPage();
  await options.goto(browser.extensionUrl('options.html'));
  await options.getByLabel('Custom web host').fill(CUSTOM_HOST.host);
  await options.getByLabel('Custom API base URL').fill(CUSTOM_HOST.apiBase);
  await options.getByRole('button', { name: 'Add host' }).click();
  await options.waitForTimeout(1000);
  allowPermissionPrompt(display);
  await expect(options.getByText(`Added ${CUSTOM_HOST.host}.`, { exact: false })).toBeVisible();
  await expect(options.getByRole('list', { name: /Private deployments/ })).toContainText(`${CUSTOM_HOST.host} → ${CUSTOM_HOST.apiBase}`);
  await options.close();
  await saveFeishuSettings(browser, { token: TOKENS.feishuUser });

  // Same browser session, no reinstall: the content script now runs there and the page is listed.
  const { tabId } = await openDocument(browser, `https://${CUSTOM_HOST.host}/docx/${DOCS.weekly}`);
  await expect.poll(() => badgeText(browser!, tabId), { timeout: 20_000 }).toBe('16');
  const list = await openTabList(browser, tabId);
  await expect(list.getByRole('listitem')).toHaveCount(16);
  await list.getByRole('button', { name: /^Download all/ }).click();
  await expect(list.getByRole('listitem').filter({ hasText: 'Done' })).toHaveCount(16, { timeout: 60_000 });
  expect(listFiles(browser.downloadsDir)).toHaveLength(16);

  const hosts = new Set(apiCalls(sandbox).map((r) => r.host));
  expect([...hosts]).toEqual([]);
  expect(new Set(sandbox.log.filter((r) => r.endpoint).map((r) => r.host))).toEqual(new Set([CUSTOM_HOST.apiHost]));
  expect(sandbox.log.filter((r) => 'authorization' in r.headers).every((r) => r.host === CUSTOM_HOST.apiHost)).toBe(true);
  expectPlatformRulesKept(sandbox);
});
