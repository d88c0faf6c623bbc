/**
 * `pageSeen`: a content script tells the background which page its tab shows. Which page that is, is the browser's
 * word on the sender, never the message's: the message's `url` is only a hint, taken when it is exactly the
 * sender's own URL and ignored otherwise (so a compromised page can neither name another page nor another tab).
 */
import type { Browser } from '#imports';
import { redactUrl } from '../ekuaibao/page-reading';
import type { Handlers } from '../messaging/protocol';
import type { TabService } from './tab-service';

export interface SenderPage {
  readonly tabId: number;
  /** The sender's URL, without the web apps' session parameters (see `redactUrl`). */
  readonly url: string;
}

/**
 * The tab and URL a `pageSeen` sender shows, or null when the sender is not the active top frame of a tab or the hint
 * is not its URL.
 *
 * Which URL: Chromium (checked on 156) keeps `sender.url` at the URL the document was loaded with, while
 * `history.pushState` (how Feishu's and Ekuaibao's single-page apps navigate) moves only `sender.tab.url`, the top
 * frame's current URL. So for the top frame the tab's URL comes first, and `sender.url` stands in only when the tab's
 * is not given to us. Either way it must lie on the sending document's own origin (a message still in flight from a
 * document the tab has navigated away from is not taken for the new one). The hint may be that URL as it is, or with
 * the session parameters cut off, as the Ekuaibao content script sends it.
 */
export function senderPage(sender: Browser.runtime.MessageSender, hint: string): SenderPage | null {
  const tabId = sender.tab?.id;
  if (tabId === undefined || sender.frameId !== 0) return null;
  // A prerendered, back/forward-cached or unloading document is not what the tab shows.
  if (sender.documentLifecycle !== undefined && sender.documentLifecycle !== 'active') return null;
  const url = sender.tab?.url || sender.url;
  const documentOrigin = sender.origin ?? originOf(sender.url);
  if (!url || documentOrigin === null || originOf(url) !== documentOrigin) return null;
  const redacted = redactUrl(url);
  if (hint !== url && hint !== redacted) return null;
  return { tabId, url: redacted };
}

/** The background's `pageSeen` handler: the sender's page (see `senderPage`) and what it shows go to the tab service. */
export function pageSeenHandler(tabs: Pick<TabService, 'ensure'>): Handlers['pageSeen'] {
  return async ({ url, dom }, sender) => {
    const page = senderPage(sender, url);
    if (!page) return { supported: false };
    const state = await tabs.ensure(page.tabId, page.url, dom ? { dom } : {});
    return { supported: state.recognition.status === 'supported' };
  };
}

function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const origin = new URL(url).origin;
    // Opaque origins ("null": data:, sandboxed frames) never match anything.
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}
