/**
 * Feishu Mail: the user's recent messages that have attachments (list + one detail call each, within 100/min),
 * and their attachment links from `attachments/download_url` (at most 20 ids a call, 1 call a second; links are
 * usable twice and valid 2 hours, so they are fetched only right before the download). `failed_ids` become
 * failed rows with a reason.
 */
import type { Attachment, MailboxListing, MailMessage } from '../core/attachment';
import { MAIL_FAILED_ID } from '../core/problem';
import type { FeishuBrand } from './hosts';
import { BRAND_FOLDERS } from './hosts';
import type { LinkResolver, LinkResult } from '../downloads/links';
import { FEISHU_ENDPOINTS, segment, type FeishuClient } from './client';
import { MailDownloadUrlsSchema, MailListSchema, MailMessageSchema } from './schemas';

/** The API's documented maximum of attachment ids per download_url call. */
export const MAIL_IDS_PER_CALL = 20;
/** Messages looked at per "page" of the popup's list ([I]: the list API's page size is not documented; 20 works). */
export const MAIL_SCAN = 30;
const LIST_PAGE_SIZE = 20;
const MAILBOX = 'me';

function messagesPath(): string {
  return `mail/v1/user_mailboxes/${MAILBOX}/messages`;
}

function day(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export interface MailScanOptions {
  readonly brand: FeishuBrand;
  /** Continue after a previous scan. */
  readonly pageToken?: string;
  readonly scan?: number;
}

export async function listMailbox(client: FeishuClient, options: MailScanOptions): Promise<MailboxListing> {
  const wanted = options.scan ?? MAIL_SCAN;
  const ids: string[] = [];
  let pageToken = options.pageToken;
  let hasMore = true;
  while (ids.length < wanted && hasMore) {
    const page = await client.request(
      FEISHU_ENDPOINTS.mailList,
      {
        path: messagesPath(),
        query: [['page_size', String(Math.min(LIST_PAGE_SIZE, wanted - ids.length))], ['folder_id', 'INBOX'], ...(pageToken ? [['page_token', pageToken] as const] : [])],
      },
      MailListSchema,
    );
    ids.push(...(page.items ?? []));
    hasMore = page.has_more && !!page.page_token && page.page_token !== pageToken;
    pageToken = page.page_token;
  }

  const messages: MailMessage[] = [];
  let sawAttachmentsField = false;
  for (const id of ids) {
    const { message } = await client.request(FEISHU_ENDPOINTS.mailGet, { path: `${messagesPath()}/${segment(id)}`, query: [['format', 'full']] }, MailMessageSchema);
    if (message.attachments !== undefined) sawAttachmentsField = true;
    const subject = message.subject?.trim() || '(no subject)';
    const date = Number(message.internal_date ?? 0) || 0;
    const from = message.head_from?.name?.trim() || message.head_from?.mail_address || '';
    const folder = [BRAND_FOLDERS[options.brand], 'Mail', `${date ? `${day(date)} ` : ''}${subject}`];
    // Inline images (signatures, logos) are part of the body, not attachments a person asked for.
    const attachments: Attachment[] = (message.attachments ?? [])
      .filter((a) => a.is_inline !== true)
      .map((a, index) => ({
        id: `feishu-mail:${id}:${a.id}`,
        name: a.filename?.trim() || `attachment-${String(index + 1).padStart(2, '0')}`,
        nameIsGenerated: !a.filename?.trim(),
        kind: /\.(png|jpe?g|gif|webp|bmp|heic|svg)$/i.test(a.filename ?? '') ? 'image' : 'file',
        source: { type: 'feishu-mail', apiBase: client.apiBase, messageId: id, attachmentId: a.id },
        subfolders: [],
        where: subject,
        // Each link may be used only twice: never spend one on a probe.
        noProbe: true,
      }));
    if (attachments.length > 0) messages.push({ id, subject, from, date, folder, attachments });
  }
  return {
    type: 'mailbox',
    title: 'Mail',
    messages,
    scanned: ids.length,
    ...(hasMore && pageToken ? { nextPageToken: pageToken } : {}),
    attachmentsHidden: ids.length > 0 && !sawAttachmentsField,
  };
}

/** Links for up to 20 attachments of one message; ids in `failed_ids` (or missing) come back as problems. */
export async function fetchMailLinks(client: FeishuClient, messageId: string, attachmentIds: readonly string[]): Promise<Map<string, LinkResult>> {
  const results = new Map<string, LinkResult>();
  for (let i = 0; i < attachmentIds.length; i += MAIL_IDS_PER_CALL) {
    const batch = attachmentIds.slice(i, i + MAIL_IDS_PER_CALL);
    const answer = await client.request(
      FEISHU_ENDPOINTS.mailDownloadUrl,
      { path: `${messagesPath()}/${segment(messageId)}/attachments/download_url`, query: batch.map((id) => ['attachment_ids', id] as const) },
      MailDownloadUrlsSchema,
    );
    const urls = new Map((answer.download_urls ?? []).map((u) => [u.attachment_id, u.download_url]));
    const failed = new Set(answer.failed_ids ?? []);
    for (const id of batch) {
      const url = urls.get(id);
      results.set(id, url && !failed.has(id) ? { link: { url } } : { problem: { kind: 'no-link', host: client.host, detail: MAIL_FAILED_ID } });
    }
  }
  return results;
}

export function createMailResolver(clientFor: (apiBase: string) => Promise<FeishuClient>): LinkResolver {
  return {
    batchSize: MAIL_IDS_PER_CALL,
    groupOf: (attachment) => (attachment.source.type === 'feishu-mail' ? `feishu-mail ${attachment.source.apiBase} ${attachment.source.messageId}` : attachment.source.type),
    async resolve(attachments) {
      const results = new Map<string, LinkResult>();
      const items = attachments.flatMap((a) => (a.source.type === 'feishu-mail' ? [{ attachment: a, source: a.source }] : []));
      const first = items[0];
      if (!first) return results;
      const client = await clientFor(first.source.apiBase);
      const links = await fetchMailLinks(client, first.source.messageId, items.map(({ source }) => source.attachmentId));
      for (const { attachment, source } of items) results.set(attachment.id, links.get(source.attachmentId) ?? { problem: { kind: 'no-link' } });
      return results;
    },
  };
}

/** The mailbox listing with the next batch of older messages appended. */
export async function listMoreMail(client: FeishuClient, listing: MailboxListing, brand: FeishuBrand): Promise<MailboxListing> {
  if (!listing.nextPageToken) return listing;
  const more = await listMailbox(client, { brand, pageToken: listing.nextPageToken });
  const known = new Set(listing.messages.map((m) => m.id));
  return {
    ...more,
    messages: [...listing.messages, ...more.messages.filter((m) => !known.has(m.id))],
    scanned: listing.scanned + more.scanned,
    attachmentsHidden: listing.attachmentsHidden && more.attachmentsHidden,
  };
}
