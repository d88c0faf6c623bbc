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
      const count = attachmentCount(state);
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

/** Attachments of the page; for a mailbox, of the message open in the page (unknown: no number). */
function attachmentCount(state: TabState): number {
  if (state.listing.status !== 'ready') return 0;
  const { listing } = state.listing;
  if (listing.type === 'attachments') return listing.attachments.length;
  const page = state.recognition.status === 'supported' ? state.recognition.page : undefined;
  const open = (page?.kind === 'mail' ? page.messageId : undefined) ?? state.dom?.messageId;
  return listing.messages.find((m) => m.id === open)?.attachments.length ?? 0;
}
