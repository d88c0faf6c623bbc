import { beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { supportedPagePatterns } from '../platforms';
import type { CustomHost } from '../settings';
import { DOWNLOAD_ALL_MENU_ID } from './context-menu';
import { syncCustomHosts } from './custom-hosts';

type Script = Browser.scripting.RegisteredContentScript;

const PRIVATE: CustomHost = { host: 'docs.acme-private.cn', apiBase: 'https://open.acme-private.cn', brand: 'feishu' };
const WILDCARD: CustomHost = { host: '*.corp-lark.example', apiBase: 'https://open.corp-lark.example', brand: 'lark' };
const DENIED: CustomHost = { host: 'wiki.not-granted.example', apiBase: 'https://open.not-granted.example', brand: 'feishu' };

// The typings end with the callback overloads, the ones vitest's spy types pick; the extension uses the promise forms.
type Spy<F extends (...args: never[]) => unknown> = MockInstance<F>;

interface Harness {
  contains: Spy<(permissions: Browser.permissions.Permissions) => Promise<boolean>>;
  registered: Spy<(filter?: Browser.scripting.ContentScriptFilter) => Promise<Script[]>>;
  register: Spy<(scripts: Script[]) => Promise<void>>;
  update: Spy<(scripts: Script[]) => Promise<void>>;
  unregister: Spy<(filter?: Browser.scripting.ContentScriptFilter) => Promise<void>>;
  removeAll: Spy<() => Promise<void>>;
  create: MockInstance<typeof fakeBrowser.contextMenus.create>;
}

/** The browser as far as the sync sees it: the granted origins and the scripts registered already. */
function harness(granted: readonly string[], existing: Script[] = []): Harness {
  const contains = (vi.spyOn(fakeBrowser.permissions, 'contains') as unknown as Harness['contains']).mockImplementation(async (permissions) =>
    (permissions.origins ?? []).every((origin) => granted.includes(origin)),
  );
  const registered = (vi.spyOn(fakeBrowser.scripting, 'getRegisteredContentScripts') as unknown as Harness['registered']).mockImplementation(async (filter) =>
    existing.filter((s) => !filter?.ids || filter.ids.includes(s.id)),
  );
  const register = (vi.spyOn(fakeBrowser.scripting, 'registerContentScripts') as unknown as Harness['register']).mockResolvedValue(undefined);
  const update = (vi.spyOn(fakeBrowser.scripting, 'updateContentScripts') as unknown as Harness['update']).mockResolvedValue(undefined);
  const unregister = (vi.spyOn(fakeBrowser.scripting, 'unregisterContentScripts') as unknown as Harness['unregister']).mockResolvedValue(undefined);
  const removeAll = (vi.spyOn(fakeBrowser.contextMenus, 'removeAll') as unknown as Harness['removeAll']).mockResolvedValue(undefined);
  const create = vi.spyOn(fakeBrowser.contextMenus, 'create').mockReturnValue(DOWNLOAD_ALL_MENU_ID);
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((key: string) => (key === 'menu_downloadAll' ? 'Download all attachments' : ''));
  return { contains, registered, register, update, unregister, removeAll, create };
}

const script = (matches: string[]): Script => ({
  id: 'feishu-custom-hosts',
  matches,
  js: ['content-scripts/feishu.js'],
  runAt: 'document_idle',
  persistAcrossSessions: true,
});

const menuPatterns = (h: Harness) => h.create.mock.calls.at(-1)?.[0].documentUrlPatterns;

beforeEach(() => {
  fakeBrowser.reset();
});

describe('syncCustomHosts', () => {
  it('registers the content script for the granted hosts only', async () => {
    const h = harness(['https://docs.acme-private.cn/*', 'https://*.corp-lark.example/*']);
    await syncCustomHosts([PRIVATE, DENIED, WILDCARD]);
    expect(h.contains.mock.calls.map(([p]) => p)).toEqual([
      { origins: ['https://docs.acme-private.cn/*'] },
      { origins: ['https://wiki.not-granted.example/*'] },
      { origins: ['https://*.corp-lark.example/*'] },
    ]);
    expect(h.registered).toHaveBeenCalledWith({ ids: ['feishu-custom-hosts'] });
    expect(h.register).toHaveBeenCalledExactlyOnceWith([script(['https://docs.acme-private.cn/*', 'https://*.corp-lark.example/*'])]);
    expect(h.update).not.toHaveBeenCalled();
    expect(h.unregister).not.toHaveBeenCalled();
  });

  it('updates the registered script when the hosts change', async () => {
    const h = harness(['https://docs.acme-private.cn/*', 'https://*.corp-lark.example/*'], [script(['https://docs.acme-private.cn/*'])]);
    await syncCustomHosts([PRIVATE, WILDCARD]);
    expect(h.update).toHaveBeenCalledExactlyOnceWith([script(['https://docs.acme-private.cn/*', 'https://*.corp-lark.example/*'])]);
    expect(h.register).not.toHaveBeenCalled();
  });

  it('unregisters the script when no granted host is left', async () => {
    const h = harness([], [script(['https://docs.acme-private.cn/*'])]);
    await syncCustomHosts([PRIVATE]);
    expect(h.unregister).toHaveBeenCalledExactlyOnceWith({ ids: ['feishu-custom-hosts'] });
    expect(h.register).not.toHaveBeenCalled();
    expect(h.update).not.toHaveBeenCalled();
  });

  it('does nothing to scripts when there are no custom hosts and none was registered', async () => {
    const h = harness([]);
    await syncCustomHosts([]);
    expect(h.contains).not.toHaveBeenCalled();
    expect(h.register).not.toHaveBeenCalled();
    expect(h.update).not.toHaveBeenCalled();
    expect(h.unregister).not.toHaveBeenCalled();
  });

  it('treats a permission check that fails as not granted', async () => {
    const h = harness([]);
    h.contains.mockRejectedValue(new Error('Only permissions specified in the manifest may be requested.'));
    await syncCustomHosts([PRIVATE]);
    expect(h.register).not.toHaveBeenCalled();
    expect(menuPatterns(h)).toEqual(supportedPagePatterns());
  });

  it('recreates the context menu with the granted hosts\' page patterns', async () => {
    const h = harness(['https://docs.acme-private.cn/*']);
    await syncCustomHosts([PRIVATE, DENIED]);
    expect(h.removeAll).toHaveBeenCalledOnce();
    expect(h.create).toHaveBeenCalledOnce();
    const patterns = menuPatterns(h) ?? [];
    expect(patterns).toEqual(supportedPagePatterns([PRIVATE]));
    expect(patterns).toContain('https://docs.acme-private.cn/docx*');
    expect(patterns.some((p) => p.includes('not-granted'))).toBe(false);
  });

  it('recreates the menu without custom hosts when none is left', async () => {
    const h = harness([], [script(['https://docs.acme-private.cn/*'])]);
    await syncCustomHosts([]);
    expect(menuPatterns(h)).toEqual(supportedPagePatterns());
  });
});

describe('syncCustomHosts for Ekuaibao deployments', () => {
  const EKB = { host: 'ekb.acme-corp.cn', apiBase: 'https://ekb-api.acme-corp.cn' };
  const EKB_DENIED = { host: 'ekb.not-granted.example', apiBase: 'https://ekb.not-granted.example' };

  it('runs the Ekuaibao content script on granted Ekuaibao hosts, beside the Feishu one, and shows the menu there', async () => {
    const h = harness([`https://${PRIVATE.host}/*`, `https://${EKB.host}/*`]);
    await syncCustomHosts([PRIVATE], [EKB, EKB_DENIED]);
    expect(h.register.mock.calls).toEqual([
      [[script([`https://${PRIVATE.host}/*`])]],
      [[{ id: 'ekuaibao-custom-hosts', matches: [`https://${EKB.host}/*`], js: ['content-scripts/ekuaibao.js'], runAt: 'document_idle', persistAcrossSessions: true }]],
    ]);
    expect(menuPatterns(h)).toEqual(supportedPagePatterns([PRIVATE], [EKB]));
    expect(menuPatterns(h)).toContain(`https://${EKB.host}/*`);
  });

  it('unregisters the Ekuaibao script when its last host goes', async () => {
    const existing: Script = { id: 'ekuaibao-custom-hosts', matches: [`https://${EKB.host}/*`], js: ['content-scripts/ekuaibao.js'], runAt: 'document_idle', persistAcrossSessions: true };
    const h = harness([], [existing]);
    await syncCustomHosts([], []);
    expect(h.unregister).toHaveBeenCalledExactlyOnceWith({ ids: ['ekuaibao-custom-hosts'] });
  });
});
