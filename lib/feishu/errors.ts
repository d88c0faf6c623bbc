import type { Problem } from '../core/problem';
import { redactSecrets } from '../core/redact';

/** Feishu error codes that mean "the token itself is bad" (see the Open Platform's generic error table). */
const TOKEN_INVALID = new Set([99991661, 99991663, 99991664, 99991665, 99991668, 99991671]);
const TOKEN_EXPIRED = new Set([99991677]);
/** A scope the app has but the signed-in user has not granted (re-consent fixes it). */
export const USER_SCOPE_NOT_GRANTED = 99991679;
/** The app or the user lacks a permission scope; `permission_violations` or the message names it. */
const SCOPE_MISSING = new Set([99991672, 99991676, USER_SCOPE_NOT_GRANTED]);
/**
 * No access to the object: docx 1770032, wiki 131006, base advanced permission 1254302/1254303, drive 1061004,
 * mail 1230003, sheets 1310213 (v3) / 90213 (v2 values).
 */
const NOT_SHARED = new Set([1770032, 131006, 1254302, 1254303, 1061004, 1230003, 1310213, 90213]);
/**
 * Gone or never there: docx, wiki, drive, bases (1254040-1254042 token/table/view not found), sheets (1310214
 * spreadsheet, 1310215 sheet; v2 values 90214 / 90215).
 */
const NOT_FOUND = new Set([1770002, 1770003, 131005, 1061007, 1254040, 1254041, 1254042, 1254003, 1254004, 1310214, 1310215, 90214, 90215]);
/** The token endpoint refused the App ID / App Secret. */
const APP_CREDENTIALS = new Set([10003, 10012, 10014, 99991543]);
export const RATE_LIMITED_CODE = 99991400;
/** Server-side hiccups worth retrying: internal errors, maintenance, "data not ready", resource contention. */
const TRANSIENT = new Set([1771001, 1771005, 131001, 131007, 1061045, 1254607, 1255040, 1061001]);

export interface FeishuFailure {
  readonly status: number;
  readonly code: number;
  readonly msg: string;
  readonly violations: readonly string[];
  /** Scopes any of which would let the endpoint work (named when the server does not say). */
  readonly endpointScopes: readonly string[];
  readonly host: string;
}

/** Answers that retrying cannot change, whatever their HTTP status (mail answers "no permission" with a 500). */
const PERMANENT = new Set([...TOKEN_INVALID, ...TOKEN_EXPIRED, ...SCOPE_MISSING, ...NOT_SHARED, ...NOT_FOUND, ...APP_CREDENTIALS]);

export function isTransientFailure(status: number, code: number): boolean {
  if (PERMANENT.has(code)) return false;
  return status >= 500 || TRANSIENT.has(code);
}

export function isRateLimited(status: number, code: number): boolean {
  return status === 429 || code === RATE_LIMITED_CODE;
}

/** Scopes named in messages like "required one of these privileges: [a, b]". */
export function scopesFromMessage(msg: string): string[] {
  const match = /\[([^\]]+)\]/.exec(msg);
  if (!match?.[1]) return [];
  return match[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^[a-z][\w.:-]*$/i.test(s));
}

export function problemFromFeishu(failure: FeishuFailure): Problem {
  const { status, code, msg, host } = failure;
  // The server's words, which may quote the token it refused ("invalid access token u-…").
  const base = { code, status, host, detail: redactSecrets(msg).slice(0, 300) || undefined };
  if (APP_CREDENTIALS.has(code)) return { kind: 'app-credentials-invalid', ...base };
  if (TOKEN_EXPIRED.has(code)) return { kind: 'token-expired', ...base };
  if (TOKEN_INVALID.has(code)) return { kind: 'token-invalid', ...base };
  if (SCOPE_MISSING.has(code)) {
    const named = failure.violations.length > 0 ? [...failure.violations] : scopesFromMessage(msg);
    return { kind: 'scope-missing', scopes: named.length > 0 ? named : [...failure.endpointScopes], ...base };
  }
  if (NOT_SHARED.has(code) || (code === 0 && status === 403)) return { kind: 'not-shared', ...base };
  if (NOT_FOUND.has(code) || (code === 0 && status === 404)) return { kind: 'not-found', ...base };
  if (isRateLimited(status, code)) return { kind: 'rate-limited', ...base };
  return { kind: 'server', ...base };
}
