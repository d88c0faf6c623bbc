import { z } from 'zod';

/** An identifier read from a page URL: only ever used as a path segment of a fixed API route, never as a host. */
export const PageTokenSchema = z.string().regex(/^[A-Za-z0-9]{10,64}$/, 'not a Feishu document token');
/** `?sheet=`: a sheet id (6 letters and digits in practice). */
export const SheetIdSchema = z.string().regex(/^[A-Za-z0-9]{1,32}$/);
/** `?table=` and `?view=`: `tbl…` and `vew…` ids. */
export const TableIdSchema = z.string().regex(/^tbl[A-Za-z0-9]{4,40}$/);
export const ViewIdSchema = z.string().regex(/^vew[A-Za-z0-9]{2,40}$/);
/** Mail message ids are base64-like. */
export const MessageIdSchema = z.string().regex(/^[A-Za-z0-9+/=_-]{4,200}$/);

const common = {
  platform: z.literal('feishu'),
  brand: z.enum(['feishu', 'lark']),
  host: z.string().min(1).max(253),
};

export const FeishuPageSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('docx'), token: PageTokenSchema }),
  /** A wiki node: whatever it points to (docx, sheet, base, file) is listed; `?sheet=`/`?table=` are kept. */
  z.object({ ...common, kind: z.literal('wiki'), token: PageTokenSchema, sheetId: SheetIdSchema.optional(), tableId: TableIdSchema.optional(), viewId: ViewIdSchema.optional() }),
  z.object({ ...common, kind: z.literal('sheets'), token: PageTokenSchema, sheetId: SheetIdSchema.optional() }),
  z.object({ ...common, kind: z.literal('base'), token: PageTokenSchema, tableId: TableIdSchema.optional(), viewId: ViewIdSchema.optional() }),
  z.object({ ...common, kind: z.literal('file'), token: PageTokenSchema }),
  /** The Mail web client; the open message, when the page reveals it. */
  z.object({ ...common, kind: z.literal('mail'), messageId: MessageIdSchema.optional() }),
]);
export type FeishuPage = z.infer<typeof FeishuPageSchema>;
export type FeishuPageKind = FeishuPage['kind'];

/** Every page the extension can list; one member per platform (Ekuaibao joins later). */
export const PageRefSchema = FeishuPageSchema;
export type PageRef = z.infer<typeof PageRefSchema>;

export const PageRecognitionSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('supported'), page: PageRefSchema }),
  /** A page of a platform we know, of a kind not handled (yet): say which, instead of a generic "not supported". */
  z.object({ status: z.literal('unsupported'), platform: z.literal('feishu'), kind: z.string().max(40) }),
  z.object({ status: z.literal('other') }),
]);
export type PageRecognition = z.infer<typeof PageRecognitionSchema>;

/**
 * Identity of a page's listing: the same key means the same list. The open sheet only changes the order, and the
 * open mail message only the selection, so neither is part of it; a base's table is (it scopes the list).
 */
export function pageKey(page: PageRef): string {
  switch (page.kind) {
    case 'mail':
      return `${page.platform}:${page.host}:mail`;
    case 'base':
    case 'wiki':
      return `${page.platform}:${page.host}:${page.kind}:${page.token}${page.tableId ? `:${page.tableId}` : ''}`;
    default:
      return `${page.platform}:${page.host}:${page.kind}:${page.token}`;
  }
}
