/**
 * The Ekuaibao Open API client used by the background. It is the only code that sends an Ekuaibao token, and it sends
 * it only to `apiBase` (the configured address prefix) on fixed `/api/openapi/...` routes, as the documented
 * `accessToken` query parameter (Ekuaibao takes no Authorization header).
 */
import pRetry from 'p-retry';
import type { z } from 'zod';
import { ProblemError, type Problem } from '../core/problem';
import { realClock, type Clock, type RateLimit, type RateLimiterRegistry } from '../downloads/rate-limit';
import { isTransientStatus, problemFromEkuaibao } from './errors';

export interface EkuaibaoEndpoint {
  readonly id: string;
  readonly limits: readonly RateLimit[];
}

const perSecond = (limit: number): RateLimit => ({ limit, intervalMs: 1000 });

/**
 * Every endpoint we call. Ekuaibao documents no rate limit for these ([V]: none in the docs; integrators pause
 * 100–300 ms between batches), so the limits are ours and conservative [I].
 */
export const EKUAIBAO_ENDPOINTS = {
  flowDetails: { id: 'ekb.flow-details', limits: [perSecond(5)] },
  flowDetailsByCode: { id: 'ekb.flow-details.by-code', limits: [perSecond(5)] },
  downloadUrls: { id: 'ekb.downloadurls', limits: [perSecond(5)] },
} as const satisfies Record<string, EkuaibaoEndpoint>;

export type TokenSource = () => Promise<string | null>;

export interface EkuaibaoClientOptions {
  readonly apiBase: string;
  readonly accessToken: TokenSource;
  /** App-key mode: called once when the server refuses the token; answers a fresh one, or null. */
  readonly renewToken?: (rejected: string) => Promise<string | null>;
  readonly limiters: RateLimiterRegistry;
  readonly fetch?: typeof fetch;
  readonly clock?: Clock;
  readonly retries?: number;
  readonly timeoutMs?: number;
}

export interface EkuaibaoRequest {
  readonly method?: 'GET' | 'POST';
  /** Path from the origin, e.g. `/api/openapi/v1.1/flowDetails`; fixed strings only. */
  readonly path: `/api/openapi/${string}`;
  readonly query?: readonly (readonly [string, string])[];
  readonly body?: unknown;
}

class TransientError extends ProblemError {}

export class EkuaibaoClient {
  readonly apiBase: string;
  private readonly fetchImpl: typeof fetch;
  private readonly clock: Clock;

  constructor(private readonly options: EkuaibaoClientOptions) {
    this.apiBase = options.apiBase;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.clock = options.clock ?? realClock;
  }

  get host(): string {
    return new URL(this.apiBase).hostname;
  }

  /** A JSON call, checked against `schema`; errors of every documented shape become problems. */
  async request<S extends z.ZodType>(endpoint: EkuaibaoEndpoint, request: EkuaibaoRequest, schema: S): Promise<z.output<S>> {
    const json = await this.withToken((token) =>
      pRetry(() => this.send(endpoint, request, token), {
        retries: this.options.retries ?? 3,
        minTimeout: 500,
        factor: 2,
        randomize: true,
        shouldRetry: ({ error }) => error instanceof TransientError,
      }),
    );
    const refusal = errorInBody(json);
    if (refusal) throw new ProblemError(problemFromEkuaibao({ status: refusal, text: JSON.stringify(json), host: this.host }));
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ProblemError({ kind: 'invalid-response', platform: 'ekuaibao', host: this.host, detail: `${endpoint.id}: ${parsed.error.message.slice(0, 300)}` });
    }
    return parsed.data;
  }

  private async withToken<T>(run: (token: string) => Promise<T>): Promise<T> {
    const token = await this.options.accessToken();
    if (!token) throw new ProblemError({ kind: 'credentials-missing', platform: 'ekuaibao' });
    try {
      return await run(token);
    } catch (error) {
      const renew = this.options.renewToken;
      if (!renew || !(error instanceof ProblemError) || error.problem.kind !== 'token-invalid') throw error;
      // An obtained token expired or was revoked (or was refused right after minting, a documented glitch): once more.
      const fresh = await renew(token);
      if (!fresh || fresh === token) throw error;
      return run(fresh);
    }
  }

  private urlFor(request: EkuaibaoRequest, token: string): string {
    const url = new URL(request.path, this.apiBase);
    for (const [key, value] of request.query ?? []) url.searchParams.append(key, value);
    // URLSearchParams percent-encodes the token's `:` as the docs' own examples do.
    url.searchParams.set('accessToken', token);
    return url.href;
  }

  private async send(endpoint: EkuaibaoEndpoint, request: EkuaibaoRequest, token: string): Promise<unknown> {
    await this.options.limiters.get(`${this.apiBase} ${endpoint.id}`, endpoint.limits).acquire();
    let response: Response;
    try {
      response = await this.fetchImpl(this.urlFor(request, token), {
        method: request.method ?? 'GET',
        headers: { Accept: 'application/json', ...(request.body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }) },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        credentials: 'omit',
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 25_000),
      });
    } catch (error) {
      throw new TransientError({ kind: 'network', platform: 'ekuaibao', host: this.host, detail: error instanceof Error ? error.message : String(error) });
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      const problem: Problem = problemFromEkuaibao({ status: response.status, text, host: this.host });
      if (isTransientStatus(response.status)) {
        if (response.status === 429) await this.clock.sleep(retryAfterMs(response.headers.get('retry-after')));
        throw new TransientError(problem);
      }
      throw new ProblemError(problem);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ProblemError({ kind: 'invalid-response', platform: 'ekuaibao', host: this.host, detail: `${endpoint.id}: not a JSON answer` });
    }
  }
}

/** Some answers say "error" in a 200 body (`{errorCode: 412, …}` without `value`): the code, then. */
function errorInBody(json: unknown): number | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || 'value' in json) return null;
  const code = Number((json as Record<string, unknown>)['errorCode']);
  return Number.isInteger(code) && code >= 400 ? code : null;
}

function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) * 1000 : 1000;
}
