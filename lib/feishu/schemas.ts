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

// --- wiki -------------------------------------------------------------------------------------------------------

export const WikiNodeSchema = z.object({
  node: z.looseObject({
    node_token: z.string().optional(),
    obj_token: z.string().min(1),
    /** doc | docx | sheet | mindnote | bitable | file | slides (others may come: kept as a string). */
    obj_type: z.string().min(1),
    title: z.string().optional(),
  }),
});

// --- sheets -----------------------------------------------------------------------------------------------------

export const SpreadsheetSchema = z.object({
  spreadsheet: z.looseObject({ title: z.string().optional(), token: z.string().optional() }),
});

export const SheetsQuerySchema = z.object({
  sheets: z
    .array(
      z.looseObject({
        sheet_id: z.string().min(1),
        title: z.string().optional(),
        index: z.number().optional(),
        hidden: z.boolean().optional(),
        resource_type: z.string().optional(),
        grid_properties: z.looseObject({ row_count: z.number().int().nonnegative().optional(), column_count: z.number().int().nonnegative().optional() }).optional(),
      }),
    )
    .default([]),
});

const ValueRangeSchema = z.looseObject({
  range: z.string().optional(),
  /** Rows of cells; a cell is null, a scalar, or (for rich cells) arrays and objects, read defensively. */
  values: z.array(z.array(z.unknown()).nullable()).nullable().optional(),
});
export const ValueRangesSchema = z.object({ valueRanges: z.array(ValueRangeSchema).default([]) });

export const FloatImagesSchema = z.object({
  items: z.array(z.looseObject({ float_image_token: z.string().min(1), float_image_id: z.string().optional(), range: z.string().optional() })).default([]),
});

// --- bitable ----------------------------------------------------------------------------------------------------

export const BitableAppSchema = z.object({
  app: z.looseObject({ name: z.string().optional(), is_advanced: z.boolean().optional() }),
});

const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item).nullable().default([]), has_more: z.boolean().default(false), page_token: z.string().optional() });

export const BitableTablesSchema = pageOf(z.looseObject({ table_id: z.string().min(1), name: z.string().optional() }));

export const BitableFieldsSchema = pageOf(
  z.looseObject({ field_id: z.string().min(1), field_name: z.string(), type: z.number().int(), is_primary: z.boolean().optional() }),
);

export const BitableRecordsSchema = pageOf(z.looseObject({ record_id: z.string().min(1), fields: z.record(z.string(), z.unknown()).default({}) }));

// --- mail -------------------------------------------------------------------------------------------------------

export const MailListSchema = z.object({
  items: z.array(z.string()).nullable().default([]),
  has_more: z.boolean().default(false),
  page_token: z.string().optional(),
});

export const MailMessageSchema = z.object({
  message: z.looseObject({
    message_id: z.string().optional(),
    subject: z.string().optional(),
    head_from: z.looseObject({ mail_address: z.string().optional(), name: z.string().optional() }).optional(),
    /** Milliseconds, sent as a string. */
    internal_date: z.union([z.string(), z.number()]).optional(),
    /** Absent when the app lacks the body scope (field-level permission). */
    attachments: z
      .array(
        z.looseObject({
          id: z.string().min(1),
          filename: z.string().optional(),
          is_inline: z.boolean().optional(),
          attachment_type: z.number().optional(),
        }),
      )
      .optional(),
  }),
});

export const MailDownloadUrlsSchema = z.object({
  download_urls: z.array(z.looseObject({ attachment_id: z.string(), download_url: z.url({ protocol: /^https$/ }) })).nullable().default([]),
  failed_ids: z.array(z.string()).nullable().default([]),
});
