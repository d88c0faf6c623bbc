// @vitest-environment node
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createDemoWorld, DOCS, sandboxFetch, startSandbox, TOKENS, type Sandbox } from '../../tests/sandbox';
import { ProblemError } from '../core/problem';
import { RateLimiterRegistry, type Clock, type EndpointLimiter, type RateLimit } from '../downloads/rate-limit';
import { FEISHU_ENDPOINTS, FeishuClient, segment, type FeishuClientOptions } from './client';
import { BlocksPageSchema, DocumentSchema, TenantSchema, TmpDownloadUrlsSchema } from './schemas';
import { problemOf } from '../../tests/unit/problem-of';

const FEISHU_API = 'https://open.feishu.cn';
const LARK_API = 'https://open.larksuite.com';
const MEDIA_SCOPES = [
  'bitable:app',
  'bitable:app:readonly',
  'docs:doc',
  'docs:doc:readonly',
  'docs:document.media:download',
  'drive:drive',
  'drive:drive:readonly',
  'sheets:spreadsheet',
  'sheets:spreadsheet:readonly',
];

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ tls: false });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  sandbox.world = createDemoWorld();
  sandbox.reset();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A virtual clock: sleeping advances time instantly, so waits are exact and cost nothing. */
function virtualClock(): Clock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += Math.max(0, ms);
    },
  };
  return clock;
}

/** A limiter that lets everything through at once, to drive the server over its documented limit. */
class UnthrottledRegistry extends RateLimiterRegistry {
  override get(key: string, _limits: readonly RateLimit[]): EndpointLimiter {
    return super.get(key, [{ limit: 1000, intervalMs: 1000 }]);
  }
}

function client(token: string | null, options: Partial<FeishuClientOptions> = {}): FeishuClient {
  return new FeishuClient({
    apiBase: FEISHU_API,
    accessToken: async () => token,
    limiters: new RateLimiterRegistry(),
    fetch: sandboxFetch(sandbox),
    ...options,
  });
}

function getDocument(c: FeishuClient, documentId: string) {
  return c.request(FEISHU_ENDPOINTS.documentGet, { path: `docx/v1/documents/${segment(documentId)}` }, DocumentSchema);
}

function getTmpUrls(c: FeishuClient, tokens: readonly string[]) {
  return c.request(
    FEISHU_ENDPOINTS.mediaTmpUrls,
    { path: 'drive/v1/medias/batch_get_tmp_download_url', query: tokens.map((t) => ['file_tokens', t] as const) },
    TmpDownloadUrlsSchema,
  );
}


/** A response shaped like the Open Platform's. */
function feishuJson(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

interface Call {
  readonly url: string;
  readonly init: RequestInit | undefined;
  readonly at: number;
}

/** A fake remote: answers each call with the next scripted reply (the last one repeats), recording every call. */
function scriptedFetch(replies: ReadonlyArray<(() => Response) | Error>, clock: { now(): number } = { now: () => Date.now() }) {
  const calls: Call[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    calls.push({ url: input instanceof Request ? input.url : String(input), init, at: clock.now() });
    const reply = replies[Math.min(calls.length - 1, replies.length - 1)]!;
    if (reply instanceof Error) throw reply;
    return reply();
  };
  return { fetch: fetchImpl, calls };
}

const DOCUMENT_OK = () => feishuJson(200, { code: 0, msg: 'success', data: { document: { document_id: DOCS.weekly, revision_id: 7, title: 'T' } } });

describe('FeishuClient against the sandbox', () => {
  it('sends one authorised GET and returns the checked data', async () => {
    const data = await getDocument(client(TOKENS.feishuUser), DOCS.weekly);
    expect(data).toEqual({ document: { document_id: DOCS.weekly, revision_id: 42, title: '项目周报 2026-W47' } });
    expect(sandbox.log).toHaveLength(1);
    const [entry] = sandbox.log;
    expect(entry).toMatchObject({
      host: 'open.feishu.cn',
      method: 'GET',
      path: `/open-apis/docx/v1/documents/${DOCS.weekly}`,
      query: [],
      status: 200,
      endpoint: 'docx.document.get',
      code: 0,
    });
    expect(entry?.headers['authorization']).toBe(`Bearer ${TOKENS.feishuUser}`);
    expect(entry?.headers['cookie']).toBeUndefined();
  });

  it('passes the query in order, repeated keys included', async () => {
    const c = client(TOKENS.feishuUser);
    const page = await c.request(
      FEISHU_ENDPOINTS.blocksList,
      { path: `docx/v1/documents/${segment(DOCS.weekly)}/blocks`, query: [['page_size', '3'], ['document_revision_id', '-1']] },
      BlocksPageSchema,
    );
    expect(page.items).toHaveLength(3);
    expect(page.has_more).toBe(true);
    expect(page.page_token).toEqual(expect.any(String));
    expect(sandbox.log[0]?.query).toEqual([
      ['page_size', '3'],
      ['document_revision_id', '-1'],
    ]);
    const files = createDemoWorld().files;
    await getTmpUrls(c, [files.report.token, files.budget.token]);
    expect(sandbox.log[1]?.query).toEqual([
      ['file_tokens', files.report.token],
      ['file_tokens', files.budget.token],
    ]);
  });

  it('talks to the Lark API with a Lark token', async () => {
    const data = await getDocument(client(TOKENS.larkUser, { apiBase: LARK_API }), DOCS.lark);
    expect(data.document.title).toBe('Quarterly Review');
    expect(sandbox.log.map((e) => [e.host, e.status])).toEqual([['open.larksuite.com', 200]]);
  });

  it('reports missing credentials without sending anything', async () => {
    expect(await problemOf(getDocument(client(null), DOCS.weekly))).toEqual({ kind: 'credentials-missing' });
    expect(await problemOf(getDocument(client(''), DOCS.weekly))).toEqual({ kind: 'credentials-missing' });
    expect(sandbox.log).toEqual([]);
  });

  it('reports an unknown user token as invalid, once, without retrying', async () => {
    expect(await problemOf(getDocument(client('u-not-a-real-token-000000000000'), DOCS.weekly))).toEqual({
      kind: 'token-invalid',
      code: 99991668,
      status: 400,
      host: 'open.feishu.cn',
      detail: 'Invalid access token for authorization. Please make a request with token attached.',
    });
    expect(sandbox.log).toHaveLength(1);
  });

  it('reports an unknown tenant token as invalid (99991663)', async () => {
    const problem = await problemOf(getDocument(client('t-not-a-real-token-000000000000'), DOCS.weekly));
    expect(problem).toMatchObject({ kind: 'token-invalid', code: 99991663, status: 400 });
  });

  it('reports a Feishu token used against Lark as invalid', async () => {
    const problem = await problemOf(getDocument(client(TOKENS.feishuUser, { apiBase: LARK_API }), DOCS.lark));
    expect(problem).toMatchObject({ kind: 'token-invalid', code: 99991668, host: 'open.larksuite.com' });
  });

  it('reports an expired token as expired (99991677)', async () => {
    expect(await problemOf(getDocument(client(TOKENS.feishuExpired), DOCS.weekly))).toEqual({
      kind: 'token-expired',
      code: 99991677,
      status: 400,
      host: 'open.feishu.cn',
      detail: 'Authentication token expired. Please refresh access token.',
    });
    expect(sandbox.log).toHaveLength(1);
  });

  it('names the missing scopes from permission_violations', async () => {
    const problem = await problemOf(getTmpUrls(client(TOKENS.feishuNoMediaScope), [createDemoWorld().files.report.token]));
    expect(problem).toEqual({
      kind: 'scope-missing',
      scopes: MEDIA_SCOPES,
      code: 99991679,
      status: 400,
      host: 'open.feishu.cn',
      detail: `Access denied. One of the following scopes is required: [${MEDIA_SCOPES.join(', ')}].`,
    });
    expect(sandbox.log).toHaveLength(1);
  });

  it('names the one scope a tenant token lacks (99991672)', async () => {
    const world = createDemoWorld();
    const token = 't-sandbox-feishu-tenant-without-tenant-scope-0000';
    world.tokens.push({ token, kind: 'tenant', brand: 'feishu', name: 'App', scopes: ['docx:document:readonly'] });
    sandbox.world = world;
    const problem = await problemOf(client(token).request(FEISHU_ENDPOINTS.tenantQuery, { path: 'tenant/v2/tenant/query' }, TenantSchema));
    expect(problem).toMatchObject({ kind: 'scope-missing', scopes: ['tenant:tenant:readonly'], code: 99991672, status: 400 });
  });

  it('reports a document not shared with the token\'s user as not shared (1770032)', async () => {
    expect(await problemOf(getDocument(client(TOKENS.feishuUser), DOCS.private))).toEqual({
      kind: 'not-shared',
      code: 1770032,
      status: 403,
      host: 'open.feishu.cn',
      detail: 'forbidden',
    });
    // The tenant token's app may read it.
    expect((await getDocument(client(TOKENS.feishuTenant), DOCS.private)).document.title).toBe('内部文档');
  });

  it('reports an unknown document as not found', async () => {
    expect(await problemOf(getDocument(client(TOKENS.feishuUser), 'NoSuchDocument0000000000000'))).toEqual({
      kind: 'not-found',
      code: 1770002,
      status: 404,
      host: 'open.feishu.cn',
      detail: 'not found',
    });
    expect(sandbox.log).toHaveLength(1);
  });

  it('waits out the gateway\'s rate limit (400 + 99991400 + x-ogw-ratelimit-reset) and retries without failing', async () => {
    const c = client(TOKENS.feishuUser, { limiters: new UnthrottledRegistry() });
    const results = await Promise.all(Array.from({ length: 8 }, () => getDocument(c, DOCS.weekly)));
    expect(results.map((r) => r.document.title)).toEqual(Array(8).fill('项目周报 2026-W47'));

    // The burst: five accepted, three refused with the documented docx answer; then the three again, accepted.
    expect(sandbox.log).toHaveLength(11);
    const burst = sandbox.log.slice(0, 8);
    const retries = sandbox.log.slice(8);
    expect(burst.filter((e) => e.code === 0)).toHaveLength(5);
    const refused = burst.filter((e) => e.code === 99991400);
    expect(refused.map((e) => [e.status, e.endpoint])).toEqual(Array(3).fill([400, 'docx.document.get']));
    expect(retries.map((e) => [e.status, e.code])).toEqual(Array(3).fill([200, 0]));
    // Nothing was sent again before the reset the gateway named (1 s after the refusal).
    const lastRefusal = Math.max(...refused.map((e) => e.at));
    for (const entry of retries) expect(entry.at).toBeGreaterThanOrEqual(lastRefusal + 1000);
  });

  it('stays within the documented limit with its own limiter: no refusal at all', async () => {
    const c = client(TOKENS.feishuUser);
    await Promise.all(Array.from({ length: 7 }, () => getDocument(c, DOCS.weekly)));
    expect(sandbox.log.map((e) => e.code)).toEqual(Array(7).fill(0));
  });

  it('sends the token to the API base only, never with cookies or across redirects', async () => {
    const c = client(TOKENS.feishuUser);
    await getDocument(c, DOCS.weekly);
    await problemOf(c.request(FEISHU_ENDPOINTS.documentGet, { path: `docx/v1/documents/${segment('../../../../evil.example/x')}` }, DocumentSchema));
    await problemOf(c.request(FEISHU_ENDPOINTS.documentGet, { path: '//evil.example/steal' }, DocumentSchema));
    await problemOf(c.request(FEISHU_ENDPOINTS.documentGet, { path: '@evil.example/steal' }, DocumentSchema));
    expect(sandbox.log).toHaveLength(4);
    for (const entry of sandbox.log) {
      expect(entry.host).toBe('open.feishu.cn');
      expect(entry.path.startsWith('/open-apis/')).toBe(true);
    }

    const recorded = scriptedFetch([DOCUMENT_OK]);
    await getDocument(client(TOKENS.feishuUser, { fetch: recorded.fetch }), DOCS.weekly);
    expect(recorded.calls).toHaveLength(1);
    expect(new URL(recorded.calls[0]!.url).origin).toBe(FEISHU_API);
    expect(recorded.calls[0]!.init).toMatchObject({ method: 'GET', credentials: 'omit', redirect: 'error' });
  });
});

describe('FeishuClient with a scripted remote', () => {
  it('waits exactly the x-ogw-ratelimit-reset seconds after a 429, and the retry does not use the error budget', async () => {
    const clock = virtualClock();
    const remote = scriptedFetch(
      [() => feishuJson(429, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-reset': '3' }), DOCUMENT_OK],
      clock,
    );
    const c = client(TOKENS.feishuUser, { fetch: remote.fetch, clock, limiters: new RateLimiterRegistry(clock), retries: 0 });
    expect((await getDocument(c, DOCS.weekly)).document.title).toBe('T');
    expect(remote.calls.map((call) => call.at)).toEqual([0, 3000]);
  });

  it('waits one second when the reset header is missing, and at most two minutes', async () => {
    const clock = virtualClock();
    const remote = scriptedFetch(
      [
        () => feishuJson(429, { code: 99991400, msg: 'limit' }),
        () => feishuJson(400, { code: 99991400, msg: 'limit' }, { 'x-ogw-ratelimit-reset': '86400' }),
        DOCUMENT_OK,
      ],
      clock,
    );
    const c = client(TOKENS.feishuUser, { fetch: remote.fetch, clock, limiters: new RateLimiterRegistry(clock) });
    await getDocument(c, DOCS.weekly);
    expect(remote.calls.map((call) => call.at)).toEqual([0, 1000, 121_000]);
  });

  it('gives up as rate-limited after too many refusals in a row', async () => {
    const clock = virtualClock();
    const remote = scriptedFetch([() => feishuJson(429, { code: 99991400, msg: 'limit' }, { 'x-ogw-ratelimit-reset': '1' })], clock);
    const c = client(TOKENS.feishuUser, { fetch: remote.fetch, clock, limiters: new RateLimiterRegistry(clock), maxRateLimitWaits: 2 });
    expect(await problemOf(getDocument(c, DOCS.weekly))).toEqual({ kind: 'rate-limited', host: 'open.feishu.cn', status: 429, code: 99991400 });
    expect(remote.calls).toHaveLength(3);
  });

  it('retries a 5xx with backoff and returns the later success', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const remote = scriptedFetch([
      () => new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }),
      () => feishuJson(503, { code: 1771001, msg: 'internal error' }),
      DOCUMENT_OK,
    ]);
    const c = client(TOKENS.feishuUser, { fetch: remote.fetch });
    const result = getDocument(c, DOCS.weekly);
    await vi.runAllTimersAsync();
    expect((await result).document.document_id).toBe(DOCS.weekly);
    expect(remote.calls).toHaveLength(3);
    const gaps = remote.calls.slice(1).map((call, i) => call.at - remote.calls[i]!.at);
    // p-retry: 500 ms then 1000 ms, each randomised up to twice as long.
    expect(gaps[0]).toBeGreaterThanOrEqual(500);
    expect(gaps[0]).toBeLessThanOrEqual(1000);
    expect(gaps[1]).toBeGreaterThanOrEqual(1000);
    expect(gaps[1]).toBeLessThanOrEqual(2000);
  });

  it('reports a server error once the retries are used up', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const remote = scriptedFetch([() => feishuJson(500, { code: 1771001, msg: 'internal error' })]);
    const c = client(TOKENS.feishuUser, { fetch: remote.fetch, retries: 2 });
    const failed = problemOf(getDocument(c, DOCS.weekly));
    await vi.runAllTimersAsync();
    expect(await failed).toEqual({ kind: 'server', code: 1771001, status: 500, host: 'open.feishu.cn', detail: 'internal error' });
    expect(remote.calls).toHaveLength(3);
  });

  it('reports a non-JSON 5xx as a server error with its status', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const remote = scriptedFetch([() => new Response('upstream timed out', { status: 504 })]);
    const c = client(TOKENS.feishuUser, { fetch: remote.fetch, retries: 1 });
    const failed = problemOf(getDocument(c, DOCS.weekly));
    await vi.runAllTimersAsync();
    expect(await failed).toEqual({ kind: 'server', status: 504, host: 'open.feishu.cn', detail: 'docx.document.get: not a JSON answer' });
    expect(remote.calls).toHaveLength(2);
  });

  it('retries a transient code on a 200 answer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const remote = scriptedFetch([() => feishuJson(200, { code: 1061045, msg: 'resource contention' }), DOCUMENT_OK]);
    const result = getDocument(client(TOKENS.feishuUser, { fetch: remote.fetch }), DOCS.weekly);
    await vi.runAllTimersAsync();
    expect((await result).document.title).toBe('T');
    expect(remote.calls).toHaveLength(2);
  });

  it('retries a network error, then reports it as a network problem', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const remote = scriptedFetch([new TypeError('fetch failed')]);
    const failed = problemOf(getDocument(client(TOKENS.feishuUser, { fetch: remote.fetch, retries: 3 }), DOCS.weekly));
    await vi.runAllTimersAsync();
    expect(await failed).toEqual({ kind: 'network', host: 'open.feishu.cn', detail: 'fetch failed' });
    expect(remote.calls).toHaveLength(4);
  });

  it('recovers from a network error', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const remote = scriptedFetch([new TypeError('fetch failed'), DOCUMENT_OK]);
    const result = getDocument(client(TOKENS.feishuUser, { fetch: remote.fetch }), DOCS.weekly);
    await vi.runAllTimersAsync();
    expect((await result).document.title).toBe('T');
  });

  it('gives up on a server that does not answer in time', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason instanceof Error ? init.signal.reason : new Error('aborted')));
      });
    const problem = await problemOf(getDocument(client(TOKENS.feishuUser, { fetch: hanging, timeoutMs: 20, retries: 0 }), DOCS.weekly));
    expect(problem.kind).toBe('network');
    expect(problem.host).toBe('open.feishu.cn');
    expect(problem.detail).toMatch(/timeout|aborted/i);
  });

  it('does not retry a client error', async () => {
    const remote = scriptedFetch([() => feishuJson(400, { code: 1770001, msg: 'invalid param' })]);
    expect(await problemOf(getDocument(client(TOKENS.feishuUser, { fetch: remote.fetch }), DOCS.weekly))).toEqual({
      kind: 'server',
      code: 1770001,
      status: 400,
      host: 'open.feishu.cn',
      detail: 'invalid param',
    });
    expect(remote.calls).toHaveLength(1);
  });

  it('reports an answer of the wrong shape as invalid-response', async () => {
    const remote = scriptedFetch([() => feishuJson(200, { code: 0, msg: 'success', data: { document: { title: 'no id' } } })]);
    const problem = await problemOf(getDocument(client(TOKENS.feishuUser, { fetch: remote.fetch }), DOCS.weekly));
    expect(problem.kind).toBe('invalid-response');
    expect(problem.host).toBe('open.feishu.cn');
    expect(problem.detail).toMatch(/^docx\.document\.get: /);
    expect(problem.detail).toContain('document_id');
    expect(remote.calls).toHaveLength(1);
  });

  it('refuses a temporary link that is not https', async () => {
    const remote = scriptedFetch([
      () => feishuJson(200, { code: 0, data: { tmp_download_urls: [{ file_token: 'boxcnAAAAAA', tmp_download_url: 'http://evil.example/x' }] } }),
    ]);
    const problem = await problemOf(getTmpUrls(client(TOKENS.feishuUser, { fetch: remote.fetch }), ['boxcnAAAAAA']));
    expect(problem.kind).toBe('invalid-response');
    expect(problem.detail).toMatch(/^drive\.media\.tmp-url: /);
  });

  it('reports a 200 that is not JSON as a server problem, without retrying', async () => {
    const remote = scriptedFetch([() => new Response('<html>login</html>', { status: 200, headers: { 'content-type': 'text/html' } })]);
    expect(await problemOf(getDocument(client(TOKENS.feishuUser, { fetch: remote.fetch }), DOCS.weekly))).toEqual({
      kind: 'server',
      status: 200,
      host: 'open.feishu.cn',
      detail: 'docx.document.get: not a JSON answer',
    });
    expect(remote.calls).toHaveLength(1);
  });

  it('accepts the OAuth APIs\' string codes', async () => {
    const remote = scriptedFetch([() => feishuJson(200, { code: '0', data: { name: '张三' } })]);
    const data = await client(TOKENS.feishuUser, { fetch: remote.fetch }).request(FEISHU_ENDPOINTS.userInfo, { path: 'authen/v1/user_info' }, z.looseObject({ name: z.string() }));
    expect(data).toEqual({ name: '张三' });
  });

  it('sends a JSON body with its content type', async () => {
    const remote = scriptedFetch([() => feishuJson(200, { code: 0, data: {} })]);
    await client(TOKENS.feishuUser, { fetch: remote.fetch }).request(
      FEISHU_ENDPOINTS.documentGet,
      { method: 'POST', path: 'x/v1/y', body: { 名字: 'a' } },
      z.object({}),
    );
    const init = remote.calls[0]!.init!;
    expect(init.method).toBe('POST');
    expect(init.body).toBe('{"名字":"a"}');
    expect(init.headers).toEqual({ Authorization: `Bearer ${TOKENS.feishuUser}`, 'Content-Type': 'application/json; charset=utf-8' });
  });

  it('reads the token anew for every call', async () => {
    let token = 'u-first-token-000000000000000';
    const remote = scriptedFetch([DOCUMENT_OK]);
    const c = new FeishuClient({ apiBase: FEISHU_API, accessToken: async () => token, limiters: new RateLimiterRegistry(), fetch: remote.fetch });
    await getDocument(c, DOCS.weekly);
    token = 'u-second-token-00000000000000';
    await getDocument(c, DOCS.weekly);
    expect(remote.calls.map((call) => (call.init?.headers as Record<string, string>)['Authorization'])).toEqual([
      'Bearer u-first-token-000000000000000',
      'Bearer u-second-token-00000000000000',
    ]);
  });
});

describe('FeishuClient and credentials in answers', () => {
  it.each<[string, () => Response | Error]>([
    ['a refusal quoting the token', () => feishuJson(400, { code: 99991663, msg: `Invalid access token for authorization: ${TOKENS.feishuUser}` })],
    ['a 5xx page quoting the header', () => new Response(`bad gateway (Authorization: Bearer ${TOKENS.feishuUser})`, { status: 502 })],
    ['a network error quoting the request', () => new TypeError(`fetch failed: GET https://open.feishu.cn/open-apis/x?access_token=${TOKENS.feishuUser}`)],
  ])('fails with a problem that does not carry the token: %s', async (_name, reply) => {
    const made = reply();
    const remote = scriptedFetch([made instanceof Error ? made : () => made]);
    const c = client(TOKENS.feishuUser, { fetch: remote.fetch, retries: 0 });
    const error = await getDocument(c, DOCS.weekly).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProblemError);
    expect(JSON.stringify((error as ProblemError).problem)).not.toContain(TOKENS.feishuUser);
    expect((error as ProblemError).message).not.toContain(TOKENS.feishuUser);
  });
});

describe('segment', () => {
  it('encodes one path segment', () => {
    expect(segment('UXEAd6cRUoj5pexJZr0cdwaFnpd')).toBe('UXEAd6cRUoj5pexJZr0cdwaFnpd');
    expect(segment('../a b/?#')).toBe('..%2Fa%20b%2F%3F%23');
  });
});
