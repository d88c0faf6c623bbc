import path from 'node:path';
import { MAIL, MAIL_ATTACHMENTS, MAIL_MESSAGE_IDS, startSandbox, TOKENS, type Sandbox } from '../sandbox';
import { expect, test } from './fixtures';
import { fileSha256, launchExtensionBrowser, listFiles, sha256, uniquified, type ExtensionBrowser } from './harness';
import { apiCalls, expectPlatformRulesKept } from './invariants';
import { openDocument, openTabList, saveFeishuSettings } from './steps';

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

test('Mail: the open message is pre-selected; its attachments are saved, the failing one is listed as failed', async () => {
  await saveFeishuSettings(browser, { token: TOKENS.feishuUser });
  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/mail?open=${encodeURIComponent(MAIL.bigMessage)}`);
  const list = await openTabList(browser, tabId);
  const attachments = MAIL_ATTACHMENTS[MAIL.bigMessage]!.filter((a) => !a.isInline);
  const rows = list.getByRole('listitem');
  await expect(rows).toHaveCount(attachments.length);
  await expect(list.getByRole('heading', { name: '季度合同与发票（23 个附件）' })).toBeVisible();

  await list.getByRole('button', { name: /^Download all/ }).click();
  await expect(rows.filter({ hasText: /Done|Failed/ })).toHaveCount(attachments.length, { timeout: 90_000 });
  const failing = attachments.find((a) => a.alwaysFails)!;
  const failedRow = rows.filter({ hasText: 'Failed' });
  await expect(failedRow).toHaveCount(1);
  await expect(failedRow).toContainText(failing.fileName);
  await expect(failedRow).toContainText('failed_ids');

  const saved = attachments.filter((a) => !a.alwaysFails);
  const names = uniquified(saved.map((a) => a.fileName));
  const folder = listFiles(browser.downloadsDir).map((f) => f.split('/').slice(0, -1).join('/'))[0]!;
  expect(folder).toMatch(new RegExp(`^Feishu/Mail/\\d{4}-\\d{2}-\\d{2} 季度合同与发票（23 个附件）$`));
  expect(listFiles(browser.downloadsDir)).toEqual(names.map((n) => `${folder}/${n}`).sort());
  saved.forEach((a, i) => expect(fileSha256(path.join(browser.downloadsDir, folder, names[i]!)), a.fileName).toBe(sha256(a.media.bytes)));

  // The download_url contract: at most 20 ids a call, at most one call a second.
  const urlCalls = sandbox.log.filter((r) => r.endpoint === 'mail.attachments.download-url');
  expect(urlCalls.map((r) => r.query.filter(([k]) => k === 'attachment_ids').length)).toEqual([20, 3]);
  for (let i = 1; i < urlCalls.length; i++) expect(urlCalls[i]!.at - urlCalls[i - 1]!.at).toBeGreaterThanOrEqual(1000);
  // Each signed link was used once (no probe spent one of its two uses).
  const streamHits = sandbox.log.filter((r) => r.host.startsWith('internal-api-drive-stream.') && r.path.endsWith('/authcode/'));
  expect(streamHits).toHaveLength(saved.length);
  expectPlatformRulesKept(sandbox);
});

test('Mail: recent messages with attachments are listed; choosing one lists its attachments', async () => {
  await saveFeishuSettings(browser, { token: TOKENS.feishuUser });
  const { tabId } = await openDocument(browser, 'https://acme.feishu.cn/mail');
  const list = await openTabList(browser, tabId);
  const messages = list.getByRole('listitem');
  await expect(messages.first()).toBeVisible();
  const hasAttachments = (id: string) => (MAIL_ATTACHMENTS[id] ?? []).some((a) => !a.isInline);
  // The 30 most recent messages are looked at first; older ones on request.
  const recent = MAIL_MESSAGE_IDS.slice(0, 30).filter(hasAttachments);
  const withAttachments = MAIL_MESSAGE_IDS.filter(hasAttachments);
  await expect(messages).toHaveCount(recent.length);
  await expect(messages.filter({ hasText: '季度合同与发票（23 个附件）' })).toContainText('23 attachments');

  // A message with an inline logo and two real attachments: only the two are listed.
  const inline = MAIL_ATTACHMENTS[MAIL.inlineMessage]!;
  const inlineRow = messages.nth(withAttachments.indexOf(MAIL.inlineMessage));
  await inlineRow.click();
  const rows = list.getByRole('listitem');
  const real = inline.filter((a) => !a.isInline);
  await expect(rows).toHaveCount(real.length);
  for (const a of real) await expect(rows.filter({ hasText: a.fileName })).toHaveCount(1);
  await list.getByRole('button', { name: /^Download all/ }).click();
  await expect(rows.filter({ hasText: 'Done' })).toHaveCount(real.length, { timeout: 30_000 });
  const files = listFiles(browser.downloadsDir);
  expect(files).toHaveLength(real.length);
  expect(files.every((f) => f.startsWith('Feishu/Mail/'))).toBe(true);

  await list.getByRole('button', { name: /Messages/ }).click();
  await expect(list.getByRole('listitem')).toHaveCount(recent.length);
  await list.getByRole('button', { name: 'Look at older messages' }).click();
  await expect(list.getByRole('listitem')).toHaveCount(withAttachments.length);
  await expect(list.getByRole('button', { name: 'Look at older messages' })).toHaveCount(0);
  expectPlatformRulesKept(sandbox);
});

test('Mail with a tenant token says it needs a user token, without calling the mail API', async () => {
  await saveFeishuSettings(browser, { token: TOKENS.feishuTenant });
  const { tabId } = await openDocument(browser, 'https://acme.feishu.cn/mail');
  const list = await openTabList(browser, tabId);
  await expect(list.getByRole('alert')).toContainText('user access token');
  await expect(list.getByRole('button', { name: 'Open settings' })).toBeVisible();
  expect(apiCalls(sandbox)).toEqual([]);
});
