/** The toolbar badge: how many attachments the tab has, or "!" when something needs the user's attention. */
import { browser } from '#imports';
import { pageKey } from '../core/page';
import type { TabState } from '../core/tab-state';
import { readJob, type Job } from '../downloads/job';

export interface BadgeLook {
  readonly text: string;
  readonly color: string;
}

const BLUE = '#3370ff';
const RED = '#f54a45';
const AMBER = '#de7802';

/** The tab's badge; with the tab's job: its progress while it runs ("37%"), and red when it ended with failures. */
export function badgeFor(state: TabState, job?: Job | null): BadgeLook {
  const { listing } = state;
  if (state.recognition.status !== 'supported') return { text: '', color: BLUE };
  const key = pageKey(state.recognition.page);
  const own = job && (job.pageKey === key || job.pageKey.startsWith(`${key}:`)) ? job : undefined;
  if (own && own.finishedAt === undefined && own.items.length > 0) {
    const ended = own.items.filter((i) => i.state === 'done' || i.state === 'failed').length;
    return { text: `${Math.floor((ended / own.items.length) * 100)}%`, color: own.paused ? AMBER : BLUE };
  }
  switch (listing.status) {
    case 'ready': {
      const count = attachmentCount(state);
      const failed = own?.items.some((i) => i.state === 'failed') ?? false;
      return { text: count === 0 ? '' : count > 999 ? '999+' : String(count), color: failed ? RED : BLUE };
    }
    case 'error':
    case 'needs-credentials':
      return { text: '!', color: RED };
    default:
      return { text: '', color: BLUE };
  }
}

export async function showBadge(state: TabState, job?: Job | null): Promise<void> {
  const known = job !== undefined ? job : state.jobId ? await readJob(state.jobId).catch(() => null) : null;
  const { text, color } = badgeFor(state, known && known.id === state.jobId ? known : null);
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
  const open = (page?.platform === 'feishu' && page.kind === 'mail' ? page.messageId : undefined) ?? state.dom?.messageId;
  return listing.messages.find((m) => m.id === open)?.attachments.length ?? 0;
}
