// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { z } from 'zod';
import { APP_EXPECT, createDemoWorld, CUSTOM_HOST, DOCS, sandboxFetch, startSandbox, type Sandbox } from '../../tests/sandbox';
import { RateLimiterRegistry, type Clock } from '../downloads/rate-limit';
import { FEISHU_ENDPOINTS, FeishuClient } from './client';
import { listDocxAttachments } from './docx';
import { TenantTokens, type AppCredentials } from './tenant-token';
import { problemOf } from '../../tests/unit/problem-of';

const FEISHU_API = 'https://open.feishu.cn';
const APP: AppCredentials = { apiBase: FEISHU_API, appId: APP_EXPECT.appId, appSecret: APP_EXPECT.appSecret };
const LIFETIME_MS = APP_EXPECT.tokenLifetimeSeconds * 1000;
const MARGIN_MS = 5 * 60_000;
const START = 1_800_000_000_000;

/** The address a fetch was asked for. */
function requestUrl(input: RequestInfo | URL): string {
  return input instanceof Request ? input.url : input.toString();
}

let sandbox: Sandbox;

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
});

/** A clock the test moves by hand (the extension's view of time; the sandbox keeps real time). */
function manualClock(): Clock & { t: number } {
  const clock = {
    t: START,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

function setup(fetchImpl: typeof fetch = sandboxFetch(sandbox)) {
  const clock = manualClock();
  const tokens = new TenantTokens(new RateLimiterRegistry(clock), fetchImpl, clock);
  return { clock, tokens };
}


const authCalls = () => sandbox.log.filter((e) => e.endpoint === 'auth.tenant-access-token');
const cached = async () => (await fakeBrowser.storage.session.get('tenant-tokens'))['tenant-tokens'];

describe('TenantTokens', () => {
  it('obtains a tenant token with the app\'s id and secret, and keeps it in session storage', async () => {
    const { tokens } = setup();
    const token = await tokens.token(APP);
    expect(token).toMatch(/^t-[0-9a-f]{40}$/);
    expect(authCalls().map((e) => [e.method, e.host, e.path, e.status, e.code, e.headers['authorization']])).toEqual([
      ['POST', 'open.feishu.cn', '/open-apis/auth/v3/tenant_access_token/internal', 200, 0, undefined],
    ]);
    expect(await cached()).toEqual({ [`${FEISHU_API} ${APP.appId}`]: { token, expiresAt: START + LIFETIME_MS } });
    // The token works.
    expect(sandbox.api.state.issuedTokens.has(token)).toBe(true);
  });

  it('reuses the cached token while more than five minutes are left, also after a worker restart', async () => {
    const { clock, tokens } = setup();
    const token = await tokens.token(APP);
    clock.t = START + LIFETIME_MS - MARGIN_MS - 1;
    expect(await tokens.token(APP)).toBe(token);
    // A new service worker (same session storage) finds it too.
    const restarted = new TenantTokens(new RateLimiterRegistry(clock), sandboxFetch(sandbox), clock);
    expect(await restarted.token(APP)).toBe(token);
    expect(authCalls()).toHaveLength(1);
  });

  it('asks again five minutes before the announced expiry', async () => {
    const { clock, tokens } = setup();
    await tokens.token(APP);
    clock.t = START + LIFETIME_MS - MARGIN_MS;
    const renewed = await tokens.token(APP);
    expect(authCalls()).toHaveLength(2);
    // The server's answer is kept with its own lifetime, counted from now.
    expect(await cached()).toEqual({ [`${FEISHU_API} ${APP.appId}`]: { token: renewed, expiresAt: expect.any(Number) as number } });
    const entry = z.record(z.string(), z.object({ expiresAt: z.number() })).parse(await cached())[`${FEISHU_API} ${APP.appId}`]!;
    expect(entry.expiresAt).toBeGreaterThan(clock.t + MARGIN_MS);
  });

  it('renews a token the API rejected, and the new one works', async () => {
    const { tokens } = setup();
    const old = await tokens.token(APP);
    sandbox.api.expireIssuedTokens();
    const renewed = await tokens.renew(APP, old);
    expect(renewed).not.toBe(old);
    expect(renewed).toMatch(/^t-[0-9a-f]{40}$/);
    expect(await tokens.token(APP)).toBe(renewed);
    expect(authCalls()).toHaveLength(2);
    const client = new FeishuClient({ apiBase: FEISHU_API, accessToken: async () => renewed, limiters: new RateLimiterRegistry(), fetch: sandboxFetch(sandbox) });
    await expect(client.request(FEISHU_ENDPOINTS.documentGet, { path: `docx/v1/documents/${DOCS.private}` }, z.unknown())).resolves.toBeDefined();
  });

  it('shares one request between concurrent renewals of the same rejected token', async () => {
    const { tokens } = setup();
    const old = await tokens.token(APP);
    sandbox.api.expireIssuedTokens();
    const renewed = await Promise.all([tokens.renew(APP, old), tokens.renew(APP, old), tokens.renew(APP, old)]);
    expect(new Set(renewed).size).toBe(1);
    expect(renewed[0]).not.toBe(old);
    expect(authCalls()).toHaveLength(2);
  });

  it('hands out the newer token when another caller renewed it already', async () => {
    const { tokens } = setup();
    const old = await tokens.token(APP);
    sandbox.api.expireIssuedTokens();
    const renewed = await tokens.renew(APP, old);
    // A late caller still holding the old token gets the new one without another request.
    expect(await tokens.renew(APP, old)).toBe(renewed);
    expect(authCalls()).toHaveLength(2);
  });

  it('asks the token endpoint every time for a fresh token (the options page\'s test), bypassing the cache', async () => {
    const { tokens } = setup();
    await tokens.token(APP);
    await tokens.fresh(APP);
    await tokens.fresh(APP);
    expect(authCalls()).toHaveLength(3);
  });

  it('never caches a tested token: the secret tested may not be the one saved', async () => {
    const { tokens } = setup();
    await tokens.fresh(APP);
    expect(await cached()).toBeUndefined();
  });

  it('refuses a wrong secret or an unknown app as invalid app credentials, and caches nothing', async () => {
    const { tokens } = setup();
    expect(await problemOf(tokens.token({ ...APP, appSecret: 'WrongSecret0123456789abcdefXYZ' }))).toEqual({
      kind: 'app-credentials-invalid',
      code: 10014,
      status: 400,
      host: 'open.feishu.cn',
      detail: 'app secret invalid',
    });
    expect(await problemOf(tokens.fresh({ ...APP, appId: 'cli_unknownapp000001' }))).toMatchObject({ kind: 'app-credentials-invalid', code: 10003 });
    expect(await cached()).toBeUndefined();
  });

  it('keeps one token per API origin and app', async () => {
    const { tokens } = setup();
    await tokens.token(APP);
    await tokens.token({ ...APP, apiBase: CUSTOM_HOST.apiBase });
    await tokens.token(APP);
    await tokens.token({ ...APP, apiBase: CUSTOM_HOST.apiBase });
    // Each origin's token comes from that origin's own token endpoint, once.
    expect(authCalls().map((e) => e.host)).toEqual(['open.feishu.cn', CUSTOM_HOST.apiHost]);
    expect(Object.keys(z.record(z.string(), z.unknown()).parse(await cached())).sort()).toEqual([`${CUSTOM_HOST.apiBase} ${APP.appId}`, `${FEISHU_API} ${APP.appId}`]);
  });

  it('forgets every token when the credentials change', async () => {
    const { tokens } = setup();
    await tokens.token(APP);
    await tokens.clear();
    expect(await cached()).toEqual({});
    await tokens.token(APP);
    expect(authCalls()).toHaveLength(2);
  });

  it('ignores a damaged cache', async () => {
    await fakeBrowser.storage.session.set({ 'tenant-tokens': { [`${FEISHU_API} ${APP.appId}`]: { token: 42, expiresAt: 'later' } } });
    const { tokens } = setup();
    expect(await tokens.token(APP)).toMatch(/^t-/);
    expect(authCalls()).toHaveLength(1);
  });

  it.each([
    ['an answer that is not JSON', async () => new Response('<html>502</html>', { status: 502 }), { kind: 'server', status: 502 }],
    ['an answer without a token', async () => Response.json({ code: 0, msg: 'ok' }), { kind: 'server' }],
    ['an answer of the wrong shape', async () => Response.json({ msg: 'ok', tenant_access_token: 't-x' }), { kind: 'invalid-response' }],
    ['a failed connection', async () => Promise.reject(new TypeError('fetch failed')), { kind: 'network', detail: 'fetch failed' }],
  ] as const)('reports %s', async (_name, remote, problem) => {
    const { tokens } = setup(remote);
    expect(await problemOf(tokens.token(APP))).toMatchObject({ host: 'open.feishu.cn', ...problem });
    expect(await cached()).toBeUndefined();
  });
});

describe('FeishuClient with renewToken', () => {
  function appClient(tokens: TenantTokens, fetchImpl: typeof fetch = sandboxFetch(sandbox)) {
    return new FeishuClient({
      apiBase: FEISHU_API,
      accessToken: () => tokens.token(APP),
      renewToken: (rejected) => tokens.renew(APP, rejected),
      limiters: new RateLimiterRegistry(),
      fetch: fetchImpl,
    });
  }

  it('recovers once from an expired token (99991677) with a fresh one', async () => {
    const { tokens } = setup();
    const client = appClient(tokens);
    const read = () => client.request(FEISHU_ENDPOINTS.documentGet, { path: `docx/v1/documents/${DOCS.private}` }, z.unknown());
    await read();
    sandbox.api.expireIssuedTokens();
    sandbox.log.length = 0;
    await expect(read()).resolves.toBeDefined();
    expect(sandbox.log.map((e) => [e.endpoint, e.code])).toEqual([
      ['docx.document.get', 99991677],
      ['auth.tenant-access-token', 0],
      ['docx.document.get', 0],
    ]);
    expect(sandbox.log[0]?.headers['authorization']).not.toBe(sandbox.log[2]?.headers['authorization']);
  });

  it('keeps listing when the token expires in the middle of a listing', async () => {
    const { tokens } = setup();
    const inner = sandboxFetch(sandbox);
    let blockPages = 0;
    // The app's secret is reset (every issued token stops working) right after the first page of blocks.
    const expiring: typeof fetch = async (input, init) => {
      const response = await inner(input, init);
      if (requestUrl(input).includes('/blocks') && ++blockPages === 1) sandbox.api.expireIssuedTokens();
      return response;
    };
    const listing = await listDocxAttachments(appClient(tokens, expiring), { token: DOCS.weekly, brand: 'feishu' });
    expect(listing.attachments).toHaveLength(16);
    expect(sandbox.log.map((e) => [e.endpoint, e.code])).toEqual([
      ['auth.tenant-access-token', 0],
      ['docx.blocks.list', 0],
      ['docx.blocks.list', 99991677],
      ['auth.tenant-access-token', 0],
      ['docx.blocks.list', 0],
      ['docx.blocks.list', 0],
    ]);
  });

  it('tries only once: a renewed token that is refused too fails the call', async () => {
    let renewals = 0;
    const client = new FeishuClient({
      apiBase: FEISHU_API,
      accessToken: async () => 't-0000000000000000000000000000000000000000',
      renewToken: async () => {
        renewals++;
        return 't-1111111111111111111111111111111111111111';
      },
      limiters: new RateLimiterRegistry(),
      fetch: sandboxFetch(sandbox),
    });
    const problem = await problemOf(client.request(FEISHU_ENDPOINTS.documentGet, { path: `docx/v1/documents/${DOCS.weekly}` }, z.unknown()));
    expect(problem).toMatchObject({ kind: 'token-invalid', code: 99991663 });
    expect(renewals).toBe(1);
    expect(sandbox.log).toHaveLength(2);
  });

  it('gives up with the first problem when no other token can be had', async () => {
    for (const answer of [null, 't-0000000000000000000000000000000000000000']) {
      sandbox.log.length = 0;
      const client = new FeishuClient({
        apiBase: FEISHU_API,
        accessToken: async () => 't-0000000000000000000000000000000000000000',
        renewToken: async () => answer,
        limiters: new RateLimiterRegistry(),
        fetch: sandboxFetch(sandbox),
      });
      expect(await problemOf(client.request(FEISHU_ENDPOINTS.documentGet, { path: `docx/v1/documents/${DOCS.weekly}` }, z.unknown()))).toMatchObject({
        kind: 'token-invalid',
      });
      expect(sandbox.log).toHaveLength(1);
    }
  });

  it('never renews for other problems', async () => {
    let renewals = 0;
    const { tokens } = setup();
    const client = new FeishuClient({
      apiBase: FEISHU_API,
      accessToken: () => tokens.token(APP),
      renewToken: async (rejected) => {
        renewals++;
        return tokens.renew(APP, rejected);
      },
      limiters: new RateLimiterRegistry(),
      fetch: sandboxFetch(sandbox),
    });
    expect(await problemOf(client.request(FEISHU_ENDPOINTS.documentGet, { path: 'docx/v1/documents/NoSuchDocument2026AbCdEfGhI' }, z.unknown()))).toMatchObject({
      kind: 'not-found',
    });
    expect(renewals).toBe(0);
  });
});
