import { defineContentScript } from '#imports';
import { FEISHU_MATCH_PATTERNS } from '@/lib/feishu/hosts';
import { readSightings } from '@/lib/dom/sightings';
import { reportPage } from '@/lib/messaging/content';

/** How often at most the page is looked at again while it changes (documents load their blocks lazily). */
const RESCAN_MS = 2000;

/** Tells the background which page the tab shows and what it visibly holds, now and after every change. */
export default defineContentScript({
  matches: [...FEISHU_MATCH_PATTERNS],
  runAt: 'document_idle',
  main(ctx) {
    let last = '';
    const report = () => {
      const dom = readSightings();
      const snapshot = JSON.stringify([location.href, dom]);
      if (snapshot === last) return;
      last = snapshot;
      reportPage(location.href, dom);
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
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-current', 'aria-selected', 'src'] });
    ctx.onInvalidated(() => observer.disconnect());
  },
});
