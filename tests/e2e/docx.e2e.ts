import { expect, test } from './fixtures';
import path from 'node:path';
import { createDemoWorld, DOCS, startSandbox, TOKENS, type DemoWorld, type Sandbox, type SandboxMedia } from '../sandbox';
import { fileSha256, launchExtensionBrowser, listFiles, sha256, type ExtensionBrowser } from './harness';
import { apiCalls, expectPlatformRulesKept } from './invariants';
import { badgeText, clickDownloadAllInMenu, openDocument, openTabList, saveFeishuSettings } from './steps';

let world: DemoWorld;
let sandbox: Sandbox;
let browser: ExtensionBrowser;

test.beforeEach(async () => {
  world = createDemoWorld();
  sandbox = await startSandbox({ world });
  browser = await launchExtensionBrowser({ sandbox });
});

test.afterEach(async () => {
  await browser?.close();
  await sandbox?.close();
});

const WEEKLY_URL = `https://acme.feishu.cn/docx/${DOCS.weekly}?from=from_copylink`;
const WEEKLY_FOLDER = 'Feishu/项目周报 2026-W47';

/** Where each attachment of the weekly report must land: duplicates kept, hostile names tamed, images typed. */
function expectedWeeklyFiles(): [string, SandboxMedia][] {
  const f = world.files;
  const longStem = f.longName.fileName.slice(0, 58);
  return [
    ['季度报告.pdf', f.report],
    ['image-01.png', f.photo],
    ['预算表.xlsx', f.budget],
    ['会议纪要.txt', f.minutesA],
    ['系统流程图.jpg', f.diagram],
    ['image-03.png', f.photoInTable],
    ['合同 v2 (final).docx', f.contract],
    ['会议纪要 (2).txt', f.minutesB],
    ['_x', f.traversal],
    ['a_b', f.slash],
    ['附录A.zip', f.appendix],
    ['_CON.txt', f.reserved],
    ['报销 单据.pdf', f.control],
    ['image-04.gif', f.chart],
    [`${longStem}.pdf`, f.longName],
    ['image-05.webp', f.screenshot],
  ].map(([name, media]) => [`${WEEKLY_FOLDER}/${name as string}`, media as SandboxMedia]);
}

function expectDownloadsToBe(expected: [string, SandboxMedia][]): void {
  expect(listFiles(browser.downloadsDir)).toEqual(expected.map(([file]) => file).sort());
  for (const [file, media] of expected) {
    expect(fileSha256(path.join(browser.downloadsDir, file)), file).toBe(sha256(media.bytes));
  }
}

test('lists and downloads every attachment of a Feishu docx from the popup', async () => {
  await saveFeishuSettings(browser, { token: TOKENS.feishuUser });
  const { tabId } = await openDocument(browser, WEEKLY_URL);
  await expect.poll(() => badgeText(browser, tabId)).toBe('16');

  const popup = await openTabList(browser, tabId);
  await expect(popup.getByRole('heading', { name: '项目周报 2026-W47' })).toBeVisible();
  const rows = popup.getByRole('listitem');
  await expect(rows).toHaveCount(16);
  await expect(rows.filter({ hasText: '季度报告.pdf' })).toHaveCount(1);
  await expect(rows.filter({ hasText: '会议纪要.txt' })).toHaveCount(2);
  await expect(rows.filter({ hasText: 'CON.txt' })).toHaveCount(1);

  await popup.getByRole('button', { name: /^Download all/ }).click();
  await expect(rows.filter({ hasText: 'Done' })).toHaveCount(16, { timeout: 60_000 });
  await expect(rows.filter({ hasText: 'Failed' })).toHaveCount(0);
  await expect(popup.getByRole('status').filter({ hasText: '16 of 16 saved' })).toBeVisible();

  expectDownloadsToBe(expectedWeeklyFiles());
  expectPlatformRulesKept(sandbox);
  // 3 block pages, and ⌈16 / 5⌉ = 4 tmp-URL calls: the fewest the limits allow.
  expect(sandbox.log.filter((r) => r.endpoint === 'docx.blocks.list')).toHaveLength(3);
  expect(sandbox.log.filter((r) => r.endpoint === 'drive.media.tmp-url')).toHaveLength(4);
});

test('downloads everything through the context-menu action, without opening the popup', async () => {
  await saveFeishuSettings(browser, { token: TOKENS.feishuTenant });
  const { tabId } = await openDocument(browser, WEEKLY_URL);
  await expect.poll(() => badgeText(browser, tabId)).toBe('16');

  await clickDownloadAllInMenu(browser, tabId);

  await expect.poll(() => listFiles(browser.downloadsDir).filter((f) => !f.endsWith('.crdownload')).length, { timeout: 60_000 }).toBe(16);
  await expect.poll(async () => browser.worker.evaluate(async () => (await chrome.downloads.search({ state: 'in_progress' })).length)).toBe(0);
  expectDownloadsToBe(expectedWeeklyFiles());
  expectPlatformRulesKept(sandbox);
  expect(browser.context.pages().some((p) => p.url().includes('popup.html'))).toBe(false);
});

test('a Lark page saves under Lark/ through the Lark API base', async () => {
  await saveFeishuSettings(browser, { token: TOKENS.larkUser });
  const { tabId } = await openDocument(browser, `https://acme.larksuite.com/docx/${DOCS.lark}`);
  const popup = await openTabList(browser, tabId);
  await expect(popup.getByRole('listitem')).toHaveCount(2);
  await popup.getByRole('button', { name: /^Download all/ }).click();
  await expect(popup.getByRole('listitem').filter({ hasText: 'Done' })).toHaveCount(2, { timeout: 30_000 });

  expectDownloadsToBe([
    ['Lark/Quarterly Review/Roadmap 2027.pptx', world.files.larkDeck],
    ['Lark/Quarterly Review/image-01.png', world.files.larkShot],
  ]);
  const hosts = new Set(apiCalls(sandbox).map((r) => r.host));
  expect([...hosts]).toEqual(['open.larksuite.com']);
  expectPlatformRulesKept(sandbox);
});

test('without a token the popup asks for one, offers the settings, and calls no API', async () => {
  const { page, tabId } = await openDocument(browser, WEEKLY_URL);
  await expect.poll(() => badgeText(browser, tabId)).toBe('!');
  const popup = await openTabList(browser, tabId);
  await expect(popup.getByText(/access token/)).toBeVisible();

  const settingsOpened = browser.context.waitForEvent('page', (p) => p.url().endsWith('/options.html'));
  await popup.getByRole('button', { name: 'Open settings' }).click();
  await settingsOpened;

  // The context menu on the same page shows the same explanation instead of failing silently.
  const explained = browser.context.waitForEvent('page', (p) => p.url().includes(`popup.html?tabId=${tabId}`));
  await clickDownloadAllInMenu(browser, tabId);
  await expect((await explained).getByRole('button', { name: 'Open settings' })).toBeVisible();

  expect(apiCalls(sandbox)).toEqual([]);
  expect(listFiles(browser.downloadsDir)).toEqual([]);
  await page.close();
});
