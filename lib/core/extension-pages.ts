import { browser } from '#imports';

/** The popup as a page of its own for one tab: the "open in a tab" view, also used to explain a refused action. */
export function tabListUrl(tabId: number): string {
  return `${browser.runtime.getURL('/popup.html')}?tabId=${tabId}`;
}
