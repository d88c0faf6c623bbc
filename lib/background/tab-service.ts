/**
 * Keeps each tab's state (page, listing, job) in session storage and lists a page's attachments when it is seen,
 * so the badge shows a count and the popup opens on a ready list. One listing per tab is in flight at a time.
 */
import type { Listing } from '../core/attachment';
import { pageKey, type PageRecognition, type PageRef } from '../core/page';
import { toProblem } from '../core/problem';
import { readTabState, removeTabState, writeTabState, type DomSighting, type ListingState, type TabState } from '../core/tab-state';
import { recognisePage, refineRecognition } from '../platforms';

export interface TabServiceDeps {
  listPage(page: PageRef): Promise<Listing>;
  hasCredentials(page: PageRef): Promise<boolean>;
  /** Recognises a URL (with the custom hosts from settings); plain recognition by default. */
  recognise?(url: string): Promise<PageRecognition>;
  onStateChanged?(state: TabState): void;
  now?(): number;
}

/** A ready list is reused for this long when the same page is seen again (in-app navigation, popup reopened). */
const LISTING_FRESH_MS = 10 * 60_000;

export class TabService {
  private readonly inFlight = new Map<number, { key: string; done: Promise<TabState> }>();
  /** Decisions for one tab run one at a time, so two reports of the same page never start two listings. */
  private readonly locks = new Map<number, Promise<unknown>>();

  constructor(private readonly deps: TabServiceDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /**
   * The state for `tabId` showing `url`, listing the page if nothing usable is known yet. With `wait`, resolves
   * once the listing has finished; otherwise answers at once (the popup then watches session storage).
   */
  async ensure(
    tabId: number,
    url: string | undefined,
    options: { wait?: boolean; force?: boolean; dom?: DomSighting; addCode?: string } = {},
  ): Promise<TabState> {
    const recognition: PageRecognition = url ? await (this.deps.recognise?.(url) ?? recognisePage(url)) : { status: 'other' };
    const { state, done } = await this.exclusive(tabId, () => this.decide(tabId, recognition, options.force ?? false, options.dom, options.addCode));
    // Also for an unchanged state: Chrome clears a tab's badge on every full navigation, reloads included.
    this.deps.onStateChanged?.(state);
    return options.wait && done ? done : state;
  }

  /** Replaces a ready listing with a grown one (a mailbox's older messages), if the tab still shows that page. */
  async extendListing(tabId: number, key: string, grow: (listing: Listing) => Promise<Listing>): Promise<TabState | null> {
    const state = await readTabState(tabId);
    if (!state || state.listing.status !== 'ready' || state.recognition.status !== 'supported' || pageKey(state.recognition.page) !== key) return state;
    const listing = await grow(state.listing.listing);
    return this.exclusive(tabId, async () => {
      const current = await readTabState(tabId);
      if (!current || current.recognition.status !== 'supported' || pageKey(current.recognition.page) !== key) return current;
      return this.save({ ...current, listing: { status: 'ready', listing, listedAt: this.now() } });
    });
  }

  async setJob(tabId: number, jobId: string): Promise<void> {
    await this.exclusive(tabId, async () => {
      const state = await readTabState(tabId);
      if (state) await this.save({ ...state, jobId });
    });
  }

  async forget(tabId: number): Promise<void> {
    this.inFlight.delete(tabId);
    await removeTabState(tabId);
  }

  private exclusive<T>(tabId: number, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(tabId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.locks.set(tabId, settled);
    void settled.then(() => {
      if (this.locks.get(tabId) === settled) this.locks.delete(tabId);
    });
    return next;
  }

  private async decide(
    tabId: number,
    urlRecognition: PageRecognition,
    force: boolean,
    reportedDom: DomSighting | undefined,
    addCode: string | undefined,
  ): Promise<{ state: TabState; done?: Promise<TabState> }> {
    let previous = await readTabState(tabId);
    // An Ekuaibao page is the forms it shows: what its markup showed last (unless it reports anew) and typed codes.
    const host = urlRecognition.status === 'supported' ? urlRecognition.page.host : undefined;
    const sameHost = host !== undefined && previous?.recognition.status === 'supported' && previous.recognition.page.host === host;
    const dom = reportedDom ?? (sameHost && urlRecognition.status === 'supported' && urlRecognition.page.platform === 'ekuaibao' ? previous?.dom : undefined);
    const manual = manualFor(host, previous?.manual, addCode);
    const recognition = refineRecognition(urlRecognition, dom, manual?.codes);
    const samePage = previous !== null && sameRecognition(previous.recognition, recognition);
    if (previous && samePage) {
      // Same list, newer details: the open sheet or mail message, what the page shows. Kept without relisting.
      const updated: TabState = { ...previous, recognition, ...(dom ? { dom } : {}), ...(manual ? { manual } : {}) };
      if (JSON.stringify(updated) !== JSON.stringify(previous)) previous = await this.save(updated);
    }

    if (recognition.status !== 'supported') {
      this.inFlight.delete(tabId);
      const state: TabState = { tabId, recognition, listing: { status: 'idle' } };
      if (!samePage) await this.save(state);
      return { state: samePage && previous ? previous : state };
    }

    const key = pageKey(recognition.page);
    const flight = this.inFlight.get(tabId);
    if (flight?.key === key && !force) {
      return { state: previous ?? { tabId, recognition, listing: { status: 'loading', startedAt: this.now() } }, done: flight.done };
    }
    if (samePage && previous && !force && this.isUsable(previous.listing)) return { state: previous };

    const base: TabState = {
      tabId,
      recognition,
      listing: { status: 'idle' },
      jobId: samePage ? previous?.jobId : undefined,
      ...((dom ?? (samePage ? previous?.dom : undefined)) ? { dom: dom ?? previous?.dom } : {}),
      ...(manual ? { manual } : {}),
    };
    if (!(await this.deps.hasCredentials(recognition.page))) {
      // No call without credentials: the popup asks for a token instead.
      this.inFlight.delete(tabId);
      return { state: await this.save({ ...base, listing: { status: 'needs-credentials' } }) };
    }
    const loading = await this.save({ ...base, listing: { status: 'loading', startedAt: this.now() } });
    const done = this.list(base, recognition.page, key);
    this.inFlight.set(tabId, { key, done });
    void done.finally(() => {
      if (this.inFlight.get(tabId)?.done === done) this.inFlight.delete(tabId);
    });
    return { state: loading, done };
  }

  private isUsable(listing: ListingState): boolean {
    // Errors and "needs credentials" are worth another try each time the page or popup asks: settings may have
    // changed. A "loading" left over by a stopped worker has nobody finishing it, so it is not usable either.
    return listing.status === 'ready' && this.now() - listing.listedAt < LISTING_FRESH_MS;
  }

  private async list(base: TabState, page: PageRef, key: string): Promise<TabState> {
    let listing: ListingState;
    try {
      listing = { status: 'ready', listing: await this.deps.listPage(page), listedAt: this.now() };
    } catch (error) {
      listing = { status: 'error', problem: toProblem(error), at: this.now() };
    }
    return this.exclusive(base.tabId, async () => {
      const current = await readTabState(base.tabId);
      // The tab may have closed (its state forgotten) while we listed: never bring its state back.
      if (!current) return { ...base, listing };
      // The tab may have moved on to another page while we listed: never overwrite its newer state.
      if (!(current.recognition.status === 'supported' && pageKey(current.recognition.page) === key)) return current;
      return this.save({ ...current, listing });
    });
  }

  private async save(state: TabState): Promise<TabState> {
    await writeTabState(state);
    this.deps.onStateChanged?.(state);
    return state;
  }
}

/** Typed codes stay while the tab shows the same Ekuaibao host; `addCode` joins them. */
function manualFor(host: string | undefined, previous: TabState['manual'], addCode: string | undefined): TabState['manual'] {
  if (host === undefined) return undefined;
  const codes = previous?.host === host ? previous.codes : [];
  const next = addCode && !codes.includes(addCode) ? [...codes, addCode] : codes;
  return next.length > 0 ? { host, codes: next } : undefined;
}

function sameRecognition(a: PageRecognition, b: PageRecognition): boolean {
  if (a.status === 'supported' && b.status === 'supported') return pageKey(a.page) === pageKey(b.page);
  return JSON.stringify(a) === JSON.stringify(b);
}
