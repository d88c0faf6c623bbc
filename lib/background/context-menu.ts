/** "Download all attachments" in the page's context menu, shown only on pages we can list. */
import { browser, i18n, type Browser } from '#imports';
import type { StartResult } from '../messaging/protocol';
import type { EkuaibaoWebHost } from '../ekuaibao/url';
import type { CustomWebHost } from '../feishu/url';
import { supportedPagePatterns } from '../platforms';

export const DOWNLOAD_ALL_MENU_ID = 'download-all-attachments';

/** Menu items persist across worker restarts; they are (re)created on install, update, browser start and when custom hosts change. */
export async function createContextMenu(customHosts: readonly CustomWebHost[] = [], ekuaibaoHosts: readonly EkuaibaoWebHost[] = []): Promise<void> {
  await browser.contextMenus.removeAll();
  browser.contextMenus.create({
    id: DOWNLOAD_ALL_MENU_ID,
    title: i18n.t('menu.downloadAll'),
    // Feishu documents are editable regions: without `editable` the item would hide inside the text.
    contexts: ['page', 'frame', 'selection', 'link', 'image', 'editable'],
    documentUrlPatterns: supportedPagePatterns(customHosts, ekuaibaoHosts),
  });
}

export interface MenuActions {
  downloadAll(tabId: number): Promise<StartResult>;
  /** Shows the tab's list in a tab of its own, where the reason for a refusal is spelled out. */
  openList(tabId: number): Promise<void>;
}

export async function handleMenuClick(info: Browser.contextMenus.OnClickData, tab: Browser.tabs.Tab | undefined, actions: MenuActions): Promise<void> {
  if (info.menuItemId !== DOWNLOAD_ALL_MENU_ID || tab?.id === undefined || tab.id < 0) return;
  const result = await actions.downloadAll(tab.id).catch(() => ({ ok: false }) as const);
  if (!result.ok) await actions.openList(tab.id);
}
