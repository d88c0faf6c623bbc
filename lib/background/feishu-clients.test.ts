// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { z } from 'zod';
import { APP_EXPECT, createDemoWorld, CUSTOM_HOST, DOCS, sandboxFetch, startSandbox, TOKENS, type Sandbox } from '../../tests/sandbox';
import type { FeishuPage } from '../core/page';
import { FEISHU_ENDPOINTS } from '../feishu/client';
import { listDocxAttachments } from '../feishu/docx';
import { DEFAULT_SETTINGS, saveSettings, type Settings } from '../settings';
import { FeishuClients } from './feishu-clients';
import { problemOf } from '../../tests/unit/problem-of';

/** Settings with the given Feishu fields, every other field at its default. */
function settings(values: Partial<Settings['feishu']>): Settings {
  return { ...DEFAULT_SETTINGS, feishu: { ...DEFAULT_SETTINGS.feishu, ...values } };
}

const CUSTOM = 'https://feishu.corp.example';
const feishuPage: FeishuPage = { platform: 'feishu', brand: 'feishu', host: 'acme.feishu.cn', kind: 'docx', token: DOCS.weekly };
const larkPage: FeishuPage = { platform: 'feishu', brand: 'lark', host: 'acme.larksuite.com', kind: 'docx', token: DOCS.lark };

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


/** Whether the user granted the optional host permission of the private deployment. */
function hostPermission(granted: boolean): MockInstance<(permissions: Browser.permissions.Permissions) => Promise<boolean>> {
  // The typings end with the callback overload, the one vitest's spy types pick; the extension uses the promise form.
  const spy = vi.spyOn(fakeBrowser.permissions, 'contains') as unknown as MockInstance<(permissions: Browser.permissions.Permissions) => Promise<boolean>>;
  return spy.mockResolvedValue(granted);
}

describe('FeishuClients', () => {
  it('knows whether a token is saved', async () => {
    const clients = new FeishuClients();
    expect(await clients.hasCredentials()).toBe(false);
    await saveSettings(settings({ apiBase: null, accessToken: TOKENS.feishuUser }));
    expect(await clients.hasCredentials()).toBe(true);
  });

  it('picks the official API of the page\'s brand when none is configured', async () => {
    await saveSettings(settings({ apiBase: null, accessToken: TOKENS.feishuUser }));
    const clients = new FeishuClients();
    expect((await clients.forPage(feishuPage)).apiBase).toBe('https://open.feishu.cn');
    expect((await clients.forPage(larkPage)).apiBase).toBe('https://open.larksuite.com');
  });

  it('lists a page with the saved token against the sandbox', async () => {
    await saveSettings(settings({ apiBase: null, accessToken: TOKENS.feishuUser }));
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    const listing = await listDocxAttachments(await clients.forPage(feishuPage), feishuPage);
    expect(listing.attachments).toHaveLength(16);
    expect(sandbox.log.every((e) => e.headers['authorization'] === `Bearer ${TOKENS.feishuUser}`)).toBe(true);
  });

  it('reads the token at call time, so a new token applies to existing clients', async () => {
    await saveSettings(settings({ apiBase: null, accessToken: TOKENS.feishuExpired }));
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    const client = await clients.forPage(feishuPage);
    expect(await problemOf(listDocxAttachments(client, feishuPage))).toMatchObject({ kind: 'token-expired' });
    await saveSettings(settings({ apiBase: null, accessToken: TOKENS.feishuUser }));
    expect((await listDocxAttachments(client, feishuPage)).attachments).toHaveLength(16);
  });

  it('sends nothing when the token was removed', async () => {
    await saveSettings(settings({ apiBase: null, accessToken: TOKENS.feishuUser }));
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    const client = await clients.forPage(feishuPage);
    await saveSettings(settings({ apiBase: null, accessToken: null }));
    expect(await problemOf(listDocxAttachments(client, feishuPage))).toEqual({ kind: 'credentials-missing' });
    expect(sandbox.log).toEqual([]);
  });

  it('uses a configured private deployment for every page, once its host permission is granted', async () => {
    await saveSettings(settings({ apiBase: CUSTOM, accessToken: TOKENS.feishuUser }));
    const contains = hostPermission(true);
    const clients = new FeishuClients();
    expect((await clients.forPage(feishuPage)).apiBase).toBe(CUSTOM);
    expect((await clients.forPage(larkPage)).apiBase).toBe(CUSTOM);
    expect(contains).toHaveBeenCalledWith({ origins: [`${CUSTOM}/*`] });
  });

  it('refuses a private deployment without its host permission', async () => {
    await saveSettings(settings({ apiBase: CUSTOM, accessToken: TOKENS.feishuUser }));
    hostPermission(false);
    expect(await problemOf(new FeishuClients().forApiBase(CUSTOM))).toEqual({ kind: 'host-permission-missing', host: 'feishu.corp.example' });
  });

  it('never sends the token to an API base other than the configured one (a listing made before settings changed)', async () => {
    await saveSettings(settings({ apiBase: CUSTOM, accessToken: TOKENS.feishuUser }));
    const contains = hostPermission(true);
    const clients = new FeishuClients();
    for (const other of ['https://open.feishu.cn', 'https://evil.example']) {
      expect(await problemOf(clients.forApiBase(other))).toEqual({
        kind: 'unknown',
        host: new URL(other).hostname,
        detail: 'The API base URL changed since this list was made; refresh the list.',
      });
    }
    expect(contains).not.toHaveBeenCalled();
  });

  it('accepts only the official bases when none is configured', async () => {
    await saveSettings(settings({ apiBase: null, accessToken: TOKENS.feishuUser }));
    const contains = hostPermission(false);
    const clients = new FeishuClients();
    expect((await clients.forApiBase('https://open.larksuite.com')).apiBase).toBe('https://open.larksuite.com');
    expect(contains).not.toHaveBeenCalled();
    expect(await problemOf(clients.forApiBase(CUSTOM))).toMatchObject({ kind: 'unknown', host: 'feishu.corp.example' });
  });

  it('shares one set of rate limiters between its clients', async () => {
    await saveSettings(settings({ apiBase: null, accessToken: TOKENS.feishuUser }));
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    const a = await clients.forPage(feishuPage);
    const b = await clients.forPage(feishuPage);
    // Seven document reads through two clients stay within the gateway's 5/s: no refusal.
    const read = (client: typeof a) =>
      client.request(FEISHU_ENDPOINTS.documentGet, { path: `docx/v1/documents/${DOCS.weekly}` }, z.unknown());
    await Promise.all([read(a), read(b), read(a), read(b), read(a), read(b), read(a)]);
    expect(sandbox.log.map((e) => e.code)).toEqual(Array(7).fill(0));
  });
});

describe('FeishuClients in app mode', () => {
  const app = settings({ authMode: 'app', appId: APP_EXPECT.appId, appSecret: APP_EXPECT.appSecret });
  const privatePage: FeishuPage = { ...feishuPage, token: DOCS.private };

  it('knows whether the app\'s id and secret are saved', async () => {
    const clients = new FeishuClients();
    await saveSettings(settings({ authMode: 'app', appId: APP_EXPECT.appId, accessToken: TOKENS.feishuUser }));
    expect(await clients.hasCredentials()).toBe(false);
    await saveSettings(app);
    expect(await clients.hasCredentials()).toBe(true);
  });

  it('lists with a tenant token obtained from the app\'s id and secret, sending the secret to the token endpoint only', async () => {
    await saveSettings(app);
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    const listing = await listDocxAttachments(await clients.forPage(privatePage), privatePage);
    expect(listing.attachments.map((a) => a.name)).toEqual(['内部资料.pdf']);
    expect(sandbox.log.map((e) => [e.endpoint, e.code])).toEqual([
      ['auth.tenant-access-token', 0],
      ['docx.blocks.list', 0],
    ]);
    expect(sandbox.log[0]?.headers['authorization']).toBeUndefined();
    const issued = [...sandbox.api.state.issuedTokens.keys()];
    expect(sandbox.log[1]?.headers['authorization']).toBe(`Bearer ${issued[0]}`);
  });

  it('gets a new tenant token when the old one is rejected, without failing the call', async () => {
    await saveSettings(app);
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    const client = await clients.forPage(privatePage);
    await listDocxAttachments(client, privatePage);
    sandbox.api.expireIssuedTokens();
    sandbox.log.length = 0;
    expect((await listDocxAttachments(client, privatePage)).attachments).toHaveLength(1);
    expect(sandbox.log.map((e) => [e.endpoint, e.code])).toEqual([
      ['docx.blocks.list', 99991677],
      ['auth.tenant-access-token', 0],
      ['docx.blocks.list', 0],
    ]);
  });

  it('sends nothing when the secret is missing', async () => {
    await saveSettings(settings({ authMode: 'app', appId: APP_EXPECT.appId }));
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    expect(await problemOf(listDocxAttachments(await clients.forPage(privatePage), privatePage))).toEqual({ kind: 'credentials-missing' });
    expect(sandbox.log).toEqual([]);
  });

  it('reports a wrong secret as invalid app credentials', async () => {
    await saveSettings(settings({ authMode: 'app', appId: APP_EXPECT.appId, appSecret: 'WrongSecret0123456789abcdefXYZ' }));
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    expect(await problemOf(listDocxAttachments(await clients.forPage(privatePage), privatePage))).toMatchObject({ kind: 'app-credentials-invalid', code: 10014 });
  });

  it.each([
    ['app mode', settings({ authMode: 'app', appId: APP_EXPECT.appId, appSecret: APP_EXPECT.appSecret }), true],
    ['a pasted tenant token', settings({ accessToken: TOKENS.feishuTenant }), true],
    ['a pasted user token', settings({ accessToken: TOKENS.feishuUser }), false],
    ['nothing saved', DEFAULT_SETTINGS, false],
  ])('knows whether it uses a tenant token (Mail needs a user\'s): %s', async (_name, saved, expected) => {
    await saveSettings(saved);
    expect(await new FeishuClients().usesTenantToken()).toBe(expected);
  });
});

describe('FeishuClients with custom hosts', () => {
  const customHost = { host: CUSTOM_HOST.host, apiBase: CUSTOM_HOST.apiBase, brand: CUSTOM_HOST.brand };
  const customPage: FeishuPage = { platform: 'feishu', brand: 'feishu', host: CUSTOM_HOST.host, kind: 'docx', token: DOCS.weekly };

  it('lists a custom host\'s page through its own API, once that API\'s permission is granted', async () => {
    await saveSettings(settings({ accessToken: TOKENS.feishuUser, customHosts: [customHost] }));
    const contains = hostPermission(true);
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    const client = await clients.forPage(customPage);
    expect(client.apiBase).toBe(CUSTOM_HOST.apiBase);
    expect(contains).toHaveBeenCalledWith({ origins: [`${CUSTOM_HOST.apiBase}/*`] });
    expect((await listDocxAttachments(client, customPage)).attachments).toHaveLength(16);
    expect(new Set(sandbox.log.map((e) => e.host))).toEqual(new Set([CUSTOM_HOST.apiHost]));
  });

  it('accepts a custom host\'s API base only while the host is configured', async () => {
    await saveSettings(settings({ accessToken: TOKENS.feishuUser, customHosts: [customHost] }));
    hostPermission(true);
    const clients = new FeishuClients();
    expect((await clients.forApiBase(CUSTOM_HOST.apiBase)).apiBase).toBe(CUSTOM_HOST.apiBase);
    await saveSettings(settings({ accessToken: TOKENS.feishuUser }));
    expect(await problemOf(clients.forApiBase(CUSTOM_HOST.apiBase))).toMatchObject({ kind: 'unknown', host: CUSTOM_HOST.apiHost });
    // Its pages then go to the official API of their brand.
    expect((await clients.forPage(customPage)).apiBase).toBe('https://open.feishu.cn');
  });

  it('refuses a custom host\'s API without its host permission, before any call', async () => {
    await saveSettings(settings({ accessToken: TOKENS.feishuUser, customHosts: [customHost] }));
    hostPermission(false);
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    expect(await problemOf(clients.forPage(customPage))).toEqual({ kind: 'host-permission-missing', host: CUSTOM_HOST.apiHost });
    expect(sandbox.log).toEqual([]);
  });

  it('keeps the official APIs (no permission asked) next to the custom ones', async () => {
    await saveSettings(settings({ accessToken: TOKENS.feishuUser, customHosts: [customHost] }));
    const contains = hostPermission(false);
    const clients = new FeishuClients();
    expect((await clients.forPage(feishuPage)).apiBase).toBe('https://open.feishu.cn');
    expect((await clients.forPage(larkPage)).apiBase).toBe('https://open.larksuite.com');
    expect(contains).not.toHaveBeenCalled();
  });

  it('uses a wildcard host\'s API for every tenant subdomain', async () => {
    await saveSettings(settings({ accessToken: TOKENS.feishuUser, customHosts: [{ host: '*.acme-private.cn', apiBase: CUSTOM_HOST.apiBase, brand: 'feishu' }] }));
    hostPermission(true);
    const clients = new FeishuClients();
    expect((await clients.forPage({ ...customPage, host: 'team-a.acme-private.cn' })).apiBase).toBe(CUSTOM_HOST.apiBase);
    expect((await clients.forPage({ ...customPage, host: 'acme-private.cn.evil.example' })).apiBase).toBe('https://open.feishu.cn');
  });

  it('gets tenant tokens from a custom host\'s own token endpoint in app mode', async () => {
    await saveSettings(settings({ authMode: 'app', appId: APP_EXPECT.appId, appSecret: APP_EXPECT.appSecret, customHosts: [customHost] }));
    hostPermission(true);
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    const page: FeishuPage = { ...customPage, token: DOCS.private };
    expect((await listDocxAttachments(await clients.forPage(page), page)).attachments).toHaveLength(1);
    expect(sandbox.log.map((e) => [e.host, e.endpoint])).toEqual([
      [CUSTOM_HOST.apiHost, 'auth.tenant-access-token'],
      [CUSTOM_HOST.apiHost, 'docx.blocks.list'],
    ]);
  });
});
