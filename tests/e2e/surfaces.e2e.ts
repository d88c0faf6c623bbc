import path from 'node:path';
import {
  BASE_ATTACHMENTS,
  BASES,
  BOARD_IMAGES,
  DOCS,
  DRIVE,
  DRIVE_FILES,
  EMBEDS,
  EMBEDS_DOC_ID,
  SHEET_FILES,
  SHEETS,
  startSandbox,
  TOKENS,
  WIKI,
  type Sandbox,
  type SandboxMedia,
} from '../sandbox';
import { expect, test } from './fixtures';
import { fileSha256, launchExtensionBrowser, listFiles, sha256, uniquified, type ExtensionBrowser } from './harness';
import { apiCalls, expectPlatformRulesKept } from './invariants';
import { downloadAllAndWait, openDocument, openTabList, saveFeishuSettings } from './steps';

let sandbox: Sandbox;
let browser: ExtensionBrowser;

test.beforeEach(async () => {
  sandbox = await startSandbox();
  browser = await launchExtensionBrowser({ sandbox });
  await saveFeishuSettings(browser, { token: TOKENS.feishuUser });
});

test.afterEach(async () => {
  await browser?.close();
  await sandbox?.close();
});

/** Every file under `folder` is exactly one of `expected` (relative path → media), and no other file exists. */
function expectDownloads(folder: string, expected: readonly (readonly [string, SandboxMedia | Buffer])[]): void {
  const all = listFiles(browser.downloadsDir);
  expect(all).toEqual(expected.map(([file]) => `${folder}/${file}`).sort());
  for (const [file, media] of expected) {
    const bytes = Buffer.isBuffer(media) ? media : media.bytes;
    expect(fileSha256(path.join(browser.downloadsDir, folder, file)), file).toBe(sha256(bytes));
  }
}

const IMAGE_EXT: Record<string, string> = { 'image/png': '.png', 'image/jpeg': '.jpg', 'image/gif': '.gif', 'image/webp': '.webp' };

/** Where a spreadsheet file lands: attachments by their name, cell images as image-<cell>, floating ones as floating-image-<cell>. */
function sheetFileName(file: (typeof SHEET_FILES)[number]): string {
  if (file.kind === 'attachment') return file.fileName;
  const ext = IMAGE_EXT[file.media.mimeType] ?? '.bin';
  return file.kind === 'embed-image' ? `image-${file.cell}${ext}` : `floating-image-${file.cell.split(':')[0]}${ext}`;
}

test('a spreadsheet: every attachment cell, cell image and floating image, one folder per sheet', async () => {
  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/sheets/${SHEETS.budget}?sheet=${SHEETS.budgetSheets.detail}`);
  const list = await openTabList(browser, tabId);
  const files = SHEET_FILES.filter((f) => f.spreadsheet === SHEETS.budget);
  // The sheet in the URL comes first.
  await expect(list.getByRole('listitem').first()).toContainText('明细');
  await downloadAllAndWait(list, files.length);
  await expect(list.getByRole('listitem').filter({ hasText: 'Failed' })).toHaveCount(0);
  expectDownloads(
    'Feishu/2026 预算',
    files.map((f) => [`${f.sheetTitle}/${sheetFileName(f)}`, f.media] as const),
  );
  expectPlatformRulesKept(sandbox);
  // Values are read in packed chunks, never with ToString (which would flatten attachments to text).
  const reads = sandbox.log.filter((r) => r.path.includes('/values'));
  expect(reads.length).toBeGreaterThan(0);
  expect(reads.every((r) => !r.query.some(([k, v]) => k === 'valueRenderOption' && v === 'ToString'))).toBe(true);
});

test('a base: every record of every table, lookups included, duplicates kept, one folder per table', async () => {
  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/base/${BASES.invoices}`);
  const list = await openTabList(browser, tabId);
  const tables = BASE_ATTACHMENTS[BASES.invoices]!;
  const invoices = tables[BASES.invoicesTables.invoices]!.flatMap((r) => r.attachments.filter((a) => !a.viaLookup));
  const contracts = tables[BASES.invoicesTables.contracts]!.flatMap((r) => r.attachments);
  await downloadAllAndWait(list, invoices.length + contracts.length);
  const invoiceNames = uniquified(invoices.map((a) => a.fileName));
  expectDownloads('Feishu/报销台账', [
    ...invoices.map((a, i) => [`发票/${invoiceNames[i]!}`, a.media] as const),
    ...contracts.map((a) => [`合同/${a.fileName}`, a.media] as const),
  ]);
  expectPlatformRulesKept(sandbox);
  // 620 records: two pages of 500, asking only for the fields that matter.
  const searches = sandbox.log.filter((r) => r.endpoint === 'bitable.records.search' && r.path.includes(BASES.invoicesTables.invoices));
  expect(searches).toHaveLength(2);
});

test('an advanced-permission base: downloads carry the documented extra and succeed', async () => {
  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/base/${BASES.advanced}?table=${BASES.advancedTables.only}`);
  const list = await openTabList(browser, tabId);
  const records = BASE_ATTACHMENTS[BASES.advanced]![BASES.advancedTables.only]!;
  await downloadAllAndWait(list, records.length);
  expectDownloads(
    'Feishu/高级权限台账',
    records.flatMap((r) => r.attachments.map((a) => [`机密资料/${a.fileName}`, a.media] as const)),
  );
  const tmpCalls = sandbox.log.filter((r) => r.endpoint === 'drive.media.tmp-url');
  expect(tmpCalls.every((r) => r.status === 200)).toBe(true);
  for (const call of tmpCalls) {
    const extra = JSON.parse(call.query.find(([k]) => k === 'extra')?.[1] ?? '{}') as { bitablePerm?: { tableId?: string; attachments?: Record<string, Record<string, string[]>> } };
    expect(extra.bitablePerm?.tableId).toBe(BASES.advancedTables.only);
    const named = Object.values(extra.bitablePerm?.attachments ?? {}).flatMap((byRecord) => Object.values(byRecord).flat());
    expect(named.sort()).toEqual(call.query.filter(([k]) => k === 'file_tokens').map(([, v]) => v).sort());
  }
  expectPlatformRulesKept(sandbox);
});

test('a drive file: the file itself, through the drive files API', async () => {
  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/file/${DRIVE.contract}`);
  const list = await openTabList(browser, tabId);
  await downloadAllAndWait(list, 1);
  expectDownloads('Feishu/Drive', [[DRIVE_FILES.contract.name, DRIVE_FILES.contract.bytes]]);
  expectPlatformRulesKept(sandbox);
});

test('a wiki page resolves its node and keeps the ?sheet= of the URL', async () => {
  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/wiki/${WIKI.sheet}?sheet=${SHEETS.budgetSheets.archive}`);
  const list = await openTabList(browser, tabId);
  const files = SHEET_FILES.filter((f) => f.spreadsheet === SHEETS.budget);
  await expect(list.getByRole('listitem')).toHaveCount(files.length);
  await expect(list.getByRole('listitem').first()).toContainText('2025 归档.zip');
  expect(sandbox.log.filter((r) => r.endpoint === 'wiki.get-node')).toHaveLength(1);

  const wikiDoc = await openDocument(browser, `https://acme.feishu.cn/wiki/${WIKI.docx}`);
  const docList = await openTabList(browser, wikiDoc.tabId);
  await expect(docList.getByRole('listitem')).toHaveCount(16);

  const wikiFile = await openDocument(browser, `https://acme.feishu.cn/wiki/${WIKI.file}`);
  const fileList = await openTabList(browser, wikiFile.tabId);
  await downloadAllAndWait(fileList, 1);
  expectDownloads('Feishu/Drive', [[DRIVE_FILES.contract.name, DRIVE_FILES.contract.bytes]]);

  const denied = await openDocument(browser, `https://acme.feishu.cn/wiki/${WIKI.private}`);
  const deniedList = await openTabList(browser, denied.tabId);
  await expect(deniedList.getByRole('alert')).toContainText('wiki space');
  await expect(deniedList.getByRole('alert')).toContainText('131006');
});

test('a document with an embedded sheet, base table and whiteboard: each under its own sub-folder', async () => {
  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/docx/${EMBEDS_DOC_ID}`);
  const list = await openTabList(browser, tabId);
  const sheetFiles = SHEET_FILES.filter((f) => f.spreadsheet === EMBEDS.sheet.spreadsheetToken);
  const contracts = BASE_ATTACHMENTS[EMBEDS.base.appToken]![EMBEDS.base.tableId]!.flatMap((r) => r.attachments);
  const total = 1 + sheetFiles.length + contracts.length + 1;
  await downloadAllAndWait(list, total);
  expectDownloads('Feishu/嵌入示例', [
    [EMBEDS.ownFile.fileName, EMBEDS.ownFile],
    ...sheetFiles.map((f) => [`${f.sheetTitle}/${sheetFileName(f)}`, f.media] as const),
    ...contracts.map((a) => [`${EMBEDS.base.tableName}/${a.fileName}`, a.media] as const),
    ['whiteboard-01.png', BOARD_IMAGES.flow.png],
  ]);
  expectPlatformRulesKept(sandbox);
});

test('the page itself as a second source: what is visible, what only the API found, and what a refused page still shows', async () => {
  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/docx/${DOCS.weekly}`);
  const list = await openTabList(browser, tabId);
  await expect(list.getByText('6 found on the page, 10 more through the API.')).toBeVisible();

  const refused = await openDocument(browser, `https://acme.feishu.cn/docx/${DOCS.private}`);
  const refusedList = await openTabList(browser, refused.tabId);
  await expect(refusedList.getByRole('alert')).toContainText('No access to this document');
  const visible = refusedList.getByRole('listitem');
  await expect(visible).toHaveCount(1);
  await expect(visible).toContainText('内部资料.pdf');
  await expect(visible).toContainText('Failed');
  expect(apiCalls(sandbox).every((r) => r.host === 'open.feishu.cn')).toBe(true);
});
