/**
 * App-key mode: trades the app key and app security for an access token
 * (`POST /api/openapi/v1/auth/getAccessToken`, credentials in the JSON body as documented), keeps it in session
 * storage (memory only, survives a worker restart), refreshes it before it expires
 * (`POST /api/openapi/v2/auth/refreshToken`, single use: refreshes are serialised), and obtains a new one whenever
 * the API refuses it. Only the background uses it; the app security goes nowhere but the configured API origin.
 */
import { storage } from '#imports';
import { z } from 'zod';
import { ProblemError } from '../core/problem';
import { realClock, type Clock, type RateLimiterRegistry } from '../downloads/rate-limit';
import { problemFromEkuaibao } from './errors';
import { TokenAnswerSchema } from './schemas';

const EntrySchema = z.object({ token: z.string(), refreshToken: z.string().optional(), expiresAt: z.number(), corporationId: z.string().optional() });
type Entry = z.infer<typeof EntrySchema>;
const CacheSchema = z.record(z.string(), EntrySchema);
const cacheItem = storage.defineItem<unknown>('session:ekuaibao-tokens', { fallback: {} });

/** Renew this long before the announced expiry, so no call is sent with a token about to lapse. */
const RENEW_MARGIN_MS = 5 * 60_000;
/** Documented default lifetime, for an answer without `expireTime`. */
const DEFAULT_LIFETIME_MS = 2 * 3600_000;
/** Fixed by the docs for refreshToken. */
const POWER_CODE = '219904';

export interface EkuaibaoApp {
  readonly apiBase: string;
  readonly appKey: string;
  readonly appSecurity: string;
}

export class EkuaibaoTokens {
  private readonly inFlight = new Map<string, Promise<Entry>>();

  constructor(
    private readonly limiters: RateLimiterRegistry,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
    private readonly clock: Clock = realClock,
  ) {}

  /** A token with at least 5 minutes left: the cached one, a refreshed one, or a new one. */
  async token(app: EkuaibaoApp): Promise<string> {
    const cached = (await this.readCache())[keyOf(app)];
    const now = this.clock.now();
    if (cached && cached.expiresAt - RENEW_MARGIN_MS > now) return cached.token;
    // Only a token that has not expired yet may be refreshed (documented); else a new one is obtained.
    const refreshable = cached?.refreshToken && cached.expiresAt > now ? cached : undefined;
    return (await this.once(app, () => (refreshable ? this.refresh(app, refreshable).catch(() => this.obtain(app)) : this.obtain(app)))).token;
  }

  /** The API refused `rejected`: another token, unless one newer than it is already cached. */
  async renew(app: EkuaibaoApp, rejected: string): Promise<string> {
    const current = (await this.readCache())[keyOf(app)];
    if (current && current.token !== rejected && current.expiresAt - RENEW_MARGIN_MS > this.clock.now()) return current.token;
    return (await this.once(app, () => this.obtain(app))).token;
  }

  /**
   * Straight from the token endpoint: proves the key and security work now (the options page's test). Not cached:
   * the credentials tested may not be the saved ones, and the cache is keyed by app key, not by security.
   */
  async fresh(app: EkuaibaoApp): Promise<{ token: string; corporationId?: string }> {
    const value = await this.requestToken(app);
    return { token: value.accessToken, ...(value.corporationId ? { corporationId: value.corporationId } : {}) };
  }

  async clear(): Promise<void> {
    await cacheItem.setValue({});
  }

  /** One token request per app at a time: refresh tokens are single-use, and concurrent callers share the answer. */
  private once(app: EkuaibaoApp, work: () => Promise<Entry>): Promise<Entry> {
    const key = keyOf(app);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = work().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async obtain(app: EkuaibaoApp): Promise<Entry> {
    return this.store(app, await this.requestToken(app));
  }

  private requestToken(app: EkuaibaoApp): Promise<z.infer<typeof TokenAnswerSchema>['value']> {
    const url = new URL('/api/openapi/v1/auth/getAccessToken', app.apiBase);
    return this.call(app, url, JSON.stringify({ appKey: app.appKey, appSecurity: app.appSecurity }));
  }

  private async refresh(app: EkuaibaoApp, entry: Entry): Promise<Entry> {
    const url = new URL('/api/openapi/v2/auth/refreshToken', app.apiBase);
    url.searchParams.set('accessToken', entry.token);
    url.searchParams.set('refreshToken', entry.refreshToken ?? '');
    url.searchParams.set('powerCode', POWER_CODE);
    return this.store(app, await this.call(app, url, undefined));
  }

  private async call(app: EkuaibaoApp, url: URL, body: string | undefined): Promise<z.infer<typeof TokenAnswerSchema>['value']> {
    const host = url.hostname;
    await this.limiters.get(`${app.apiBase} ekb.auth`, [{ limit: 2, intervalMs: 1000 }]).acquire();
    let response: Response;
    try {
      response = await this.fetchImpl(url.href, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8', Accept: 'application/json' },
        ...(body === undefined ? {} : { body }),
        credentials: 'omit',
        redirect: 'error',
        signal: AbortSignal.timeout(25_000),
      });
    } catch (error) {
      throw new ProblemError({ kind: 'network', platform: 'ekuaibao', host, detail: error instanceof Error ? error.message : String(error) });
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw new ProblemError(problemFromEkuaibao({ status: response.status, text, host, auth: true }));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProblemError({ kind: 'invalid-response', platform: 'ekuaibao', host, detail: 'access token: not a JSON answer' });
    }
    const answer = TokenAnswerSchema.safeParse(json);
    if (!answer.success) throw new ProblemError(problemFromEkuaibao({ status: 403, text, host, auth: true }));
    return answer.data.value;
  }

  private async store(app: EkuaibaoApp, value: z.infer<typeof TokenAnswerSchema>['value']): Promise<Entry> {
    const now = this.clock.now();
    const expireTime = value.expireTime && value.expireTime > now ? value.expireTime : now + DEFAULT_LIFETIME_MS;
    const entry: Entry = {
      token: value.accessToken,
      expiresAt: expireTime,
      ...(value.refreshToken ? { refreshToken: value.refreshToken } : {}),
      ...(value.corporationId ? { corporationId: value.corporationId } : {}),
    };
    const cache = await this.readCache();
    cache[keyOf(app)] = entry;
    await cacheItem.setValue(cache);
    return entry;
  }

  private async readCache(): Promise<Record<string, Entry>> {
    const parsed = CacheSchema.safeParse(await cacheItem.getValue());
    return parsed.success ? parsed.data : {};
  }
}

function keyOf(app: EkuaibaoApp): string {
  return `${app.apiBase} ${app.appKey}`;
}
