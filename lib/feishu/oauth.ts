/**
 * "Sign in with Feishu/Lark": the OAuth 2.0 authorization-code flow (v2) with PKCE, as documented
 * (reference feishu-api.md §6.2). Pure protocol: the authorize URL, the PKCE pair, the callback's parsing and the
 * token endpoint (`POST <apiBase>/open-apis/authen/v2/oauth/token`, code and refresh grants). Storage and the
 * single-use refresh token's serialisation live in user-tokens.ts.
 */
import pRetry from 'p-retry';
import { z } from 'zod';
import { ProblemError, type Problem } from '../core/problem';
import { realClock, type Clock, type RateLimiterRegistry } from '../downloads/rate-limit';
import { OFFICIAL_API_BASES } from './hosts';

/**
 * What the features need a user to grant, one scope per surface (the first of each endpoint's alternatives), and
 * `offline_access`, without which no refresh token is issued. An app must have enabled every one (else the consent
 * page refuses with 20027).
 */
export const SIGN_IN_SCOPES: readonly string[] = [
  'docx:document:readonly',
  'docs:document.media:download',
  'wiki:wiki:readonly',
  'sheets:spreadsheet:readonly',
  'bitable:app:readonly',
  'drive:drive:readonly',
  'board:whiteboard:node:read',
  'mail:user_mailbox.message:readonly',
  'mail:user_mailbox.message.body:read',
  'mail:user_mailbox.message.subject:read',
  'mail:user_mailbox.message.address:read',
  'offline_access',
];

/**
 * What to ask a signed-in user for when the API names the scopes any one of which would do (99991679 lists the
 * alternatives): the one our sign-in asks for, else the first named. Asking for all could name scopes the app has
 * not enabled (write scopes among them), which makes the consent page refuse (20027).
 */
export function consentScopesFor(alternatives: readonly string[]): string[] {
  const ours = SIGN_IN_SCOPES.find((scope) => alternatives.includes(scope));
  return ours ? [ours] : alternatives.slice(0, 1);
}

/** The documented cap of the authorize page's `scope`. */
export const MAX_SCOPES = 50;

const ACCOUNTS_BASES: Readonly<Record<string, string>> = {
  [OFFICIAL_API_BASES.feishu]: 'https://accounts.feishu.cn',
  [OFFICIAL_API_BASES.lark]: 'https://accounts.larksuite.com',
};

/**
 * The accounts origin (authorize page) of an API origin: documented for Feishu and Lark; a private deployment's
 * `https://open.<domain>` is assumed to pair with `https://accounts.<domain>` [I]; anything else has none.
 */
export function accountsBaseFor(apiBase: string): string | null {
  const official = ACCOUNTS_BASES[apiBase];
  if (official) return official;
  const url = new URL(apiBase);
  return url.hostname.startsWith('open.') ? `https://accounts.${url.hostname.slice('open.'.length)}${url.port ? `:${url.port}` : ''}` : null;
}

export interface Pkce {
  /** 43 characters of base64url (32 random bytes), within the RFC 7636 bounds of 43–128. */
  readonly verifier: string;
  /** base64url(SHA-256(verifier)), sent with `code_challenge_method=S256`. */
  readonly challenge: string;
}

export async function createPkce(): Promise<Pkce> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  return { verifier, challenge: await challengeOf(verifier) };
}

export async function challengeOf(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** An unguessable `state` that ties the callback to the request that started it (CSRF). */
export function createState(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export interface AuthorizeRequest {
  readonly accountsBase: string;
  readonly appId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly state: string;
  readonly challenge: string;
}

export function authorizeUrl(request: AuthorizeRequest): string {
  const url = new URL('/open-apis/authen/v1/authorize', request.accountsBase);
  url.searchParams.set('client_id', request.appId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('scope', [...new Set(request.scopes)].slice(0, MAX_SCOPES).join(' '));
  url.searchParams.set('state', request.state);
  url.searchParams.set('code_challenge', request.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.href;
}

export type Callback = { readonly ok: true; readonly code: string } | { readonly ok: false; readonly problem: Problem };

/**
 * Reads the URL the authorize page redirected to: the code, when it belongs to our redirect URL and our `state`.
 * Anything else is refused (a wrong state is someone else's flow, never ours to finish).
 */
export function parseCallback(callbackUrl: string, redirectUri: string, state: string): Callback {
  let url: URL;
  try {
    url = new URL(callbackUrl);
  } catch {
    return { ok: false, problem: { kind: 'sign-in-required', detail: 'The sign-in answer was not a URL.' } };
  }
  const expected = new URL(redirectUri);
  if (url.origin !== expected.origin || url.pathname !== expected.pathname) {
    return { ok: false, problem: { kind: 'sign-in-required', detail: 'The sign-in answer came to another address.' } };
  }
  if (url.searchParams.get('state') !== state) return { ok: false, problem: { kind: 'sign-in-required', detail: 'The sign-in answer does not match this sign-in (state).' } };
  const error = url.searchParams.get('error');
  if (error) return { ok: false, problem: { kind: 'sign-in-required', detail: error === 'access_denied' ? 'access_denied' : error.slice(0, 100) } };
  const code = url.searchParams.get('code');
  if (!code || !/^[\x21-\x7e]{1,4096}$/.test(code)) return { ok: false, problem: { kind: 'sign-in-required', detail: 'The sign-in answer carried no code.' } };
  return { ok: true, code };
}

/** RFC 6749 shaped; `code` is a number or a numeric string (`"0"`) in the docs' examples. */
const TokenAnswerSchema = z.looseObject({
  code: z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)]).optional(),
  access_token: z.string().min(1).max(8192).optional(),
  expires_in: z.number().positive().optional(),
  refresh_token: z.string().min(1).max(8192).optional(),
  refresh_token_expires_in: z.number().positive().optional(),
  scope: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

export interface UserGrant {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly refreshToken: string | null;
  readonly refreshExpiresAt: number | null;
  readonly scopes: readonly string[];
}

/** The app's credentials and where its token endpoint is. */
export interface OAuthApp {
  readonly apiBase: string;
  readonly appId: string;
  readonly appSecret: string;
}

export type TokenGrantRequest =
  | { readonly grant_type: 'authorization_code'; readonly code: string; readonly redirect_uri: string; readonly code_verifier: string }
  | { readonly grant_type: 'refresh_token'; readonly refresh_token: string };

/** The refresh token (or code) is spent, revoked, expired or not ours: only signing in again helps. */
const SIGN_IN_AGAIN = new Set([20003, 20004, 20024, 20026, 20037, 20049, 20064, 20065, 20071, 20073, 20074, 99991669]);
const APP_CREDENTIALS = new Set([20002, 10014, 99991543]);
/** Documented as worth another try. */
const TRANSIENT = new Set([20050, 20072]);

class TransientError extends ProblemError {}

export class OAuthTokenEndpoint {
  constructor(
    private readonly limiters: RateLimiterRegistry,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
    private readonly clock: Clock = realClock,
  ) {}

  /** Trades a code or a refresh token for a grant; network errors, 5xx and 20050/20072 are tried again. */
  grant(app: OAuthApp, request: TokenGrantRequest): Promise<UserGrant> {
    return pRetry(() => this.once(app, request), {
      retries: 3,
      minTimeout: 500,
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => error instanceof TransientError,
    });
  }

  private async once(app: OAuthApp, request: TokenGrantRequest): Promise<UserGrant> {
    const host = new URL(app.apiBase).hostname;
    const limiter = this.limiters.get(`${app.apiBase} authen.oauth-token`, [
      { limit: 50, intervalMs: 1000 },
      { limit: 1000, intervalMs: 60_000 },
    ]);
    for (let waits = 0; ; waits++) {
      await limiter.acquire();
      let response: Response;
      try {
        response = await this.fetchImpl(new URL('/open-apis/authen/v2/oauth/token', app.apiBase).href, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
          body: JSON.stringify({ ...request, client_id: app.appId, client_secret: app.appSecret }),
          credentials: 'omit',
          redirect: 'error',
          signal: AbortSignal.timeout(25_000),
        });
      } catch (error) {
        throw new TransientError({ kind: 'network', host, detail: error instanceof Error ? error.message : String(error) });
      }
      if (response.status === 429 && waits < 8) {
        const reset = Number(response.headers.get('x-ogw-ratelimit-reset'));
        limiter.pauseUntil(this.clock.now() + (Number.isFinite(reset) && reset > 0 ? Math.min(reset, 120) : 1) * 1000);
        continue;
      }
      let json: unknown;
      try {
        json = await response.json();
      } catch {
        const problem: Problem = { kind: 'server', host, status: response.status, detail: 'OAuth token: not a JSON answer' };
        throw response.status >= 500 ? new TransientError(problem) : new ProblemError(problem);
      }
      const answer = TokenAnswerSchema.safeParse(json);
      if (!answer.success) throw new ProblemError({ kind: 'invalid-response', host, detail: 'OAuth token answer' });
      const { code = 0, access_token: accessToken, expires_in: expiresIn } = answer.data;
      if (code === 0 && response.ok && accessToken && expiresIn) {
        const now = this.clock.now();
        const refresh = answer.data.refresh_token ?? null;
        return {
          accessToken,
          expiresAt: now + expiresIn * 1000,
          refreshToken: refresh,
          refreshExpiresAt: refresh && answer.data.refresh_token_expires_in ? now + answer.data.refresh_token_expires_in * 1000 : null,
          scopes: (answer.data.scope ?? '').split(/\s+/).filter(Boolean),
        };
      }
      // The description may quote what was sent; only the code and the error's name are kept.
      const detail = answer.data.error ?? undefined;
      const status = response.status;
      if (TRANSIENT.has(code) || status >= 500) throw new TransientError({ kind: 'server', host, status, code, detail });
      if (APP_CREDENTIALS.has(code)) throw new ProblemError({ kind: 'app-credentials-invalid', host, status, code });
      if (SIGN_IN_AGAIN.has(code) || answer.data.error === 'invalid_grant') throw new ProblemError({ kind: 'sign-in-required', host, status, code, detail });
      throw new ProblemError({ kind: 'server', host, status, code, detail });
    }
  }
}
