// @vitest-environment node
import type { Browser } from 'wxt/browser';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { APP_EXPECT, sandboxFetch, startSandbox, TOKENS, type Sandbox } from '../../tests/sandbox';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { DEFAULT_SETTINGS, saveSettings, type Settings } from '../settings';
import { testConnection } from './connection-test';
import { FeishuClients } from './feishu-clients';

/** Settings with the given Feishu fields, every other field at its default. */
function settings(values: Partial<Settings['feishu']>): Settings {
  return { ...DEFAULT_SETTINGS, feishu: { ...DEFAULT_SETTINGS.feishu, ...values } };
}

let sandbox: Sandbox;
let clients: FeishuClients;

beforeAll(async () => {
  sandbox = await startSandbox({ tls: false });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  fakeBrowser.reset();
  sandbox.reset();
  clients = new FeishuClients(new RateLimiterRegistry(), sandboxFetch(sandbox));
});

const apiHosts = () => sandbox.log.map((r) => r.host);

describe('testConnection', () => {
  it('names the user of a user token on the automatic (Feishu) base', async () => {
    expect(await testConnection({ apiBase: null, accessToken: TOKENS.feishuUser }, clients)).toEqual({
      ok: true,
      apiBase: 'https://open.feishu.cn',
      tokenKind: 'user',
      who: '张三',
    });
    expect(sandbox.log.map((r) => r.endpoint)).toEqual(['authen.user-info']);
  });

  it('names the tenant of a tenant token', async () => {
    const result = await testConnection({ apiBase: 'https://open.feishu.cn/open-apis/', accessToken: `Bearer ${TOKENS.feishuTenant}` }, clients);
    expect(result).toEqual({ ok: true, apiBase: 'https://open.feishu.cn', tokenKind: 'tenant', who: '示例科技有限公司' });
  });

  it('finds a Lark token on the Lark base when no base is chosen', async () => {
    const result = await testConnection({ apiBase: null, accessToken: TOKENS.larkUser }, clients);
    expect(result).toEqual({ ok: true, apiBase: 'https://open.larksuite.com', tokenKind: 'user', who: 'Alex Kim' });
    expect(apiHosts()).toEqual(['open.feishu.cn', 'open.larksuite.com']);
  });

  it('tests the saved token when the form has none', async () => {
    await saveSettings(settings({ apiBase: null, accessToken: TOKENS.feishuExpired }));
    const result = await testConnection({ apiBase: 'https://open.feishu.cn', accessToken: null }, clients);
    expect(result).toMatchObject({ ok: false, apiBase: 'https://open.feishu.cn', problem: { kind: 'token-expired', code: 99991677 } });
  });

  it('refuses without calling anything: no token at all, a malformed token, a malformed base', async () => {
    expect(await testConnection({ apiBase: null, accessToken: null }, clients)).toEqual({ ok: false, problem: { kind: 'credentials-missing' } });
    expect(await testConnection({ apiBase: null, accessToken: 'has spaces in it' }, clients)).toMatchObject({ ok: false, problem: { kind: 'token-invalid' } });
    expect(await testConnection({ apiBase: 'http://open.feishu.cn', accessToken: TOKENS.feishuUser }, clients)).toMatchObject({ ok: false, problem: { kind: 'unknown' } });
    expect(sandbox.log).toEqual([]);
  });

  it('asks for the host permission of a private base before sending the token there', async () => {
    const contains = vi.spyOn(fakeBrowser.permissions, 'contains') as unknown as MockInstance<(p: Browser.permissions.Permissions) => Promise<boolean>>;
    contains.mockImplementation(async () => false);
    const result = await testConnection({ apiBase: 'https://open.feishu.example.com', accessToken: TOKENS.feishuUser }, clients);
    expect(result).toEqual({
      ok: false,
      apiBase: 'https://open.feishu.example.com',
      problem: { kind: 'host-permission-missing', host: 'open.feishu.example.com' },
    });
    expect(contains).toHaveBeenCalledWith({ origins: ['https://open.feishu.example.com/*'] });
    expect(sandbox.log).toEqual([]);
  });
});

describe('testConnection with app credentials', () => {
  const app = { appId: APP_EXPECT.appId, appSecret: APP_EXPECT.appSecret };

  it('gets a fresh tenant token and names the tenant', async () => {
    expect(await testConnection({ apiBase: null, accessToken: null, app }, clients)).toEqual({
      ok: true,
      apiBase: 'https://open.feishu.cn',
      tokenKind: 'tenant',
      who: '示例科技有限公司',
    });
    expect(sandbox.log.map((r) => [r.endpoint, r.code])).toEqual([
      ['auth.tenant-access-token', 0],
      ['tenant.query', 0],
    ]);
    // Each test proves the credentials now: no cached token is reused.
    await testConnection({ apiBase: null, accessToken: null, app }, clients);
    expect(sandbox.log.filter((r) => r.endpoint === 'auth.tenant-access-token')).toHaveLength(2);
  });

  it('tests the saved secret when the form has none, for the same app only', async () => {
    await saveSettings(settings({ authMode: 'app', appId: APP_EXPECT.appId, appSecret: APP_EXPECT.appSecret }));
    expect(await testConnection({ apiBase: null, accessToken: null, app: { appId: APP_EXPECT.appId, appSecret: null } }, clients)).toMatchObject({ ok: true, tokenKind: 'tenant' });
    sandbox.log.length = 0;
    expect(await testConnection({ apiBase: null, accessToken: null, app: { appId: 'cli_b7otherapp0000002', appSecret: null } }, clients)).toEqual({
      ok: false,
      problem: { kind: 'credentials-missing' },
    });
    expect(sandbox.log).toEqual([]);
  });

  it('refuses a malformed id or secret without calling anything', async () => {
    expect(await testConnection({ apiBase: null, accessToken: null, app: { appId: 'a5sandbox', appSecret: APP_EXPECT.appSecret } }, clients)).toMatchObject({
      ok: false,
      problem: { kind: 'app-credentials-invalid' },
    });
    expect(await testConnection({ apiBase: null, accessToken: null, app: { appId: APP_EXPECT.appId, appSecret: 'short' } }, clients)).toMatchObject({
      ok: false,
      problem: { kind: 'app-credentials-invalid' },
    });
    expect(sandbox.log).toEqual([]);
  });

  it('says the credentials are wrong when neither brand knows them', async () => {
    const result = await testConnection({ apiBase: null, accessToken: null, app: { appId: APP_EXPECT.appId, appSecret: 'WrongSecret0123456789abcdefXYZ' } }, clients);
    expect(result).toMatchObject({ ok: false, problem: { kind: 'app-credentials-invalid' } });
    expect(sandbox.log.map((r) => [r.host, r.endpoint])).toEqual([
      ['open.feishu.cn', 'auth.tenant-access-token'],
      ['open.larksuite.com', 'auth.tenant-access-token'],
    ]);
  });
});
