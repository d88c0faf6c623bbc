import { expect, test } from './fixtures';
import { DOCS, startSandbox, TOKENS, type Sandbox } from '../sandbox';
import { launchExtensionBrowser, listFiles, type ExtensionBrowser } from './harness';
import { expectNoCredentialLogged, expectPlatformRulesKept, knownFeishuSecrets } from './invariants';
import { badgeText, openDocument, openTabList, saveFeishuSettings } from './steps';

let sandbox: Sandbox;
let browser: ExtensionBrowser;

test.beforeEach(async () => {
  sandbox = await startSandbox();
  browser = await launchExtensionBrowser({ sandbox });
});

test.afterEach(async () => {
  try {
    // Refused, expired and unknown tokens make error messages: none of them may carry a token into a log.
    if (browser) expectNoCredentialLogged(browser.logs, [...knownFeishuSecrets(sandbox), BAD_TOKEN]);
  } finally {
    await browser?.close();
    await sandbox?.close();
  }
});

const BAD_TOKEN = 'u-not-a-real-token-0000000000';

test('a document not shared with the token says so, with the code, and how to fix it', async () => {
  await saveFeishuSettings(browser, { token: TOKENS.feishuUser });
  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/docx/${DOCS.private}`);
  await expect.poll(() => badgeText(browser, tabId)).toBe('!');
  const popup = await openTabList(browser, tabId);
  const alert = popup.getByRole('alert');
  await expect(alert).toContainText('No access to this document');
  await expect(alert).toContainText('Add document app');
  await expect(alert).toContainText('1770032');
  await expect(alert.getByRole('button', { name: 'Try again' })).toBeVisible();
});

test('a token without the media scope lists the files, then marks each one failed naming the scope', async () => {
  await saveFeishuSettings(browser, { token: TOKENS.feishuNoMediaScope });
  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/docx/${DOCS.weekly}`);
  const popup = await openTabList(browser, tabId);
  const rows = popup.getByRole('listitem');
  await expect(rows).toHaveCount(16);
  await popup.getByRole('button', { name: /^Download all/ }).click();
  await expect(rows.filter({ hasText: 'Failed' })).toHaveCount(16, { timeout: 30_000 });
  await expect(rows.first()).toContainText('docs:document.media:download');
  await expect(popup.getByRole('status').filter({ hasText: '16 failed' })).toBeVisible();
  expect(listFiles(browser.downloadsDir)).toEqual([]);
  // One refused call per batch of five, never one per file.
  expect(sandbox.log.filter((r) => r.endpoint === 'drive.media.tmp-url').length).toBeLessThanOrEqual(4);
  expectPlatformRulesKept(sandbox);
});

test('an expired token is reported as expired, with the way to settings', async () => {
  await saveFeishuSettings(browser, { token: TOKENS.feishuExpired });
  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/docx/${DOCS.weekly}`);
  const popup = await openTabList(browser, tabId);
  await expect(popup.getByRole('alert')).toContainText('has expired');
  await expect(popup.getByRole('alert')).toContainText('99991677');
  await expect(popup.getByRole('button', { name: 'Open settings' })).toBeVisible();
});

test('"Test connection" answers in words for user, tenant and bad tokens', async () => {
  const page = await browser.context.newPage();
  await page.goto(browser.extensionUrl('options.html'));
  const token = page.getByLabel('Feishu access token');
  const status = page.getByRole('status');

  await token.fill(TOKENS.feishuUser);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(status).toHaveText('Connected to https://open.feishu.cn as 张三 (user token).');

  await token.fill(TOKENS.feishuTenant);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(status).toHaveText('Connected to https://open.feishu.cn: tenant 示例科技有限公司 (tenant token).');

  await token.fill(TOKENS.larkUser);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(status).toHaveText('Connected to https://open.larksuite.com as Alex Kim (user token).');

  await token.fill(BAD_TOKEN);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(status).toContainText('rejected the access token');

  await page.getByLabel('Feishu API base URL').fill('http://open.feishu.cn/some/path');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('https://');
});
