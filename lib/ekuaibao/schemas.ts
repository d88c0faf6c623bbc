/**
 * zod schemas of the Ekuaibao Open API answers we read. Envelopes are not uniform (documented): single objects come
 * as `{value: …}`, `downloadurls` as a bare array, errors as `{errorCode, errorMessage}` (sometimes inside `value`) or
 * plain text. Everything is parsed defensively: unknown fields are kept, odd ones ignored.
 */
import { z } from 'zod';

const IdSchema = z.union([z.string().min(1), z.number().transform(String)]);

/** `POST /api/openapi/v1/auth/getAccessToken` and `/v2/auth/refreshToken`. */
export const TokenAnswerSchema = z.object({
  value: z.looseObject({
    accessToken: z.string().min(1),
    refreshToken: z.string().min(1).optional().catch(undefined),
    /** Epoch milliseconds (documented). */
    expireTime: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional().catch(undefined),
    corporationId: z.string().optional().catch(undefined),
  }),
});
export type TokenAnswer = z.infer<typeof TokenAnswerSchema>;

/** Form details (`flowDetails`, `flowDetails/byCode`): the form is walked defensively (see forms.ts), not typed. */
export const FlowDetailsAnswerSchema = z.object({
  value: z.looseObject({
    id: IdSchema.optional().catch(undefined),
    form: z.unknown(),
    logs: z.unknown().optional(),
  }),
});
export type FlowDetails = z.infer<typeof FlowDetailsAnswerSchema>['value'];

/** Header names and values a DingPan link needs: printable, no line breaks (they go to chrome.downloads). */
const HeaderNameSchema = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/);
const HeaderValueSchema = z.string().regex(/^[\x20-\x7e]{0,2000}$/);

export const DownloadUrlItemSchema = z.looseObject({
  id: IdSchema,
  key: z.string(),
  url: z.string().min(1),
  thumbUrl: z.string().optional().catch(undefined),
  /** DingPan only: sent with the download, or it fails (documented). */
  headers: z.record(HeaderNameSchema, HeaderValueSchema).optional(),
});
export type DownloadUrlItem = z.infer<typeof DownloadUrlItemSchema>;

/** A bare array; items that do not parse are dropped one by one (they become "no link" rows, not a failed call). */
export const DownloadUrlsAnswerSchema = z.array(z.unknown()).transform((items) =>
  items.flatMap((item) => {
    const parsed = DownloadUrlItemSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  }),
);

/** `{errorCode, errorMessage}` at the top or inside `value` (v2.0 docs), or `msg`/`code` (v3). */
export const ErrorBodySchema = z.looseObject({
  errorCode: z.union([z.number(), z.string()]).optional().catch(undefined),
  errorMessage: z.string().optional().catch(undefined),
  msg: z.string().optional().catch(undefined),
  value: z.looseObject({ errorCode: z.union([z.number(), z.string()]).optional().catch(undefined), errorMessage: z.string().optional().catch(undefined) }).optional().catch(undefined),
});
