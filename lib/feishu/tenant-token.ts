/**
 * App-credential mode: trades the app's ID and secret for a `tenant_access_token`
 * (`POST /open-apis/auth/v3/tenant_access_token/internal`), keeps it in session storage (memory only, survives a
 * worker restart), renews it 5 minutes before it expires and whenever the API rejects it (99991663/99991677).
 * Only the background uses it; the secret goes nowhere but the API origin's token endpoint.
 */
import { storage } from '#imports';
import { z } from 'zod';
import { ProblemError } from '../core/problem';
import { realClock, type Clock, type RateLimiterRegistry } from '../downloads/rate-limit';
import { problemFromFeishu } from './errors';

/** Top-level fields: this endpoint answers without the usual `data` envelope (documented). */
const TokenAnswerSchema = z.looseObject({
  code: z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)]),
  msg: z.string().optional(),
  tenant_access_token: z.string().min(1).optional(),
  expire: z.number().positive().optional(),
});

const CacheSchema = z.record(z.string(), z.object({ token: z.string(), expiresAt: z.number() }));
const cacheItem = storage.defineItem<unknown>('session:tenant-tokens', { fallback: {} });

/** Renew this long before the announced expiry, so no call is sent with a token about to lapse. */
const RENEW_MARGIN_MS = 5 * 60_000;

export interface AppCredentials {
  readonly apiBase: string;
  readonly appId: string;
  readonly appSecret: string;
}

export class TenantTokens {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly limiters: RateLimiterRegistry,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
    private readonly clock: Clock = realClock,
  ) {}

  /** A valid tenant token for the app, from the cache when it has at least 5 minutes left. */
  async token(app: AppCredentials): Promise<string> {
    const cached = (await this.readCache())[keyOf(app)];
    if (cached && cached.expiresAt - RENEW_MARGIN_MS > this.clock.now()) return cached.token;
    return this.obtain(app);
  }

  /** The API refused `rejected`: drop it and obtain another (concurrent callers share one request). */
  async renew(app: AppCredentials, rejected: string): Promise<string> {
    const cache = await this.readCache();
    const current = cache[keyOf(app)];
    if (current && current.token !== rejected && current.expiresAt - RENEW_MARGIN_MS > this.clock.now()) return current.token;
    return this.obtain(app);
  }

  /**
   * A token straight from the token endpoint, proving the ID and secret work now (the options page's test). Not
   * cached: the secret tested may not be the saved one, and the cache is keyed by app ID, not by secret.
   */
  async fresh(app: AppCredentials): Promise<string> {
    return (await this.request(app)).token;
  }

  /** Forget every cached token (credentials changed). */
  async clear(): Promise<void> {
    await cacheItem.setValue({});
  }

  private obtain(app: AppCredentials): Promise<string> {
    const key = keyOf(app);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.request(app)
        .then(async ({ token, expiresAt }) => {
          const cache = await this.readCache();
          cache[key] = { token, expiresAt };
          await cacheItem.setValue(cache);
          return token;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async request(app: AppCredentials): Promise<{ token: string; expiresAt: number }> {
    const host = new URL(app.apiBase).hostname;
    await this.limiters.get(`${app.apiBase} auth.tenant-token`, [{ limit: 50, intervalMs: 1000 }, { limit: 1000, intervalMs: 60_000 }]).acquire();
    let response: Response;
    try {
      response = await this.fetchImpl(new URL('/open-apis/auth/v3/tenant_access_token/internal', app.apiBase).href, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ app_id: app.appId, app_secret: app.appSecret }),
        credentials: 'omit',
        redirect: 'error',
        signal: AbortSignal.timeout(25_000),
      });
    } catch (error) {
      throw new ProblemError({ kind: 'network', host, detail: error instanceof Error ? error.message : String(error) });
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw new ProblemError({ kind: 'server', host, status: response.status, detail: 'tenant token: not a JSON answer' });
    }
    const answer = TokenAnswerSchema.safeParse(json);
    if (!answer.success) throw new ProblemError({ kind: 'invalid-response', host, detail: 'tenant token answer' });
    const { code, tenant_access_token: token, expire } = answer.data;
    if (code !== 0 || !token || !expire) {
      throw new ProblemError(problemFromFeishu({ status: response.status, code, msg: answer.data.msg ?? '', violations: [], endpointScopes: [], host }));
    }
    return { token, expiresAt: this.clock.now() + expire * 1000 };
  }

  private async readCache(): Promise<Record<string, { token: string; expiresAt: number }>> {
    const parsed = CacheSchema.safeParse(await cacheItem.getValue());
    return parsed.success ? parsed.data : {};
  }
}

function keyOf(app: AppCredentials): string {
  return `${app.apiBase} ${app.appId}`;
}
