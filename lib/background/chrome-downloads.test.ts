import { beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { chromeDownloads } from './chrome-downloads';

const URL = 'https://internal-api-drive-stream.feishu.cn/space/api/box/stream/download/authcode/?code=abc';

function item(extra: Partial<Browser.downloads.DownloadItem>): Browser.downloads.DownloadItem {
  return {
    id: 7,
    url: URL,
    finalUrl: URL,
    referrer: '',
    filename: '/home/me/Downloads/Feishu/Doc/report.pdf',
    incognito: false,
    danger: 'safe',
    mime: 'application/pdf',
    startTime: '2026-11-23T10:00:00.000Z',
    state: 'complete',
    paused: false,
    canResume: false,
    bytesReceived: 100,
    totalBytes: 100,
    fileSize: 100,
    exists: true,
    ...extra,
  };
}

/**
 * The chrome.* typings end with the callback overload of each method, and that is the one vitest's spy types pick;
 * the extension uses the promise form, so view the spy as that.
 */
function promised<F extends (...args: never[]) => Promise<unknown>>(spy: MockInstance): MockInstance<F> {
  return spy;
}

const spyDownload = () => promised<(options: Browser.downloads.DownloadOptions) => Promise<number>>(vi.spyOn(fakeBrowser.downloads, 'download'));
const spySearch = () => promised<(query: Browser.downloads.DownloadQuery) => Promise<Browser.downloads.DownloadItem[]>>(vi.spyOn(fakeBrowser.downloads, 'search'));
const spyCancel = () => promised<(id: number) => Promise<void>>(vi.spyOn(fakeBrowser.downloads, 'cancel'));
const spyErase = () => promised<(query: Browser.downloads.DownloadQuery) => Promise<number[]>>(vi.spyOn(fakeBrowser.downloads, 'erase'));

beforeEach(() => {
  fakeBrowser.reset();
});

describe('chromeDownloads', () => {
  it('starts a download under our name, never asking where to save and never overwriting', async () => {
    const download = spyDownload().mockResolvedValue(42);
    expect(await chromeDownloads.start({ url: URL, filename: 'Feishu/Doc/report.pdf' })).toBe(42);
    expect(download).toHaveBeenCalledExactlyOnceWith({ url: URL, filename: 'Feishu/Doc/report.pdf', conflictAction: 'uniquify', saveAs: false });
  });

  it('passes a link\'s headers, and only when there are some', async () => {
    const download = spyDownload().mockResolvedValue(1);
    await chromeDownloads.start({ url: URL, filename: 'a.pdf', headers: [{ name: 'X-Hint', value: '1' }] });
    await chromeDownloads.start({ url: URL, filename: 'b.pdf', headers: [] });
    expect(download.mock.calls.map(([options]) => options.headers)).toEqual([[{ name: 'X-Hint', value: '1' }], undefined]);
  });

  it('reads one download\'s state, with whether Chrome could resume it', async () => {
    const search = spySearch().mockResolvedValue([item({ state: 'interrupted', error: 'NETWORK_FAILED', canResume: true })]);
    expect(await chromeDownloads.search(7)).toEqual({
      id: 7,
      state: 'interrupted',
      error: 'NETWORK_FAILED',
      filename: '/home/me/Downloads/Feishu/Doc/report.pdf',
      canResume: true,
      paused: false,
    });
    expect(search).toHaveBeenCalledExactlyOnceWith({ id: 7 });
  });

  it('finds the newest download of a link', async () => {
    const search = spySearch().mockResolvedValue([item({ id: 9, state: 'in_progress' })]);
    expect(await chromeDownloads.findByUrl(URL)).toMatchObject({ id: 9, state: 'in_progress' });
    expect(search).toHaveBeenCalledExactlyOnceWith({ url: URL, orderBy: ['-startTime'], limit: 1 });
    search.mockResolvedValue([]);
    expect(await chromeDownloads.findByUrl(URL)).toBeUndefined();
  });

  it('pauses and resumes a download by its id', async () => {
    const pause = promised<(id: number) => Promise<void>>(vi.spyOn(fakeBrowser.downloads, 'pause')).mockResolvedValue(undefined);
    const resume = promised<(id: number) => Promise<void>>(vi.spyOn(fakeBrowser.downloads, 'resume')).mockResolvedValue(undefined);
    await chromeDownloads.pause(7);
    await chromeDownloads.resume(8);
    expect(pause).toHaveBeenCalledExactlyOnceWith(7);
    expect(resume).toHaveBeenCalledExactlyOnceWith(8);
  });

  it('says when Chrome no longer knows a download', async () => {
    spySearch().mockResolvedValue([]);
    expect(await chromeDownloads.search(7)).toBeUndefined();
  });

  it('discards one download: cancels it (removing its partial file), then erases it from the list', async () => {
    const order: string[] = [];
    const cancel = spyCancel().mockImplementation(async () => void order.push('cancel'));
    const erase = spyErase().mockImplementation(async () => (order.push('erase'), [7]));
    await chromeDownloads.discard(7);
    expect(cancel).toHaveBeenCalledExactlyOnceWith(7);
    expect(erase).toHaveBeenCalledExactlyOnceWith({ id: 7 });
    expect(order).toEqual(['cancel', 'erase']);
  });

  it('still erases a download Chrome refuses to cancel (already complete)', async () => {
    spyCancel().mockRejectedValue(new Error('Download must be in progress'));
    const erase = spyErase().mockResolvedValue([7]);
    await chromeDownloads.discard(7);
    expect(erase).toHaveBeenCalledExactlyOnceWith({ id: 7 });
  });
});
