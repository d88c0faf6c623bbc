/**
 * Mail (飞书邮箱): list messages, message detail with field scopes, and attachment download URLs.
 * Contract: shared/reference/feishu-api.md §5 and shared/seeds/feishu-mail-attachment-download-url.md.
 *
 * [V] verified in the docs:
 *   - routes and shapes: list → `{items: [message ids], page_token, has_more}` (page_size required); detail →
 *     `data.message {message_id, thread_id, subject, head_from, to, cc, bcc, internal_date (string, ms),
 *     message_state, smtp_message_id, body_html / body_plain_text / body_preview (base64url), attachments[{id,
 *     filename, attachment_type (1 normal, 2 large), is_inline, cid}], label_ids, folder_id}`; download_url →
 *     `{download_urls[{attachment_id, download_url}], failed_ids[]}`.
 *   - `me` means the caller of a user_access_token; custom apps only.
 *   - scopes: detail mail:user_mailbox.message:readonly, with FIELD scopes …message.body:read (bodies AND
 *     attachments), …message.subject:read (subject), …message.address:read (addresses); download_url
 *     mail:user_mailbox.message.body:read.
 *   - limits: detail 100/min; download_url 1/s, attachment_ids 1..20; links valid 2 h and usable twice.
 *   - codes (download_url doc): 400 / 1230001 parameter error, 500 / 1230003 no permission.
 *
 * [I] inferred (docs silent):
 *   - list: page_size 1..20 (the official CLI pages by 20), otherwise 400 / 1230001; 100/min; scope
 *     mail:user_mailbox.message:readonly; newest first; without folder_id every folder is listed; only_unread must
 *     be true/false; a bad page_token → 400 / 1230001; page_token only while has_more.
 *   - a tenant token asking for `me` → 400 / 1230001; a tenant token naming a mailbox address → 500 / 1230003 (the
 *     sandbox grants no mail data permission to apps); a user naming a mailbox that is not theirs → 500 / 1230003;
 *     a user without a mailbox asking for `me` → 400 / 1230001.
 *   - unknown message → HTTP 404, code 1230004 "message not found" (the same on download_url).
 *   - format: full (default) = html + plain text + preview; plain_text_full = plain text + preview; metadata = no
 *     bodies but the preview; attachments whenever the body scope is granted. Any other format → 400 / 1230001.
 *   - download_url: repeated ids are answered once; inline and large (type 2) attachments get links like any other;
 *     unknown ids and ids that always fail go to failed_ids.
 *   - 429 (not 400) when a mail rate limit is hit.
 */
import { createHash } from 'node:crypto';
import type { SandboxMailAttachment, SandboxMailbox, SandboxMailMessage } from '../world';
import { canRead, fail, hasScope, ok, perMinute, perSecond, requireScope, streamLink, type ApiContext, type ApiOutcome, type Route } from './context';

export const MAIL_LIST_MAX_PAGE_SIZE = 20;
export const MAIL_DOWNLOAD_URL_MAX_IDS = 20;
export const MAIL_LINK_LIFETIME_MS = 2 * 3600_000;
export const MAIL_LINK_USES = 2;

const READ_SCOPES = ['mail:user_mailbox.message:readonly'];
export const MAIL_BODY_SCOPE = 'mail:user_mailbox.message.body:read';
export const MAIL_SUBJECT_SCOPE = 'mail:user_mailbox.message.subject:read';
export const MAIL_ADDRESS_SCOPE = 'mail:user_mailbox.message.address:read';

export interface MailAddress {
  readonly mail_address: string;
  readonly name: string;
}

/** What fixtures may add to a message (the world type does not model it). */
export interface SandboxMailMessageDetails extends SandboxMailMessage {
  readonly to?: readonly MailAddress[];
  readonly cc?: readonly MailAddress[];
  readonly bodyText?: string;
  readonly unread?: boolean;
  readonly labelIds?: readonly string[];
}

/** What fixtures may add to an attachment: the inline image's content id. */
export interface SandboxMailAttachmentDetails extends SandboxMailAttachment {
  readonly cid?: string;
}

const paramError = (ctx: ApiContext, why: string) => fail(ctx, 400, 1230001, `param error: ${why}`);
const noPermission = (ctx: ApiContext) => fail(ctx, 500, 1230003, 'no permission');

function findMailbox(ctx: ApiContext, id: string): SandboxMailbox | ApiOutcome {
  const mailboxes = (ctx.world.mailboxes ?? []).filter((m) => m.brand === ctx.brand);
  if (id === 'me') {
    if (ctx.token.kind !== 'user') return paramError(ctx, 'user_mailbox_id "me" needs a user_access_token');
    return mailboxes.find((m) => canRead(ctx.token, m.owners)) ?? paramError(ctx, 'the user has no mailbox');
  }
  const mailbox = mailboxes.find((m) => m.address.toLowerCase() === id.toLowerCase());
  if (!mailbox || ctx.token.kind !== 'user' || !canRead(ctx.token, mailbox.owners)) return noPermission(ctx);
  return mailbox;
}

const isMailbox = (value: SandboxMailbox | ApiOutcome): value is SandboxMailbox => 'messages' in value;

function findMessage(ctx: ApiContext, mailbox: SandboxMailbox, messageId: string): SandboxMailMessageDetails | ApiOutcome {
  return mailbox.messages.find((m) => m.messageId === messageId) ?? fail(ctx, 404, 1230004, 'message not found');
}

const isMessage = (value: SandboxMailMessageDetails | ApiOutcome): value is SandboxMailMessageDetails => 'messageId' in value;

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const digest = (seed: string) => createHash('sha256').update(seed).digest('hex');

function ownerName(mailbox: SandboxMailbox, ctx: ApiContext): string {
  return ctx.token.kind === 'user' && canRead(ctx.token, mailbox.owners) ? ctx.token.name : mailbox.address.split('@')[0]!;
}

export function mailCid(attachment: SandboxMailAttachment): string {
  return (attachment as SandboxMailAttachmentDetails).cid ?? `${attachment.id.slice(0, 12)}@sandbox.mail`;
}

function bodies(message: SandboxMailMessageDetails): { html: string; text: string } {
  const text = message.bodyText ?? `${message.from.name}：\n\n${message.subject}\n\n此致\n${message.from.name}`;
  const inline = message.attachments.filter((a) => a.isInline);
  const paragraphs = text
    .split('\n')
    .map((line) => `<p>${line.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`)
    .join('');
  const images = inline.map((a) => `<p><img src="cid:${mailCid(a)}" alt="${a.media.fileName}"></p>`).join('');
  return { html: `<html><body><div>${paragraphs}${images}</div></body></html>`, text };
}

function renderMessage(ctx: ApiContext, mailbox: SandboxMailbox, message: SandboxMailMessageDetails, format: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    message_id: message.messageId,
    thread_id: `${digest(`thread:${message.messageId}`).slice(0, 24)}`,
  };
  if (hasScope(ctx.token, [MAIL_SUBJECT_SCOPE])) out['subject'] = message.subject;
  if (hasScope(ctx.token, [MAIL_ADDRESS_SCOPE])) {
    out['head_from'] = { mail_address: message.from.address, name: message.from.name };
    out['to'] = message.to ?? [{ mail_address: mailbox.address, name: ownerName(mailbox, ctx) }];
    out['cc'] = message.cc ?? [];
    out['bcc'] = [];
  }
  out['internal_date'] = String(message.internalDate);
  out['message_state'] = message.folderId === 'SENT' ? 2 : message.folderId === 'DRAFT' ? 3 : 1;
  out['smtp_message_id'] = `<${digest(`smtp:${message.messageId}`).slice(0, 32)}@${message.from.address.split('@')[1] ?? 'mail'}>`;
  if (hasScope(ctx.token, [MAIL_BODY_SCOPE])) {
    const { html, text } = bodies(message);
    if (format === 'full') out['body_html'] = base64url(html);
    if (format === 'full' || format === 'plain_text_full') out['body_plain_text'] = base64url(text);
    out['body_preview'] = base64url(text.replace(/\s+/g, ' ').trim().slice(0, 100));
    out['attachments'] = message.attachments.map((a) => ({
      id: a.id,
      filename: a.media.fileName,
      attachment_type: a.attachmentType ?? 1,
      is_inline: a.isInline === true,
      ...(a.isInline ? { cid: mailCid(a) } : {}),
    }));
  }
  out['label_ids'] = message.labelIds ?? [message.folderId, ...(message.unread ? ['UNREAD'] : [])];
  out['folder_id'] = message.folderId;
  out['priority_type'] = '3';
  out['security_level'] = { is_risk: false };
  return out;
}

function encodePageToken(mailbox: SandboxMailbox, offset: number): string {
  return Buffer.from(`mail:${offset}:${mailbox.address}`).toString('base64url');
}

function decodePageToken(mailbox: SandboxMailbox, token: string): number | null {
  const match = /^mail:(\d+):(.+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return match && match[2] === mailbox.address ? Number(match[1]) : null;
}

const MAILBOX = '\\/open-apis\\/mail\\/v1\\/user_mailboxes\\/([^/]+)\\/messages';

export const mailRoutes: Route[] = [
  {
    method: 'GET',
    pattern: new RegExp(`^${MAILBOX}$`),
    endpoint: 'mail.messages.list',
    limits: [perMinute(100)],
    handle(ctx) {
      const denied = requireScope(ctx, READ_SCOPES);
      if (denied) return denied;
      const mailbox = findMailbox(ctx, ctx.params[0]!);
      if (!isMailbox(mailbox)) return mailbox;
      const query = ctx.url.searchParams;
      const rawSize = query.get('page_size');
      if (rawSize === null) return paramError(ctx, 'page_size is required');
      const pageSize = /^\d+$/.test(rawSize) ? Number(rawSize) : NaN;
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAIL_LIST_MAX_PAGE_SIZE) return paramError(ctx, `page_size must be 1..${MAIL_LIST_MAX_PAGE_SIZE}`);
      const onlyUnread = query.get('only_unread');
      if (onlyUnread !== null && onlyUnread !== 'true' && onlyUnread !== 'false') return paramError(ctx, 'only_unread must be true or false');
      let offset = 0;
      const pageToken = query.get('page_token');
      if (pageToken !== null && pageToken !== '') {
        const decoded = decodePageToken(mailbox, pageToken);
        if (decoded === null) return paramError(ctx, 'invalid page_token');
        offset = decoded;
      }
      const folderId = query.get('folder_id');
      const labelId = query.get('label_id');
      const messages = (mailbox.messages as readonly SandboxMailMessageDetails[]).filter(
        (m) =>
          (folderId === null || folderId === '' || m.folderId === folderId) &&
          (labelId === null || labelId === '' || (m.labelIds ?? [m.folderId, ...(m.unread ? ['UNREAD'] : [])]).includes(labelId)) &&
          (onlyUnread !== 'true' || m.unread === true),
      );
      if (offset > messages.length) return paramError(ctx, 'invalid page_token');
      const next = offset + pageSize;
      const hasMore = next < messages.length;
      return ok(ctx, {
        items: messages.slice(offset, next).map((m) => m.messageId),
        has_more: hasMore,
        ...(hasMore ? { page_token: encodePageToken(mailbox, next) } : {}),
      });
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${MAILBOX}\\/([^/]+)$`),
    endpoint: 'mail.message.get',
    limits: [perMinute(100)],
    handle(ctx) {
      const denied = requireScope(ctx, READ_SCOPES);
      if (denied) return denied;
      const mailbox = findMailbox(ctx, ctx.params[0]!);
      if (!isMailbox(mailbox)) return mailbox;
      const format = ctx.url.searchParams.get('format') ?? 'full';
      if (!['full', 'plain_text_full', 'metadata'].includes(format)) return paramError(ctx, 'format must be full, plain_text_full or metadata');
      const message = findMessage(ctx, mailbox, ctx.params[1]!);
      if (!isMessage(message)) return message;
      return ok(ctx, { message: renderMessage(ctx, mailbox, message, format) });
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${MAILBOX}\\/([^/]+)\\/attachments\\/download_url$`),
    endpoint: 'mail.attachments.download-url',
    limits: [perSecond(1)],
    handle(ctx) {
      const denied = requireScope(ctx, [MAIL_BODY_SCOPE]);
      if (denied) return denied;
      const mailbox = findMailbox(ctx, ctx.params[0]!);
      if (!isMailbox(mailbox)) return mailbox;
      const ids = ctx.url.searchParams.getAll('attachment_ids');
      if (ids.length < 1 || ids.length > MAIL_DOWNLOAD_URL_MAX_IDS) return paramError(ctx, `attachment_ids must hold 1..${MAIL_DOWNLOAD_URL_MAX_IDS} ids`);
      const message = findMessage(ctx, mailbox, ctx.params[1]!);
      if (!isMessage(message)) return message;
      const downloadUrls: { attachment_id: string; download_url: string }[] = [];
      const failedIds: string[] = [];
      for (const id of new Set(ids)) {
        const attachment = message.attachments.find((a) => a.id === id);
        if (!attachment || attachment.alwaysFails) failedIds.push(id);
        else downloadUrls.push({ attachment_id: id, download_url: streamLink(ctx, attachment.media, MAIL_LINK_LIFETIME_MS, MAIL_LINK_USES) });
      }
      return ok(ctx, { download_urls: downloadUrls, failed_ids: failedIds });
    },
  },
];
