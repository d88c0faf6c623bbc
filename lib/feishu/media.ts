/** Temporary download links for docx/sheet/base media: at most 5 tokens a call, fetched right before use. */
import { ProblemError, toProblem, type Problem } from '../core/problem';
import { FEISHU_ENDPOINTS, type FeishuClient } from './client';
import type { LinkResolver, LinkResult } from '../downloads/links';
import { bitableExtra } from './bitable';
import type { DailyQuota } from '../downloads/daily-quota';
import { TmpDownloadUrlsSchema } from './schemas';

/** The documented maximum of `file_tokens` per `batch_get_tmp_download_url` call. */
export const TMP_URL_BATCH_SIZE = 5;

export type TmpUrlResult = { readonly url: string } | { readonly problem: Problem };

/** Problems that concern the whole call (credentials, scopes, limits), not one of its tokens. */
const CALL_WIDE: ReadonlySet<Problem['kind']> = new Set([
  'credentials-missing',
  'token-invalid',
  'token-expired',
  'scope-missing',
  'rate-limited',
  'network',
  'host-permission-missing',
  'app-credentials-invalid',
  'sign-in-required',
]);

export async function fetchTmpDownloadUrls(
  client: FeishuClient,
  tokens: readonly string[],
  extra?: string,
): Promise<Map<string, TmpUrlResult>> {
  const unique = [...new Set(tokens)];
  const results = new Map<string, TmpUrlResult>();
  for (let i = 0; i < unique.length; i += TMP_URL_BATCH_SIZE) {
    const batch = unique.slice(i, i + TMP_URL_BATCH_SIZE);
    for (const [token, result] of await resolveBatch(client, batch, extra)) results.set(token, result);
  }
  return results;
}

async function resolveBatch(client: FeishuClient, batch: readonly string[], extra?: string): Promise<Map<string, TmpUrlResult>> {
  const results = new Map<string, TmpUrlResult>();
  try {
    const data = await client.request(
      FEISHU_ENDPOINTS.mediaTmpUrls,
      {
        path: 'drive/v1/medias/batch_get_tmp_download_url',
        query: [...batch.map((t) => ['file_tokens', t] as const), ...(extra ? [['extra', extra] as const] : [])],
      },
      TmpDownloadUrlsSchema,
    );
    const urls = new Map(data.tmp_download_urls.map((entry) => [entry.file_token, entry.tmp_download_url]));
    for (const token of batch) {
      const url = urls.get(token);
      results.set(token, url ? { url } : { problem: { kind: 'no-link', host: client.host } });
    }
  } catch (error) {
    const problem = toProblem(error);
    // A server that is down or answering nonsense fails every token alike: splitting would only multiply calls.
    const callWide = CALL_WIDE.has(problem.kind) || problem.kind === 'invalid-response' || (problem.status ?? 0) >= 500;
    if (batch.length > 1 && error instanceof ProblemError && !callWide) {
      // One bad token (deleted, not shared) must not sink the other four: ask for each on its own.
      for (const token of batch) {
        for (const [t, result] of await resolveBatch(client, [token], extra)) results.set(t, result);
      }
    } else {
      for (const token of batch) results.set(token, { problem });
    }
  }
  return results;
}

/**
 * The engine's link resolver for `feishu-media` attachments: one call per 5 tokens of the same API origin (and,
 * for advanced-permission bases, of the same table, whose batch carries the documented `extra`).
 */
export function createFeishuMediaResolver(clientFor: (apiBase: string) => Promise<FeishuClient>, quota?: DailyQuota): LinkResolver {
  return {
    batchSize: TMP_URL_BATCH_SIZE,
    groupOf: (attachment) => {
      const source = attachment.source;
      return source.type === 'feishu-media' ? `feishu-media ${source.apiBase} ${source.bitable?.tableId ?? ''}` : `${source.type} ${source.apiBase}`;
    },
    async resolve(attachments) {
      const results = new Map<string, LinkResult>();
      const items = attachments.flatMap((a) => (a.source.type === 'feishu-media' ? [{ attachment: a, source: a.source }] : []));
      const first = items[0];
      if (!first) return results;
      const client = await clientFor(first.source.apiBase);
      // What the day's media quota has left goes now; the rest waits for the next day (its job pauses till then).
      const granted = quota ? await quota.take(first.source.apiBase, items.length) : items.length;
      const waiting = items.slice(granted);
      for (const { attachment } of waiting) results.set(attachment.id, { problem: { kind: 'daily-quota', host: client.host, detail: new Date(quota?.renewsAt() ?? 0).toISOString() } });
      const now = items.slice(0, granted);
      if (now.length === 0) return results;
      const extra = bitableExtra(now.flatMap(({ source }) => (source.bitable ? [{ token: source.token, bitable: source.bitable }] : [])));
      const urls = await fetchTmpDownloadUrls(client, now.map(({ source }) => source.token), extra);
      for (const { attachment, source } of now) {
        const result = urls.get(source.token);
        results.set(attachment.id, !result ? { problem: { kind: 'no-link' } } : 'url' in result ? { link: { url: result.url } } : result);
      }
      return results;
    },
  };
}
