/** Renders docs/popup.png for the README: the popup on the sample document, halfway through "Download all". */
import { expect } from '@playwright/test';
import { findChromium, launchExtensionBrowser } from '../tests/e2e/harness';
import { openDocument, saveFeishuSettings } from '../tests/e2e/steps';
import { DOCS, startSandbox, TOKENS } from '../tests/sandbox';

if (!findChromium()) throw new Error('No Chromium: set CHROMIUM_PATH');
const lang = process.argv[2] ?? 'en-US';
const sandbox = await startSandbox({ throttleBytesPerSecond: 50_000 });
const browser = await launchExtensionBrowser({ sandbox, lang });
await saveFeishuSettings(browser, { token: TOKENS.feishuUser });
const { tabId } = await openDocument(browser, `https://acme.feishu.cn/docx/${DOCS.weekly}`);
const popup = await browser.context.newPage();
await popup.setViewportSize({ width: 420, height: 580 });
// Without ?tabId the page would look for the active tab; with it, it is the same popup, as a page.
await popup.goto(browser.extensionUrl(`popup.html?tabId=${tabId}`));
await popup.addStyleTag({ content: 'main.in-tab { width: 420px; max-width: none; margin: 0; padding: 12px 14px; }' });
await expect(popup.getByRole('listitem')).toHaveCount(16);
await popup.getByRole('button', { name: /^(Download all|全部下载)/ }).click();
await expect.poll(() => popup.getByRole('listitem').filter({ hasText: /Done|已完成/ }).count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(6);
const file = lang.startsWith('zh') ? 'docs/popup-zh.png' : 'docs/popup.png';
await popup.screenshot({ path: file });
console.log(file);
await browser.close();
await sandbox.close();
