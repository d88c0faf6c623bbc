/** zod schemas for the Feishu/Lark Open API responses we read. Unknown fields pass through; shapes are checked. */
import { z } from 'zod';

/** `code` is a number on most APIs and a string on the OAuth ones: accept both. */
const CodeSchema = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);

export const EnvelopeSchema = z.looseObject({
  code: CodeSchema,
  msg: z.string().optional(),
  data: z.unknown().optional(),
  error: z
    .looseObject({
      log_id: z.string().optional(),
      permission_violations: z.array(z.looseObject({ subject: z.string(), type: z.string().optional() })).optional(),
    })
    .optional(),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

// --- docx -------------------------------------------------------------------------------------------------------

export const DocumentSchema = z.object({
  document: z.looseObject({
    document_id: z.string(),
    title: z.string().optional(),
  }),
});

export const BlocksPageSchema = z.object({
  /** Items are checked one by one (see docx.ts) so that one odd block never hides the others. */
  items: z.array(z.unknown()).default([]),
  has_more: z.boolean().default(false),
  page_token: z.string().optional(),
});
export type BlocksPage = z.infer<typeof BlocksPageSchema>;

export const BlockSchema = z.looseObject({
  block_id: z.string(),
  block_type: z.number().int(),
  parent_id: z.string().optional(),
  children: z.array(z.string()).optional(),
});
export type Block = z.infer<typeof BlockSchema>;

/** `file` block (type 23): the media token and the name shown in the document. */
export const FileBlockBodySchema = z.looseObject({ token: z.string().min(1), name: z.string().optional() });
/** `image` block (type 27): a media token; images carry no name, sometimes a caption. */
export const ImageBlockBodySchema = z.looseObject({
  token: z.string().min(1),
  caption: z.looseObject({ content: z.string().optional() }).optional(),
});

/** One element of a text-like block's `elements`: plain text runs and inline files are what we read. */
export const TextElementSchema = z.looseObject({
  text_run: z.looseObject({ content: z.string() }).optional(),
  file: z.looseObject({ file_token: z.string().min(1), source_block_id: z.string().optional() }).optional(),
});

// --- drive media ------------------------------------------------------------------------------------------------

export const TmpDownloadUrlsSchema = z.object({
  tmp_download_urls: z
    .array(z.looseObject({ file_token: z.string(), tmp_download_url: z.url({ protocol: /^https$/ }) }))
    .default([]),
});

// --- identity (test connection) ----------------------------------------------------------------------------------

export const UserInfoSchema = z.looseObject({
  name: z.string().optional(),
  en_name: z.string().optional(),
  email: z.string().optional(),
  tenant_key: z.string().optional(),
});

export const TenantSchema = z.object({
  tenant: z.looseObject({ name: z.string().optional(), tenant_key: z.string().optional() }),
});
