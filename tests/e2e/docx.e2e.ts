import { expect, test } from '@playwright/test';
import path from 'node:path';
import { createDemoWorld, DOCS, startSandbox, TOKENS, type Sandbox } from '../sandbox';
import { fileSha256, findChromium, launchExtensionBrowser, listFiles, sha256, type ExtensionBrowser } from './harness';
import { badgeText, openDocument, openTabList, saveFeishuSettings } from './steps';

test.skip(!findChromium() && !process.env.CI, 'no Chromium on this machine (see the warning above)');

let sandbox: Sandbox;
let browser: ExtensionBrowser;

test.beforeEach(async () => {
  sandbox = await startSandbox();
  browser = await launchExtensionBrowser({ sandbox });
});

test.afterEach(async () => {
  await browser?.close();
  await sandbox?.close();
});

const WEEKLY_URL = `https://acme.feishu.cn/docx/${DOCS.weekly}?from=from_copylink`;

test('lists and downloads every attachment of a Feishu docx from the popup', async () => {
  await saveFeishuSettings(browser, { token: TOKENS.feishuUser });
  const { tabId } = await openDocument(browser, WEEKLY_URL);
  await expect.poll(() => badgeText(browser, tabId)).toBe('16');

  const popup = await openTabList(browser, tabId);
  const rows = popup.getByRole('listitem');
  await expect(rows).toHaveCount(16);
  await expect(rows.filter({ hasText: '季度报告.pdf' })).toHaveCount(1);
  await expect(rows.filter({ hasText: '会议纪要.txt' })).toHaveCount(2);

  await popup.getByRole('button', { name: /^Download all/ }).click();
  await expect(rows.filter({ hasText: 'Done' })).toHaveCount(16, { timeout: 60_000 });

  console.log(listFiles(browser.downloadsDir));
});
