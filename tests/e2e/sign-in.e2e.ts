import path from 'node:path';
import type { Page } from '@playwright/test';
import { APPS, DOCS, DRIVE, DRIVE_FILES, createDemoWorld, startSandbox, type DemoWorld, type Sandbox } from '../sandbox';
import { expect, test } from './fixtures';
import { fileSha256, launchExtensionBrowser, listFiles, sha256, type ExtensionBrowser } from './harness';
import { expectNoCredentialLogged, expectPlatformRulesKept } from './invariants';
import { downloadAllAndWait, openDocument, openOptionsWithApp, openTabList, pressSignIn } from './steps';

let world: DemoWorld;
let sandbox: Sandbox;
let browser: ExtensionBrowser;

test.beforeEach(async () => {
  world = createDemoWorld();
  sandbox = await startSandbox({ world });
  browser = await launchExtensionBrowser({ sandbox });
  // As the user does once in the developer console: register the extension's redirect URL with the app.
  sandbox.api.oauth.registerRedirectUri(APPS.feishu.appId, `https://${browser.extensionId}.chromiumapp.org/`);
});

test.afterEach(async () => {
  // Whatever happened, no token of the sign-in, nor the app secret, was logged by the extension.
  if (browser && sandbox) {
    expectNoCredentialLogged(browser.logs, [APPS.feishu.appSecret, ...sandbox.api.oauth.issuedAccessTokens(), ...sandbox.api.oauth.issuedRefreshTokens()]);
  }
  await browser?.close();
  await sandbox?.close();
});

const WEEKLY_FOLDER = 'Feishu/项目周报 2026-W47';

const signIn = (options: Page, button?: string) => pressSignIn(browser, options, button);
const openOptionsForSignIn = (chooseMode?: boolean) => openOptionsWithApp(browser, chooseMode);

/** Everything the extension keeps in its storage areas, as text: where a forgotten token would still show. */
async function storedText(): Promise<string> {
  return browser.worker.evaluate(async () => JSON.stringify([await chrome.storage.local.get(null), await chrome.storage.session.get(null)]));
}

test('sign in with Feishu, download; the token expires and is refreshed without a prompt; a revoked sign-in asks to sign in again and downloads nothing', async () => {
  const options = await openOptionsForSignIn();
  await signIn(options);
  await expect(options.getByText('Signed in as 张三 at https://open.feishu.cn.').first()).toBeVisible();
  await expect(options.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await options.getByRole('button', { name: 'Test connection' }).click();
  await expect(options.getByRole('status').filter({ hasText: 'Connected to' })).toHaveText('Connected to https://open.feishu.cn as 张三 (user token).');

  // The authorize page got PKCE (S256), our redirect URL, a state, and the scopes the features need.
  const [authorize] = sandbox.api.oauth.authorizeRequests;
  expect(sandbox.api.oauth.authorizeRequests).toHaveLength(1);
  expect(authorize?.codeChallengeMethod).toBe('S256');
  expect(authorize?.redirectUri).toBe(`https://${browser.extensionId}.chromiumapp.org/`);
  expect(authorize?.scopes).toEqual(expect.arrayContaining(['docx:document:readonly', 'docs:document.media:download', 'offline_access']));

  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/docx/${DOCS.weekly}`);
  const list = await openTabList(browser, tabId);
  await downloadAllAndWait(list, 16);
  await expect(list.getByRole('listitem').filter({ hasText: 'Done' })).toHaveCount(16);
  expect(fileSha256(path.join(browser.downloadsDir, WEEKLY_FOLDER, '季度报告.pdf'))).toBe(sha256(world.files.report.bytes));

  // The access token expires: the next download refreshes it (rotating the refresh token) and asks nobody.
  sandbox.api.oauth.expireAccessTokens();
  const pagesBefore = browser.context.pages().length;
  const drive = await openDocument(browser, `https://acme.feishu.cn/file/${DRIVE.contract}`);
  const driveList = await openTabList(browser, drive.tabId);
  await downloadAllAndWait(driveList, 1);
  expect(fileSha256(path.join(browser.downloadsDir, 'Feishu/Drive', DRIVE_FILES.contract.name))).toBe(sha256(DRIVE_FILES.contract.bytes));
  expect(sandbox.log.some((r) => r.code === 99991677)).toBe(true);
  expect(sandbox.api.oauth.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.code === 0)).toHaveLength(1);
  expect(sandbox.api.oauth.authorizeRequests).toHaveLength(1);
  expect(browser.context.pages().filter((p) => p.url().startsWith('https://accounts.'))).toHaveLength(0);
  expect(browser.context.pages().length).toBe(pagesBefore + 2);
  const filesBefore = listFiles(browser.downloadsDir);
  expect(filesBefore).toHaveLength(17);

  // The refresh token is revoked (and the access token lapses): the user is asked to sign in again; nothing more is saved.
  sandbox.api.oauth.revokeRefreshTokens();
  sandbox.api.oauth.expireAccessTokens();
  const again = await openDocument(browser, `https://acme.feishu.cn/docx/${DOCS.empty}`);
  const againList = await openTabList(browser, again.tabId);
  const alert = againList.getByRole('alert');
  await expect(alert).toContainText('Your Feishu sign-in has ended');
  await expect(alert.getByRole('button', { name: 'Open settings' })).toBeVisible();
  expect(sandbox.api.oauth.tokenRequests.some((r) => r.grantType === 'refresh_token' && r.code === 20064)).toBe(true);
  await options.reload();
  await expect(options.getByText(/Your last sign-in ended/)).toBeVisible();
  await expect(options.getByRole('button', { name: 'Sign in with Feishu' })).toBeVisible();
  await expect(options.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  // Every token of the ended sign-in is forgotten.
  const stored = await storedText();
  for (const token of [...sandbox.api.oauth.issuedAccessTokens(), ...sandbox.api.oauth.issuedRefreshTokens()]) expect(stored).not.toContain(token);
  expect(listFiles(browser.downloadsDir)).toEqual(filesBefore);
  expectPlatformRulesKept(sandbox);
});

test('sign out forgets every token; with "Remember on this device" off, nothing secret is written to local storage', async () => {
  const options = await openOptionsForSignIn(false);
  await options.getByLabel('Remember on this device').uncheck();
  await signIn(options);
  await expect(options.getByText('Signed in as 张三 at https://open.feishu.cn.').first()).toBeVisible();
  const local = await browser.worker.evaluate(async () => JSON.stringify(await chrome.storage.local.get(null)));
  for (const token of sandbox.api.oauth.issuedAccessTokens()) expect(local).not.toContain(token);
  for (const token of sandbox.api.oauth.issuedRefreshTokens()) expect(local).not.toContain(token);
  expect(local).not.toContain(APPS.feishu.appSecret);
  expect(local).toContain(APPS.feishu.appId);

  await options.getByRole('button', { name: 'Sign out' }).click();
  await expect(options.getByText('Signed out: every token of the sign-in is forgotten.')).toBeVisible();
  const stored = await storedText();
  for (const token of [...sandbox.api.oauth.issuedAccessTokens(), ...sandbox.api.oauth.issuedRefreshTokens()]) expect(stored).not.toContain(token);

  // Signed out, a page lists nothing and asks for credentials instead of calling the API.
  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/docx/${DOCS.weekly}`);
  const list = await openTabList(browser, tabId);
  await expect(list.getByRole('button', { name: 'Open settings' })).toBeVisible();
  expect(sandbox.log.filter((r) => r.host === 'open.feishu.cn' && r.endpoint !== 'authen.oauth-token' && r.endpoint !== 'authen.user-info')).toHaveLength(0);
});

test('a scope the user did not grant (99991679) is asked for again, exactly that one', async () => {
  // Any of these lets the app fetch media links: the user leaves them all unchecked on the consent page.
  sandbox.api.oauth.withholdScopes = ['docs:document.media:download', 'drive:drive:readonly', 'bitable:app:readonly', 'sheets:spreadsheet:readonly'];
  // The API names every alternative (99991679); one is enough, and the sign-in's own is asked for.
  const withheld = ['docs:document.media:download'];
  const options = await openOptionsForSignIn();
  await signIn(options);
  await expect(options.getByText('Signed in as 张三 at https://open.feishu.cn.').first()).toBeVisible();
  sandbox.api.oauth.withholdScopes = [];

  const { tabId } = await openDocument(browser, `https://acme.feishu.cn/docx/${DOCS.weekly}`);
  const list = await openTabList(browser, tabId);
  const rows = list.getByRole('listitem');
  await expect(rows).toHaveCount(16);
  await list.getByRole('button', { name: /^Download all/ }).click();
  await expect(list.getByText(/You have not allowed docs:document.media:download/).first()).toBeVisible({ timeout: 30_000 });

  await options.reload();
  await expect(options.getByText(`Not allowed yet: ${withheld.join(', ')}.`)).toBeVisible();
  await signIn(options, 'Grant missing permissions');
  await expect(options.getByText('Signed in as 张三 at https://open.feishu.cn.').first()).toBeVisible();
  expect(sandbox.api.oauth.authorizeRequests).toHaveLength(2);
  expect(sandbox.api.oauth.authorizeRequests[1]?.scopes).toEqual(withheld);
  await expect(options.getByText(/Not allowed yet/)).toHaveCount(0);

  // The held job goes on with the new grant.
  await expect(rows.filter({ hasText: 'Done' })).toHaveCount(16, { timeout: 60_000 });
  expect(listFiles(path.join(browser.downloadsDir, WEEKLY_FOLDER))).toHaveLength(16);
});
