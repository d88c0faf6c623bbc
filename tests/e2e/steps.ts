/** Steps shared by the end-to-end tests, written the way a person uses the extension. */
import { expect, type Page } from '@playwright/test';
import { APPS } from '../sandbox';
import type { ExtensionBrowser } from './harness';

export async function saveFeishuSettings(browser: ExtensionBrowser, settings: { apiBase?: string; token: string }): Promise<void> {
  const page = await browser.context.newPage();
  await page.goto(browser.extensionUrl('options.html'));
  if (settings.apiBase !== undefined) await page.getByLabel('Feishu API base URL').fill(settings.apiBase);
  await page.getByLabel('Feishu access token').fill(settings.token);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved', { exact: true })).toBeVisible();
  await page.close();
}

/** Fills the Ekuaibao part of the options page: a pasted token, or an app key and app security. */
export async function saveEkuaibaoSettings(browser: ExtensionBrowser, settings: { token: string } | { appKey: string; appSecurity: string }): Promise<void> {
  const page = await browser.context.newPage();
  await page.goto(browser.extensionUrl('options.html'));
  if ('token' in settings) {
    await page.getByLabel('Ekuaibao access token').fill(settings.token);
  } else {
    await page.getByLabel('Ekuaibao app key').fill(settings.appKey);
    await page.getByLabel('Ekuaibao app security').fill(settings.appSecurity);
  }
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved', { exact: true })).toBeVisible();
  await page.close();
}

export async function openDocument(browser: ExtensionBrowser, url: string): Promise<{ page: Page; tabId: number }> {
  const page = await browser.context.newPage();
  await page.goto(url);
  return { page, tabId: await browser.tabIdOf(page) };
}

export async function openTabList(browser: ExtensionBrowser, tabId: number): Promise<Page> {
  const popup = await browser.context.newPage();
  await popup.goto(browser.extensionUrl(`popup.html?tabId=${tabId}`));
  return popup;
}

export async function badgeText(browser: ExtensionBrowser, tabId: number): Promise<string> {
  return browser.worker.evaluate((id) => chrome.action.getBadgeText({ tabId: id }), tabId);
}

/**
 * Chromium's native context menu cannot be clicked from a test: call the worker's own `contextMenus.onClicked`
 * handler with what Chrome would pass for a click on the page.
 */
export async function clickDownloadAllInMenu(browser: ExtensionBrowser, tabId: number): Promise<void> {
  await browser.worker.evaluate(async (id) => {
    const tab = await chrome.tabs.get(id);
    const hooks = (globalThis as unknown as { attachmentDownloader: { onMenuClick(info: object, tab: object): Promise<void> } }).attachmentDownloader;
    await hooks.onMenuClick({ menuItemId: 'download-all-attachments', editable: true, pageUrl: tab.url }, tab);
  }, tabId);
}

/** Presses "Download all" in a list page and waits until every row is Done or Failed. */
export async function downloadAllAndWait(list: Page, expectedRows: number): Promise<void> {
  const rows = list.getByRole('listitem');
  await expect(rows).toHaveCount(expectedRows);
  await list.getByRole('button', { name: /^Download all/ }).click();
  await expect(rows.filter({ hasText: /^(?:(?!Ready).)*(Done|Failed)/s })).toHaveCount(expectedRows, { timeout: 90_000 });
}

/**
 * The options page with the app's ID and secret typed, for signing in; `chooseMode`: pick the sign-in mode first
 * (pressing "Sign in with Feishu" alone chooses it too).
 */
export async function openOptionsWithApp(browser: ExtensionBrowser, chooseMode = true): Promise<Page> {
  const options = await browser.context.newPage();
  await options.goto(browser.extensionUrl('options.html'));
  if (chooseMode) await options.getByRole('radio', { name: 'Sign in with Feishu (your own access)' }).check();
  await expect(options.getByLabel('Redirect URL')).toHaveValue(`https://${browser.extensionId}.chromiumapp.org/`);
  await options.getByLabel('Feishu app ID').fill(APPS.feishu.appId);
  await options.getByLabel('Feishu app secret').fill(APPS.feishu.appSecret);
  return options;
}

/** Presses "Sign in with Feishu" (or `button`) and, on the sandbox's authorize page that opens, "Authorize". */
export async function pressSignIn(browser: ExtensionBrowser, options: Page, button = 'Sign in with Feishu'): Promise<void> {
  const authorizePage = browser.context.waitForEvent('page', (p) => p.url().startsWith('https://accounts.feishu.cn/'));
  await options.getByRole('button', { name: button }).click();
  const consent = await authorizePage;
  await consent.getByRole('button', { name: 'Authorize' }).click();
}
