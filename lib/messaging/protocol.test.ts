import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { TabState } from '../core/tab-state';
import { MessageError, dispatch, listenForMessages, senderContext, sendMessage } from './protocol';
import { fakeHandlers } from '../../tests/unit/fake-handlers';

const EXTENSION_ID = 'test-extension-id';
const ORIGIN = `chrome-extension://${EXTENSION_ID}/`;
const DOC_URL = 'https://acme.feishu.cn/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd';

const TAB_STATE: TabState = { tabId: 4, recognition: { status: 'other' }, listing: { status: 'idle' } };

const popup: Browser.runtime.MessageSender = { id: EXTENSION_ID, url: `${ORIGIN}popup.html` };
const optionsInTab: Browser.runtime.MessageSender = { id: EXTENSION_ID, url: `${ORIGIN}options.html`, tab: { id: 9 } as Browser.tabs.Tab };
const contentScript: Browser.runtime.MessageSender = { id: EXTENSION_ID, url: DOC_URL, tab: { id: 4 } as Browser.tabs.Tab, frameId: 0 };
const otherExtension: Browser.runtime.MessageSender = { id: 'abcdefghijklmnopabcdefghijklmnop', url: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/x.html' };
const noTabNoOrigin: Browser.runtime.MessageSender = { id: EXTENSION_ID, url: 'https://acme.feishu.cn/' };

const handlers = () => fakeHandlers(TAB_STATE);

beforeEach(() => {
  fakeBrowser.reset();
});

describe('senderContext', () => {
  it.each<[string, Browser.runtime.MessageSender, 'extension' | 'content' | 'foreign']>([
    ['an extension page', popup, 'extension'],
    ['an extension page in a tab', optionsInTab, 'extension'],
    ['a content script', contentScript, 'content'],
    ['another extension', otherExtension, 'foreign'],
    ['another extension claiming our origin', { id: 'other', url: `${ORIGIN}popup.html` }, 'foreign'],
    ['no id at all (a web page through externally_connectable)', { url: DOC_URL, tab: { id: 4 } as Browser.tabs.Tab }, 'foreign'],
    ['our id without a tab or our origin', noTabNoOrigin, 'foreign'],
    ['our id without any URL', { id: EXTENSION_ID }, 'foreign'],
    ['a look-alike origin', { id: EXTENSION_ID, url: `chrome-extension://${EXTENSION_ID}.evil/x` }, 'foreign'],
  ])('%s', (_name, sender, expected) => {
    expect(senderContext(sender, EXTENSION_ID, ORIGIN)).toBe(expected);
  });
});

describe('dispatch', () => {
  it('answers an extension page with the handler\'s value and the parsed request', async () => {
    const h = handlers();
    expect(await dispatch('getTabState', { tabId: 4 }, popup, h)).toEqual({ ok: true, value: TAB_STATE });
    expect(h.getTabState).toHaveBeenCalledExactlyOnceWith({ tabId: 4 }, popup);
  });

  it('strips unknown request fields before the handler sees them', async () => {
    const h = handlers();
    await dispatch('downloadAll', { tabId: 4, evil: 'x' }, popup, h);
    expect(h.downloadAll).toHaveBeenCalledExactlyOnceWith({ tabId: 4 }, popup);
  });

  it('lets a content script report what its page shows, identifiers only', async () => {
    const h = handlers();
    const dom = { items: [{ token: 'boxcnSeenInPage0001', kind: 'file', name: 'report.pdf' }], messageId: 'TVRJek5EVTJOemc1TUE9PQ==' };
    expect(await dispatch('pageSeen', { url: DOC_URL, dom }, contentScript, h)).toEqual({ ok: true, value: { supported: true } });
    expect(h.pageSeen).toHaveBeenCalledExactlyOnceWith({ url: DOC_URL, dom }, contentScript);
  });

  it.each([
    ['a token with a path', { items: [{ token: '../../open-apis', kind: 'file' }] }],
    ['a URL for a token', { items: [{ token: 'https://evil.example/x', kind: 'image' }] }],
    ['an unknown kind', { items: [{ token: 'boxcnSeenInPage0001', kind: 'script' }] }],
    ['a name far too long', { items: [{ token: 'boxcnSeenInPage0001', kind: 'file', name: 'x'.repeat(301) }] }],
    ['a message id with markup', { items: [], messageId: '<img src=x>' }],
    ['too many items', { items: Array.from({ length: 2001 }, (_, i) => ({ token: `boxcnSeen${String(i).padStart(6, '0')}`, kind: 'file' })) }],
  ])('refuses a page report with %s', async (_name, dom) => {
    const h = handlers();
    expect(await dispatch('pageSeen', { url: DOC_URL, dom }, contentScript, h)).toEqual({ ok: false, error: 'Invalid pageSeen request' });
    expect(h.pageSeen).not.toHaveBeenCalled();
  });

  it('lets a content script report its page', async () => {
    const h = handlers();
    expect(await dispatch('pageSeen', { url: DOC_URL }, contentScript, h)).toEqual({ ok: true, value: { supported: true } });
    expect(h.pageSeen).toHaveBeenCalledExactlyOnceWith({ url: DOC_URL }, contentScript);
  });

  it.each(['getTabState', 'refreshTab', 'mailMore', 'downloadAll'] as const)('refuses %s from a content script', async (type) => {
    const h = handlers();
    expect(await dispatch(type, { tabId: 4 }, contentScript, h)).toEqual({ ok: false, error: `${type} is not accepted from this sender` });
    expect(h[type]).not.toHaveBeenCalled();
  });

  it('refuses testConnection from a content script (it would carry a token)', async () => {
    const h = handlers();
    expect(await dispatch('testConnection', { apiBase: 'https://evil.example', accessToken: null }, contentScript, h)).toEqual({
      ok: false,
      error: 'testConnection is not accepted from this sender',
    });
    expect(h.testConnection).not.toHaveBeenCalled();
  });

  it.each([
    ['another extension', otherExtension],
    ['a sender without a tab', noTabNoOrigin],
  ])('refuses every message from %s', async (_name, sender) => {
    const h = handlers();
    expect(await dispatch('pageSeen', { url: DOC_URL }, sender, h)).toEqual({ ok: false, error: 'pageSeen is not accepted from this sender' });
    expect(await dispatch('getTabState', { tabId: 4 }, sender, h)).toEqual({ ok: false, error: 'getTabState is not accepted from this sender' });
    expect(h.pageSeen).not.toHaveBeenCalled();
    expect(h.getTabState).not.toHaveBeenCalled();
  });

  it.each<[string, 'getTabState' | 'pageSeen' | 'testConnection', unknown]>([
    ['a negative tab id', 'getTabState', { tabId: -1 }],
    ['a fractional tab id', 'getTabState', { tabId: 1.5 }],
    ['a tab id as a string', 'getTabState', { tabId: '4' }],
    ['no data', 'getTabState', undefined],
    ['a URL that is not a string', 'pageSeen', { url: 42 }],
    ['an over-long URL', 'pageSeen', { url: `https://acme.feishu.cn/${'a'.repeat(8200)}` }],
    ['a missing token field', 'testConnection', { apiBase: null }],
    ['an over-long token', 'testConnection', { apiBase: null, accessToken: 'x'.repeat(8193) }],
  ])('rejects %s without calling the handler', async (_name, type, data) => {
    const h = handlers();
    expect(await dispatch(type, data, popup, h)).toEqual({ ok: false, error: `Invalid ${type} request` });
    expect(h[type]).not.toHaveBeenCalled();
  });

  it('turns a handler error into an answer', async () => {
    const h = handlers();
    h.refreshTab.mockRejectedValueOnce(new Error('No tab with id: 4.'));
    expect(await dispatch('refreshTab', { tabId: 4 }, popup, h)).toEqual({ ok: false, error: 'No tab with id: 4.' });
    h.refreshTab.mockRejectedValueOnce('plain string');
    expect(await dispatch('refreshTab', { tabId: 4 }, popup, h)).toEqual({ ok: false, error: 'plain string' });
  });

  it('uses the running extension\'s id and origin by default', async () => {
    const h = handlers();
    expect(await dispatch('getTabState', { tabId: 4 }, { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/popup.html') }, h)).toEqual({
      ok: true,
      value: TAB_STATE,
    });
  });
});

describe('listenForMessages', () => {
  it('answers protocol messages and leaves others to other listeners', async () => {
    const h = handlers();
    listenForMessages(h);
    const [answer] = await fakeBrowser.runtime.onMessage.trigger({ type: 'getTabState', data: { tabId: 4 } }, popup, () => undefined);
    expect(await answer).toEqual({ ok: true, value: TAB_STATE });
    const [foreign] = await fakeBrowser.runtime.onMessage.trigger({ type: 'getTabState', data: { tabId: 4 } }, otherExtension, () => undefined);
    expect(await foreign).toEqual({ ok: false, error: 'getTabState is not accepted from this sender' });
    for (const message of [{ type: 'deleteEverything', data: {} }, 'hello', null, { data: {} }]) {
      const [other] = await fakeBrowser.runtime.onMessage.trigger(message, popup, () => undefined);
      expect(other).toBeUndefined();
    }
    expect(h.getTabState).toHaveBeenCalledOnce();
  });
});

describe('sendMessage', () => {
  /** What the background's listener answered, as chrome.runtime.sendMessage hands it back (untyped). */
  function backgroundAnswers(reply: unknown) {
    // The fake types the answer as void; the real API resolves to whatever the listener answered.
    return vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockResolvedValue(reply as void);
  }

  it('returns the checked value', async () => {
    const send = backgroundAnswers({ ok: true, value: TAB_STATE });
    expect(await sendMessage('getTabState', { tabId: 4 })).toEqual(TAB_STATE);
    expect(send).toHaveBeenCalledExactlyOnceWith({ type: 'getTabState', data: { tabId: 4 } });
  });

  it('throws the background\'s error', async () => {
    backgroundAnswers({ ok: false, error: 'No tab with id: 4.' });
    await expect(sendMessage('getTabState', { tabId: 4 })).rejects.toEqual(new MessageError('No tab with id: 4.'));
  });

  it('throws when nobody answered or the answer has the wrong shape', async () => {
    backgroundAnswers(undefined);
    await expect(sendMessage('downloadAll', { tabId: 4 })).rejects.toEqual(new MessageError('No valid answer to downloadAll'));
    backgroundAnswers({ ok: true, value: { ok: 'yes' } });
    await expect(sendMessage('downloadAll', { tabId: 4 })).rejects.toThrow();
  });
});
