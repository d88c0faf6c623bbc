import { browser } from '#imports';

/** The popup as a page of its own for one tab: the "open in a tab" view, also used to explain a refused action. */
export function tabListUrl(tabId: number): string {
  return `${browser.runtime.getURL('/popup.html')}?tabId=${tabId}`;
}

/** A job's report on its own (from its notification): the popup page for that job, whatever became of its tab. */
export function jobReportUrl(jobId: string): string {
  return `${browser.runtime.getURL('/popup.html')}?jobId=${encodeURIComponent(jobId)}`;
}
