/**
 * The content script's side of the protocol, kept free of zod and schemas so the script that runs on every
 * Feishu page stays tiny; the background validates what arrives.
 */
import { browser } from '#imports';
import type { MessageType, RequestOf } from './protocol';

export function reportPage(url: string, dom?: RequestOf<'pageSeen'>['dom']): void {
  const message: { type: MessageType; data: RequestOf<'pageSeen'> } = { type: 'pageSeen', data: { url, ...(dom ? { dom } : {}) } };
  browser.runtime.sendMessage(message).catch(() => {
    // The background restarts or the extension was updated: the next navigation reports again.
  });
}
