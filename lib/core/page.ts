import { z } from 'zod';

/** An identifier read from a page URL: only ever used as a path segment of a fixed API route, never as a host. */
export const PageTokenSchema = z.string().regex(/^[A-Za-z0-9]{10,64}$/, 'not a Feishu document token');

export const FeishuPageSchema = z.object({
  platform: z.literal('feishu'),
  brand: z.enum(['feishu', 'lark']),
  host: z.string().min(1).max(253),
  kind: z.literal('docx'),
  token: PageTokenSchema,
});
export type FeishuPage = z.infer<typeof FeishuPageSchema>;

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

export function pageKey(page: PageRef): string {
  return `${page.platform}:${page.host}:${page.kind}:${page.token}`;
}
