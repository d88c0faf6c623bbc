import * as z from 'zod/mini';
import { ProblemSchema } from './problem';

export const MediaTokenSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{6,128}$/, 'not a media token'));
const ApiBaseUrlSchema = z.url({ protocol: /^https$/ });

/** Where the bytes come from; each source type has one link resolver in the download engine. */
export const AttachmentSourceSchema = z.discriminatedUnion('type', [
  /** Media of documents, sheets and bases: `drive/v1/medias/batch_get_tmp_download_url`, 5 tokens a call. */
  z.object({
    type: z.literal('feishu-media'),
    /** Open API origin the listing came from; links are resolved against the same origin. */
    apiBase: ApiBaseUrlSchema,
    token: MediaTokenSchema,
    /** Set for attachments of advanced-permission bases: what the documented `extra` must name. */
    bitable: z.optional(z.object({ tableId: z.string(), fieldId: z.string(), recordId: z.string() })),
  }),
  /** A cloud-space file: `drive/v1/files/:token/download`. */
  z.object({ type: z.literal('feishu-drive-file'), apiBase: ApiBaseUrlSchema, token: MediaTokenSchema }),
  /** A whiteboard, exported as an image: `board/v1/whiteboards/:token/download_as_image`. */
  z.object({ type: z.literal('feishu-board'), apiBase: ApiBaseUrlSchema, token: MediaTokenSchema }),
  /** A mail attachment: `mail/v1/.../attachments/download_url`, 20 ids a call, links usable twice. */
  z.object({
    type: z.literal('feishu-mail'),
    apiBase: ApiBaseUrlSchema,
    messageId: z.string().check(z.minLength(1), z.maxLength(200)),
    attachmentId: z.string().check(z.minLength(1), z.maxLength(200)),
  }),
  /** An Ekuaibao attachment: `POST /api/openapi/v2/attachment/downloadurls`, 100 items a call. */
  z.object({
    type: z.literal('ekuaibao-attachment'),
    apiBase: ApiBaseUrlSchema,
    fileId: z.string().check(z.minLength(1), z.maxLength(200)),
    /** The storage key; `DP:{…}` for DingPan (钉盘) files, whose links need the headers the API returns. */
    key: z.string().check(z.minLength(1), z.maxLength(4000)),
  }),
]);
export type AttachmentSource = z.infer<typeof AttachmentSourceSchema>;

/**
 * Where in an Ekuaibao form an attachment sits, as data: the popup words it in the user's language
 * ("B24000123 · Expense line 2 (住宿) · Invoice").
 */
export const FormOriginSchema = z.object({
  /** The form's code (单据编号). */
  form: z.string().check(z.maxLength(100)),
  part: z.enum(['form', 'field', 'line', 'invoice', 'approval']),
  /** 1-based expense line (费用明细) number. */
  line: z.optional(z.int().check(z.positive())),
  /** The custom field's name, the line's fee type, or the approval action. */
  label: z.optional(z.string().check(z.maxLength(200))),
});
export type FormOrigin = z.infer<typeof FormOriginSchema>;

export const AttachmentSchema = z.object({
  /** Unique within a listing. */
  id: z.string().check(z.minLength(1)),
  /** Name as the platform gave it (unsanitised); for nameless images a generated `image-01`. */
  name: z.string(),
  /** True when `name` was made up by us: the real type (and maybe name) is learnt from the file's headers. */
  nameIsGenerated: z.boolean(),
  kind: z.enum(['file', 'image']),
  size: z.optional(z.int().check(z.nonnegative())),
  mimeType: z.optional(z.string()),
  source: AttachmentSourceSchema,
  /** Folders below the listing's root folder (raw, unsanitised), e.g. a sheet's title. */
  subfolders: z.array(z.string()),
  /** Where in the page it sits, for people: "明细 · C1800", "发票 · INV-003", "Embedded sheet". */
  where: z.optional(z.string().check(z.maxLength(300))),
  /** Links that may be used only a few times (mail): never spend one on learning the file's type. */
  noProbe: z.optional(z.literal(true)),
  /** Ekuaibao: the place in the form, worded by the popup. */
  origin: z.optional(FormOriginSchema),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

/** A part of the page that could not be listed (one sheet, one embedded base...): the rest still is. */
export const PartialProblemSchema = z.object({ where: z.string().check(z.maxLength(300)), problem: ProblemSchema });
export type PartialProblem = z.infer<typeof PartialProblemSchema>;

export const AttachmentListingSchema = z.object({
  type: z.literal('attachments'),
  title: z.string(),
  /** Raw root folder segments, e.g. ['Feishu', '<document title>']. */
  folder: z.array(z.string()).check(z.minLength(1)),
  attachments: z.array(AttachmentSchema),
  partial: z.array(PartialProblemSchema),
  /** Facts worth telling with the list, e.g. that an advanced-permission base may hide records. */
  hints: z.array(z.enum(['advanced-base-empty', 'no-forms'])),
});
export type AttachmentListing = z.infer<typeof AttachmentListingSchema>;

export const MailMessageSchema = z.object({
  id: z.string(),
  subject: z.string(),
  from: z.string(),
  /** Milliseconds since the epoch. */
  date: z.number(),
  /** Raw folder segments for this message's files, e.g. ['Feishu', 'Mail', '2026-11-20 <subject>']. */
  folder: z.array(z.string()).check(z.minLength(1)),
  attachments: z.array(AttachmentSchema),
});
export type MailMessage = z.infer<typeof MailMessageSchema>;

export const MailboxListingSchema = z.object({
  type: z.literal('mailbox'),
  title: z.string(),
  /** Recent messages that have attachments, newest first. */
  messages: z.array(MailMessageSchema),
  /** How many recent messages were looked at, and where to go on. */
  scanned: z.int().check(z.nonnegative()),
  nextPageToken: z.optional(z.string()),
  /** Listed messages came without attachments although some may have them (missing body scope). */
  attachmentsHidden: z.boolean(),
});
export type MailboxListing = z.infer<typeof MailboxListingSchema>;

export const ListingSchema = z.discriminatedUnion('type', [AttachmentListingSchema, MailboxListingSchema]);
export type Listing = z.infer<typeof ListingSchema>;
