/**
 * Page references. Schemas the popup also loads are written with zod/mini (tree-shakable: the popup ships only the
 * checks it uses); they compose with the background's classic zod schemas.
 */
import * as z from 'zod/mini';

const id = (pattern: RegExp, message?: string) => z.string().check(z.regex(pattern, message));

/** An identifier read from a page URL: only ever used as a path segment of a fixed API route, never as a host. */
export const PageTokenSchema = id(/^[A-Za-z0-9]{10,64}$/, 'not a Feishu document token');
/** `?sheet=`: a sheet id (6 letters and digits in practice). */
export const SheetIdSchema = id(/^[A-Za-z0-9]{1,32}$/);
/** `?table=` and `?view=`: `tbl…` and `vew…` ids. */
export const TableIdSchema = id(/^tbl[A-Za-z0-9]{4,40}$/);
export const ViewIdSchema = id(/^vew[A-Za-z0-9]{2,40}$/);
/** Mail message ids are base64-like. */
export const MessageIdSchema = id(/^[A-Za-z0-9+/=_-]{4,200}$/);

const common = {
  platform: z.literal('feishu'),
  brand: z.enum(['feishu', 'lark']),
  host: z.string().check(z.minLength(1), z.maxLength(253)),
};

export const FeishuPageSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('docx'), token: PageTokenSchema }),
  /** A wiki node: whatever it points to (docx, sheet, base, file) is listed; `?sheet=`/`?table=` are kept. */
  z.object({
    ...common,
    kind: z.literal('wiki'),
    token: PageTokenSchema,
    sheetId: z.optional(SheetIdSchema),
    tableId: z.optional(TableIdSchema),
    viewId: z.optional(ViewIdSchema),
  }),
  z.object({ ...common, kind: z.literal('sheets'), token: PageTokenSchema, sheetId: z.optional(SheetIdSchema) }),
  z.object({ ...common, kind: z.literal('base'), token: PageTokenSchema, tableId: z.optional(TableIdSchema), viewId: z.optional(ViewIdSchema) }),
  z.object({ ...common, kind: z.literal('file'), token: PageTokenSchema }),
  /** The Mail web client; the open message, when the page reveals it. */
  z.object({ ...common, kind: z.literal('mail'), messageId: z.optional(MessageIdSchema) }),
]);
export type FeishuPage = z.infer<typeof FeishuPageSchema>;
export type FeishuPageKind = FeishuPage['kind'];

/**
 * An Ekuaibao (合思) form code (单据编号), e.g. `B24000123`: a letter prefix per form type and digits. Upper-cased;
 * only ever sent as the `code` query parameter of a fixed API route.
 */
export const FormCodeSchema = z.pipe(z.string().check(z.trim(), z.toUpperCase()), id(/^[A-Z]{1,4}\d{6,14}$/, 'not a form code'));
/** An Ekuaibao flow id (单据 ID), e.g. `ID01kZx3mPq7Rt`, `lrMb7AO5So2800`, `ID_3sTYYdqkcsM`. */
export const FlowIdSchema = id(/^[A-Za-z0-9_-]{8,64}$/, 'not a flow id');

/** Most forms one page may name: the Open API reads them one by one, so a list page is capped. */
export const MAX_FORMS_PER_PAGE = 50;

/** One Ekuaibao form, named by whichever identifier the page revealed. */
export const FormRefSchema = z.union([z.object({ code: FormCodeSchema }), z.object({ flowId: FlowIdSchema })]);
export type FormRef = z.infer<typeof FormRefSchema>;

/**
 * An Ekuaibao page: the web app is one single-page app whose routes are not public, so the page is described by the
 * forms it shows (from its URL, its markup, and codes the user typed in the popup), not by its route.
 */
export const EkuaibaoPageSchema = z.object({
  platform: z.literal('ekuaibao'),
  kind: z.literal('forms'),
  host: z.string().check(z.maxLength(253)),
  forms: z.array(FormRefSchema).check(z.maxLength(MAX_FORMS_PER_PAGE)),
});
export type EkuaibaoPage = z.infer<typeof EkuaibaoPageSchema>;

/** Every page the extension can list; one member per platform. */
export const PageRefSchema = z.discriminatedUnion('platform', [FeishuPageSchema, EkuaibaoPageSchema]);
export type PageRef = z.infer<typeof PageRefSchema>;
export type Platform = PageRef['platform'];

export const PageRecognitionSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('supported'), page: PageRefSchema }),
  /** A page of a platform we know, of a kind not handled (yet): say which, instead of a generic "not supported". */
  z.object({ status: z.literal('unsupported'), platform: z.enum(['feishu', 'ekuaibao']), kind: z.string().check(z.maxLength(40)) }),
  z.object({ status: z.literal('other') }),
]);
export type PageRecognition = z.infer<typeof PageRecognitionSchema>;

/**
 * Identity of a page's listing: the same key means the same list. The open sheet only changes the order, and the
 * open mail message only the selection, so neither is part of it; a base's table is (it scopes the list).
 */
export function pageKey(page: PageRef): string {
  if (page.platform === 'ekuaibao') {
    const ids = page.forms.map((f) => ('code' in f ? `code=${f.code}` : `flow=${f.flowId}`)).sort();
    return `ekuaibao:${page.host}:forms:${ids.join(',')}`;
  }
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
