/** The engine's port onto chrome.downloads. No `onDeterminingFilename` listener, ever: it would void our names. */
import { browser } from '#imports';
import type { DownloadsPort } from '../downloads/engine';

export const chromeDownloads: DownloadsPort = {
  start: ({ url, filename, headers }) =>
    browser.downloads.download({
      url,
      filename,
      conflictAction: 'uniquify',
      // Never one "Save as" dialog per file, whatever the user's "Ask where to save" setting.
      saveAs: false,
      ...(headers && headers.length > 0 ? { headers: headers.map(({ name, value }) => ({ name, value })) } : {}),
    }),
  async search(id) {
    const [item] = await browser.downloads.search({ id });
    return item ? { id: item.id, state: item.state, error: item.error, filename: item.filename, canResume: item.canResume, paused: item.paused } : undefined;
  },
  async findByUrl(url) {
    const [item] = await browser.downloads.search({ url, orderBy: ['-startTime'], limit: 1 });
    return item ? { id: item.id, state: item.state, error: item.error, filename: item.filename, canResume: item.canResume, paused: item.paused } : undefined;
  },
  pause: (id) => browser.downloads.pause(id),
  resume: (id) => browser.downloads.resume(id),
  async discard(id) {
    // Cancelling an interrupted download deletes its `.crdownload` file; erasing drops it from Chrome's list.
    await browser.downloads.cancel(id).catch(() => undefined);
    await browser.downloads.erase({ id });
  },
};
