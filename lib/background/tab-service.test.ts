import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { Listing } from '../core/attachment';
import type { PageRef } from '../core/page';
import { ProblemError } from '../core/problem';
import { readTabState, writeTabState, type TabState } from '../core/tab-state';
import { TabService } from './tab-service';

const DOC_A = 'UXEAd6cRUoj5pexJZr0cdwaFnpd';
const DOC_B = 'Wq3sKpQ7mBz8XcN2vLr5TtYh9Ud';
const URL_A = `https://acme.feishu.cn/docx/${DOC_A}`;
const URL_B = `https://acme.feishu.cn/docx/${DOC_B}`;
const PAGE_A: Extract<PageRef, { kind: 'docx' }> = { platform: 'feishu', brand: 'feishu', host: 'acme.feishu.cn', kind: 'docx', token: DOC_A };
const PAGE_B: PageRef = { ...PAGE_A, token: DOC_B };
const TAB = 5;
/** A Feishu page kind the extension does not list (a mind map). */
const MIND_MAP_URL = 'https://acme.feishu.cn/mindnotes/bmncnMindMapToken0000000000';

/** The page's token (documents, sheets, bases...), or `mail` for the mailbox. */
function tokenOf(page: PageRef): string {
  return page.platform === 'ekuaibao' ? 'forms' : page.kind === 'mail' ? 'mail' : page.token;
}

function listingOf(page: PageRef): Listing {
  const token = tokenOf(page);
  return {
    type: 'attachments',
    title: `Doc ${token.slice(0, 4)}`,
    folder: ['Feishu', `Doc ${token.slice(0, 4)}`],
    attachments: [
      {
        id: `feishu-media:box${token}`,
        name: 'report.pdf',
        nameIsGenerated: false,
        kind: 'file',
        source: { type: 'feishu-media', apiBase: 'https://open.feishu.cn', token: `box${token}` },
        subfolders: [],
      },
    ],
    partial: [],
    hints: [],
  };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface Harness {
  service: TabService;
  listPage: ReturnType<typeof vi.fn<(page: PageRef) => Promise<Listing>>>;
  hasCredentials: ReturnType<typeof vi.fn<(page: PageRef) => Promise<boolean>>>;
  changes: TabState[];
  clock: { t: number };
}

function harness(options: { credentials?: boolean; list?: (page: PageRef) => Promise<Listing> } = {}): Harness {
  const clock = { t: 1_000_000 };
  const changes: TabState[] = [];
  const listPage = vi.fn<(page: PageRef) => Promise<Listing>>(options.list ?? (async (page) => listingOf(page)));
  const hasCredentials = vi.fn<(page: PageRef) => Promise<boolean>>(async () => options.credentials ?? true);
  const service = new TabService({ listPage, hasCredentials, onStateChanged: (s) => changes.push(s), now: () => clock.t });
  return { service, listPage, hasCredentials, changes, clock };
}

/** The sequence without immediate repeats: the listener may hear the same state twice in a row. */
function distinct<T>(values: readonly T[]): T[] {
  return values.filter((value, i) => i === 0 || value !== values[i - 1]);
}

beforeEach(() => {
  fakeBrowser.reset();
});

describe('TabService.ensure', () => {
  it('makes no call without credentials and says so', async () => {
    const h = harness({ credentials: false });
    const state = await h.service.ensure(TAB, URL_A, { wait: true });
    expect(state).toEqual({ tabId: TAB, recognition: { status: 'supported', page: PAGE_A }, listing: { status: 'needs-credentials' }, jobId: undefined });
    expect(h.hasCredentials).toHaveBeenCalledExactlyOnceWith(PAGE_A);
    expect(h.listPage).not.toHaveBeenCalled();
    expect(await readTabState(TAB)).toEqual({ tabId: TAB, recognition: { status: 'supported', page: PAGE_A }, listing: { status: 'needs-credentials' } });
  });

  it('asks again each time while credentials are missing (settings may have changed)', async () => {
    let has = false;
    const h = harness();
    h.hasCredentials.mockImplementation(async () => has);
    expect((await h.service.ensure(TAB, URL_A, { wait: true })).listing.status).toBe('needs-credentials');
    has = true;
    expect((await h.service.ensure(TAB, URL_A, { wait: true })).listing).toEqual({ status: 'ready', listing: listingOf(PAGE_A), listedAt: 1_000_000 });
    expect(h.listPage).toHaveBeenCalledOnce();
  });

  it('goes from loading to ready, in storage and to the listener', async () => {
    const listed = deferred<Listing>();
    const h = harness({ list: () => listed.promise });
    const first = await h.service.ensure(TAB, URL_A);
    expect(first.listing).toEqual({ status: 'loading', startedAt: 1_000_000 });
    expect((await readTabState(TAB))?.listing).toEqual({ status: 'loading', startedAt: 1_000_000 });

    h.clock.t = 1_002_500;
    listed.resolve(listingOf(PAGE_A));
    await vi.waitFor(async () => expect((await readTabState(TAB))?.listing.status).toBe('ready'));
    expect(await readTabState(TAB)).toEqual({
      tabId: TAB,
      recognition: { status: 'supported', page: PAGE_A },
      listing: { status: 'ready', listing: listingOf(PAGE_A), listedAt: 1_002_500 },
    });
    expect(distinct(h.changes.map((s) => s.listing.status))).toEqual(['loading', 'ready']);
    expect(h.changes.at(-1)).toEqual(await readTabState(TAB));
  });

  it('with wait, resolves once the listing is ready', async () => {
    const h = harness();
    expect(await h.service.ensure(TAB, URL_A, { wait: true })).toEqual({
      tabId: TAB,
      recognition: { status: 'supported', page: PAGE_A },
      listing: { status: 'ready', listing: listingOf(PAGE_A), listedAt: 1_000_000 },
      jobId: undefined,
    });
  });

  it('lists a page once while a listing is in flight', async () => {
    const listed = deferred<Listing>();
    const h = harness({ list: () => listed.promise });
    void h.service.ensure(TAB, URL_A);
    const waiting = h.service.ensure(TAB, URL_A, { wait: true });
    const answeredAtOnce = await h.service.ensure(TAB, `${URL_A}?from=from_copylink`);
    expect(answeredAtOnce.listing.status).toBe('loading');
    listed.resolve(listingOf(PAGE_A));
    expect((await waiting).listing.status).toBe('ready');
    expect(h.listPage).toHaveBeenCalledOnce();
  });

  it('reuses a fresh listing and lists again once it is ten minutes old', async () => {
    const h = harness();
    await h.service.ensure(TAB, URL_A, { wait: true });
    h.clock.t += 10 * 60_000 - 1;
    const reused = await h.service.ensure(TAB, `${URL_A}#share`, { wait: true });
    expect(reused.listing).toEqual({ status: 'ready', listing: listingOf(PAGE_A), listedAt: 1_000_000 });
    expect(h.listPage).toHaveBeenCalledOnce();

    h.clock.t += 1;
    const relisted = await h.service.ensure(TAB, URL_A, { wait: true });
    expect(relisted.listing).toEqual({ status: 'ready', listing: listingOf(PAGE_A), listedAt: 1_000_000 + 10 * 60_000 });
    expect(h.listPage).toHaveBeenCalledTimes(2);
  });

  it('lists again when forced, keeping the job of the same page', async () => {
    const h = harness();
    await h.service.ensure(TAB, URL_A, { wait: true });
    await h.service.setJob(TAB, 'job-1');
    h.clock.t += 1000;
    const state = await h.service.ensure(TAB, URL_A, { wait: true, force: true });
    expect(h.listPage).toHaveBeenCalledTimes(2);
    expect(state).toEqual({
      tabId: TAB,
      recognition: { status: 'supported', page: PAGE_A },
      listing: { status: 'ready', listing: listingOf(PAGE_A), listedAt: 1_001_000 },
      jobId: 'job-1',
    });
  });

  it('stores a failure as a problem, and tries again next time', async () => {
    const h = harness();
    h.listPage.mockRejectedValueOnce(new ProblemError({ kind: 'not-shared', code: 1770032, status: 403, host: 'open.feishu.cn', detail: 'forbidden' }));
    const failed = await h.service.ensure(TAB, URL_A, { wait: true });
    expect(failed.listing).toEqual({
      status: 'error',
      problem: { kind: 'not-shared', code: 1770032, status: 403, host: 'open.feishu.cn', detail: 'forbidden' },
      at: 1_000_000,
    });
    expect((await readTabState(TAB))?.listing).toEqual(failed.listing);

    const retried = await h.service.ensure(TAB, URL_A, { wait: true });
    expect(retried.listing.status).toBe('ready');
    expect(h.listPage).toHaveBeenCalledTimes(2);
  });

  it('stores an unexpected error as an unknown problem with its message', async () => {
    const h = harness({ list: async () => Promise.reject(new TypeError('boom')) });
    expect((await h.service.ensure(TAB, URL_A, { wait: true })).listing).toEqual({ status: 'error', problem: { kind: 'unknown', detail: 'boom' }, at: 1_000_000 });
  });

  it('forgets the job when the tab shows another document', async () => {
    const h = harness();
    await h.service.ensure(TAB, URL_A, { wait: true });
    await h.service.setJob(TAB, 'job-1');
    const state = await h.service.ensure(TAB, URL_B, { wait: true });
    expect(state.jobId).toBeUndefined();
    expect(state.listing).toEqual({ status: 'ready', listing: listingOf(PAGE_B), listedAt: 1_000_000 });
  });

  it('never lets a listing that finishes late overwrite the page the tab moved on to', async () => {
    const slowA = deferred<Listing>();
    const h = harness({ list: (page) => (tokenOf(page) === DOC_A ? slowA.promise : Promise.resolve(listingOf(page))) });
    const waitingA = h.service.ensure(TAB, URL_A, { wait: true });
    const stateB = await h.service.ensure(TAB, URL_B, { wait: true });
    expect(stateB.listing).toEqual({ status: 'ready', listing: listingOf(PAGE_B), listedAt: 1_000_000 });

    slowA.resolve(listingOf(PAGE_A));
    // The waiter learns what the tab shows now.
    expect(await waitingA).toEqual(stateB);
    expect(await readTabState(TAB)).toEqual(stateB);
  });

  it('never lets a late listing overwrite a tab that moved to a page it cannot list', async () => {
    const slowA = deferred<Listing>();
    const h = harness({ list: () => slowA.promise });
    const waitingA = h.service.ensure(TAB, URL_A, { wait: true });
    const mindMap = await h.service.ensure(TAB, MIND_MAP_URL);
    const expected: TabState = { tabId: TAB, recognition: { status: 'unsupported', platform: 'feishu', kind: 'mindnotes' }, listing: { status: 'idle' } };
    expect(mindMap).toEqual(expected);

    slowA.resolve(listingOf(PAGE_A));
    await waitingA;
    expect(await readTabState(TAB)).toEqual(expected);
  });

  it('never brings back the state of a tab closed while it was listed', async () => {
    const slowA = deferred<Listing>();
    const h = harness({ list: () => slowA.promise });
    const waitingA = h.service.ensure(TAB, URL_A, { wait: true });
    await vi.waitFor(() => expect(h.listPage).toHaveBeenCalledOnce());
    await h.service.forget(TAB);
    slowA.resolve(listingOf(PAGE_A));
    await waitingA;
    expect(await readTabState(TAB)).toBeNull();
  });

  it.each([
    ['another site', 'https://example.com/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd', { status: 'other' }],
    ['no URL (a tab the extension may not read)', undefined, { status: 'other' }],
    ['a Feishu page kind not listed yet', MIND_MAP_URL, { status: 'unsupported', platform: 'feishu', kind: 'mindnotes' }],
    ['a legacy Feishu doc', 'https://acme.feishu.cn/docs/doccnLegacyMeetingNotes2026', { status: 'unsupported', platform: 'feishu', kind: 'docs' }],
  ] as const)('marks %s as idle without any call', async (_name, url, recognition) => {
    const h = harness();
    const state = await h.service.ensure(TAB, url, { wait: true });
    expect(state).toEqual({ tabId: TAB, recognition, listing: { status: 'idle' } });
    expect(await readTabState(TAB)).toEqual(state);
    expect(h.hasCredentials).not.toHaveBeenCalled();
    expect(h.listPage).not.toHaveBeenCalled();
  });

  it('writes an unchanged unsupported state only once, yet tells the listener each time (Chrome clears badges on navigation)', async () => {
    const h = harness();
    const writes = vi.spyOn(fakeBrowser.storage.session, 'set');
    await h.service.ensure(TAB, 'https://example.com/');
    await h.service.ensure(TAB, 'https://example.com/other');
    expect(writes).toHaveBeenCalledOnce();
    const expected: TabState = { tabId: TAB, recognition: { status: 'other' }, listing: { status: 'idle' } };
    expect(h.changes.length).toBeGreaterThanOrEqual(2);
    for (const change of h.changes) expect(change).toEqual(expected);
  });

  it('tells the listener the state of a reloaded page without listing it again', async () => {
    const h = harness();
    await h.service.ensure(TAB, URL_A, { wait: true });
    const before = h.changes.length;
    const reloaded = await h.service.ensure(TAB, URL_A);
    expect(h.changes.slice(before)).toEqual([reloaded]);
    expect(reloaded.listing.status).toBe('ready');
    expect(h.listPage).toHaveBeenCalledOnce();
  });

  it('drops a listing when the tab leaves the document', async () => {
    const h = harness();
    await h.service.ensure(TAB, URL_A, { wait: true });
    const state = await h.service.ensure(TAB, 'https://example.com/');
    expect(state).toEqual({ tabId: TAB, recognition: { status: 'other' }, listing: { status: 'idle' } });
    expect(await readTabState(TAB)).toEqual(state);
  });

  it('keeps tabs apart', async () => {
    const h = harness();
    await h.service.ensure(1, URL_A, { wait: true });
    await h.service.ensure(2, URL_B, { wait: true });
    expect((await readTabState(1))?.recognition).toEqual({ status: 'supported', page: PAGE_A });
    expect((await readTabState(2))?.recognition).toEqual({ status: 'supported', page: PAGE_B });
  });

  it('lists again when a stored "loading" state has no listing behind it (the worker restarted)', async () => {
    await writeTabState({ tabId: TAB, recognition: { status: 'supported', page: PAGE_A }, listing: { status: 'loading', startedAt: 1 } });
    const h = harness();
    const state = await h.service.ensure(TAB, URL_A, { wait: true });
    expect(state.listing).toEqual({ status: 'ready', listing: listingOf(PAGE_A), listedAt: 1_000_000 });
    expect(h.listPage).toHaveBeenCalledOnce();
  });
});

describe('TabService with every page kind', () => {
  const SHEET = 'ShtBudget2026AbCdEfGhIjKlMn';
  const sheetUrl = (sheet: string) => `https://acme.feishu.cn/sheets/${SHEET}?sheet=${sheet}`;

  it('keeps the list when only the open sheet changes, remembering which one is open', async () => {
    const h = harness();
    await h.service.ensure(TAB, sheetUrl('a1B2c3'), { wait: true });
    const moved = await h.service.ensure(TAB, sheetUrl('d4E5f6'), { wait: true });
    expect(h.listPage).toHaveBeenCalledOnce();
    expect(moved.recognition).toEqual({ status: 'supported', page: { platform: 'feishu', brand: 'feishu', host: 'acme.feishu.cn', kind: 'sheets', token: SHEET, sheetId: 'd4E5f6' } });
    expect(moved.listing.status).toBe('ready');
    expect(await readTabState(TAB)).toEqual(moved);
  });

  it('lists a base again when the table changes (the table scopes the list)', async () => {
    const h = harness();
    const base = 'https://acme.feishu.cn/base/BscInvoices2026AbCdEfGhIjKl';
    await h.service.ensure(TAB, `${base}?table=tblInvoicesAbCdE`, { wait: true });
    await h.service.ensure(TAB, `${base}?table=tblInvoicesAbCdE&view=vewAbCdEf`, { wait: true });
    expect(h.listPage).toHaveBeenCalledOnce();
    await h.service.ensure(TAB, `${base}?table=tblContractsAbCd`, { wait: true });
    expect(h.listPage).toHaveBeenCalledTimes(2);
  });

  it('keeps the mailbox list when another message is opened, and the job with it', async () => {
    const h = harness();
    await h.service.ensure(TAB, 'https://mail.feishu.cn/?messageId=msgA0001', { wait: true });
    await h.service.setJob(TAB, 'job-mail');
    const state = await h.service.ensure(TAB, 'https://mail.feishu.cn/?messageId=msgB0002', { wait: true });
    expect(h.listPage).toHaveBeenCalledOnce();
    expect(state.recognition).toMatchObject({ status: 'supported', page: { kind: 'mail', messageId: 'msgB0002' } });
    expect(state.jobId).toBe('job-mail');
  });

  it('keeps what the page shows, updating it without listing again', async () => {
    const h = harness();
    const dom = { items: [{ token: 'boxcnSeenInPage0001', kind: 'file' as const, name: 'report.pdf' }] };
    const first = await h.service.ensure(TAB, URL_A, { wait: true, dom });
    expect(first.dom).toEqual(dom);
    const more = { items: [...dom.items, { token: 'boxcnSeenInPage0002', kind: 'image' as const }] };
    const updated = await h.service.ensure(TAB, URL_A, { dom: more });
    expect(updated.dom).toEqual(more);
    expect(updated.listing.status).toBe('ready');
    expect((await readTabState(TAB))?.dom).toEqual(more);
    // A report without sightings (the popup asking) keeps the last ones, also through a forced relisting.
    const forced = await h.service.ensure(TAB, URL_A, { wait: true, force: true });
    expect(forced.dom).toEqual(more);
    expect(h.listPage).toHaveBeenCalledTimes(2);
  });

  it('forgets what the page showed when the tab shows another document', async () => {
    const h = harness();
    await h.service.ensure(TAB, URL_A, { wait: true, dom: { items: [{ token: 'boxcnSeenInPage0001', kind: 'file' }] } });
    const other = await h.service.ensure(TAB, URL_B, { wait: true });
    expect(other.dom).toBeUndefined();
  });

  it('recognises pages with the given recogniser (custom hosts)', async () => {
    const custom: PageRef = { platform: 'feishu', brand: 'feishu', host: 'docs.acme-private.cn', kind: 'docx', token: DOC_A };
    const recognise = vi.fn(async (url: string) =>
      new URL(url).hostname === 'docs.acme-private.cn' ? ({ status: 'supported', page: custom } as const) : ({ status: 'other' } as const),
    );
    const listPage = vi.fn(async (page: PageRef) => listingOf(page));
    const service = new TabService({ listPage, hasCredentials: async () => true, recognise, now: () => 1 });
    const state = await service.ensure(TAB, `https://docs.acme-private.cn/docx/${DOC_A}`, { wait: true });
    expect(recognise).toHaveBeenCalledWith(`https://docs.acme-private.cn/docx/${DOC_A}`);
    expect(state.recognition).toEqual({ status: 'supported', page: custom });
    expect(listPage).toHaveBeenCalledExactlyOnceWith(custom);
    expect((await service.ensure(TAB, URL_A)).recognition).toEqual({ status: 'other' });
  });
});

describe('TabService.extendListing', () => {
  const MAIL_URL = 'https://mail.feishu.cn/';
  const MAIL_KEY = 'feishu:mail.feishu.cn:mail';
  const mailbox = (ids: string[], next?: string): Listing => ({
    type: 'mailbox',
    title: 'Mail',
    messages: ids.map((id, i) => ({ id, subject: id, from: '李四', date: i, folder: ['Feishu', 'Mail', id], attachments: [] })),
    scanned: ids.length * 3,
    ...(next ? { nextPageToken: next } : {}),
    attachmentsHidden: false,
  });

  it('replaces a ready listing with the grown one', async () => {
    const h = harness({ list: async () => mailbox(['m1'], 'p2') });
    await h.service.ensure(TAB, MAIL_URL, { wait: true });
    h.clock.t += 5000;
    const grown = await h.service.extendListing(TAB, MAIL_KEY, async (listing) => (listing.type === 'mailbox' ? mailbox(['m1', 'm2']) : listing));
    expect(grown?.listing).toEqual({ status: 'ready', listing: mailbox(['m1', 'm2']), listedAt: 1_005_000 });
    expect(await readTabState(TAB)).toEqual(grown);
    expect(h.changes.at(-1)).toEqual(grown);
  });

  it('leaves a tab alone that shows another page, or whose list is not ready', async () => {
    const h = harness({ list: async () => mailbox(['m1'], 'p2') });
    await h.service.ensure(TAB, URL_A, { wait: true });
    const grow = vi.fn(async (listing: Listing) => listing);
    const state = await h.service.extendListing(TAB, MAIL_KEY, grow);
    expect(state?.recognition).toEqual({ status: 'supported', page: PAGE_A });
    expect(grow).not.toHaveBeenCalled();
    expect(await h.service.extendListing(99, MAIL_KEY, grow)).toBeNull();
  });

  it('never writes a grown list over a page the tab moved to meanwhile', async () => {
    const h = harness({ list: async (page) => (page.kind === 'mail' ? mailbox(['m1'], 'p2') : listingOf(page)) });
    await h.service.ensure(TAB, MAIL_URL, { wait: true });
    const grown = await h.service.extendListing(TAB, MAIL_KEY, async () => {
      await h.service.ensure(TAB, URL_A, { wait: true });
      return mailbox(['m1', 'm2']);
    });
    expect(grown?.recognition).toEqual({ status: 'supported', page: PAGE_A });
    expect((await readTabState(TAB))?.listing).toEqual({ status: 'ready', listing: listingOf(PAGE_A), listedAt: 1_000_000 });
  });
});

describe('TabService.setJob and forget', () => {
  it('records the job on the tab\'s state', async () => {
    const h = harness();
    await h.service.ensure(TAB, URL_A, { wait: true });
    await h.service.setJob(TAB, 'job-7');
    expect((await readTabState(TAB))?.jobId).toBe('job-7');
  });

  it('does not invent a state for an unknown tab', async () => {
    const h = harness();
    await h.service.setJob(99, 'job-7');
    expect(await readTabState(99)).toBeNull();
  });

  it('removes the tab\'s state', async () => {
    const h = harness();
    await h.service.ensure(TAB, URL_A, { wait: true });
    await h.service.forget(TAB);
    expect(await readTabState(TAB)).toBeNull();
  });
});

describe('TabService on Ekuaibao pages', () => {
  const LIST_URL = 'https://app.ekuaibao.com/web/app.html#/bills';
  const OTHER_HOST_URL = 'https://dd2.hosecloud.com/web/app.html#/bills';
  const forms = (...codes: string[]) => ({ items: [], forms: { codes, flowIds: [] } });
  const formsOf = (state: TabState) =>
    state.recognition.status === 'supported' && state.recognition.page.platform === 'ekuaibao' ? state.recognition.page.forms : undefined;

  it('lists the forms the page shows, and lists again only when they change', async () => {
    const h = harness();
    const first = await h.service.ensure(TAB, LIST_URL, { wait: true, dom: forms('B24000123', 'B24000124') });
    expect(formsOf(first)).toEqual([{ code: 'B24000123' }, { code: 'B24000124' }]);
    await h.service.ensure(TAB, LIST_URL, { wait: true, dom: forms('B24000124', 'B24000123') });
    expect(h.listPage).toHaveBeenCalledOnce();
    const third = await h.service.ensure(TAB, LIST_URL, { wait: true, dom: forms('B24000125') });
    expect(formsOf(third)).toEqual([{ code: 'B24000125' }]);
    expect(h.listPage).toHaveBeenCalledTimes(2);
  });

  it('keeps what the page showed when the popup asks without it', async () => {
    const h = harness();
    await h.service.ensure(TAB, LIST_URL, { wait: true, dom: forms('B24000123') });
    const asked = await h.service.ensure(TAB, LIST_URL, { wait: true });
    expect(formsOf(asked)).toEqual([{ code: 'B24000123' }]);
    expect(h.listPage).toHaveBeenCalledOnce();
  });

  it('adds a typed code to the page\'s forms and keeps it while the tab stays on that host', async () => {
    const h = harness();
    await h.service.ensure(TAB, LIST_URL, { wait: true, dom: forms('B24000123') });
    const found = await h.service.ensure(TAB, LIST_URL, { wait: true, force: true, addCode: 'B24000200' });
    expect(formsOf(found)).toEqual([{ code: 'B24000123' }, { code: 'B24000200' }]);
    expect(found.manual).toEqual({ host: 'app.ekuaibao.com', codes: ['B24000200'] });
    // The page shows other forms now: the typed one stays listed with them.
    const moved = await h.service.ensure(TAB, `${LIST_URL}?page=2`, { wait: true, dom: forms('B24000124') });
    expect(formsOf(moved)).toEqual([{ code: 'B24000124' }, { code: 'B24000200' }]);
    // Another host: typed codes and what the old page showed are forgotten.
    const elsewhere = await h.service.ensure(TAB, OTHER_HOST_URL, { wait: true });
    expect(formsOf(elsewhere)).toEqual([]);
    expect(elsewhere.manual).toBeUndefined();
  });

  it('asks the Ekuaibao credentials for an Ekuaibao page', async () => {
    const h = harness({ credentials: false });
    const state = await h.service.ensure(TAB, LIST_URL, { wait: true, dom: forms('B24000123') });
    expect(state.listing.status).toBe('needs-credentials');
    expect(h.hasCredentials).toHaveBeenCalledWith(expect.objectContaining({ platform: 'ekuaibao' }));
  });
});
