import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { readTabState, removeTabState, tabStateKey, watchTabState, writeTabState, type TabState } from './tab-state';

const STATE: TabState = {
  tabId: 4,
  recognition: { status: 'supported', page: { platform: 'feishu', brand: 'feishu', host: 'acme.feishu.cn', kind: 'docx', token: 'UXEAd6cRUoj5pexJZr0cdwaFnpd' } },
  listing: { status: 'loading', startedAt: 5 },
  jobId: 'job-1',
};

beforeEach(() => {
  fakeBrowser.reset();
});

describe('tab state in session storage', () => {
  it('is written to and read from session storage', async () => {
    expect(tabStateKey(4)).toBe('session:tab:4');
    await writeTabState(STATE);
    expect(await fakeBrowser.storage.session.get('tab:4')).toEqual({ 'tab:4': STATE });
    expect(await fakeBrowser.storage.local.get(null)).toEqual({});
    expect(await readTabState(4)).toEqual(STATE);
    expect(await readTabState(5)).toBeNull();
  });

  it('refuses to write an invalid state', async () => {
    await expect(writeTabState({ ...STATE, tabId: 1.5 })).rejects.toThrow();
    expect(await readTabState(1.5)).toBeNull();
  });

  it('reads a damaged state as none', async () => {
    await fakeBrowser.storage.session.set({ 'tab:4': { tabId: 4, listing: 'ready' } });
    expect(await readTabState(4)).toBeNull();
  });

  it('is removed', async () => {
    await writeTabState(STATE);
    await removeTabState(4);
    expect(await readTabState(4)).toBeNull();
  });

  it('tells watchers of one tab about its changes only', async () => {
    const seen: (TabState | null)[] = [];
    const unwatch = watchTabState(4, (s) => seen.push(s));
    await writeTabState({ ...STATE, tabId: 5 });
    await writeTabState(STATE);
    await fakeBrowser.storage.session.set({ 'tab:4': 'damaged' });
    await vi.waitFor(() => expect(seen).toHaveLength(2));
    unwatch();
    await writeTabState(STATE);
    expect(seen).toEqual([STATE, null]);
  });
});
