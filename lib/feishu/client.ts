/**
 * The Feishu/Lark Open API client used by the background. It is the only code that sends a Feishu token, and it
 * sends it only to `apiBase` (the configured or official API origin) on fixed `/open-apis/...` routes.
 */
import pRetry from 'p-retry';
import type { z } from 'zod';
import { ProblemError, type Problem } from '../core/problem';
import { realClock, type Clock, type RateLimit, type RateLimiterRegistry } from '../downloads/rate-limit';
import { isRateLimited, isTransientFailure, problemFromFeishu, USER_SCOPE_NOT_GRANTED } from './errors';
import { consentScopesFor } from './oauth';
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

/**
 * Every endpoint we call, with its documented rate limit ([I] where the docs give none: then a conservative one)
 * and the scopes that grant it.
 */
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
  wikiGetNode: { id: 'wiki.get-node', limits: [perMinute(100)], scopes: ['wiki:wiki:readonly', 'wiki:node:read'] },
  sheetsMeta: { id: 'sheets.meta', limits: [perSecond(20)], scopes: ['sheets:spreadsheet:readonly'] },
  sheetsQuery: { id: 'sheets.query', limits: [perSecond(20)], scopes: ['sheets:spreadsheet:readonly'] },
  sheetsValues: { id: 'sheets.values', limits: [perSecond(20)], scopes: ['sheets:spreadsheet:readonly'] },
  sheetsFloatImages: { id: 'sheets.float-images', limits: [perSecond(20)], scopes: ['sheets:spreadsheet:readonly'] },
  bitableApp: { id: 'bitable.app', limits: [perSecond(20)], scopes: ['bitable:app:readonly'] },
  bitableTables: { id: 'bitable.tables', limits: [perSecond(20)], scopes: ['bitable:app:readonly'] },
  bitableFields: { id: 'bitable.fields', limits: [perSecond(20)], scopes: ['bitable:app:readonly'] },
  bitableSearch: { id: 'bitable.records.search', limits: [perSecond(20)], scopes: ['bitable:app:readonly', 'base:record:retrieve'] },
  driveFileDownload: { id: 'drive.file.download', limits: [perSecond(5)], scopes: ['drive:drive:readonly', 'drive:file:download'] },
  boardImage: { id: 'board.download-as-image', limits: [perSecond(5)], scopes: ['board:whiteboard:node:read'] },
  mailList: { id: 'mail.messages.list', limits: [perMinute(100)], scopes: ['mail:user_mailbox.message:readonly'] },
  mailGet: { id: 'mail.messages.get', limits: [perMinute(100)], scopes: ['mail:user_mailbox.message:readonly'] },
  mailDownloadUrl: { id: 'mail.attachments.download-url', limits: [perSecond(1)], scopes: ['mail:user_mailbox.message.body:read'] },
} as const satisfies Record<string, Endpoint>;

export type AccessTokenSource = () => Promise<string | null>;

export interface FeishuClientOptions {
  readonly apiBase: string;
  readonly accessToken: AccessTokenSource;
  /**
   * For tokens the extension obtains itself (app credentials): called once when the server says the token it was
   * given is invalid or expired; answers a fresh token, or null when none can be had.
   */
  readonly renewToken?: (rejected: string) => Promise<string | null>;
  /**
   * The token is a signed-in user's: a scope they have not granted (99991679) can be asked for again, so such
   * problems say so (`remedy: 'consent'`) and are told here.
   */
  readonly onScopeNotGranted?: (scopes: readonly string[]) => void;
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
  /** Extra request headers (e.g. `Range`); never credentials. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A failure worth another attempt (network, 5xx, transient codes); still a ProblemError when retries run out. */
class TransientError extends ProblemError {}

type Outcome<T> = { kind: 'ok'; value: T } | { kind: 'rate-limited'; resetSeconds: number; status: number; code: number };

const TOKEN_REJECTED: ReadonlySet<Problem['kind']> = new Set(['token-invalid', 'token-expired']);

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

  /** A JSON call: the envelope's `data`, checked against `schema`. */
  async request<S extends z.ZodType>(endpoint: Endpoint, request: FeishuRequest, schema: S): Promise<z.output<S>> {
    const data = await this.withToken((token) => this.call(endpoint, request, token, (response, text) => this.readJson(endpoint, response, text)));
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new ProblemError({ kind: 'invalid-response', host: this.host, detail: `${endpoint.id}: ${parsed.error.message.slice(0, 300)}` });
    }
    return parsed.data;
  }

  /**
   * A call answered with bytes (a file, an image). Errors still come as JSON envelopes and become problems.
   * With `followRedirects`, a redirect to another origin is followed without the token (the Fetch standard drops
   * `Authorization` there), and `finalUrl` tells where the bytes really are.
   */
  async requestBinary(endpoint: Endpoint, request: FeishuRequest): Promise<{ response: Response; finalUrl: string; token: string }> {
    return this.withToken(async (token) => {
      const response = await this.call(endpoint, request, token, async (res, text) => {
        if (text !== undefined) return this.readJson(endpoint, res, text);
        return res;
      }, true);
      if (!(response instanceof Response)) throw new ProblemError({ kind: 'invalid-response', host: this.host, detail: `${endpoint.id}: JSON where a file was expected` });
      // Only a followed redirect moves the bytes elsewhere; `url` of an answer that was not redirected may be empty
      // or a transport's own address (a fetch wrapper), so it says nothing then.
      return { response, finalUrl: response.redirected && response.url ? response.url : this.urlFor(request), token };
    });
  }

  /** The absolute URL of a route on this client's API origin. */
  urlFor(request: FeishuRequest): string {
    const url = new URL(`/open-apis/${request.path}`, this.apiBase);
    for (const [key, value] of request.query ?? []) url.searchParams.append(key, value);
    return url.href;
  }

  private async withToken<T>(run: (token: string) => Promise<T>): Promise<T> {
    const token = await this.options.accessToken();
    if (!token) throw new ProblemError({ kind: 'credentials-missing' });
    try {
      return await run(token);
    } catch (error) {
      const renew = this.options.renewToken;
      if (!renew || !(error instanceof ProblemError) || !TOKEN_REJECTED.has(error.problem.kind)) throw error;
      // An obtained token expired or was revoked: get a fresh one and try once more.
      const fresh = await renew(token);
      if (!fresh || fresh === token) throw error;
      return run(fresh);
    }
  }

  private async call<T>(
    endpoint: Endpoint,
    request: FeishuRequest,
    token: string,
    read: (response: Response, text: string | undefined) => Promise<T> | T,
    binary = false,
  ): Promise<T> {
    return pRetry(() => this.sendRespectingRateLimits(endpoint, request, token, read, binary), {
      retries: this.options.retries ?? 3,
      minTimeout: 500,
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => error instanceof TransientError,
    });
  }

  private async sendRespectingRateLimits<T>(
    endpoint: Endpoint,
    request: FeishuRequest,
    token: string,
    read: (response: Response, text: string | undefined) => Promise<T> | T,
    binary: boolean,
  ): Promise<T> {
    const limiter = this.options.limiters.get(`${this.apiBase} ${endpoint.id}`, endpoint.limits);
    const maxWaits = this.options.maxRateLimitWaits ?? 8;
    for (let waits = 0; ; waits++) {
      await limiter.acquire();
      const outcome = await this.sendOnce(endpoint, request, token, read, binary);
      if (outcome.kind === 'ok') return outcome.value;
      if (waits >= maxWaits) {
        throw new ProblemError({ kind: 'rate-limited', host: this.host, status: outcome.status, code: outcome.code });
      }
      // Wait exactly as long as the gateway says (whole seconds), then try again; this never fails a job.
      limiter.pauseUntil(this.clock.now() + outcome.resetSeconds * 1000);
    }
  }

  private async sendOnce<T>(
    endpoint: Endpoint,
    request: FeishuRequest,
    token: string,
    read: (response: Response, text: string | undefined) => Promise<T> | T,
    binary: boolean,
  ): Promise<Outcome<T>> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.urlFor(request), {
        method: request.method ?? 'GET',
        headers: {
          ...request.headers,
          Authorization: `Bearer ${token}`,
          ...(request.body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        credentials: 'omit',
        // JSON APIs never redirect; a file may move to a signed link on another origin (followed without the token).
        redirect: binary ? 'follow' : 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 25_000),
      });
    } catch (error) {
      throw transient({ kind: 'network', host: this.host, detail: error instanceof Error ? error.message : String(error) });
    }

    const isJson = /json/i.test(response.headers.get('content-type') ?? '');
    if (binary && response.ok && !isJson) return { kind: 'ok', value: await read(response, undefined) };

    const text = await response.text().catch(() => '');
    const code = codeOf(text);
    if (isRateLimited(response.status, code)) {
      const reset = Number(response.headers.get('x-ogw-ratelimit-reset'));
      return { kind: 'rate-limited', resetSeconds: Number.isFinite(reset) && reset > 0 ? Math.min(reset, 120) : 1, status: response.status, code };
    }
    return { kind: 'ok', value: await read(response, text) };
  }

  private readJson(endpoint: Endpoint, response: Response, text: string | undefined): unknown {
    let json: unknown;
    try {
      json = JSON.parse(text ?? '');
    } catch {
      json = undefined;
    }
    const envelope = EnvelopeSchema.safeParse(json);
    if (!envelope.success) {
      const problem: Problem = { kind: 'server', status: response.status, host: this.host, detail: `${endpoint.id}: not a JSON answer` };
      if (response.status >= 500) throw transient(problem);
      throw new ProblemError(problem);
    }
    const { code } = envelope.data;
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
      if (problem.kind === 'scope-missing' && code === USER_SCOPE_NOT_GRANTED && this.options.onScopeNotGranted) {
        const askFor = consentScopesFor(problem.scopes ?? []);
        this.options.onScopeNotGranted(askFor);
        throw new ProblemError({ ...problem, scopes: askFor, remedy: 'consent' });
      }
      throw new ProblemError(problem);
    }
    return envelope.data.data ?? {};
  }
}

function codeOf(text: string): number {
  try {
    const parsed = EnvelopeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.code : 0;
  } catch {
    return 0;
  }
}

function transient(problem: Problem): TransientError {
  return new TransientError(problem);
}

/** Encodes one identifier as a single path segment. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
