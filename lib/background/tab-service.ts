/**
 * Keeps each tab's state (page, listing, job) in session storage and lists a page's attachments when it is seen,
 * so the badge shows a count and the popup opens on a ready list. One listing per tab is in flight at a time.
 */
import type { Listing } from '../core/attachment';
import { pageKey, type PageRecognition, type PageRef } from '../core/page';
import { toProblem } from '../core/problem';
import { readTabState, removeTabState, writeTabState, type ListingState, type TabState } from '../core/tab-state';
import { recognisePage } from '../platforms';

export interface TabServiceDeps {
  listPage(page: PageRef): Promise<Listing>;
  hasCredentials(page: PageRef): Promise<boolean>;
  onStateChanged?(state: TabState): void;
  now?(): number;
}

/** A ready list is reused for this long when the same page is seen again (in-app navigation, popup reopened). */
const LISTING_FRESH_MS = 10 * 60_000;

export class TabService {
  private readonly inFlight = new Map<number, { key: string; done: Promise<TabState> }>();

  constructor(private readonly deps: TabServiceDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /**
   * The state for `tabId` showing `url`, listing the page if nothing usable is known yet. With `wait`, resolves
   * once the listing has finished; otherwise answers at once (the popup then watches session storage).
   */
  async ensure(tabId: number, url: string | undefined, options: { wait?: boolean; force?: boolean } = {}): Promise<TabState> {
    const recognition: PageRecognition = url ? recognisePage(url) : { status: 'other' };
    const previous = await readTabState(tabId);
    const samePage = previous !== null && sameRecognition(previous.recognition, recognition);

    if (recognition.status !== 'supported') {
      const state: TabState = { tabId, recognition, listing: { status: 'idle' } };
      if (!samePage || previous?.listing.status !== 'idle') await this.save(state);
      return state;
    }

    const key = pageKey(recognition.page);
    const flight = this.inFlight.get(tabId);
    if (flight?.key === key && !options.force) return options.wait ? flight.done : ((await readTabState(tabId)) ?? flight.done);

    if (samePage && previous && !options.force && this.isUsable(previous.listing)) return previous;

    const base: TabState = { tabId, recognition, listing: { status: 'idle' }, jobId: samePage ? previous?.jobId : undefined };
    if (!(await this.deps.hasCredentials(recognition.page))) {
      // No call without credentials: the popup asks for a token instead.
      return this.save({ ...base, listing: { status: 'needs-credentials' } });
    }
    await this.save({ ...base, listing: { status: 'loading', startedAt: this.now() } });
    const done = this.list(base, recognition.page, key);
    this.inFlight.set(tabId, { key, done });
    void done.finally(() => {
      if (this.inFlight.get(tabId)?.done === done) this.inFlight.delete(tabId);
    });
    return options.wait ? done : ((await readTabState(tabId)) ?? done);
  }

  async setJob(tabId: number, jobId: string): Promise<void> {
    const state = await readTabState(tabId);
    if (state) await this.save({ ...state, jobId });
  }

  async forget(tabId: number): Promise<void> {
    this.inFlight.delete(tabId);
    await removeTabState(tabId);
  }

  private isUsable(listing: ListingState): boolean {
    if (listing.status === 'ready') return this.now() - listing.listedAt < LISTING_FRESH_MS;
    // Errors and "needs credentials" are worth another try each time the page or popup asks: settings may have changed.
    return listing.status === 'loading';
  }

  private async list(base: TabState, page: PageRef, key: string): Promise<TabState> {
    let listing: ListingState;
    try {
      listing = { status: 'ready', listing: await this.deps.listPage(page), listedAt: this.now() };
    } catch (error) {
      listing = { status: 'error', problem: toProblem(error), at: this.now() };
    }
    const current = await readTabState(base.tabId);
    // The tab may have moved on to another page while we listed: never overwrite its newer state.
    if (current && current.recognition.status === 'supported' && pageKey(current.recognition.page) !== key) return current;
    return this.save({ ...(current ?? base), listing });
  }

  private async save(state: TabState): Promise<TabState> {
    await writeTabState(state);
    this.deps.onStateChanged?.(state);
    return state;
  }
}

function sameRecognition(a: PageRecognition, b: PageRecognition): boolean {
  if (a.status === 'supported' && b.status === 'supported') return pageKey(a.page) === pageKey(b.page);
  return JSON.stringify(a) === JSON.stringify(b);
}
