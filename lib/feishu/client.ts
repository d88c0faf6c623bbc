/**
 * The Feishu/Lark Open API client used by the background. It is the only code that sends a Feishu token, and it
 * sends it only to `apiBase` (the configured or official API origin) on fixed `/open-apis/...` routes.
 */
import pRetry from 'p-retry';
import type { z } from 'zod';
import { ProblemError, type Problem } from '../core/problem';
import { realClock, type Clock, type RateLimit, type RateLimiterRegistry } from '../downloads/rate-limit';
import { isRateLimited, isTransientFailure, problemFromFeishu } from './errors';
import { EnvelopeSchema } from './schemas';

export interface Endpoint {
  readonly id: string;
  /** Documented limits; the limiter adds its own safety margin. */
  readonly limits: readonly RateLimit[];
  /** Scopes any one of which grants the call, named to the user when the server does not say which is missing. */
  readonly scopes: readonly string[];
}

const perSecond = (limit: number): RateLimit => ({ limit, intervalMs: 1000 });
const perMinute = (limit: number): RateLimit => ({ limit, intervalMs: 60_000 });

export const FEISHU_ENDPOINTS = {
  documentGet: { id: 'docx.document.get', limits: [perSecond(5)], scopes: ['docx:document:readonly'] },
  blocksList: { id: 'docx.blocks.list', limits: [perSecond(5)], scopes: ['docx:document:readonly'] },
  mediaTmpUrls: {
    id: 'drive.media.tmp-url',
    limits: [perSecond(5)],
    scopes: ['docs:document.media:download', 'drive:drive:readonly'],
  },
  userInfo: { id: 'authen.user-info', limits: [perSecond(50), perMinute(1000)], scopes: [] },
  tenantQuery: { id: 'tenant.query', limits: [perSecond(50), perMinute(1000)], scopes: ['tenant:tenant:readonly'] },
} as const satisfies Record<string, Endpoint>;

export type AccessTokenSource = () => Promise<string | null>;

export interface FeishuClientOptions {
  readonly apiBase: string;
  readonly accessToken: AccessTokenSource;
  readonly limiters: RateLimiterRegistry;
  readonly fetch?: typeof fetch;
  readonly clock?: Clock;
  /** Attempts after network errors, 5xx and transient codes (rate limits never use this budget). */
  readonly retries?: number;
  /** Rate-limit answers tolerated in a row before giving up on one call. */
  readonly maxRateLimitWaits?: number;
  readonly timeoutMs?: number;
}

export interface FeishuRequest {
  readonly method?: 'GET' | 'POST';
  /** Path below `/open-apis/`, with every variable part already encoded. */
  readonly path: string;
  readonly query?: readonly (readonly [string, string])[];
  readonly body?: unknown;
}

/** A failure worth another attempt (network, 5xx, transient codes); still a ProblemError when retries run out. */
class TransientError extends ProblemError {}

export class FeishuClient {
  readonly apiBase: string;
  private readonly fetchImpl: typeof fetch;
  private readonly clock: Clock;

  constructor(private readonly options: FeishuClientOptions) {
    this.apiBase = options.apiBase;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.clock = options.clock ?? realClock;
  }

  get host(): string {
    return new URL(this.apiBase).hostname;
  }

  async request<S extends z.ZodType>(endpoint: Endpoint, request: FeishuRequest, schema: S): Promise<z.output<S>> {
    const token = await this.options.accessToken();
    if (!token) throw new ProblemError({ kind: 'credentials-missing' });
    const url = new URL(`/open-apis/${request.path}`, this.apiBase);
    for (const [key, value] of request.query ?? []) url.searchParams.append(key, value);

    const data = await pRetry(() => this.sendRespectingRateLimits(endpoint, url, request, token), {
      retries: this.options.retries ?? 3,
      minTimeout: 500,
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => error instanceof TransientError,
    });
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new ProblemError({ kind: 'invalid-response', host: this.host, detail: `${endpoint.id}: ${parsed.error.message.slice(0, 300)}` });
    }
    return parsed.data;
  }

  private async sendRespectingRateLimits(endpoint: Endpoint, url: URL, request: FeishuRequest, token: string): Promise<unknown> {
    const limiter = this.options.limiters.get(`${this.apiBase} ${endpoint.id}`, endpoint.limits);
    const maxWaits = this.options.maxRateLimitWaits ?? 8;
    for (let waits = 0; ; waits++) {
      await limiter.acquire();
      const outcome = await this.sendOnce(endpoint, url, request, token);
      if (outcome.kind === 'ok') return outcome.data;
      if (waits >= maxWaits) {
        throw new ProblemError({ kind: 'rate-limited', host: this.host, status: outcome.status, code: outcome.code });
      }
      // Wait exactly as long as the gateway says (whole seconds), then try again; this never fails a job.
      limiter.pauseUntil(this.clock.now() + outcome.resetSeconds * 1000);
    }
  }

  private async sendOnce(
    endpoint: Endpoint,
    url: URL,
    request: FeishuRequest,
    token: string,
  ): Promise<{ kind: 'ok'; data: unknown } | { kind: 'rate-limited'; resetSeconds: number; status: number; code: number }> {
    let response: Response;
    try {
      response = await this.fetchImpl(url.href, {
        method: request.method ?? 'GET',
        headers: {
          Authorization: `Bearer ${token}`,
          ...(request.body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        credentials: 'omit',
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 25_000),
      });
    } catch (error) {
      throw transient({ kind: 'network', host: this.host, detail: error instanceof Error ? error.message : String(error) });
    }

    const text = await response.text().catch(() => '');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const envelope = EnvelopeSchema.safeParse(json);
    const code = envelope.success ? envelope.data.code : 0;

    if (isRateLimited(response.status, code)) {
      const reset = Number(response.headers.get('x-ogw-ratelimit-reset'));
      return { kind: 'rate-limited', resetSeconds: Number.isFinite(reset) && reset > 0 ? Math.min(reset, 120) : 1, status: response.status, code };
    }
    if (!envelope.success) {
      const problem = { kind: 'server' as const, status: response.status, host: this.host, detail: `${endpoint.id}: not a JSON answer` };
      if (response.status >= 500) throw transient(problem);
      throw new ProblemError(problem);
    }
    if (code !== 0 || !response.ok) {
      const problem = problemFromFeishu({
        status: response.status,
        code,
        msg: envelope.data.msg ?? '',
        violations: envelope.data.error?.permission_violations?.map((v) => v.subject) ?? [],
        endpointScopes: endpoint.scopes,
        host: this.host,
      });
      if (isTransientFailure(response.status, code)) throw transient(problem);
      throw new ProblemError(problem);
    }
    return { kind: 'ok', data: envelope.data.data ?? {} };
  }
}

function transient(problem: Problem): TransientError {
  return new TransientError(problem);
}

/** Encodes one identifier as a single path segment. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
