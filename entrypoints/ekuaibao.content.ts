import { defineContentScript } from '#imports';
import { EKUAIBAO_MATCH_PATTERNS } from '@/lib/ekuaibao/hosts';
import { readFormSightings, redactUrl } from '@/lib/ekuaibao/page-reading';
import { reportPage } from '@/lib/messaging/content';

/** How often at most the page is looked at again while it changes (the web app renders its lists lazily). */
const RESCAN_MS = 1500;

/**
 * Tells the background which forms the Ekuaibao tab shows, now and after every change. The web app's own session
 * (`accessToken=` in its URL) is cut from the address before it leaves the page.
 */
export default defineContentScript({
  matches: [...EKUAIBAO_MATCH_PATTERNS],
  runAt: 'document_idle',
  main(ctx) {
    let last = '';
    const report = () => {
      const url = redactUrl(location.href);
      const forms = readFormSightings();
      const snapshot = JSON.stringify([url, forms]);
      if (snapshot === last) return;
      last = snapshot;
      reportPage(url, { items: [], forms });
    };
    report();
    ctx.addEventListener(window, 'wxt:locationchange', () => report());

    let timer: number | undefined;
    const observer = new MutationObserver(() => {
      timer ??= ctx.setTimeout(() => {
        timer = undefined;
        report();
      }, RESCAN_MS);
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    ctx.onInvalidated(() => observer.disconnect());
  },
});
