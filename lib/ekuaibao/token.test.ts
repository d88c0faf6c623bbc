// @vitest-environment node
/**
 * App-key mode against the sandbox's auth endpoints: getAccessToken with the key and security in the JSON body
 * (never in an address), the session cache, the refresh shortly before expiry (and the fall-back when it fails),
 * renewal after a refusal, one request for concurrent callers.
 *
 * Time: `Date` is faked (`vi.useFakeTimers({ toFake: ['Date'] })`) and starts at the real time, so moving it moves the
 * extension's view only: the sandbox's Open API keeps real time (it took `Date.now` before it was faked), and its
 * tokens stay valid unless a test expires them. Rate limiters run on a monotonic clock a frozen `Date` cannot stall.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createDemoWorld, EKUAIBAO, EKUAIBAO_REFRESH_POWER_CODE, EKUAIBAO_REFRESHED_TOKEN_LIFETIME_MS, EKUAIBAO_TOKEN_LIFETIME_MS, sandboxFetch, startSandbox, type Sandbox } from '../../tests/sandbox';
import { ProblemError } from '../core/problem';
import { RateLimiterRegistry, type Clock } from '../downloads/rate-limit';
import { EkuaibaoClient } from './client';
import { fetchForm } from './forms';
import { EkuaibaoTokens, type EkuaibaoApp } from './token';
import { problemOf } from '../../tests/unit/problem-of';

const APP: EkuaibaoApp = { apiBase: EKUAIBAO.apiBase, appKey: EKUAIBAO.app.appKey, appSecurity: EKUAIBAO.app.appSecurity };
const MINUTE = 60_000;

/** Real time that no faked `Date` can stop: for the rate limiters only. */
const monotonic: Clock = { now: () => performance.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

let sandbox: Sandbox;
/** The (faked) time each test starts at: the real time then. */
let start: number;

beforeAll(async () => {
  sandbox = await startSandbox({ tls: false });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  fakeBrowser.reset();
  sandbox.world = createDemoWorld();
  sandbox.reset();
  start = Date.now();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(start);
});

afterEach(() => {
  vi.useRealTimers();
});

const newTokens = (fetchImpl: typeof fetch = sandboxFetch(sandbox)) => new EkuaibaoTokens(new RateLimiterRegistry(monotonic), fetchImpl);


const authCalls = () => sandbox.log.filter((e) => e.endpoint === 'ekb.auth.get-token' || e.endpoint === 'ekb.auth.refresh');
const endpoints = () => sandbox.log.map((e) => `${e.endpoint} ${e.status}`);
type Cache = Record<string, { token: string; refreshToken?: string; expiresAt: number; corporationId?: string }>;
const cached = async () => ((await fakeBrowser.storage.session.get('ekuaibao-tokens'))['ekuaibao-tokens'] ?? {}) as Cache;
const KEY = `${APP.apiBase} ${APP.appKey}`;

/** Whether the sandbox accepts `token` (reads the travel form with it). */
async function works(token: string, apiBase: string = EKUAIBAO.apiBase): Promise<boolean> {
  const client = new EkuaibaoClient({ apiBase, accessToken: async () => token, limiters: new RateLimiterRegistry(monotonic), fetch: sandboxFetch(sandbox), retries: 0 });
  try {
    await fetchForm(client, { code: EKUAIBAO.forms.travel.code });
    return true;
  } catch (error) {
    if (error instanceof ProblemError && error.problem.kind === 'token-invalid') return false;
    throw error;
  }
}

describe('EkuaibaoTokens', () => {
  it('obtains a token with the app key and security in the JSON body, never in an address', async () => {
    const token = await newTokens().token(APP);
    expect(token).toMatch(new RegExp(`^ID_[A-Za-z0-9]+:${EKUAIBAO.corpId}$`));
    const [call, ...others] = authCalls();
    expect(others).toEqual([]);
    expect(call).toMatchObject({ host: 'app.ekuaibao.com', method: 'POST', path: '/api/openapi/v1/auth/getAccessToken', query: [], status: 200 });
    expect(call?.headers['content-type']).toMatch(/^application\/json/);
    expect(call?.headers['authorization']).toBeUndefined();
    expect(JSON.parse(call?.bodyText ?? '')).toEqual({ appKey: APP.appKey, appSecurity: APP.appSecurity });
    expect(await works(token)).toBe(true);
    // The security is in no address the sandbox saw, the token's own calls included.
    for (const entry of sandbox.log) expect(`${entry.path} ${JSON.stringify(entry.query)}`).not.toContain(APP.appSecurity);
  });

  it('keeps the token in session storage: the second caller, and a restarted worker, send no request', async () => {
    const tokens = newTokens();
    const token = await tokens.token(APP);
    expect(await tokens.token(APP)).toBe(token);
    expect(await newTokens().token(APP)).toBe(token);
    expect(authCalls()).toHaveLength(1);
    const cache = await cached();
    expect(Object.keys(cache)).toEqual([KEY]);
    expect(cache[KEY]).toMatchObject({ token, corporationId: EKUAIBAO.corpId });
    expect(cache[KEY]?.refreshToken).toMatch(/^ID_/);
    // The server's expireTime (2 h), not a guess.
    expect(cache[KEY]!.expiresAt - start).toBeGreaterThanOrEqual(EKUAIBAO_TOKEN_LIFETIME_MS);
    expect(cache[KEY]!.expiresAt - start).toBeLessThan(EKUAIBAO_TOKEN_LIFETIME_MS + MINUTE);
  });

  it('keeps the token until 5 minutes before its expiry', async () => {
    const tokens = newTokens();
    const token = await tokens.token(APP);
    vi.setSystemTime(start + EKUAIBAO_TOKEN_LIFETIME_MS - 5 * MINUTE - 1);
    expect(await tokens.token(APP)).toBe(token);
    expect(authCalls()).toHaveLength(1);
  });

  it('refreshes it when less than 5 minutes are left: everything in the query, power code 219904, and the new token works', async () => {
    const tokens = newTokens();
    const first = await tokens.token(APP);
    const { refreshToken } = (await cached())[KEY]!;
    vi.setSystemTime(start + EKUAIBAO_TOKEN_LIFETIME_MS - 4 * MINUTE);

    const second = await tokens.token(APP);
    expect(second).not.toBe(first);
    const refresh = authCalls()[1];
    expect(refresh).toMatchObject({ method: 'POST', path: '/api/openapi/v2/auth/refreshToken', endpoint: 'ekb.auth.refresh', status: 200 });
    expect(refresh?.query).toEqual([
      ['accessToken', first],
      ['refreshToken', refreshToken],
      ['powerCode', EKUAIBAO_REFRESH_POWER_CODE],
    ]);
    expect(refresh?.bodyText).toBeUndefined();
    expect(await works(second)).toBe(true);
    // A refresh revokes the old token; the new one lives 32 days and is cached as such.
    expect(await works(first)).toBe(false);
    const entry = (await cached())[KEY]!;
    expect(entry.token).toBe(second);
    expect(entry.expiresAt - start).toBeGreaterThan(EKUAIBAO_REFRESHED_TOKEN_LIFETIME_MS - MINUTE);
    expect(await tokens.token(APP)).toBe(second);
    expect(authCalls()).toHaveLength(2);
  });

  it('obtains a new token when the refresh is refused', async () => {
    const tokens = newTokens();
    const first = await tokens.token(APP);
    sandbox.ekuaibao.expireIssuedTokens();
    vi.setSystemTime(start + EKUAIBAO_TOKEN_LIFETIME_MS - 4 * MINUTE);

    const second = await tokens.token(APP);
    expect(endpoints()).toEqual(['ekb.auth.get-token 200', 'ekb.auth.refresh 403', 'ekb.auth.get-token 200']);
    expect(second).not.toBe(first);
    expect(await works(second)).toBe(true);
  });

  it('does not try to refresh a token that has already expired', async () => {
    const tokens = newTokens();
    const first = await tokens.token(APP);
    vi.setSystemTime(start + EKUAIBAO_TOKEN_LIFETIME_MS + MINUTE);
    const second = await tokens.token(APP);
    expect(endpoints()).toEqual(['ekb.auth.get-token 200', 'ekb.auth.get-token 200']);
    expect(second).not.toBe(first);
    expect(await works(second)).toBe(true);
  });

  it('renews a token the API refused, and hands a newer cached one to a late caller without a request', async () => {
    const tokens = newTokens();
    const first = await tokens.token(APP);
    sandbox.ekuaibao.expireIssuedTokens();
    expect(await works(first)).toBe(false);

    const second = await tokens.renew(APP, first);
    expect(second).not.toBe(first);
    expect(await works(second)).toBe(true);
    // Another call refused with the old token asks again: the newer one is already there.
    expect(await tokens.renew(APP, first)).toBe(second);
    expect(await tokens.token(APP)).toBe(second);
    expect(authCalls().map((e) => e.endpoint)).toEqual(['ekb.auth.get-token', 'ekb.auth.get-token']);
  });

  it('lets a client recover from a refused token through renew, once', async () => {
    const tokens = newTokens();
    await tokens.token(APP);
    sandbox.ekuaibao.expireIssuedTokens();
    const client = new EkuaibaoClient({
      apiBase: APP.apiBase,
      accessToken: () => tokens.token(APP),
      renewToken: (rejected) => tokens.renew(APP, rejected),
      limiters: new RateLimiterRegistry(monotonic),
      fetch: sandboxFetch(sandbox),
      retries: 0,
    });
    expect((await fetchForm(client, { code: EKUAIBAO.forms.travel.code })).id).toBe(EKUAIBAO.forms.travel.flowId);
    expect(endpoints()).toEqual(['ekb.auth.get-token 200', 'ekb.flow-details.by-code 403', 'ekb.auth.get-token 200', 'ekb.flow-details.by-code 200']);
  });

  it('shares one request between concurrent callers', async () => {
    const tokens = newTokens();
    const answers = await Promise.all([tokens.token(APP), tokens.token(APP), tokens.token(APP), tokens.token(APP)]);
    expect(new Set(answers).size).toBe(1);
    expect(authCalls()).toHaveLength(1);

    sandbox.reset();
    const rejected = answers[0];
    const renewed = await Promise.all([tokens.renew(APP, rejected), tokens.renew(APP, rejected), tokens.renew(APP, rejected)]);
    expect(new Set(renewed).size).toBe(1);
    expect(authCalls()).toHaveLength(1);
  });

  it('keeps the tokens of two address prefixes apart', async () => {
    const tokens = newTokens();
    const dingTalk: EkuaibaoApp = { ...APP, apiBase: EKUAIBAO.dingTalkApiBase };
    const [standalone, dd] = [await tokens.token(APP), await tokens.token(dingTalk)];
    expect(standalone).not.toBe(dd);
    expect(authCalls().map((e) => e.host)).toEqual(['app.ekuaibao.com', 'dd2.hosecloud.com']);
    expect(await works(dd, EKUAIBAO.dingTalkApiBase)).toBe(true);
  });

  it('says app-credentials-invalid for a wrong security, and caches nothing', async () => {
    const tokens = newTokens();
    const problem = await problemOf(tokens.token({ ...APP, appSecurity: 'wrong_security_0000000000' }));
    expect(problem).toEqual({ kind: 'app-credentials-invalid', platform: 'ekuaibao', status: 403, host: 'app.ekuaibao.com', detail: '密钥无效' });
    expect(await problemOf(tokens.token({ ...APP, appKey: 'no-such-app-key' }))).toMatchObject({ kind: 'app-credentials-invalid' });
    expect(await cached()).toEqual({});
  });

  it('fresh() always asks the server, names the corporation, and leaves the cache alone', async () => {
    const tokens = newTokens();
    const cachedToken = await tokens.token(APP);
    const fresh = await tokens.fresh(APP);
    expect(fresh.corporationId).toBe(EKUAIBAO.corpId);
    expect(fresh.token).not.toBe(cachedToken);
    expect(await works(fresh.token)).toBe(true);
    expect(authCalls()).toHaveLength(2);
    expect(await tokens.token(APP)).toBe(cachedToken);
    await tokens.clear();
    await tokens.fresh(APP);
    expect(await cached()).toEqual({});
  });

  it('clear() forgets every token: the next caller obtains a new one', async () => {
    const tokens = newTokens();
    const first = await tokens.token(APP);
    await tokens.clear();
    expect(await cached()).toEqual({});
    const second = await tokens.token(APP);
    expect(second).not.toBe(first);
    expect(authCalls()).toHaveLength(2);
  });

  it('says network when the auth endpoint cannot be reached, and caches nothing', async () => {
    const unreachable: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    expect(await problemOf(newTokens(unreachable).token(APP))).toEqual({ kind: 'network', platform: 'ekuaibao', host: 'app.ekuaibao.com', detail: 'fetch failed' });
    expect(await cached()).toEqual({});
  });
});
