/**
 * A fake of the Feishu/Lark Open API, to the documented contract. This file is the gateway: it finds the route,
 * checks the bearer token (99991661 missing, 99991663/99991668 invalid, 99991677 expired) and the route's rate
 * limits (answered 429, or 400 for docx, with code 99991400 and `x-ogw-ratelimit-reset`), then hands over to the
 * surface's module in `api/`. Faults armed through `faults` (see faults.ts) strike here, around the rate limits.
 * It also serves the accounts hosts' OAuth pages (accounts-host.ts) on the same state and clock, and holds the
 * OAuth test controls (`oauth`, api/oauth.ts).
 */
import type { IncomingMessage } from 'node:http';
import { handleAccounts } from './accounts-host';
import { authRoutes } from './api/auth';
import { bitableRoutes } from './api/bitable';
import { boardRoutes } from './api/board';
import { fail, newState, type ApiContext, type ApiOutcome, type Route, type RouteLimit, type SandboxState } from './api/context';
import { docxRoutes } from './api/docx';
import { driveFilesRoutes } from './api/drive-files';
import { identityRoutes } from './api/identity';
import { mailRoutes } from './api/mail';
import { oauthError, oauthRoutes, SandboxOAuth } from './api/oauth';
import { sheetsRoutes } from './api/sheets';
import { wikiRoutes } from './api/wiki';
import { INJECTED_ERROR_CODE, SandboxFaults } from './faults';
import { sendText, type Reply } from './http-util';
import { RateWindows } from './rate-windows';
import type { Brand, SandboxToken, SandboxWorld } from './world';

export { BRAND_DOMAINS, type ApiOutcome } from './api/context';
export { BLOCKS_MAX_PAGE_SIZE, TMP_URL_MAX_TOKENS } from './api/docx';

export const ROUTES: readonly Route[] = [
  ...docxRoutes,
  ...identityRoutes,
  ...wikiRoutes,
  ...sheetsRoutes,
  ...bitableRoutes,
  ...driveFilesRoutes,
  ...boardRoutes,
  ...mailRoutes,
  ...authRoutes,
  ...oauthRoutes,
];

const NO_CALLER: SandboxToken = { token: '', kind: 'tenant', brand: 'feishu', name: '', scopes: [] };

/** Every route has limits; an injected refusal on one without would still need a status and a limit to name. */
const FALLBACK_LIMIT: RouteLimit = { limit: 1, windowMs: 1000, status: 429 };

/** What a front proxy answers when the service behind it is gone: HTML, not Feishu's JSON. */
const BAD_GATEWAY_PAGE = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

/** A refusal of the gateway's rate limit, injected or not. */
function refuseRate(ctx: ApiContext, limit: RouteLimit, resetSeconds: number): ApiOutcome {
  ctx.reply.headers['x-ogw-ratelimit-limit'] = String(limit.limit);
  ctx.reply.headers['x-ogw-ratelimit-reset'] = String(resetSeconds);
  return { rateLimitReset: resetSeconds, ...fail(ctx, limit.status, 99991400, 'request trigger frequency limit') };
}

export class FeishuOpenApi {
  readonly windows = new RateWindows();
  state: SandboxState = newState();
  /** Opt-in faults; they read the links issued so far from the current state. */
  readonly faults = new SandboxFaults(() => this.state.streamLinks.keys());
  /** The OAuth flow's test controls (redirect URLs, expiry, revocation, lifetimes, withheld scopes, records). */
  readonly oauth: SandboxOAuth;

  constructor(
    private readonly world: () => SandboxWorld,
    /** The gateway's and accounts pages' clock: rate windows, token, code and link lifetimes. */
    private readonly now: () => number = Date.now,
  ) {
    this.oauth = new SandboxOAuth(() => this.state, world);
  }

  reset(): void {
    this.windows.reset();
    this.state = newState();
    this.faults.reset();
  }

  /** Every issued tenant token stops working at once (as after an app secret reset): clients must renew. */
  expireIssuedTokens(): void {
    for (const entry of this.state.issuedTokens.values()) if (entry.token.kind === 'tenant') entry.expiresAt = 0;
  }

  /** A request to `accounts.<brand domain>`: the OAuth authorize and consent pages. */
  handleAccounts(brand: Brand, request: IncomingMessage, body: Buffer, url: URL, reply: Reply): ApiOutcome {
    return handleAccounts({ brand, token: NO_CALLER, world: this.world(), state: this.state, request, body, url, params: [], reply, now: this.now() });
  }

  handle(brand: Brand, request: IncomingMessage, body: Buffer, url: URL, reply: Reply): ApiOutcome {
    const method = request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET');
    let route: Route | undefined;
    let params: string[] = [];
    for (const candidate of ROUTES) {
      const match = candidate.method === method ? candidate.pattern.exec(url.pathname) : null;
      if (match) {
        route = candidate;
        params = match.slice(1).map(decodeURIComponent);
        break;
      }
    }
    const base = { brand, world: this.world(), state: this.state, request, body, url, params, reply, now: this.now() };
    if (!route) return fail({ ...base, token: NO_CALLER }, 404, 404, 'route not found');
    const { endpoint } = route;

    let token = NO_CALLER;
    if (route.auth !== 'none') {
      const auth = this.authenticate(brand, request.headers.authorization);
      if ('error' in auth) return { endpoint, ...fail({ ...base, token }, 400, auth.error.code, auth.error.msg) };
      token = auth.token;
    }
    const ctx: ApiContext = { ...base, token };

    // Injected refusals and drops come before the real windows, so they are not counted in them.
    const early = this.faults.beforeLimits(endpoint);
    if (early?.kind === 'rate-limit') return { endpoint, fault: 'rate-limit', ...refuseRate(ctx, route.limits?.[0] ?? FALLBACK_LIMIT, early.resetSeconds) };
    if (early?.kind === 'dropped') return { endpoint, fault: 'dropped' };

    for (const limit of route.limits ?? []) {
      const waitMs = this.windows.hit(`${brand} ${endpoint} ${limit.windowMs}`, limit.limit, limit.windowMs, ctx.now);
      if (waitMs > 0) return { endpoint, ...refuseRate(ctx, limit, Math.max(1, Math.ceil(waitMs / 1000))) };
    }

    // A server error happens behind the gateway, which let the call through (and counted it).
    const late = this.faults.afterLimits(endpoint);
    if (late?.kind === 'server-error') {
      if (late.variant === 'envelope' && route.errors === 'oauth') return { endpoint, fault: 'server-error', ...oauthError(ctx, 20050) };
      if (late.variant === 'envelope') return { endpoint, fault: 'server-error', ...fail(ctx, 500, INJECTED_ERROR_CODE, 'internal error') };
      sendText(reply, 502, BAD_GATEWAY_PAGE, 'text/html');
      return { endpoint, fault: 'server-error' };
    }
    return { endpoint, ...route.handle(ctx) };
  }

  private authenticate(brand: Brand, header: string | undefined): { token: SandboxToken } | { error: { code: number; msg: string } } {
    const match = /^Bearer\s+(\S+)$/.exec(header ?? '');
    if (!match?.[1]) return { error: { code: 99991661, msg: 'Missing access token for authorization. Please make a request with token attached.' } };
    const value = match[1];
    const issued = this.state.issuedTokens.get(value);
    if (issued && issued.token.brand === brand) {
      const now = this.now();
      if (issued.expiresAt <= now) return { error: { code: 99991677, msg: 'Authentication token expired. Please refresh access token.' } };
      if (issued.invalidAt !== undefined && issued.invalidAt <= now) return { error: { code: 99991668, msg: 'Invalid access token for authorization. Please make a request with token attached.' } };
      return { token: issued.token };
    }
    const token = this.world().tokens.find((t) => t.token === value && t.brand === brand);
    if (!token) {
      return { error: { code: value.startsWith('t-') ? 99991663 : 99991668, msg: 'Invalid access token for authorization. Please make a request with token attached.' } };
    }
    if (token.expired) return { error: { code: 99991677, msg: 'Authentication token expired. Please refresh access token.' } };
    return { token };
  }
}
