/**
 * What the page itself shows (the DOM as a second source): media tokens in images, links and file blocks, and the
 * open mail message. Runs in the content script, so it is small and free of zod; the background validates it.
 * Only identifiers are taken, never addresses: they are matched against what the API returned.
 */
import type { DomSighting } from '../core/tab-state';

const MAX_ITEMS = 500;
/** Drive stream links carry the media token: `/space/api/box/stream/download/(all|preview|cover|v2/...)/<token>`. */
const STREAM_TOKEN = /\/stream\/download\/(?:v2\/)?(?:all|preview|cover)\/([A-Za-z0-9_-]{20,64})(?![A-Za-z0-9_-])/;
const TOKEN = /^[A-Za-z0-9_-]{6,128}$/;
const MESSAGE_ID = /^[A-Za-z0-9+/=_-]{4,200}$/;

export function readSightings(root: ParentNode = document): DomSighting {
  const items = new Map<string, DomSighting['items'][number]>();
  const add = (token: string | null | undefined, kind: 'file' | 'image', name?: string | null) => {
    if (!token || !TOKEN.test(token) || items.size >= MAX_ITEMS) return;
    const existing = items.get(token);
    const cleanName = name?.trim().slice(0, 300) || undefined;
    if (!existing || (!existing.name && cleanName)) items.set(token, { token, kind, ...(cleanName ? { name: cleanName } : {}) });
  };

  for (const element of root.querySelectorAll<HTMLElement>('[data-file-token], [data-image-token]')) {
    const isImage = element.hasAttribute('data-image-token');
    const name = element.getAttribute('data-file-name') ?? element.querySelector('[data-file-name], .file-name')?.textContent;
    add(element.getAttribute(isImage ? 'data-image-token' : 'data-file-token'), isImage ? 'image' : 'file', name);
  }
  for (const image of root.querySelectorAll<HTMLImageElement>('img[src*="/stream/download/"]')) {
    add(STREAM_TOKEN.exec(image.getAttribute('src') ?? '')?.[1], 'image');
  }
  for (const link of root.querySelectorAll<HTMLAnchorElement>('a[href*="/stream/download/"]')) {
    add(STREAM_TOKEN.exec(link.getAttribute('href') ?? '')?.[1], 'file', link.textContent);
  }

  const open = root.querySelector('[data-message-id][aria-current="true"], [data-message-id][aria-selected="true"]')?.getAttribute('data-message-id');
  return { items: [...items.values()], ...(open && MESSAGE_ID.test(open) ? { messageId: open } : {}) };
}
