import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { TabState } from '../core/tab-state';
import { dispatch, listenForMessages, PROTOCOL, type MessageType } from '../messaging/protocol';
import { pageSeenHandler, senderPage } from './page-seen';
import type { TabService } from './tab-service';
import { fakeHandlers } from '../../tests/unit/fake-handlers';

const EXTENSION_ID = fakeBrowser.runtime.id;
const ORIGIN = fakeBrowser.runtime.getURL('/');
const DOC_A = 'https://acme.feishu.cn/docx/Ea7fGh2JkLm9NpQr4StUv6WxYz1';
const DOC_B = 'https://acme.feishu.cn/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd';
const TAB = 4;

/** A content script in the top frame of tab 4, as Chromium describes it: the document's load URL and the tab's URL. */
function contentScript(documentUrl: string, tabUrl: string | undefined = documentUrl, extra: Partial<Browser.runtime.MessageSender> = {}): Browser.runtime.MessageSender {
  return {
    id: EXTENSION_ID,
    url: documentUrl,
    origin: new URL(documentUrl).origin,
    frameId: 0,
    documentLifecycle: 'active',
    documentId: '0D7E1924C4B26201A498A554E019FF43',
    tab: { id: TAB, ...(tabUrl !== undefined ? { url: tabUrl } : {}) } as Browser.tabs.Tab,
    ...extra,
  };
}

describe('senderPage', () => {
  it('takes the page the tab shows when the hint is that URL', () => {
    expect(senderPage(contentScript(DOC_A), DOC_A)).toEqual({ tabId: TAB, url: DOC_A });
  });

  it('follows history.pushState: Chromium moves the tab\'s URL, not the sender\'s', () => {
    // What Chromium 156 reports after the page called history.pushState({}, '', '/docx/<B>'): sender.url stays A.
    expect(senderPage(contentScript(DOC_A, DOC_B), DOC_B)).toEqual({ tabId: TAB, url: DOC_B });
    // ...and a report of the old URL, arriving after the move, no longer describes the tab.
    expect(senderPage(contentScript(DOC_A, DOC_B), DOC_A)).toBeNull();
  });

  it('uses the document\'s URL when the tab\'s is not given', () => {
    expect(senderPage(contentScript(DOC_A, undefined), DOC_A)).toEqual({ tabId: TAB, url: DOC_A });
    expect(senderPage(contentScript(DOC_A, ''), DOC_A)).toEqual({ tabId: TAB, url: DOC_A });
    expect(senderPage(contentScript(DOC_A, undefined), DOC_B)).toBeNull();
  });

  it.each([
    ['another origin', `https://evil.example/docx/Ea7fGh2JkLm9NpQr4StUv6WxYz1`],
    ['a look-alike host', 'https://acme.feishu.cn.evil.example/docx/Ea7fGh2JkLm9NpQr4StUv6WxYz1'],
    ['another document on the same origin', DOC_B],
    ['another sub-domain of the family', 'https://other.feishu.cn/docx/Ea7fGh2JkLm9NpQr4StUv6WxYz1'],
    ['the same page over http', DOC_A.replace('https:', 'http:')],
    ['the same page with another query', `${DOC_A}?sheet=abc`],
    ['an extension page', `${ORIGIN}popup.html`],
    ['not a URL', 'not a url'],
    ['an empty string', ''],
  ])('refuses a hint naming %s', (_name, hint) => {
    expect(senderPage(contentScript(DOC_A), hint)).toBeNull();
  });

  it.each<[string, Browser.runtime.MessageSender]>([
    ['a child frame', contentScript(DOC_A, DOC_A, { frameId: 3 })],
    ['a sender without a frame id', contentScript(DOC_A, DOC_A, { frameId: undefined })],
    ['a sender without a tab', { ...contentScript(DOC_A), tab: undefined }],
    ['a tab without an id', contentScript(DOC_A, DOC_A, { tab: { url: DOC_A } as Browser.tabs.Tab })],
    ['a prerendered document', contentScript(DOC_A, DOC_A, { documentLifecycle: 'prerender' })],
    ['a document in the back/forward cache', contentScript(DOC_A, DOC_A, { documentLifecycle: 'cached' })],
    ['a document being unloaded', contentScript(DOC_A, DOC_A, { documentLifecycle: 'pending_deletion' })],
    ['a document the tab navigated away from (other origin)', contentScript('https://evil.example/x', DOC_A)],
    ['an opaque origin (sandboxed frame, data: URL)', contentScript(DOC_A, DOC_A, { origin: 'null' })],
    ['no URL at all', contentScript(DOC_A, undefined, { url: undefined, origin: undefined })],
  ])('refuses %s', (_name, sender) => {
    expect(senderPage(sender, DOC_A)).toBeNull();
  });

  it('keeps the web apps\' session parameters out of the page: the redacted hint matches, the redacted URL is used', () => {
    const withSession = 'https://app.ekuaibao.com/web/app.html?accessToken=SESSION-abc123&corpId=x#/bill/ID01kZx3mPq7Rt?ticket=T-9';
    const redacted = 'https://app.ekuaibao.com/web/app.html?corpId=x#/bill/ID01kZx3mPq7Rt';
    const sender = contentScript('https://app.ekuaibao.com/web/app.html?accessToken=SESSION-abc123&corpId=x', withSession);
    expect(senderPage(sender, redacted)).toEqual({ tabId: TAB, url: redacted });
    expect(senderPage(sender, withSession)).toEqual({ tabId: TAB, url: redacted });
    expect(senderPage(sender, 'https://app.ekuaibao.com/web/app.html#/bill/ID01kZx3mPq7Rt')).toBeNull();
  });
});

describe('pageSeenHandler', () => {
  function tabsFake() {
    const ensure = vi.fn<TabService['ensure']>(async (tabId, url) => ({
      tabId,
      recognition: url?.includes('/docx/') ? { status: 'supported', page: { platform: 'feishu', brand: 'feishu', host: 'acme.feishu.cn', kind: 'docx', token: url.split('/').pop()! } } : { status: 'other' },
      listing: { status: 'idle' },
    }));
    return { ensure };
  }

  it('hands the sender\'s tab, its URL and what the page shows to the tab service', async () => {
    const tabs = tabsFake();
    const dom = { items: [{ token: 'boxcnSeenInPage0001', kind: 'file' as const, name: 'report.pdf' }] };
    expect(await pageSeenHandler(tabs)({ url: DOC_B, dom }, contentScript(DOC_A, DOC_B))).toEqual({ supported: true });
    expect(tabs.ensure).toHaveBeenCalledExactlyOnceWith(TAB, DOC_B, { dom });
  });

  it('ignores a report that is not the sender\'s own page, changing nothing', async () => {
    const tabs = tabsFake();
    expect(await pageSeenHandler(tabs)({ url: DOC_B }, contentScript(DOC_A))).toEqual({ supported: false });
    expect(await pageSeenHandler(tabs)({ url: DOC_A }, contentScript(DOC_A, DOC_A, { frameId: 1 }))).toEqual({ supported: false });
    expect(tabs.ensure).not.toHaveBeenCalled();
  });
});

// --- the whole way in: the protocol's listener, its checks, and the real pageSeen handler ---------------------------

const TAB_STATE: TabState = { tabId: TAB, recognition: { status: 'other' }, listing: { status: 'idle' } };

const handlers = (tabs: Pick<TabService, 'ensure'>) => fakeHandlers(TAB_STATE, pageSeenHandler(tabs));

/** A valid request of each type, so a refusal can only be about the sender. */
const VALID: { [T in MessageType]: unknown } = {
  pageSeen: { url: DOC_A },
  getTabState: { tabId: TAB },
  refreshTab: { tabId: TAB },
  mailMore: { tabId: TAB },
  downloadAll: { tabId: TAB },
  testConnection: { apiBase: 'https://evil.example', accessToken: null },
  jobControl: { jobId: 'job-1', action: 'cancel' },
  findForm: { tabId: TAB, code: 'B24000123' },
  testEkuaibaoConnection: { apiBase: 'https://evil.example', accessToken: null, app: null },
  signInStatus: {},
  completeSignIn: { code: 'a-code-from-a-page', codeVerifier: 'v'.repeat(43) },
  signOut: {},
};

describe('messages into the background', () => {
  let ensure: ReturnType<typeof vi.fn<TabService['ensure']>>;
  let h: ReturnType<typeof handlers>;

  beforeEach(() => {
    fakeBrowser.reset();
    ensure = vi.fn<TabService['ensure']>(async () => TAB_STATE);
    h = handlers({ ensure });
  });

  /** What the background answers `message` from `sender`, through its real runtime.onMessage listener. */
  async function send(message: unknown, sender: Browser.runtime.MessageSender): Promise<unknown> {
    listenForMessages(h);
    const [answer] = await fakeBrowser.runtime.onMessage.trigger(message, sender, () => undefined);
    return answer;
  }

  const extensionOnly = (Object.keys(PROTOCOL) as MessageType[]).filter((type) => !PROTOCOL[type].fromContent);

  it('lets content scripts send nothing but pageSeen', () => {
    expect(extensionOnly).toEqual(['getTabState', 'refreshTab', 'mailMore', 'downloadAll', 'testConnection', 'jobControl', 'findForm', 'testEkuaibaoConnection', 'signInStatus', 'completeSignIn', 'signOut']);
  });

  it.each(extensionOnly)('refuses %s from a content script', async (type) => {
    expect(await send({ type, data: VALID[type] }, contentScript(DOC_A))).toEqual({ ok: false, error: `${type} is not accepted from this sender` });
    expect(h[type]).not.toHaveBeenCalled();
  });

  it.each(extensionOnly)('answers %s from the extension\'s own pages', async (type) => {
    expect(await send({ type, data: VALID[type] }, { id: EXTENSION_ID, url: `${ORIGIN}popup.html` })).toMatchObject({ ok: true });
    expect(h[type]).toHaveBeenCalledOnce();
  });

  it.each<[string, Browser.runtime.MessageSender]>([
    ['another extension', { id: 'abcdefghijklmnopabcdefghijklmnop', url: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/x.html' }],
    ['another extension\'s content script on the same page', { ...contentScript(DOC_A), id: 'abcdefghijklmnopabcdefghijklmnop' }],
    ['another extension claiming our pages', { id: 'abcdefghijklmnopabcdefghijklmnop', url: `${ORIGIN}popup.html` }],
    ['a web page (externally_connectable: no extension id)', { ...contentScript(DOC_A), id: undefined }],
  ])('refuses every message from %s', async (_name, sender) => {
    for (const type of Object.keys(PROTOCOL) as MessageType[]) {
      expect(await send({ type, data: VALID[type] }, sender)).toEqual({ ok: false, error: `${type} is not accepted from this sender` });
      expect(h[type]).not.toHaveBeenCalled();
    }
  });

  it('listens to its own extension only: no external message or connection listener', () => {
    const external = vi.spyOn(fakeBrowser.runtime.onMessageExternal, 'addListener').mockImplementation(() => undefined);
    const connectExternal = vi.spyOn(fakeBrowser.runtime.onConnectExternal, 'addListener').mockImplementation(() => undefined);
    listenForMessages(h);
    expect(external).not.toHaveBeenCalled();
    expect(connectExternal).not.toHaveBeenCalled();
  });

  it('takes a content script\'s report of its own page, through the real handler', async () => {
    expect(await send({ type: 'pageSeen', data: { url: DOC_B } }, contentScript(DOC_A, DOC_B))).toEqual({ ok: true, value: { supported: false } });
    expect(ensure).toHaveBeenCalledExactlyOnceWith(TAB, DOC_B, {});
  });

  it.each([
    ['another origin', 'https://evil.example/docx/Ea7fGh2JkLm9NpQr4StUv6WxYz1'],
    ['another page of the same origin', DOC_B],
  ])('ignores a content script naming %s', async (_name, url) => {
    expect(await send({ type: 'pageSeen', data: { url } }, contentScript(DOC_A))).toEqual({ ok: true, value: { supported: false } });
    expect(ensure).not.toHaveBeenCalled();
  });

  it.each<[string, Browser.runtime.MessageSender]>([
    ['a child frame', contentScript(DOC_A, DOC_A, { frameId: 2 })],
    ['a sender without a tab', { ...contentScript(DOC_A), tab: undefined }],
  ])('does not let %s report a page', async (_name, sender) => {
    const answer = await send({ type: 'pageSeen', data: { url: DOC_A } }, sender);
    expect([{ ok: true, value: { supported: false } }, { ok: false, error: 'pageSeen is not accepted from this sender' }]).toContainEqual(answer);
    expect(ensure).not.toHaveBeenCalled();
  });

  it.each<[string, unknown]>([
    ['a string', 'pageSeen'],
    ['null', null],
    ['an array', [{ type: 'pageSeen', data: { url: DOC_A } }]],
    ['no type', { data: { url: DOC_A } }],
    ['an unknown type', { type: 'deleteEverything', data: {} }],
    ['a type that is not a string', { type: 7, data: { url: DOC_A } }],
    ['a type from the prototype', { type: 'constructor', data: {} }],
    ['a type with different case', { type: 'PageSeen', data: { url: DOC_A } }],
  ])('leaves an envelope that is %s unanswered', async (_name, message) => {
    expect(await send(message, contentScript(DOC_A))).toBeUndefined();
    expect(ensure).not.toHaveBeenCalled();
  });

  const item = (token: string) => ({ token, kind: 'file' as const });
  it.each<[string, unknown]>([
    ['no data', undefined],
    ['no URL', { dom: { items: [] } }],
    ['a URL that is not a string', { url: { href: DOC_A } }],
    ['a URL of 8 193 characters', { url: `${DOC_A}?${'a'.repeat(8193 - DOC_A.length - 1)}` }],
    ['a DOM report that is not an object', { url: DOC_A, dom: 'file blocks' }],
    ['2 001 sighted items', { url: DOC_A, dom: { items: Array.from({ length: 2001 }, (_, i) => item(`boxcnSeen${String(i).padStart(6, '0')}`)) } }],
    ['a token of 129 characters', { url: DOC_A, dom: { items: [item('a'.repeat(129))] } }],
    ['a token that is a URL', { url: DOC_A, dom: { items: [item('https://evil.example/open-apis/x')] } }],
    ['a token with a path', { url: DOC_A, dom: { items: [item('../../x')] } }],
    ['a name of 301 characters', { url: DOC_A, dom: { items: [{ ...item('boxcnSeenInPage0001'), name: 'x'.repeat(301) }] } }],
    ['a message id of 201 characters', { url: DOC_A, dom: { items: [], messageId: 'A'.repeat(201) } }],
    ['201 form codes', { url: DOC_A, dom: { items: [], forms: { codes: Array.from({ length: 201 }, () => 'B24000123'), flowIds: [] } } }],
    ['a form code of 41 characters', { url: DOC_A, dom: { items: [], forms: { codes: ['B'.repeat(41)], flowIds: [] } } }],
    ['a flow id of 81 characters', { url: DOC_A, dom: { items: [], forms: { codes: [], flowIds: ['I'.repeat(81)] } } }],
  ])('refuses a page report with %s before any handler runs', async (_name, data) => {
    expect(await send({ type: 'pageSeen', data }, contentScript(DOC_A))).toEqual({ ok: false, error: 'Invalid pageSeen request' });
    expect(h.pageSeen).not.toHaveBeenCalled();
    expect(ensure).not.toHaveBeenCalled();
  });

  it('accepts a URL of exactly 8 192 characters (and then judges it like any other)', async () => {
    const url = `${DOC_A}?${'a'.repeat(8192 - DOC_A.length - 1)}`;
    expect(await dispatch('pageSeen', { url }, contentScript(url), h, ORIGIN)).toEqual({ ok: true, value: { supported: false } });
    expect(ensure).toHaveBeenCalledExactlyOnceWith(TAB, url, {});
  });
});
