import * as z from 'zod/mini';
import { redactSecrets } from './redact';

/**
 * Why something could not be listed or saved, as data: the UI turns it into words a person can act on
 * (see `describeProblem`), so the background never has to know the user's language.
 */
export const ProblemKindSchema = z.enum([
  'credentials-missing',
  'token-invalid',
  'token-expired',
  'scope-missing',
  'not-shared',
  'not-found',
  'rate-limited',
  'network',
  'server',
  'invalid-response',
  /** The platform gave no link for this file (its decision: not worth asking again). */
  'no-link',
  /** A link stopped working before it was used (expired, used up): a fresh one is asked for. */
  'link-expired',
  'host-permission-missing',
  'download-interrupted',
  'unsupported-page',
  /** Signed in with Feishu, and the sign-in ended (refresh refused, revoked, expired) or never happened. */
  'sign-in-required',
  /** App ID or App Secret refused by the token endpoint. */
  'app-credentials-invalid',
  /** The surface works only with a user's token (Mail's `me`). */
  'needs-user-token',
  /** The object exists but holds nothing we can save (a legacy doc, a mind map...); `detail` names its type. */
  'not-listable',
  /** Typed in the popup, and not a form code (`detail` is what was typed). */
  'invalid-form-code',
  /** The user cancelled the job before this item was saved. */
  'cancelled',
  /** The platform's daily quota is used up (`detail`: when it renews, ISO time). */
  'daily-quota',
  'unknown',
]);
export type ProblemKind = z.infer<typeof ProblemKindSchema>;

export const ProblemSchema = z.object({
  kind: ProblemKindSchema,
  /** Whose service it concerns, when not Feishu: the words (and the settings to fix) differ. */
  platform: z.optional(z.literal('ekuaibao')),
  /** `consent`: the signed-in user can fix it by allowing the missing scopes (Settings → Grant missing permissions). */
  remedy: z.optional(z.literal('consent')),
  /** Permission scopes that would fix it, e.g. `docx:document:readonly`. */
  scopes: z.optional(z.array(z.string())),
  /** The platform's error code, e.g. 1770032. */
  code: z.optional(z.number()),
  /** HTTP status when one was seen. */
  status: z.optional(z.number()),
  /** Host name involved (never a full URL: links can carry signatures). */
  host: z.optional(z.string()),
  /** Short technical detail: the server's message or Chrome's interrupt reason. */
  detail: z.optional(z.string().check(z.maxLength(500))),
});
export type Problem = z.infer<typeof ProblemSchema>;

/** The `detail` of a `no-link` problem for a mail attachment that Feishu Mail returned in `failed_ids`. */
export const MAIL_FAILED_ID = 'mail-failed-id';

/**
 * An error that already knows what to tell the user. Its detail (and so its message, which may reach a log) is cut
 * free of credentials here, whoever built it: a detail often quotes a server or an exception.
 */
export class ProblemError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    const safe = problem.detail === undefined ? problem : { ...problem, detail: redactSecrets(problem.detail) };
    super(`${safe.kind}${safe.code ? ` (${safe.code})` : ''}${safe.detail ? `: ${safe.detail}` : ''}`);
    this.name = 'ProblemError';
    this.problem = safe;
  }
}

export function toProblem(error: unknown): Problem {
  if (error instanceof ProblemError) return error.problem;
  // Classic and mini zod errors alike.
  if (error instanceof z.core.$ZodError) return { kind: 'invalid-response', detail: redactSecrets(z.prettifyError(error)).slice(0, 500) };
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'unknown', detail: redactSecrets(detail).slice(0, 500) };
}
