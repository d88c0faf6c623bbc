/** The toolbar badge: how many attachments the tab has, or "!" when something needs the user's attention. */
import { browser } from '#imports';
import type { TabState } from '../core/tab-state';

export interface BadgeLook {
  readonly text: string;
  readonly color: string;
}

export function badgeFor(state: TabState): BadgeLook {
  const { listing } = state;
  if (state.recognition.status !== 'supported') return { text: '', color: '#3370ff' };
  switch (listing.status) {
    case 'ready': {
      const count = listing.listing.attachments.length;
      return { text: count === 0 ? '' : count > 999 ? '999+' : String(count), color: '#3370ff' };
    }
    case 'error':
    case 'needs-credentials':
      return { text: '!', color: '#f54a45' };
    default:
      return { text: '', color: '#3370ff' };
  }
}

export async function showBadge(state: TabState): Promise<void> {
  const { text, color } = badgeFor(state);
  try {
    await browser.action.setBadgeBackgroundColor({ tabId: state.tabId, color });
    await browser.action.setBadgeText({ tabId: state.tabId, text });
  } catch {
    // The tab closed meanwhile: nothing to show.
  }
}
