/** Turns an Ekuaibao error answer (any of its shapes) into a Problem a person can act on. */
import type { Problem } from '../core/problem';
import { redactSecrets } from '../core/redact';
import { ErrorBodySchema } from './schemas';

export interface EkuaibaoFailure {
  readonly status: number;
  readonly text: string;
  readonly host: string;
  /** The token endpoint: a 403 there means the app key or security is wrong (or the address prefix). */
  readonly auth?: boolean;
}

/** The server's own words, from `errorMessage`, `value.errorMessage`, `msg` or the raw text. */
export function messageOf(text: string): string {
  return redactSecrets(rawMessageOf(text)).slice(0, 200);
}

/** (Gateways echo the request in their error pages, `accessToken=` included: `messageOf` cuts that out.) */
function rawMessageOf(text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 1000);
  }
  const body = ErrorBodySchema.safeParse(json);
  if (!body.success) return '';
  return (body.data.errorMessage ?? body.data.value?.errorMessage ?? body.data.msg ?? '').slice(0, 1000);
}

function codeOf(text: string): number | undefined {
  try {
    const body = ErrorBodySchema.safeParse(JSON.parse(text));
    const code = Number(body.success ? (body.data.errorCode ?? body.data.value?.errorCode) : undefined);
    return Number.isFinite(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

export function problemFromEkuaibao({ status, text, host, auth = false }: EkuaibaoFailure): Problem {
  const detail = messageOf(text);
  const code = codeOf(text) ?? status;
  const base = { platform: 'ekuaibao' as const, status, host, ...(detail ? { detail } : {}) };
  // Documented: 403 未授权 for a missing, wrong or expired token; integrators also saw 401.
  if (code === 401 || code === 403 || status === 401 || status === 403 || /未授权/.test(detail)) {
    return { ...base, kind: auth ? 'app-credentials-invalid' : 'token-invalid' };
  }
  if (status === 412 || code === 412) return { ...base, kind: 'not-found' };
  if (status === 429) return { ...base, kind: 'rate-limited' };
  return { ...base, kind: 'server' };
}

/** Worth another attempt: the server or the gateway failed, not the request. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}
