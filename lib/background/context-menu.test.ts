import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { StartResult } from '../messaging/protocol';
import { recognisePage } from '../platforms';
import { DOWNLOAD_ALL_MENU_ID, createContextMenu, handleMenuClick, type MenuActions } from './context-menu';

const FAMILIES = ['feishu.cn', 'feishu.net', 'larkoffice.com', 'larkenterprise.com', 'larksuite.com'];
const LISTED_PATHS = ['docx', 'wiki', 'sheets', 'base', 'file', 'mail'];
const CUSTOM_HOST = { host: 'docs.acme-private.cn', brand: 'feishu' } as const;
const WILDCARD_HOST = { host: '*.corp-lark.example', brand: 'lark' } as const;

function click(menuItemId: string | number): Browser.contextMenus.OnClickData {
  return { menuItemId, editable: true, pageUrl: 'https://acme.feishu.cn/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd' };
}

function tab(id: number | undefined): Browser.tabs.Tab {
  return {
    id,
    index: 0,
    windowId: 1,
    highlighted: true,
    active: true,
    pinned: false,
    incognito: false,
    discarded: false,
    autoDiscardable: true,
    frozen: false,
    groupId: -1,
    selected: true,
    lastAccessed: 1_700_000_000_000,
  };
}

function actions(result: StartResult | Error) {
  const downloadAll = vi.fn(async (_tabId: number): Promise<StartResult> => {
    if (result instanceof Error) throw result;
    return result;
  });
  const openList = vi.fn(async (_tabId: number) => undefined);
  const menuActions: MenuActions = { downloadAll, openList };
  return { menuActions, downloadAll, openList };
}

beforeEach(() => {
  fakeBrowser.reset();
});

describe('handleMenuClick', () => {
  it('starts the download for the clicked tab and opens nothing when it starts', async () => {
    const a = actions({ ok: true, jobId: 'job-1' });
    await handleMenuClick(click(DOWNLOAD_ALL_MENU_ID), tab(12), a.menuActions);
    expect(a.downloadAll).toHaveBeenCalledExactlyOnceWith(12);
    expect(a.openList).not.toHaveBeenCalled();
  });

  it('opens the tab\'s list, where the reason is spelled out, when the download is refused', async () => {
    const a = actions({ ok: false, problem: { kind: 'credentials-missing' } });
    await handleMenuClick(click(DOWNLOAD_ALL_MENU_ID), tab(12), a.menuActions);
    expect(a.downloadAll).toHaveBeenCalledExactlyOnceWith(12);
    expect(a.openList).toHaveBeenCalledExactlyOnceWith(12);
  });

  it('opens the list when starting throws', async () => {
    const a = actions(new Error('No tab with id: 12.'));
    await expect(handleMenuClick(click(DOWNLOAD_ALL_MENU_ID), tab(12), a.menuActions)).resolves.toBeUndefined();
    expect(a.openList).toHaveBeenCalledExactlyOnceWith(12);
  });

  it('ignores other menu items', async () => {
    const a = actions({ ok: true, jobId: 'job-1' });
    await handleMenuClick(click('something-else'), tab(12), a.menuActions);
    await handleMenuClick(click(1), tab(12), a.menuActions);
    expect(a.downloadAll).not.toHaveBeenCalled();
    expect(a.openList).not.toHaveBeenCalled();
  });

  it('ignores clicks without a usable tab (no tab, no id, devtools tab id -1)', async () => {
    const a = actions({ ok: true, jobId: 'job-1' });
    await handleMenuClick(click(DOWNLOAD_ALL_MENU_ID), undefined, a.menuActions);
    await handleMenuClick(click(DOWNLOAD_ALL_MENU_ID), tab(undefined), a.menuActions);
    await handleMenuClick(click(DOWNLOAD_ALL_MENU_ID), tab(-1), a.menuActions);
    expect(a.downloadAll).not.toHaveBeenCalled();
    expect(a.openList).not.toHaveBeenCalled();
  });

  it('handles tab id 0', async () => {
    const a = actions({ ok: true, jobId: 'job-1' });
    await handleMenuClick(click(DOWNLOAD_ALL_MENU_ID), tab(0), a.menuActions);
    expect(a.downloadAll).toHaveBeenCalledExactlyOnceWith(0);
  });
});

describe('createContextMenu', () => {
  function spyMenus() {
    const removeAll = vi.spyOn(fakeBrowser.contextMenus, 'removeAll').mockResolvedValue(undefined);
    const create = vi.spyOn(fakeBrowser.contextMenus, 'create').mockReturnValue(DOWNLOAD_ALL_MENU_ID);
    vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((key: string) => (key === 'menu_downloadAll' ? 'Download all attachments' : ''));
    return { removeAll, create };
  }

  it('replaces the menu with one item', async () => {
    const { removeAll, create } = spyMenus();
    await createContextMenu();
    expect(removeAll).toHaveBeenCalledOnce();
    expect(removeAll.mock.invocationCallOrder[0]).toBeLessThan(create.mock.invocationCallOrder[0]!);
    expect(create).toHaveBeenCalledOnce();
    const [properties] = create.mock.calls[0]!;
    expect(properties).toEqual({
      id: DOWNLOAD_ALL_MENU_ID,
      title: 'Download all attachments',
      contexts: ['page', 'frame', 'selection', 'link', 'image', 'editable'],
      documentUrlPatterns: [
        ...FAMILIES.flatMap((domain) => LISTED_PATHS.map((path) => `https://*.${domain}/${path}*`)),
        ...FAMILIES.map((domain) => `https://mail.${domain}/*`),
        'https://*.ekuaibao.com/*',
        'https://*.hosecloud.com/*',
      ],
    });
  });

  it('adds the custom hosts\' listed pages', async () => {
    const { create } = spyMenus();
    await createContextMenu([CUSTOM_HOST, WILDCARD_HOST]);
    const patterns = create.mock.calls[0]![0].documentUrlPatterns ?? [];
    expect(patterns.filter((p) => p.includes('acme-private') || p.includes('corp-lark'))).toEqual([
      ...LISTED_PATHS.map((path) => `https://docs.acme-private.cn/${path}*`),
      ...LISTED_PATHS.map((path) => `https://*.corp-lark.example/${path}*`),
    ]);
    expect(patterns).toHaveLength(FAMILIES.length * (LISTED_PATHS.length + 1) + 2 * LISTED_PATHS.length + 2);
  });

  it('shows the item on exactly the pages the extension can list', async () => {
    const { create } = spyMenus();
    const customHosts = [CUSTOM_HOST, WILDCARD_HOST];
    await createContextMenu(customHosts);
    const patterns = create.mock.calls[0]![0].documentUrlPatterns ?? [];
    // Chrome's match patterns: `*.` also matches the bare domain; a path `*` matches anything after it.
    const matches = (url: string) =>
      patterns.some((pattern) => {
        const [, hostPattern = '', pathPattern = ''] = /^https:\/\/([^/]+)(\/.*)$/.exec(pattern) ?? [];
        const parsed = new URL(url);
        const domain = hostPattern.replace(/^\*\./, '');
        const hostOk = parsed.hostname === domain || parsed.hostname.endsWith(`.${domain}`);
        const pathOk = new RegExp(`^${pathPattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(parsed.pathname);
        return parsed.protocol === 'https:' && hostOk && pathOk;
      });
    const urls = [
      'https://acme.feishu.cn/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'https://acme.feishu.net/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'https://bytedance.larkoffice.com/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'https://trip.larkenterprise.com/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'https://acme.sg.larksuite.com/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'https://acme.feishu.cn/wiki/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'https://acme.feishu.cn/sheets/UXEAd6cRUoj5pexJZr0cdwaFnpd?sheet=a1B2c3',
      'https://acme.feishu.cn/base/UXEAd6cRUoj5pexJZr0cdwaFnpd?table=tblInvoicesAbCdE',
      'https://acme.larksuite.com/file/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'https://mail.feishu.cn/',
      'https://mail.larksuite.com/?messageId=abcd1234',
      'https://acme.feishu.cn/mail',
      'https://acme.feishu.cn/mail/inbox',
      'https://acme.feishu.cn/docs/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'https://acme.feishu.cn/mindnotes/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'https://acme.feishu.cn/drive/folder/fldcnUXEAd6cRUoj5pexJZr0',
      'https://docs.acme-private.cn/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'https://docs.acme-private.cn/base/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'https://tenant.corp-lark.example/wiki/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'https://www.acme-private.cn/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'http://acme.feishu.cn/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'https://example.com/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd',
      'https://app.ekuaibao.com/web/app.html#/bills',
      'https://dd2.hosecloud.com/web/app.html#/bill/ID01kZx3mPq7Rt',
      'http://app.ekuaibao.com/web/app.html',
      'https://ekuaibao.example.com/web/app.html',
    ];
    for (const url of urls) expect([url, matches(url)]).toEqual([url, recognisePage(url, customHosts).status === 'supported']);
  });
});
