/**
 * A hostile Feishu document (tests/sandbox/fixtures/hostile.ts): its page names evil hosts everywhere (fake API URLs,
 * stream links, `<base href>`, `<meta>` and script globals pointing the API there), shows fake tokens and file blocks
 * whose tokens are URLs, paths or absurdly long, and its API names every attachment with a hostile name. The evil hosts
 * resolve to the sandbox, which logs every request. Whatever the credentials, listing and saving everything must:
 * (a) send nothing at all to an evil host, (b) send the credentials (Authorization, the token, the app secret, tenant
 * tokens) to nothing but the API origin, (c) save every file in Feishu/<title>/, safely named, with exactly the bytes
 * served, and (d) log no credential.
 */
import path from 'node:path';
import type { CDPSession, Page } from '@playwright/test';
import {
  APPS,
  createHostileWorld,
  DOCS,
  FAKE_PAGE_TOKENS,
  HOSTILE,
  hostileAttachments,
  isEvilHost,
  startSandbox,
  TOKENS,
  type DemoWorld,
  type RecordedRequest,
  type Sandbox,
} from '../sandbox';
import { chromiumObjection, utf8Bytes } from '../unit/chromium-filename-rules';
import { expect, test } from './fixtures';
import { fileSha256, launchExtensionBrowser, listFiles, sha256, type ExtensionBrowser } from './harness';
import { expectNoCredentialLogged, expectPlatformRulesKept, knownFeishuSecrets } from './invariants';
import { badgeText, downloadAllAndWait, openDocument, openOptionsWithApp, openTabList, pressSignIn, saveFeishuSettings } from './steps';

let world: DemoWorld;
let sandbox: Sandbox;
let browser: ExtensionBrowser;

test.beforeEach(async () => {
  world = createHostileWorld();
  sandbox = await startSandbox({ world });
  browser = await launchExtensionBrowser({ sandbox });
});

test.afterEach(async () => {
  await browser?.close();
  await sandbox?.close();
});

const PAGE_URL = `https://acme.feishu.cn/docx/${HOSTILE.doc}`;
/** HOSTILE.title ('对账单 ../../etc <script>') as one folder: separators and `<>` replaced, nothing else. */
const FOLDER = 'Feishu/对账单 .._.._etc _script_';
const API_HOST = 'open.feishu.cn';

/** Opens the hostile page, lists it in the tab's list and presses "Download all"; every row must end Done. */
async function listAndDownloadAll(): Promise<{ page: Page; tabId: number; list: Page }> {
  const opened = await openDocument(browser, PAGE_URL);
  await expectTheTrapSet(opened.page);
  const count = hostileAttachments().length;
  await expect.poll(() => badgeText(browser, opened.tabId)).toBe(String(count));
  const list = await openTabList(browser, opened.tabId);
  await downloadAllAndWait(list, count);
  await expect(list.getByRole('listitem').filter({ hasText: 'Failed' })).toHaveCount(0);
  await expect(list.getByRole('status').filter({ hasText: `${count} of ${count} saved` })).toBeVisible();
  await expect.poll(async () => browser.worker.evaluate(async () => (await chrome.downloads.search({ state: 'in_progress' })).length)).toBe(0);
  return { ...opened, list };
}

/** Where a request carries `secret`: in its path, query, headers or body, as it is or URL-encoded. */
function mentions(request: RecordedRequest, secret: string): boolean {
  const text = JSON.stringify([request.path, request.query, request.headers, request.bodyText ?? '']);
  return text.includes(secret) || text.includes(encodeURIComponent(secret));
}

/** The page really is hostile: its markup, its globals and its base are there (and its own loads of evil hosts blocked). */
async function expectTheTrapSet(page: Page): Promise<void> {
  await expect(page.locator('#hostile [data-file-token]')).toHaveCount(4);
  expect(await page.evaluate(() => [document.baseURI, (window as unknown as { globalConfig: { drive_api: string } }).globalConfig.drive_api])).toEqual([
    'https://evil.example/',
    'https://evil.example/open-apis/',
  ]);
}

/** Nothing at all reached an evil host (`expectEvilHostsWatched` shows that something sent there would be seen). */
function expectNothingSentToEvilHosts(): void {
  expect(sandbox.log.filter((r) => isEvilHost(r.host)).map((r) => `${r.method} ${r.host}${r.path}`), 'requests to evil hosts').toEqual([]);
  // ...and not because they were out of reach: they resolve to the sandbox, which sees (and refuses) what comes.
  return undefined;
}

/** The evil hosts are in reach: they resolve to the sandbox, which sees (and refuses) what comes. */
async function expectEvilHostsWatched(): Promise<void> {
  // (No host permission there: the answer is opaque, but the request goes out.)
  await browser.worker.evaluate(async () => void (await fetch('https://open.feishu.cn.evil.example/open-apis/probe', { mode: 'no-cors', credentials: 'omit' })));
  expect(sandbox.log.filter((r) => isEvilHost(r.host)).map((r) => [r.path, r.status])).toEqual([['/open-apis/probe', 403]]);
}

function expectCredentialsOnlyOnTheApiOrigin(secrets: readonly string[]): void {
  expect(secrets.every((s) => s.length >= 16)).toBe(true);
  const elsewhere = sandbox.log.filter((r) => r.host !== API_HOST);
  expect(elsewhere.filter((r) => 'authorization' in r.headers).map((r) => r.host), 'Authorization outside the API origin').toEqual([]);
  for (const secret of secrets) {
    expect(elsewhere.filter((r) => mentions(r, secret)).map((r) => `${r.host}${r.path}`), 'a credential outside the API origin').toEqual([]);
  }
  // The page's fake tokens are never taken for ours, nor sent anywhere.
  for (const fake of Object.values(FAKE_PAGE_TOKENS)) {
    expect(sandbox.log.filter((r) => mentions(r, fake)).map((r) => `${r.host}${r.path}`), `the page's fake token ${fake}`).toEqual([]);
  }
}

function expectEverythingSavedSafely(): void {
  const files = listFiles(browser.downloadsDir);
  const media = hostileAttachments();
  expect(files).toHaveLength(media.length);
  for (const file of files) {
    expect(file.startsWith(`${FOLDER}/`), file).toBe(true);
    const name = file.slice(FOLDER.length + 1);
    // One segment below the document's folder, acceptable to Chromium and to every file system's byte budget.
    expect(name, file).not.toContain('/');
    expect(chromiumObjection(name), file).toBeNull();
    expect(utf8Bytes(name), file).toBeLessThanOrEqual(180);
  }
  const saved = files.map((file) => fileSha256(path.join(browser.downloadsDir, file))).sort();
  expect(saved, 'the bytes on disk are exactly those served, each once').toEqual(media.map((m) => sha256(m.bytes)).sort());
}

/** No log line holds a credential (and the log collection is live). */
async function expectNothingLogged(secrets: readonly string[], extensionPage: Page): Promise<void> {
  // The collection is live: lines the worker and an extension page write now are seen.
  await browser.worker.evaluate(() => console.warn('hostile-page: worker log check'));
  await extensionPage.evaluate(() => console.warn('hostile-page: page log check'));
  await expect.poll(() => ['worker', 'page'].every((where) => browser.logs.some((line) => line.includes(`hostile-page: ${where} log check`)))).toBe(true);
  expectNoCredentialLogged(browser.logs, [...secrets, ...knownFeishuSecrets(sandbox)]);
}

test('hostile page, pasted user token: nothing to evil hosts, the token only to the API origin, every file safe and exact', async () => {
  await saveFeishuSettings(browser, { token: TOKENS.feishuUser });
  const { list } = await listAndDownloadAll();

  expectNothingSentToEvilHosts();
  expectCredentialsOnlyOnTheApiOrigin([TOKENS.feishuUser]);
  expectEverythingSavedSafely();
  expectPlatformRulesKept(sandbox);
  await expectNothingLogged([TOKENS.feishuUser], list);
  await expectEvilHostsWatched();
});

test('hostile page, App ID and App Secret: the secret and the tenant tokens only to the API origin, every file safe and exact', async () => {
  const options = await browser.context.newPage();
  await options.goto(browser.extensionUrl('options.html'));
  await options.getByLabel('Feishu app ID').fill(APPS.feishu.appId);
  await options.getByLabel('Feishu app secret').fill(APPS.feishu.appSecret);
  await options.getByRole('button', { name: 'Save' }).click();
  await expect(options.getByText('Saved', { exact: true })).toBeVisible();
  await options.close();

  const { list } = await listAndDownloadAll();

  const tenantTokens = [...sandbox.api.state.issuedTokens.keys()];
  expect(tenantTokens.length).toBeGreaterThanOrEqual(1);
  // The secret went to the token endpoint only.
  const withSecret = sandbox.log.filter((r) => mentions(r, APPS.feishu.appSecret));
  expect(withSecret.map((r) => `${r.host}${r.path}`)).toEqual(withSecret.map(() => `${API_HOST}/open-apis/auth/v3/tenant_access_token/internal`));
  expect(sandbox.log.filter((r) => r.query.some(([, v]) => v.includes(APPS.feishu.appSecret)))).toEqual([]);

  expectNothingSentToEvilHosts();
  expectCredentialsOnlyOnTheApiOrigin([APPS.feishu.appSecret, ...tenantTokens]);
  expectEverythingSavedSafely();
  expectPlatformRulesKept(sandbox);
  await expectNothingLogged([APPS.feishu.appSecret, ...tenantTokens], list);
  await expectEvilHostsWatched();
});

test('hostile page, signed in with Feishu: the user tokens and the app secret only to the API origin, every file safe and exact', async () => {
  sandbox.api.oauth.registerRedirectUri(APPS.feishu.appId, `https://${browser.extensionId}.chromiumapp.org/`);
  const options = await openOptionsWithApp(browser);
  await pressSignIn(browser, options);
  await expect(options.getByText('Signed in as 张三 at https://open.feishu.cn.').first()).toBeVisible();
  await options.close();

  const { list } = await listAndDownloadAll();

  const userTokens = [...sandbox.api.oauth.issuedAccessTokens(), ...sandbox.api.oauth.issuedRefreshTokens()];
  expect(userTokens.length).toBeGreaterThanOrEqual(2);
  // The secret went to the OAuth token endpoint only; the authorize page got the app ID, never the secret.
  const withSecret = sandbox.log.filter((r) => mentions(r, APPS.feishu.appSecret));
  expect(withSecret.map((r) => `${r.host}${r.path}`)).toEqual(withSecret.map(() => `${API_HOST}/open-apis/authen/v2/oauth/token`));

  expectNothingSentToEvilHosts();
  expectCredentialsOnlyOnTheApiOrigin([APPS.feishu.appSecret, ...userTokens]);
  expectEverythingSavedSafely();
  expectPlatformRulesKept(sandbox);
  await expectNothingLogged([APPS.feishu.appSecret, ...userTokens], list);
  await expectEvilHostsWatched();
});

/** Runs `expression` in the extension's content-script world of `page` (what a compromised content script could do). */
async function inContentScript(page: Page, expression: string): Promise<unknown> {
  const cdp: CDPSession = await browser.context.newCDPSession(page);
  const contexts: { id: number; origin: string; auxData?: { type?: string; isDefault?: boolean } }[] = [];
  cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context as (typeof contexts)[number]));
  await cdp.send('Runtime.enable');
  await expect.poll(() => contexts.some((c) => c.auxData?.type === 'isolated' && c.origin === `chrome-extension://${browser.extensionId}`)).toBe(true);
  const world = contexts.find((c) => c.auxData?.type === 'isolated' && c.origin === `chrome-extension://${browser.extensionId}`)!;
  const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { contextId: world.id, expression, awaitPromise: true, returnByValue: true });
  await cdp.detach();
  if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
  return result.value;
}

test('a page cannot make its tab report another page: the background goes by the tab, not the message', async () => {
  await saveFeishuSettings(browser, { token: TOKENS.feishuUser });
  const { page, tabId } = await openDocument(browser, PAGE_URL);
  const count = String(hostileAttachments().length);
  await expect.poll(() => badgeText(browser, tabId)).toBe(count);

  const answers = await inContentScript(
    page,
    `Promise.all([
      chrome.runtime.sendMessage({ type: 'pageSeen', data: { url: 'https://acme.feishu.cn/docx/${DOCS.weekly}' } }),
      chrome.runtime.sendMessage({ type: 'pageSeen', data: { url: 'https://evil.example/docx/${DOCS.weekly}' } }),
      chrome.runtime.sendMessage({ type: 'getTabState', data: { tabId: ${tabId} } }),
      chrome.runtime.sendMessage({ type: 'downloadAll', data: { tabId: ${tabId} } }),
      chrome.runtime.sendMessage({ type: 'testConnection', data: { apiBase: 'https://evil.example', accessToken: null } }),
    ])`,
  );
  expect(answers).toEqual([
    { ok: true, value: { supported: false } },
    { ok: true, value: { supported: false } },
    { ok: false, error: 'getTabState is not accepted from this sender' },
    { ok: false, error: 'downloadAll is not accepted from this sender' },
    { ok: false, error: 'testConnection is not accepted from this sender' },
  ]);

  // The tab still shows the hostile document: its list, its count; the other document was never listed.
  const list = await openTabList(browser, tabId);
  await expect(list.getByRole('heading', { name: HOSTILE.title })).toBeVisible();
  await expect(list.getByRole('listitem')).toHaveCount(hostileAttachments().length);
  expect(await badgeText(browser, tabId)).toBe(count);
  expect(sandbox.log.filter((r) => r.path.includes(DOCS.weekly) && r.host === API_HOST)).toEqual([]);
  expectNothingSentToEvilHosts();
  expect(listFiles(browser.downloadsDir)).toEqual([]);
});
