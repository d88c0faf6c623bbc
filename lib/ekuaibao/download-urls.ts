/**
 * Links for Ekuaibao attachments: `POST /api/openapi/v2/attachment/downloadurls`, at most 100 items a call, each
 * link valid for the `expiration` we ask (at most 1800 s), fetched right before the batch is downloaded. DingPan
 * (钉盘) links come with headers the download must send (documented); an item the answer leaves out gets no link.
 */
import type { Attachment } from '../core/attachment';
import type { LinkResolver, LinkResult } from '../downloads/links';
import { EKUAIBAO_ENDPOINTS, type EkuaibaoClient } from './client';
import { isDingPanKey } from './names';
import { DownloadUrlsAnswerSchema, type DownloadUrlItem } from './schemas';

/** Documented maxima: 100 items a call, links valid at most 1800 s. */
export const DOWNLOAD_URLS_BATCH_SIZE = 100;
export const LINK_EXPIRATION_SECONDS = 1800;

/**
 * Headers a download may not carry or that only the browser may set: Chromium's `HttpUtil::IsSafeHeader` list (which
 * `chrome.downloads.download` enforces, failing the whole download) and the Fetch standard's forbidden names.
 */
const FORBIDDEN_HEADERS =
  /^(?:accept-charset|accept-encoding|access-control-request-.*|connection|content-length|content-transfer-encoding|cookie|cookie2|date|dnt|expect|host|keep-alive|origin|referer|set-cookie|te|trailer|transfer-encoding|upgrade|user-agent|via|proxy-.*|sec-.*)$/i;

export interface EkuaibaoItem {
  readonly fileId: string;
  readonly key: string;
}

/** Links by `fileId\nkey`; one call per 100 items. Items the answer leaves out are absent from the map. */
export async function fetchDownloadUrls(client: EkuaibaoClient, items: readonly EkuaibaoItem[]): Promise<Map<string, DownloadUrlItem>> {
  const unique = [...new Map(items.map((item) => [itemKey(item), item])).values()];
  const links = new Map<string, DownloadUrlItem>();
  for (let i = 0; i < unique.length; i += DOWNLOAD_URLS_BATCH_SIZE) {
    const batch = unique.slice(i, i + DOWNLOAD_URLS_BATCH_SIZE);
    const answer = await client.request(
      EKUAIBAO_ENDPOINTS.downloadUrls,
      {
        method: 'POST',
        path: '/api/openapi/v2/attachment/downloadurls',
        body: batch.map((item) => ({ id: item.fileId, key: item.key, expiration: LINK_EXPIRATION_SECONDS })),
      },
      DownloadUrlsAnswerSchema,
    );
    for (const link of answer) links.set(itemKey({ fileId: link.id, key: link.key }), link);
  }
  return links;
}

export function itemKey(item: EkuaibaoItem): string {
  return `${item.fileId}\n${item.key}`;
}

/** A returned link as the engine takes it: http(s) only, DingPan headers checked; a problem otherwise. */
export function toLinkResult(link: DownloadUrlItem | undefined, host: string): LinkResult {
  if (!link) return { problem: { kind: 'no-link', platform: 'ekuaibao', host } };
  let url: URL;
  try {
    url = new URL(link.url);
  } catch {
    return { problem: { kind: 'invalid-response', platform: 'ekuaibao', host, detail: 'downloadurls: not a link' } };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { problem: { kind: 'invalid-response', platform: 'ekuaibao', host, detail: 'downloadurls: not an http(s) link' } };
  }
  const headers = Object.entries(link.headers ?? {}).filter(([name]) => !FORBIDDEN_HEADERS.test(name));
  if (isDingPanKey(link.key) && headers.length === 0) {
    // Documented: without the returned headers a DingPan download fails; better to say so than to try.
    return { problem: { kind: 'no-link', platform: 'ekuaibao', host: url.hostname, detail: 'DingPan link without its headers' } };
  }
  return { link: { url: url.href, ...(headers.length > 0 ? { headers: headers.map(([name, value]) => ({ name, value })) } : {}) } };
}

/** The engine's link resolver for `ekuaibao-attachment`: one call per 100 items of the same API origin. */
export function createEkuaibaoResolver(clientFor: (apiBase: string) => Promise<EkuaibaoClient>): LinkResolver {
  return {
    batchSize: DOWNLOAD_URLS_BATCH_SIZE,
    groupOf: (attachment) => `${attachment.source.type} ${attachment.source.apiBase}`,
    async resolve(attachments: readonly Attachment[]) {
      const results = new Map<string, LinkResult>();
      const items = attachments.flatMap((a) => (a.source.type === 'ekuaibao-attachment' ? [{ attachment: a, source: a.source }] : []));
      const first = items[0];
      if (!first) return results;
      const client = await clientFor(first.source.apiBase);
      const links = await fetchDownloadUrls(client, items.map(({ source }) => source));
      for (const { attachment, source } of items) results.set(attachment.id, toLinkResult(links.get(itemKey(source)), client.host));
      return results;
    },
  };
}
