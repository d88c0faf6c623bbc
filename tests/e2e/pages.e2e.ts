import { expect, test } from './fixtures';
import { DOCS, startSandbox, TOKENS, type Sandbox } from '../sandbox';
import { launchExtensionBrowser, type ExtensionBrowser } from './harness';
import { badgeText, openDocument, openTabList, saveFeishuSettings } from './steps';

let sandbox: Sandbox;
let browser: ExtensionBrowser | undefined;

test.beforeEach(async () => {
  sandbox = await startSandbox();
});

test.afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await sandbox?.close();
});

test('follows in-app navigation: the badge and the list change with the document shown', async () => {
  browser = await launchExtensionBrowser({ sandbox });
  await saveFeishuSettings(browser, { token: TOKENS.feishuUser });
  const { page, tabId } = await openDocument(browser, `https://acme.feishu.cn/docx/${DOCS.empty}`);
  const popup = await openTabList(browser, tabId);
  await expect(popup.getByText('No attachments found in this document.')).toBeVisible();

  // The sandbox page navigates like Feishu's single-page app: history.pushState, no reload.
  await page.getByRole('link', { name: '项目周报 2026-W47' }).click();
  await expect(page).toHaveURL(new RegExp(`/docx/${DOCS.weekly}$`));
  await expect.poll(() => badgeText(browser!, tabId)).toBe('16');
  await expect(popup.getByRole('listitem')).toHaveCount(16);

  await page.getByRole('link', { name: 'Mind map' }).click();
  await expect.poll(() => badgeText(browser!, tabId)).toBe('');
  await expect(popup.getByText(/This is a Feishu mind map,/)).toBeVisible();
});

test('a page that is not a document is named, and an unrelated tab is not supported', async () => {
  browser = await launchExtensionBrowser({ sandbox });
  const { tabId } = await openDocument(browser, 'https://acme.feishu.cn/slides/sldcnQ7mBz8XcN2vLr5TtYh9Ud');
  const popup = await openTabList(browser, tabId);
  await expect(popup.getByText(/This is a Feishu slide deck/)).toBeVisible();

  // A tab on another site: without host access the extension cannot even read its URL, and must say so plainly.
  await browser.context.newPage();
  const blankTab = await browser.worker.evaluate(async () => Math.max(...(await chrome.tabs.query({})).map((t) => t.id ?? -1)));
  const other = await openTabList(browser, blankTab);
  await expect(other.getByText('Open a Feishu or Lark document, or an Ekuaibao (合思) form, to list its attachments.')).toBeVisible();
});

test('speaks Chinese when the browser does', async () => {
  browser = await launchExtensionBrowser({ sandbox, lang: 'zh-CN' });
  const options = await browser.context.newPage();
  await options.goto(browser.extensionUrl('options.html'));
  await options.getByLabel('飞书访问令牌').fill(TOKENS.feishuUser);
  await options.getByRole('button', { name: '保存' }).click();
  await expect(options.getByText('已保存', { exact: true })).toBeVisible();

  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/docx/${DOCS.weekly}`);
  const popup = await openTabList(browser, tabId);
  await expect(popup.getByRole('button', { name: '全部下载（16）' })).toBeVisible();
  await expect(popup.getByRole('listitem').first()).toContainText('文件');
});
