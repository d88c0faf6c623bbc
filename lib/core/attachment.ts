import { z } from 'zod';

export const MediaTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{6,128}$/, 'not a media token');

/** Where the bytes come from; each source type has one link resolver in the download engine. */
export const AttachmentSourceSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('feishu-media'),
    /** Open API origin the listing came from; links are resolved against the same origin. */
    apiBase: z.url({ protocol: /^https$/ }),
    token: MediaTokenSchema,
  }),
]);
export type AttachmentSource = z.infer<typeof AttachmentSourceSchema>;

export const AttachmentSchema = z.object({
  /** Unique within a listing. */
  id: z.string().min(1),
  /** Name as the platform gave it (unsanitised); for nameless images a generated `image-01`. */
  name: z.string(),
  /** True when `name` was made up by us: the real type (and maybe name) is learnt from the file's headers. */
  nameIsGenerated: z.boolean(),
  kind: z.enum(['file', 'image']),
  size: z.number().int().nonnegative().optional(),
  mimeType: z.string().optional(),
  source: AttachmentSourceSchema,
  /** Folders below the listing's root folder (raw, unsanitised), e.g. a base record's primary field. */
  subfolders: z.array(z.string()),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

export const ListingSchema = z.object({
  title: z.string(),
  /** Raw root folder segments, e.g. ['Feishu', '<document title>']. */
  folder: z.array(z.string()).min(1),
  attachments: z.array(AttachmentSchema),
});
export type Listing = z.infer<typeof ListingSchema>;
