/**
 * What every fake Open API route gets: the caller (already authenticated), the world, the request, and helpers that
 * answer in Feishu's envelope. Routes are plain objects, one module per surface (docx, wiki, sheets, ...).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FaultKind } from '../faults';
import { sendJson, type Reply } from '../http-util';
import type { Brand, SandboxMedia, SandboxToken, SandboxWorld } from '../world';
import { newOAuthState, type OAuthState } from './oauth-state';

export const BRAND_DOMAINS: Record<Brand, string> = { feishu: 'feishu.cn', lark: 'larksuite.com' };

export interface ApiOutcome {
  readonly endpoint?: string;
  readonly code?: number;
  /** Set by the gateway when an injected fault (tests/sandbox/faults.ts) decided the answer. */
  readonly fault?: FaultKind;
  /** The `x-ogw-ratelimit-reset` answered (seconds), on every rate-limit refusal, injected or not. */
  readonly rateLimitReset?: number;
}

export interface RouteLimit {
  readonly limit: number;
  readonly windowMs: number;
  /** How the gateway refuses: 429 for most APIs, 400 for the docx ones (documented). */
  readonly status: 400 | 429;
}

/** A signed link on the drive stream host: its code is its only credential. */
export interface StreamLink {
  readonly media: SandboxMedia;
  readonly expiresAt: number;
  /** Uses left (mail links may be used twice); undefined = unlimited. */
  usesLeft?: number;
}

/** A token issued by one of the token endpoints: valid until its `expiresAt` (99991677 after). */
export interface IssuedToken {
  readonly token: SandboxToken;
  expiresAt: number;
  /** The app it was issued to (the OAuth client for user tokens). */
  readonly appId: string;
  /** User tokens replaced by a refresh: invalid (99991668) from this time on, if not expired before. */
  invalidAt?: number;
}

/** Mutable state of one sandbox run (reset between tests), shared by the routes and the stream host. */
export interface SandboxState {
  /** Codes handed out in download URLs → what they unlock. */
  readonly streamLinks: Map<string, StreamLink>;
  /** Tenant tokens (`auth/v3/tenant_access_token/internal`) and user tokens (`authen/v2/oauth/token`). */
  readonly issuedTokens: Map<string, IssuedToken>;
  /** The OAuth flow's codes, refresh tokens, grants and test settings (api/oauth-state.ts). */
  readonly oauth: OAuthState;
}

export function newState(): SandboxState {
  return { streamLinks: new Map(), issuedTokens: new Map(), oauth: newOAuthState() };
}

export interface ApiContext {
  readonly brand: Brand;
  /** The authenticated caller; routes with `auth: 'none'` get a placeholder and must not use it. */
  readonly token: SandboxToken;
  readonly world: SandboxWorld;
  readonly state: SandboxState;
  readonly request: IncomingMessage;
  /** The raw request body (POST routes). */
  readonly body: Buffer;
  readonly url: URL;
  /** Decoded capture groups of the route's pattern. */
  readonly params: readonly string[];
  readonly reply: Reply;
  readonly now: number;
}

export interface Route {
  readonly method: 'GET' | 'POST';
  /** Matched against the path, e.g. /^\/open-apis\/wiki\/v2\/spaces\/get_node$/. */
  readonly pattern: RegExp;
  /** Stable id used in the request log and for rate limiting, e.g. 'wiki.get-node'. */
  readonly endpoint: string;
  readonly limits?: readonly RouteLimit[];
  /** 'bearer' (default): the gateway checks the Authorization header first. 'none': token endpoints. */
  readonly auth?: 'bearer' | 'none';
  /**
   * 'oauth': the route answers RFC-6749-shaped errors, so an injected server error is answered as its own
   * (500 `{code: 20050, error: 'server_error', error_description}`) instead of the generic envelope.
   */
  readonly errors?: 'envelope' | 'oauth';
  handle(ctx: ApiContext): ApiOutcome;
}

export const perSecond = (limit: number, status: 400 | 429 = 429): RouteLimit => ({ limit, windowMs: 1000, status });
export const perMinute = (limit: number, status: 400 | 429 = 429): RouteLimit => ({ limit, windowMs: 60_000, status });

export function logId(): string {
  return `2026112318${randomBytes(8).toString('hex').toUpperCase()}`;
}

export function ok(ctx: ApiContext, data: unknown): ApiOutcome {
  sendJson(ctx.reply, 200, { code: 0, msg: 'success', data });
  return { code: 0 };
}

export function fail(ctx: ApiContext, status: number, code: number, msg: string): ApiOutcome {
  sendJson(ctx.reply, status, { code, msg, error: { log_id: logId() } });
  return { code };
}

export function hasScope(token: SandboxToken, anyOf: readonly string[]): boolean {
  return anyOf.some((scope) => token.scopes.includes(scope));
}

/** Tenant tokens miss an app scope (99991672); user tokens miss the user's grant (99991679). */
export function scopeError(ctx: ApiContext, anyOf: readonly string[]): ApiOutcome {
  const code = ctx.token.kind === 'tenant' ? 99991672 : 99991679;
  sendJson(ctx.reply, 400, {
    code,
    msg: `Access denied. One of the following scopes is required: [${anyOf.join(', ')}].`,
    error: { log_id: logId(), permission_violations: anyOf.map((subject) => ({ type: 'action_scope_required', subject })) },
  });
  return { code };
}

/** Answers a scope error unless the caller has one of `anyOf`; returns null when the call may go on. */
export function requireScope(ctx: ApiContext, anyOf: readonly string[]): ApiOutcome | null {
  return hasScope(ctx.token, anyOf) ? null : scopeError(ctx, anyOf);
}

/** Whether `token` may read something shared with `readers`. */
export function canRead(token: SandboxToken, readers: 'all' | readonly string[]): boolean {
  return readers === 'all' || readers.includes(token.token) || (token.issuedFor !== undefined && readers.includes(token.issuedFor));
}

export function jsonBody(ctx: ApiContext): unknown {
  if (ctx.body.length === 0) return undefined;
  try {
    return JSON.parse(ctx.body.toString('utf8'));
  } catch {
    return null;
  }
}

/** Issues a signed stream-host link for `media`. */
export function streamLink(ctx: ApiContext, media: SandboxMedia, lifetimeMs: number, usesLeft?: number): string {
  const code = randomBytes(24).toString('base64url');
  ctx.state.streamLinks.set(code, { media, expiresAt: ctx.now + lifetimeMs, usesLeft });
  return `https://internal-api-drive-stream.${BRAND_DOMAINS[ctx.brand]}/space/api/box/stream/download/authcode/?code=${code}`;
}
