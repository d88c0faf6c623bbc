// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDemoWorld, sandboxFetch, startSandbox, TOKENS, type Sandbox } from '../../tests/sandbox';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { FeishuClient } from './client';
import { testFeishuConnection, tokenKindOf } from './connection';

const FEISHU_API = 'https://open.feishu.cn';
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

function check(token: string, apiBase = FEISHU_API) {
  const client = new FeishuClient({ apiBase, accessToken: async () => token, limiters: new RateLimiterRegistry(), fetch: sandboxFetch(sandbox), retries: 0 });
  return testFeishuConnection(client, token);
}

describe('tokenKindOf', () => {
  it.each([
    ['t-g1044ghJRUIJJ5ELPDNIU3FZ4DGJ4Q3E3MX2C3LQ', 'tenant'],
    ['u-7f1bcd13fc57d46bac21793a18e560', 'user'],
    ['eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln', 'user'],
  ])('%s is a %s token', (token, kind) => {
    expect(tokenKindOf(token)).toBe(kind);
  });
});

describe('testFeishuConnection against the sandbox', () => {
  it('names the user of a user token', async () => {
    expect(await check(TOKENS.feishuUser)).toEqual({ ok: true, apiBase: FEISHU_API, tokenKind: 'user', who: '张三' });
    expect(sandbox.log.map((e) => [e.endpoint, e.code])).toEqual([['authen.user-info', 0]]);
  });

  it('names the tenant of a tenant token', async () => {
    expect(await check(TOKENS.feishuTenant)).toEqual({ ok: true, apiBase: FEISHU_API, tokenKind: 'tenant', who: '示例科技有限公司' });
    expect(sandbox.log.map((e) => e.endpoint)).toEqual(['tenant.query']);
  });

  it('accepts a tenant token that may not read the tenant, naming the scope that would', async () => {
    const world = createDemoWorld();
    const token = 't-sandbox-feishu-tenant-without-tenant-scope-0000';
    world.tokens.push({ token, kind: 'tenant', brand: 'feishu', name: 'App', scopes: ['docx:document:readonly'] });
    sandbox.world = world;
    expect(await check(token)).toEqual({ ok: true, apiBase: FEISHU_API, tokenKind: 'tenant', missingScope: 'tenant:tenant:readonly' });
  });

  it('reports an expired token', async () => {
    expect(await check(TOKENS.feishuExpired)).toEqual({
      ok: false,
      apiBase: FEISHU_API,
      problem: { kind: 'token-expired', code: 99991677, status: 400, host: 'open.feishu.cn', detail: 'Authentication token expired. Please refresh access token.' },
    });
  });

  it('reports a Lark token tried against Feishu as invalid, and accepts it against Lark', async () => {
    const feishu = await check(TOKENS.larkUser);
    expect(feishu.ok === false && feishu.problem).toMatchObject({ kind: 'token-invalid', code: 99991668, host: 'open.feishu.cn' });
    expect(await check(TOKENS.larkUser, 'https://open.larksuite.com')).toEqual({ ok: true, apiBase: 'https://open.larksuite.com', tokenKind: 'user', who: 'Alex Kim' });
  });
});
