import { defineContentScript } from '#imports';
import { FEISHU_MATCH_PATTERNS } from '@/lib/feishu/hosts';
import { reportPage } from '@/lib/messaging/content';

/** Tells the background which page the tab shows, now and after every in-app (SPA) navigation. */
export default defineContentScript({
  matches: [...FEISHU_MATCH_PATTERNS],
  runAt: 'document_idle',
  main(ctx) {
    reportPage(location.href);
    ctx.addEventListener(window, 'wxt:locationchange', ({ newUrl }) => reportPage(newUrl.href));
  },
});
