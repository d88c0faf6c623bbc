import path from 'node:path';
import { APPS, createDemoWorld, DOCS, startSandbox, type DemoWorld, type Sandbox } from '../sandbox';
import { expect, test } from './fixtures';
import { fileSha256, launchExtensionBrowser, listFiles, sha256, type ExtensionBrowser } from './harness';
import { expectNoCredentialLogged, expectPlatformRulesKept, knownFeishuSecrets } from './invariants';
import { openDocument, openTabList } from './steps';

let world: DemoWorld;
let sandbox: Sandbox;
let browser: ExtensionBrowser;

test.afterEach(async () => {
  await browser?.close();
  await sandbox?.close();
});

test('App ID + App Secret: tenant tokens are obtained, renewed when one expires mid-job, and the secret is never shown again', async () => {
  world = createDemoWorld();
  sandbox = await startSandbox({ world, throttleBytesPerSecond: 300_000 });
  browser = await launchExtensionBrowser({ sandbox });

  const options = await browser.context.newPage();
  await options.goto(browser.extensionUrl('options.html'));
  await options.getByLabel('Feishu app ID').fill(APPS.feishu.appId);
  await options.getByLabel('Feishu app secret').fill(APPS.feishu.appSecret);
  await options.getByRole('button', { name: 'Test connection' }).click();
  await expect(options.getByRole('status').first()).toHaveText('Connected to https://open.feishu.cn: tenant 示例科技有限公司 (tenant token).');
  await options.getByRole('button', { name: 'Save' }).click();
  await expect(options.getByText('Saved', { exact: true })).toBeVisible();
  await options.reload();
  await expect(options.getByLabel('Feishu app secret')).toHaveValue('');
  await expect(options.getByLabel('Feishu app ID')).toHaveValue(APPS.feishu.appId);
  await expect(options.getByText(/A secret is saved/)).toBeVisible();
  expect(await options.content()).not.toContain(APPS.feishu.appSecret);

  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/docx/${DOCS.weekly}`);
  const list = await openTabList(browser, tabId);
  const rows = list.getByRole('listitem');
  await expect(rows).toHaveCount(16);
  await list.getByRole('button', { name: /^Download all/ }).click();
  await expect.poll(() => rows.filter({ hasText: 'Done' }).count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
  // The tenant token stops working in the middle of the job (as when it expires): the job must not notice.
  sandbox.api.expireIssuedTokens();
  await expect(rows.filter({ hasText: 'Done' })).toHaveCount(16, { timeout: 90_000 });

  const files = listFiles(browser.downloadsDir);
  expect(files).toHaveLength(16);
  const report = world.files.report;
  expect(fileSha256(path.join(browser.downloadsDir, 'Feishu/项目周报 2026-W47/季度报告.pdf'))).toBe(sha256(report.bytes));
  const issued = sandbox.log.filter((r) => r.path === '/open-apis/auth/v3/tenant_access_token/internal');
  expect(issued.length).toBeGreaterThanOrEqual(2);
  expect(sandbox.log.some((r) => r.code === 99991677)).toBe(true);
  // The secret went to the token endpoint of the API origin only, never in a URL.
  expect(sandbox.log.every((r) => r.host === 'open.feishu.cn' || !JSON.stringify(r).includes(APPS.feishu.appSecret))).toBe(true);
  expect(sandbox.log.every((r) => !r.query.some(([, v]) => v.includes(APPS.feishu.appSecret)))).toBe(true);
  expectPlatformRulesKept(sandbox);
  // A tenant token expired mid-job and was renewed: neither it, its successor nor the secret shows in a log.
  expect(sandbox.api.state.issuedTokens.size).toBeGreaterThanOrEqual(2);
  expectNoCredentialLogged(browser.logs, knownFeishuSecrets(sandbox));
});
