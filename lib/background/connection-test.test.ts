// @vitest-environment node
import type { Browser } from 'wxt/browser';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { sandboxFetch, startSandbox, TOKENS, type Sandbox } from '../../tests/sandbox';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { saveSettings } from '../settings';
import { testConnection } from './connection-test';
import { FeishuClients } from './feishu-clients';

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
    await saveSettings({ feishu: { apiBase: null, accessToken: TOKENS.feishuExpired } });
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
