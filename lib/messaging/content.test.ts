import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { reportPage } from './content';

beforeEach(() => {
  fakeBrowser.reset();
});

describe('reportPage', () => {
  it('tells the background which page the tab shows, in the protocol\'s envelope', async () => {
    const seen: unknown[] = [];
    fakeBrowser.runtime.onMessage.addListener((message) => {
      seen.push(message);
    });
    reportPage('https://acme.feishu.cn/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd');
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen).toEqual([{ type: 'pageSeen', data: { url: 'https://acme.feishu.cn/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd' } }]);
  });

  it('stays quiet when nobody listens (the background is restarting)', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      expect(() => reportPage('https://acme.feishu.cn/')).not.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
