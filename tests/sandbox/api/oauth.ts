/**
 * User tokens through OAuth 2.0 (v2): the token endpoint `POST /open-apis/authen/v2/oauth/token` (grants
 * `authorization_code` and `refresh_token`), and the test controls `sandbox.api.oauth` (class `SandboxOAuth`).
 * The authorize and consent pages on the accounts hosts are in ../accounts-host.ts; the state in ./oauth-state.ts.
 *
 * Documented [V] (reference §6.2; open.feishu.cn "获取授权码", "获取 user_access_token", "刷新 user_access_token"):
 * no bearer; 1000/min and 50/s; body JSON (`application/json; charset=utf-8`); RFC-6749-shaped answers at the top
 * level: success `{code: 0, access_token, expires_in, refresh_token, refresh_token_expires_in, scope, token_type:
 * "Bearer"}`, `scope` space-separated; `refresh_token` and `refresh_token_expires_in` only when the token has
 * `offline_access` and the app's "刷新 user_access_token" switch is on (refreshing with it off: 20074); errors
 * `{code, error, error_description}`, HTTP 400 but 500 for 20050; `client_secret` required even with PKCE;
 * `redirect_uri` must equal the authorize one (20071); `code_verifier` 43–128 of [A-Za-z0-9-._~], required when a
 * challenge was given (20049); S256 or plain (the default); codes live 5 min (20004) and serve once (20065);
 * grants are cumulative (a new token has every scope the user ever granted the app); the optional `scope`
 * parameter narrows the token (20067 duplicates, 20068 not granted) and narrowings do not add up; refresh tokens
 * serve once (20073), rotate on every refresh, and the replaced access token keeps working about a minute; after
 * 365 days the user must authorize again (20037). The `error_description` texts are the doc's.
 *
 * [I] inferred:
 *   - `code` is a number (the Feishu doc shows `0`; the Lark doc's examples show strings — parse leniently).
 *   - `error` names are RFC 6749's: invalid_request (20001, 20063, 20070), invalid_client (20002, 20048),
 *     invalid_grant (20003, 20004, 20024, 20026, 20037, 20049, 20064, 20065, 20071, 20073), unsupported_grant_type
 *     (20036), invalid_scope (20067, 20068), unauthorized_client (20074), server_error (20050, documented).
 *   - Also accepted: `application/x-www-form-urlencoded` bodies (any other type is read as JSON); a body that
 *     parses as neither → 20063; fields that are not strings count as missing (20001). Client credentials may come
 *     in `Authorization: Basic` instead; both at once → 20070 (documented code).
 *   - An unknown `client_id` (or one of the other brand) → 20048 "app does not exist" (documented code).
 *   - `redirect_uri` is required for the code grant (20001 without), as every code here came from a redirect.
 *   - Checks run in this order, the first failing one answers: grant_type (20001 missing, 20036 other) → client
 *     credentials (20070, 20001, 20048, 20002) → the grant's own fields (20001) → code grant: 20003 (unknown, or of
 *     the other brand), 20024, 20065, 20004, 20071, 20049; refresh grant: 20074, 20026, 20024, 20064, 20073, 20037
 *     → `scope` (20067, 20068). A call that fails does not use up its code or refresh token.
 *   - Access tokens are `u-` + 40 hex digits, refresh tokens `ur-` + 40 hex (real ones are 1–2 KB JWTs); the
 *     `scope` answered is sorted. A refresh token comes with a token whose scopes (after narrowing) include
 *     `offline_access`.
 *   - A refresh gives the new refresh token a fresh lifetime (`refreshTokenLifetimeSeconds`, 7 days by default),
 *     capped at 365 days after the code exchange that started the chain: the doc returns a full
 *     `refresh_token_expires_in` on every refresh ("refresh before it runs out" keeps a session going) and sets a
 *     hard re-consent after 365 days, which only an absolute cap of the chain gives.
 *   - A refresh answers the user's grant as it is now (a later consent's scopes included), narrowed by `scope`.
 *   - The replaced access token works for 60 s more (REFRESH_GRACE_MS, the doc's "一分钟"), then answers 99991668
 *     (99991677 if it expired first).
 *
 * Test controls (`sandbox.api.oauth`, all forgotten by `sandbox.reset()`):
 *   - `registerRedirectUri(appId, uri)`: adds a redirect URL to the app's registered ones (compared exactly).
 *   - `expireAccessTokens()`: every user access token issued so far expires now (API calls answer 99991677).
 *   - `revokeRefreshTokens()`: every refresh token issued so far answers 20064 (later ones work).
 *   - `accessTokenLifetimeSeconds` (7200) / `refreshTokenLifetimeSeconds` (604800): for tokens issued from then on.
 *   - `withholdScopes`: scopes the user leaves unchecked on every consent from then on (read when Authorize is
 *     clicked): not added to the grant even if asked. Assign a new array to change it; `[]` to stop.
 *   - Read-only: `authorizeRequests` (each load of the authorize page), `tokenRequests` (each call of the token
 *     endpoint past the gateway), `issuedAccessTokens()`, `issuedRefreshTokens()` (values, in issue order),
 *     `grantedScopes(appId, brand)` (what the brand's OAuth user has granted the app, sorted).
 */
import { createHash, randomBytes } from 'node:crypto';
import { sendJson } from '../http-util';
import { ALL_SCOPES, oauthUserOf, type Brand, type SandboxApp, type SandboxOAuthUser, type SandboxToken, type SandboxWorld } from '../world';
import { perMinute, perSecond, type ApiContext, type ApiOutcome, type Route, type SandboxState } from './context';
import { grantKey, grantOf, type AuthorizeRequestRecord, type OAuthState, type PkceChallenge, type TokenRequestRecord } from './oauth-state';

export const OAUTH_TOKEN_ENDPOINT = 'authen.oauth-token';
/** How long the access token replaced by a refresh keeps working (documented: about a minute). */
export const REFRESH_GRACE_MS = 60_000;
/** After this long from the code exchange, refreshing ends: the user must authorize again (documented: 365 days). */
export const REFRESH_CHAIN_MS = 365 * 86_400_000;
/** The scope that brings refresh tokens. */
export const OFFLINE_ACCESS = 'offline_access';

const OAUTH_ERRORS = {
  20001: ['invalid_request', 'The request is missing a required parameter.'],
  20002: ['invalid_client', 'The client secret is invalid.'],
  20003: ['invalid_grant', 'The authorization code is not found. Please note that an authorization code can only be used once.'],
  20004: ['invalid_grant', 'The authorization code has expired.'],
  20024: ['invalid_grant', 'The provided authorization code or refresh token does not match the provided client ID.'],
  20026: ['invalid_grant', 'The refresh token passed is invalid. Please check the value.'],
  20036: ['unsupported_grant_type', 'The specified grant_type is not supported.'],
  20037: ['invalid_grant', 'The refresh token passed has expired. Please generate a new one.'],
  20048: ['invalid_client', 'The specified app does not exist.'],
  20049: ['invalid_grant', 'PKCE code challenge failed.'],
  20050: ['server_error', 'An unexpected server error occurred. Please retry your request.'],
  20063: ['invalid_request', 'The request is malformed. Please check your request.'],
  20064: ['invalid_grant', 'The refresh token has been revoked. Please note that a refresh token can only be used once.'],
  20065: ['invalid_grant', 'The authorization code has been used. Please note that an authorization code can only be used once.'],
  20067: ['invalid_scope', 'The provided scope list contains duplicate scopes. Please ensure all scopes are unique.'],
  20068: ['invalid_scope', 'The provided scope list contains scopes that are not permitted. Please ensure all scopes are allowed.'],
  20070: ['invalid_request', 'Multiple authentication methods were provided. Please only use one to proceed.'],
  20071: ['invalid_grant', 'The provided redirect URI does not match the one used during authorization.'],
  20073: ['invalid_grant', 'The refresh token has been used. Please note that a refresh token can only be used once.'],
  20074: ['unauthorized_client', 'The specified app is not allowed to refresh token.'],
} as const satisfies Record<number, readonly [string, string]>;

export type OAuthErrorCode = keyof typeof OAUTH_ERRORS;

/** Answers an OAuth error: HTTP 400, 500 for 20050. */
export function oauthError(ctx: ApiContext, code: OAuthErrorCode): ApiOutcome {
  const [error, description] = OAUTH_ERRORS[code];
  sendJson(ctx.reply, code === 20050 ? 500 : 400, { code, error, error_description: description });
  return { code };
}

/** The scopes an app lets users grant: its `userScopes`, or every scope of the extension and `offline_access`. */
export function userScopesOf(app: SandboxApp): readonly string[] {
  return app.userScopes ?? [...ALL_SCOPES, OFFLINE_ACCESS];
}

/** The app's registered redirect URLs: the world's and those registered at run time. */
export function redirectUrisOf(state: OAuthState, app: SandboxApp): readonly string[] {
  return [...(app.redirectUris ?? []), ...(state.redirectUris.get(app.appId) ?? [])];
}

export function findApp(world: SandboxWorld, brand: Brand, appId: string | null | undefined): SandboxApp | undefined {
  return appId ? (world.apps ?? []).find((a) => a.appId === appId && a.brand === brand) : undefined;
}

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

function pkceHolds(challenge: PkceChallenge, verifier: string | undefined): boolean {
  if (verifier === undefined || !VERIFIER.test(verifier)) return false;
  const derived = challenge.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return derived === challenge.value;
}

/** The body's string fields: form-urlencoded, or JSON (documented) for any other type; null if it parses as neither. */
function bodyFields(ctx: ApiContext): Record<string, string> | null {
  const type = (ctx.request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const text = ctx.body.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) if (typeof value === 'string') fields[key] = value;
  return fields;
}

/** Client credentials from `Authorization: Basic base64(id:secret)`, if sent. */
function basicCredentials(ctx: ApiContext): { id: string; secret: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(ctx.request.headers.authorization ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // RFC 6749 §2.3.1: each part form-urlencoded before joining.
  const unescape = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return part;
    }
  };
  return colon < 0 ? { id: unescape(decoded), secret: '' } : { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
}

const present = (value: string | undefined): value is string => value !== undefined && value !== '';

/** The token's scopes: the grant, or the `scope` asked for (20067 duplicates, 20068 outside the grant). */
function narrowed(granted: readonly string[], asked: string | undefined): readonly string[] | 20067 | 20068 {
  if (asked === undefined || asked.trim() === '') return granted;
  const list = asked.split(/\s+/).filter(Boolean);
  if (new Set(list).size !== list.length) return 20067;
  if (list.some((s) => !granted.includes(s))) return 20068;
  return [...list].sort();
}

/** Issues an access token (and a refresh token when it has `offline_access` and the app allows refreshing). */
function issue(ctx: ApiContext, app: SandboxApp, user: SandboxOAuthUser, scopes: readonly string[], chainEndsAt: number): ApiOutcome {
  const oauth = ctx.state.oauth;
  const { accessTokenLifetimeSeconds, refreshTokenLifetimeSeconds } = oauth.settings;
  const accessToken = `u-${randomBytes(20).toString('hex')}`;
  const token: SandboxToken = { token: accessToken, kind: 'user', brand: app.brand, name: user.name, scopes, issuedFor: user.actsAs };
  ctx.state.issuedTokens.set(accessToken, { token, expiresAt: ctx.now + accessTokenLifetimeSeconds * 1000, appId: app.appId });
  oauth.accessTokens.push(accessToken);
  const answer: Record<string, unknown> = { code: 0, access_token: accessToken, expires_in: accessTokenLifetimeSeconds };
  if (scopes.includes(OFFLINE_ACCESS) && app.refreshEnabled !== false) {
    const refreshToken = `ur-${randomBytes(20).toString('hex')}`;
    const expiresAt = Math.min(ctx.now + refreshTokenLifetimeSeconds * 1000, chainEndsAt);
    oauth.refreshTokens.set(refreshToken, { brand: app.brand, appId: app.appId, user, accessToken, expiresAt, chainEndsAt, used: false, revoked: false });
    answer['refresh_token'] = refreshToken;
    answer['refresh_token_expires_in'] = Math.floor((expiresAt - ctx.now) / 1000);
  }
  answer['scope'] = scopes.join(' ');
  answer['token_type'] = 'Bearer';
  sendJson(ctx.reply, 200, answer);
  return { code: 0 };
}

function authorizationCodeGrant(ctx: ApiContext, app: SandboxApp, fields: Record<string, string>): ApiOutcome {
  const { code: value, redirect_uri: redirectUri } = fields;
  if (!present(value) || !present(redirectUri)) return oauthError(ctx, 20001);
  const code = ctx.state.oauth.codes.get(value);
  if (!code || code.brand !== ctx.brand) return oauthError(ctx, 20003);
  if (code.appId !== app.appId) return oauthError(ctx, 20024);
  if (code.used) return oauthError(ctx, 20065);
  if (code.expiresAt <= ctx.now) return oauthError(ctx, 20004);
  if (code.redirectUri !== redirectUri) return oauthError(ctx, 20071);
  if (code.challenge && !pkceHolds(code.challenge, fields['code_verifier'])) return oauthError(ctx, 20049);
  const scopes = narrowed(code.scopes, fields['scope']);
  if (typeof scopes === 'number') return oauthError(ctx, scopes);
  code.used = true;
  return issue(ctx, app, code.user, scopes, ctx.now + REFRESH_CHAIN_MS);
}

function refreshTokenGrant(ctx: ApiContext, app: SandboxApp, fields: Record<string, string>): ApiOutcome {
  const value = fields['refresh_token'];
  if (!present(value)) return oauthError(ctx, 20001);
  if (app.refreshEnabled === false) return oauthError(ctx, 20074);
  const oauth = ctx.state.oauth;
  const refresh = oauth.refreshTokens.get(value);
  if (!refresh || refresh.brand !== ctx.brand) return oauthError(ctx, 20026);
  if (refresh.appId !== app.appId) return oauthError(ctx, 20024);
  if (refresh.revoked) return oauthError(ctx, 20064);
  if (refresh.used) return oauthError(ctx, 20073);
  if (refresh.expiresAt <= ctx.now) return oauthError(ctx, 20037);
  const scopes = narrowed(grantOf(oauth, refresh.brand, refresh.appId, refresh.user), fields['scope']);
  if (typeof scopes === 'number') return oauthError(ctx, scopes);
  refresh.used = true;
  const replaced = ctx.state.issuedTokens.get(refresh.accessToken);
  if (replaced) replaced.invalidAt = Math.min(replaced.invalidAt ?? Infinity, ctx.now + REFRESH_GRACE_MS);
  return issue(ctx, app, refresh.user, scopes, refresh.chainEndsAt);
}

function tokenEndpoint(ctx: ApiContext): { outcome: ApiOutcome; grantType: string | null; clientId: string | null } {
  const fields = bodyFields(ctx);
  const grantType = fields?.['grant_type'] ?? null;
  const basic = basicCredentials(ctx);
  const clientId = basic?.id ?? fields?.['client_id'] ?? null;
  const done = (outcome: ApiOutcome) => ({ outcome, grantType, clientId });
  if (!fields) return done(oauthError(ctx, 20063));
  if (grantType === null || grantType === '') return done(oauthError(ctx, 20001));
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') return done(oauthError(ctx, 20036));
  if (basic && present(fields['client_secret'])) return done(oauthError(ctx, 20070));
  const secret = basic?.secret ?? fields['client_secret'];
  if (clientId === null || clientId === '' || !present(secret)) return done(oauthError(ctx, 20001));
  const app = findApp(ctx.world, ctx.brand, clientId);
  if (!app) return done(oauthError(ctx, 20048));
  if (app.appSecret !== secret) return done(oauthError(ctx, 20002));
  return done(grantType === 'authorization_code' ? authorizationCodeGrant(ctx, app, fields) : refreshTokenGrant(ctx, app, fields));
}

export const oauthRoutes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/open-apis\/authen\/v2\/oauth\/token$/,
    endpoint: OAUTH_TOKEN_ENDPOINT,
    auth: 'none',
    errors: 'oauth',
    limits: [perSecond(50), perMinute(1000)],
    handle(ctx) {
      const { outcome, grantType, clientId } = tokenEndpoint(ctx);
      ctx.state.oauth.tokenRequests.push({ grantType, clientId, code: outcome.code ?? 0 });
      return outcome;
    },
  },
];

function checkLifetime(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 0) throw new RangeError(`a lifetime must be a whole number of seconds ≥ 0, got ${seconds}`);
  return seconds;
}

/** The test controls of the OAuth flow: `sandbox.api.oauth` (see the module header). */
export class SandboxOAuth {
  constructor(
    /** The gateway's current state (its reset replaces it, and this follows). */
    private readonly state: () => SandboxState,
    private readonly world: () => SandboxWorld,
  ) {}

  private get oauth(): OAuthState {
    return this.state().oauth;
  }

  /** Registers `uri` (compared exactly) as a redirect URL of the app `appId`, e.g. `https://<extension-id>.chromiumapp.org/`. */
  registerRedirectUri(appId: string, uri: string): void {
    const list = this.oauth.redirectUris.get(appId) ?? [];
    if (!list.includes(uri)) list.push(uri);
    this.oauth.redirectUris.set(appId, list);
  }

  /** Every user access token issued so far expires now: API calls with them answer 99991677. */
  expireAccessTokens(): void {
    for (const value of this.oauth.accessTokens) {
      const entry = this.state().issuedTokens.get(value);
      if (entry) entry.expiresAt = 0;
    }
  }

  /** Every refresh token issued so far is revoked: refreshing with it answers 20064. */
  revokeRefreshTokens(): void {
    for (const record of this.oauth.refreshTokens.values()) record.revoked = true;
  }

  /** `expires_in` of access tokens issued from now on (default 7200). */
  get accessTokenLifetimeSeconds(): number {
    return this.oauth.settings.accessTokenLifetimeSeconds;
  }

  set accessTokenLifetimeSeconds(seconds: number) {
    this.oauth.settings.accessTokenLifetimeSeconds = checkLifetime(seconds);
  }

  /** `refresh_token_expires_in` of refresh tokens issued from now on (default 604800; capped by the 365-day chain). */
  get refreshTokenLifetimeSeconds(): number {
    return this.oauth.settings.refreshTokenLifetimeSeconds;
  }

  set refreshTokenLifetimeSeconds(seconds: number) {
    this.oauth.settings.refreshTokenLifetimeSeconds = checkLifetime(seconds);
  }

  /** Scopes the user leaves unchecked on every consent from now on (not granted even if asked). */
  get withholdScopes(): readonly string[] {
    return this.oauth.settings.withholdScopes;
  }

  set withholdScopes(scopes: readonly string[]) {
    this.oauth.settings.withholdScopes = [...scopes];
  }

  /** Each load of the authorize page, parsed, with the outcome (0: consent page shown; else the error code). */
  get authorizeRequests(): readonly AuthorizeRequestRecord[] {
    return this.oauth.authorizeRequests;
  }

  /** Each call of the token endpoint that got past the gateway: grant type, client id and the code answered. */
  get tokenRequests(): readonly TokenRequestRecord[] {
    return this.oauth.tokenRequests;
  }

  /** The access tokens issued so far, in order. */
  issuedAccessTokens(): readonly string[] {
    return [...this.oauth.accessTokens];
  }

  /** The refresh tokens issued so far, in order (used and revoked ones included). */
  issuedRefreshTokens(): readonly string[] {
    return [...this.oauth.refreshTokens.keys()];
  }

  /** What the brand's OAuth user has granted the app so far (sorted). */
  grantedScopes(appId: string, brand: Brand = 'feishu'): readonly string[] {
    return grantOf(this.oauth, brand, appId, oauthUserOf(this.world(), brand));
  }
}

/** Adds `scopes` to what `user` has granted the app; returns the whole grant (sorted). */
export function addToGrant(state: OAuthState, brand: Brand, appId: string, user: SandboxOAuthUser, scopes: readonly string[]): string[] {
  const key = grantKey(brand, appId, user);
  const grant = state.grants.get(key) ?? new Set<string>();
  for (const scope of scopes) grant.add(scope);
  state.grants.set(key, grant);
  return grantOf(state, brand, appId, user);
}
