/**
 * Ekuaibao (合思) end to end: a page listing two expense reports → every attachment of both saved in per-form
 * folders with the fake's bytes, DingPan files included and correctly named; a form code typed in the popup; app-key
 * mode with a token that expires in the middle of a job; the context menu.
 */
import path from 'node:path';
import { createDemoWorld, EKUAIBAO, EKUAIBAO_FILES, startSandbox, type Sandbox } from '../sandbox';
import { expect, test } from './fixtures';
import { fileSha256, launchExtensionBrowser, listFiles, sha256, type ExtensionBrowser } from './harness';
import { expectEkuaibaoRulesKept, expectPlatformRulesKept } from './invariants';
import { badgeText, clickDownloadAllInMenu, downloadAllAndWait, openDocument, openTabList, saveEkuaibaoSettings } from './steps';

let sandbox: Sandbox;
let browser: ExtensionBrowser;

test.beforeEach(async () => {
  sandbox = await startSandbox({ world: createDemoWorld() });
  browser = await launchExtensionBrowser({ sandbox });
});

test.afterEach(async () => {
  await browser?.close();
  await sandbox?.close();
});

const TRAVEL = `Ekuaibao/${EKUAIBAO.forms.travel.code} ${EKUAIBAO.forms.travel.title}`;
const MARKETING = `Ekuaibao/${EKUAIBAO.forms.marketing.code} ${EKUAIBAO.forms.marketing.title}`;
const MARKETING_LINES = ['市场推广费', '场地费', '物料费', '餐饮费', '交通费', '住宿费', '礼品费', '其他'];

/**
 * Where each saved file of the travel form must be, by its key: names from the form (the hostile one tamed), the
 * nameless scan named from its key, DingPan files from their key with the extension of their fileType, the two
 * different 发票.pdf both kept. Two expense lines only: no line folders.
 */
const TRAVEL_NAMES: Readonly<Record<string, string>> = {
  行程单: '行程单.pdf',
  会议通知: '会议通知.docx',
  服务合同: '服务合同.pdf',
  '../../说明.txt': '_.._说明.txt',
  scan: 'scan.jpg',
  登机牌: '登机牌.jpg',
  酒店水单: '酒店水单.pdf',
  酒店发票: '酒店发票.pdf',
  '128163bbba83.jpg': '128163bbba83.jpg',
  审批意见: '审批意见.png',
  补充说明: '补充说明.txt',
};

function expectedFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const invoices = EKUAIBAO_FILES.filter((f) => f.formCode === EKUAIBAO.forms.travel.code && f.fileName === '发票.pdf');
  expect(invoices.map((f) => f.line)).toEqual([1, 2]);
  files.set(`${TRAVEL}/发票.pdf`, invoices[0]!.bytes);
  files.set(`${TRAVEL}/发票 (2).pdf`, invoices[1]!.bytes);
  for (const file of EKUAIBAO_FILES) {
    if (file.missing || file.fileName === '发票.pdf') continue;
    if (file.formCode === EKUAIBAO.forms.travel.code) {
      const name = Object.entries(TRAVEL_NAMES).find(([k]) => (file.fileName ?? file.key).startsWith(k) || file.key.includes(k))?.[1];
      expect(name, file.key).toBeDefined();
      files.set(`${TRAVEL}/${name!}`, file.bytes);
    } else {
      // Eight expense lines: one folder per line, "NN <fee type>".
      const line = file.line === undefined ? '' : `/${String(file.line).padStart(2, '0')} ${MARKETING_LINES[file.line - 1]!}`;
      files.set(`${MARKETING}${line}/${file.fileName!}`, file.bytes);
    }
  }
  return files;
}

function expectSavedExactly(expected: Map<string, Buffer>): void {
  expect(listFiles(browser.downloadsDir)).toEqual([...expected.keys()].sort());
  for (const [file, bytes] of expected) expect(fileSha256(path.join(browser.downloadsDir, file)), file).toBe(sha256(bytes));
}

test('a page showing two expense reports: every attachment of both, per-form folders, DingPan included', async () => {
  await saveEkuaibaoSettings(browser, { token: EKUAIBAO.token });
  const { tabId } = await openDocument(browser, EKUAIBAO.pages.list);
  await expect.poll(() => badgeText(browser, tabId), { timeout: 20_000 }).toBe(String(EKUAIBAO_FILES.length));

  const list = await openTabList(browser, tabId);
  await expect(list.getByRole('heading', { level: 1 })).toHaveText(`${EKUAIBAO.forms.travel.code}, ${EKUAIBAO.forms.marketing.code}`);
  const rows = list.getByRole('listitem');
  // Where each file sits, in words.
  await expect(rows.filter({ hasText: '酒店发票.pdf' })).toContainText('B24000123 · Expense line 2 (住宿)');
  await expect(rows.filter({ hasText: '审批意见.png' })).toContainText('B24000123 · Approval (approved)');
  await expect(rows.filter({ hasText: '服务合同.pdf' })).toContainText('B24000123 · 合同附件');
  await downloadAllAndWait(list, EKUAIBAO_FILES.length);

  await expect(rows.filter({ hasText: 'Failed' })).toHaveCount(1);
  await expect(rows.filter({ hasText: '已删除的附件.pdf' })).toContainText('Ekuaibao gave no download link for this attachment');
  await expect(list.getByRole('status').filter({ hasText: 'saved' })).toContainText(`${EKUAIBAO_FILES.length - 1} of ${EKUAIBAO_FILES.length} saved · 1 failed`);
  expectSavedExactly(expectedFiles());

  // 118 links in the fewest calls the 100-item limit allows; the DingPan host got exactly the headers it issued.
  const linkCalls = sandbox.log.filter((r) => r.endpoint === 'ekb.downloadurls');
  expect(linkCalls.map((r) => r.items)).toEqual([100, 19]);
  expect(sandbox.log.filter((r) => r.host === EKUAIBAO.hosts.dingPan).map((r) => r.status)).toEqual([200, 200]);
  expectEkuaibaoRulesKept(sandbox);
  expectPlatformRulesKept(sandbox);
  // The web app's session never left the page: not in any API call, and not in anything the extension keeps.
  const stored = await browser.worker.evaluate(async () => JSON.stringify([await chrome.storage.local.get(null), await chrome.storage.session.get(null)]));
  expect(stored).not.toContain(EKUAIBAO.webSessionToken);
});

test('a form code typed in the popup: unknown and deleted ones say so, a real one joins the list', async () => {
  await saveEkuaibaoSettings(browser, { token: EKUAIBAO.token });
  const { tabId } = await openDocument(browser, EKUAIBAO.pages.home);
  const list = await openTabList(browser, tabId);
  await expect(list.getByText('No Ekuaibao form was recognised on this page.')).toBeVisible();
  expect(sandbox.log.filter((r) => r.path.startsWith('/api/openapi/'))).toEqual([]);

  const code = list.getByLabel('Form code');
  const find = list.getByRole('button', { name: 'Find' });
  await code.fill('hello');
  await find.click();
  await expect(list.getByRole('alert')).toHaveText('“hello” is not a form code. Form codes (单据编号) look like B24000123.');
  await code.fill(EKUAIBAO.unknownCode);
  await find.click();
  await expect(list.getByRole('alert')).toContainText(`Ekuaibao has no such form (${EKUAIBAO.unknownCode}`);
  await code.fill(EKUAIBAO.forms.deleted.code.toLowerCase());
  await find.click();
  await expect(list.getByRole('alert')).toContainText('单据已删除');
  await expect(list.getByRole('listitem')).toHaveCount(0);

  await code.fill(EKUAIBAO.forms.travel.code);
  await find.click();
  const travel = EKUAIBAO_FILES.filter((f) => f.formCode === EKUAIBAO.forms.travel.code);
  await expect(list.getByRole('listitem')).toHaveCount(travel.length);
  await expect(list.getByRole('alert')).toHaveCount(0);
  await expect.poll(() => badgeText(browser, tabId)).toBe(String(travel.length));
  // "Find" read the form once; the list that followed reused it.
  expect(sandbox.log.filter((r) => r.endpoint === 'ekb.flow-details.by-code' && r.query.some(([k, v]) => k === 'code' && v === EKUAIBAO.forms.travel.code))).toHaveLength(1);
  expectEkuaibaoRulesKept(sandbox);
});

test('app key and app security: tokens are obtained, renewed when one expires mid-job, the security never shown again', async () => {
  await saveEkuaibaoSettings(browser, EKUAIBAO.app);
  const options = await browser.context.newPage();
  await options.goto(browser.extensionUrl('options.html'));
  await expect(options.getByLabel('Ekuaibao app security')).toHaveValue('');
  await expect(options.getByLabel('Ekuaibao app key')).toHaveValue(EKUAIBAO.app.appKey);
  await expect(options.getByText(/An app security is saved/)).toBeVisible();
  expect(await options.content()).not.toContain(EKUAIBAO.app.appSecurity);
  await options.getByRole('button', { name: 'Test Ekuaibao connection' }).click();
  await expect(options.getByRole('status').first()).toHaveText(`Connected to ${EKUAIBAO.apiBase}: company ${EKUAIBAO.corpId}.`);
  await options.close();

  const { tabId } = await openDocument(browser, EKUAIBAO.pages.list);
  const list = await openTabList(browser, tabId);
  const rows = list.getByRole('listitem');
  await expect(rows).toHaveCount(EKUAIBAO_FILES.length);
  await list.getByRole('button', { name: /^Download all/ }).click();
  await expect.poll(() => rows.filter({ hasText: 'Done' }).count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(10);
  // Every token issued so far stops working (as when it expires): the links still needed must come anyway.
  sandbox.ekuaibao.expireIssuedTokens();
  await expect(rows.filter({ hasText: /Done|Failed/ })).toHaveCount(EKUAIBAO_FILES.length, { timeout: 90_000 });
  await expect(rows.filter({ hasText: 'Failed' })).toHaveCount(1);
  expectSavedExactly(expectedFiles());

  const tokenCalls = sandbox.log.filter((r) => r.endpoint === 'ekb.auth.get-token');
  expect(tokenCalls.length).toBeGreaterThanOrEqual(2);
  expect(sandbox.log.some((r) => r.endpoint === 'ekb.downloadurls' && r.status === 403)).toBe(true);
  expectEkuaibaoRulesKept(sandbox);
  expectPlatformRulesKept(sandbox);
});

test('the context menu saves a form\'s attachments without opening the popup; no token, no call', async () => {
  const { tabId } = await openDocument(browser, EKUAIBAO.pages.travelDetail);
  await expect.poll(() => badgeText(browser, tabId)).toBe('!');
  const withoutToken = await openTabList(browser, tabId);
  await expect(withoutToken.getByText('No Ekuaibao access token or app key is set yet.', { exact: false })).toBeVisible();
  await expect(withoutToken.getByRole('button', { name: 'Open settings' })).toBeVisible();
  expect(sandbox.log.filter((r) => r.path.startsWith('/api/openapi/'))).toEqual([]);
  await withoutToken.close();

  await saveEkuaibaoSettings(browser, { token: EKUAIBAO.token });
  const travel = EKUAIBAO_FILES.filter((f) => f.formCode === EKUAIBAO.forms.travel.code);
  await clickDownloadAllInMenu(browser, tabId);
  await expect.poll(() => listFiles(browser.downloadsDir).filter((f) => !f.endsWith('.crdownload')).length, { timeout: 60_000 }).toBe(travel.length - 1);
  const expected = new Map([...expectedFiles()].filter(([file]) => file.startsWith(`${TRAVEL}/`)));
  await expect.poll(() => listFiles(browser.downloadsDir)).toEqual([...expected.keys()].sort());
  expectSavedExactly(expected);
  expectEkuaibaoRulesKept(sandbox);
});
