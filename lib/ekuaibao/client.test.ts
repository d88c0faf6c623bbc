// @vitest-environment node
/**
 * The Ekuaibao API client against the sandbox's fake Open API: where the token goes (the `accessToken` query
 * parameter of the configured address prefix, nowhere else), how every refusal becomes a problem, the one renewal
 * after a refused token, and retries. Failures the sandbox cannot produce (a 5xx, a dropped connection, a 200 that
 * says "error", an answer that is not JSON) are injected in the network between the client and the sandbox.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDemoWorld, EKUAIBAO, sandboxFetch, startSandbox, type Sandbox } from '../../tests/sandbox';
import { RateLimiterRegistry, type Clock } from '../downloads/rate-limit';
import { EKUAIBAO_ENDPOINTS, EkuaibaoClient, type EkuaibaoClientOptions } from './client';
import { fetchForm } from './forms';
import { DownloadUrlsAnswerSchema, FlowDetailsAnswerSchema } from './schemas';
import { problemOf } from '../../tests/unit/problem-of';

const { travel, deleted } = EKUAIBAO.forms;

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

/** What the client handed to `fetch`. */
interface Sent {
  readonly url: URL;
  readonly init: RequestInit | undefined;
}

function requestUrl(input: RequestInfo | URL): string {
  return input instanceof Request ? input.url : input.toString();
}

/**
 * The network to the sandbox: records every call, and answers the first ones with `faults` (a made-up answer, or a
 * thrown error for a dropped connection) instead of letting them reach the sandbox.
 */
function network(faults: readonly (() => Response)[] = []) {
  const sent: Sent[] = [];
  const toSandbox = sandboxFetch(sandbox);
  const fetchImpl: typeof fetch = async (input, init) => {
    sent.push({ url: new URL(requestUrl(input)), init });
    const fault = faults[sent.length - 1];
    return fault ? fault() : toSandbox(input, init);
  };
  return { sent, fetchImpl };
}

const dropped = (): Response => {
  throw new TypeError('fetch failed');
};
const answer = (status: number, body: string, type = 'application/json; charset=utf-8') => () => new Response(body, { status, headers: { 'content-type': type } });

function client(options: Partial<EkuaibaoClientOptions> & { token?: string | null } = {}): EkuaibaoClient {
  const { token = EKUAIBAO.token, ...rest } = options;
  return new EkuaibaoClient({
    apiBase: EKUAIBAO.apiBase,
    accessToken: async () => token,
    limiters: new RateLimiterRegistry(),
    fetch: sandboxFetch(sandbox),
    retries: 0,
    ...rest,
  });
}


/** The tokens the sandbox received, in order. */
const tokensSent = () => sandbox.log.map((e) => new Map(e.query).get('accessToken'));

describe('EkuaibaoClient: where the token goes', () => {
  it('sends the token only as the URL-encoded accessToken query parameter, without cookies or an Authorization header', async () => {
    const { sent, fetchImpl } = network();
    const details = await fetchForm(client({ fetch: fetchImpl }), { flowId: travel.flowId });
    expect(details.id).toBe(travel.flowId);

    expect(sent).toHaveLength(1);
    const [{ url, init }] = sent as [Sent];
    expect(url.origin).toBe(EKUAIBAO.apiBase);
    expect(url.pathname).toBe('/api/openapi/v1.1/flowDetails');
    expect([...url.searchParams.keys()]).toEqual(['flowId', 'accessToken']);
    expect(url.searchParams.get('accessToken')).toBe(EKUAIBAO.token);
    // The token holds a colon: percent-encoded in the address, never raw.
    expect(EKUAIBAO.token).toContain(':');
    expect(url.search).toContain(`accessToken=${encodeURIComponent(EKUAIBAO.token)}`);
    expect(url.search).not.toContain(EKUAIBAO.token);
    expect(init?.credentials).toBe('omit');
    expect(init?.redirect).toBe('error');
    expect(new Headers(init?.headers).has('authorization')).toBe(false);

    const [entry] = sandbox.log;
    expect(entry).toMatchObject({ host: 'app.ekuaibao.com', method: 'GET', status: 200, endpoint: 'ekb.flow-details' });
    expect(entry?.headers['authorization']).toBeUndefined();
    expect(entry?.headers['cookie']).toBeUndefined();
    expect(Object.values(entry?.headers ?? {}).join('\n')).not.toContain(EKUAIBAO.token);
  });

  it("calls only its own address prefix, whatever else the sandbox serves", async () => {
    const dingTalk = client({ apiBase: EKUAIBAO.dingTalkApiBase });
    await fetchForm(dingTalk, { code: travel.code });
    await fetchForm(dingTalk, { flowId: travel.flowId });
    expect(sandbox.log.map((e) => [e.host, e.path])).toEqual([
      ['dd2.hosecloud.com', '/api/openapi/v1.1/flowDetails/byCode'],
      ['dd2.hosecloud.com', '/api/openapi/v1.1/flowDetails'],
    ]);
    expect(dingTalk.host).toBe('dd2.hosecloud.com');
  });

  it('sends a JSON body labelled as JSON, the token still in the query', async () => {
    const body = [{ id: 'ID01nothing000', key: 'nothing-1732500000000-1.pdf', expiration: 60 }];
    const links = await client().request(EKUAIBAO_ENDPOINTS.downloadUrls, { method: 'POST', path: '/api/openapi/v2/attachment/downloadurls', body }, DownloadUrlsAnswerSchema);
    expect(links).toEqual([]);
    const [entry] = sandbox.log;
    expect(entry).toMatchObject({ method: 'POST', status: 200, endpoint: 'ekb.downloadurls', items: 1 });
    expect(entry?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(entry?.bodyText ?? '')).toEqual(body);
    expect(entry?.bodyText).not.toContain(EKUAIBAO.token);
    expect(tokensSent()).toEqual([EKUAIBAO.token]);
  });

  it('sends nothing without a token: credentials-missing', async () => {
    expect(await problemOf(fetchForm(client({ token: null }), { code: travel.code }))).toEqual({ kind: 'credentials-missing', platform: 'ekuaibao' });
    expect(sandbox.log).toEqual([]);
  });
});

describe('EkuaibaoClient: refusals', () => {
  it('turns 403 未授权 (an expired or unknown token) into token-invalid, without retrying', async () => {
    for (const token of [EKUAIBAO.expiredToken, `ID_nOtIssUed00:${EKUAIBAO.corpId}`]) {
      const problem = await problemOf(fetchForm(client({ token, retries: 3 }), { code: travel.code }));
      expect(problem).toEqual({ kind: 'token-invalid', platform: 'ekuaibao', status: 403, host: 'app.ekuaibao.com', detail: '未授权' });
    }
    expect(sandbox.log.map((e) => e.status)).toEqual([403, 403]);
  });

  it("turns 412 into not-found with the server's message, without retrying", async () => {
    const unknown = await problemOf(fetchForm(client({ retries: 3 }), { code: EKUAIBAO.unknownCode }));
    expect(unknown).toEqual({ kind: 'not-found', platform: 'ekuaibao', status: 412, host: 'app.ekuaibao.com', detail: '单据不存在' });
    const gone = await problemOf(fetchForm(client({ retries: 3 }), { flowId: deleted.flowId }));
    expect(gone).toMatchObject({ kind: 'not-found', status: 412, detail: '单据已删除' });
    expect(sandbox.log.map((e) => e.status)).toEqual([412, 412]);
  });

  it("another corporation's token does not see the demo's forms", async () => {
    expect(await problemOf(fetchForm(client({ token: EKUAIBAO.otherCorpToken }), { code: travel.code }))).toMatchObject({ kind: 'not-found', detail: '单据不存在' });
  });
});

describe('EkuaibaoClient: renewing a refused token', () => {
  it('asks renewToken once after a refusal and repeats the call with the fresh token', async () => {
    const renewToken = vi.fn(async () => EKUAIBAO.token);
    const details = await fetchForm(client({ token: EKUAIBAO.expiredToken, renewToken }), { code: travel.code });
    expect(details.id).toBe(travel.flowId);
    expect(renewToken.mock.calls).toEqual([[EKUAIBAO.expiredToken]]);
    expect(tokensSent()).toEqual([EKUAIBAO.expiredToken, EKUAIBAO.token]);
    expect(sandbox.log.map((e) => e.status)).toEqual([403, 200]);
  });

  it('does not renew again when the fresh token is refused too', async () => {
    const renewToken = vi.fn(async () => `ID_nOtIssUed00:${EKUAIBAO.corpId}`);
    const problem = await problemOf(fetchForm(client({ token: EKUAIBAO.expiredToken, renewToken }), { code: travel.code }));
    expect(problem).toMatchObject({ kind: 'token-invalid', status: 403 });
    expect(renewToken).toHaveBeenCalledTimes(1);
    expect(tokensSent()).toEqual([EKUAIBAO.expiredToken, `ID_nOtIssUed00:${EKUAIBAO.corpId}`]);
  });

  it('keeps the refusal when renewToken has nothing new (null, or the same token)', async () => {
    for (const fresh of [null, EKUAIBAO.expiredToken]) {
      const renewToken = vi.fn(async () => fresh);
      expect(await problemOf(fetchForm(client({ token: EKUAIBAO.expiredToken, renewToken }), { code: travel.code }))).toMatchObject({ kind: 'token-invalid' });
      expect(renewToken).toHaveBeenCalledTimes(1);
    }
    expect(tokensSent()).toEqual([EKUAIBAO.expiredToken, EKUAIBAO.expiredToken]);
  });

  it('does not renew for a problem that is not the token (412)', async () => {
    const renewToken = vi.fn(async () => EKUAIBAO.token);
    expect(await problemOf(fetchForm(client({ renewToken }), { code: EKUAIBAO.unknownCode }))).toMatchObject({ kind: 'not-found' });
    expect(renewToken).not.toHaveBeenCalled();
    expect(sandbox.log).toHaveLength(1);
  });
});

describe('EkuaibaoClient: retries', () => {
  it('retries a 5xx of the gateway and gets the answer', async () => {
    const { sent, fetchImpl } = network([answer(502, '<html><body>502 Bad Gateway</body></html>', 'text/html')]);
    const details = await fetchForm(client({ fetch: fetchImpl, retries: 2 }), { code: travel.code });
    expect(details.id).toBe(travel.flowId);
    expect(sent).toHaveLength(2);
    expect(sandbox.log.map((e) => e.status)).toEqual([200]);
  });

  it('retries a dropped connection', async () => {
    const { sent, fetchImpl } = network([dropped]);
    expect((await fetchForm(client({ fetch: fetchImpl, retries: 2 }), { code: travel.code })).id).toBe(travel.flowId);
    expect(sent).toHaveLength(2);
    expect(sandbox.log).toHaveLength(1);
  });

  it('gives up after its retries with a network problem', async () => {
    const { sent, fetchImpl } = network([dropped, dropped, dropped]);
    const problem = await problemOf(fetchForm(client({ fetch: fetchImpl, retries: 1 }), { code: travel.code }));
    expect(problem).toEqual({ kind: 'network', platform: 'ekuaibao', host: 'app.ekuaibao.com', detail: 'fetch failed' });
    expect(sent).toHaveLength(2);
    expect(sandbox.log).toEqual([]);
  });

  it('waits out a 429 as long as Retry-After says, then retries', async () => {
    const slept: number[] = [];
    const clock: Clock = { now: () => Date.now(), sleep: async (ms) => void slept.push(ms) };
    const tooMany = () => new Response('{"errorCode":429,"errorMessage":"请求过于频繁"}', { status: 429, headers: { 'retry-after': '3' } });
    const { sent, fetchImpl } = network([tooMany]);
    expect((await fetchForm(client({ fetch: fetchImpl, retries: 2, clock }), { code: travel.code })).id).toBe(travel.flowId);
    expect(slept).toEqual([3000]);
    expect(sent).toHaveLength(2);
  });
});

describe('EkuaibaoClient: answers that are not what they should be', () => {
  it('turns a 200 that says {errorCode: 412} without a value into not-found', async () => {
    const { fetchImpl } = network([answer(200, JSON.stringify({ errorCode: 412, errorMessage: '单据不存在', errorDetails: null }))]);
    expect(await problemOf(fetchForm(client({ fetch: fetchImpl }), { code: travel.code }))).toMatchObject({ kind: 'not-found', platform: 'ekuaibao', detail: '单据不存在' });
  });

  it('turns an answer that is not JSON into invalid-response', async () => {
    const { fetchImpl } = network([answer(200, '<!doctype html><title>合思</title>', 'text/html')]);
    expect(await problemOf(fetchForm(client({ fetch: fetchImpl, retries: 2 }), { code: travel.code }))).toEqual({
      kind: 'invalid-response',
      platform: 'ekuaibao',
      host: 'app.ekuaibao.com',
      detail: 'ekb.flow-details.by-code: not a JSON answer',
    });
  });

  it('turns JSON of the wrong shape into invalid-response naming the endpoint', async () => {
    const { fetchImpl } = network([answer(200, JSON.stringify({ value: ['not', 'a', 'form'] }))]);
    const problem = await problemOf(fetchForm(client({ fetch: fetchImpl }), { flowId: travel.flowId }));
    expect(problem).toMatchObject({ kind: 'invalid-response', platform: 'ekuaibao' });
    expect(problem.detail).toMatch(/^ekb\.flow-details: /);
  });

  it('turns a 405 in plain text into a server problem with its words', async () => {
    const problem = await problemOf(client().request(EKUAIBAO_ENDPOINTS.downloadUrls, { method: 'GET', path: '/api/openapi/v2/attachment/downloadurls' }, FlowDetailsAnswerSchema));
    expect(problem).toEqual({ kind: 'server', platform: 'ekuaibao', status: 405, host: 'app.ekuaibao.com', detail: 'Error 405 Method Not Allowed' });
  });
});
