// @vitest-environment node
/**
 * The options page's "Test Ekuaibao connection" against the sandbox: a pasted token is tried on a form code no
 * tenant has (412: accepted, 403: refused), app mode asks the token endpoint itself; nothing is sent to an address
 * prefix the user has not granted.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createDemoWorld, EKUAIBAO, sandboxFetch, startSandbox, type Sandbox } from '../../tests/sandbox';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { fetchForm } from '../ekuaibao/forms';
import type { RequestOf } from '../messaging/protocol';
import { DEFAULT_SETTINGS, saveSettings, type Settings } from '../settings';
import { EkuaibaoClients } from './ekuaibao-clients';
import { testEkuaibaoConnection } from './ekuaibao-connection-test';
import { problemOf } from '../../tests/unit/problem-of';

type ConnectionRequest = RequestOf<'testEkuaibaoConnection'>;

const API = EKUAIBAO.apiBase;
const PRIVATE = 'https://ekb.corp.example';

let sandbox: Sandbox;
let clients: EkuaibaoClients;

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
  clients = new EkuaibaoClients(new RateLimiterRegistry(), sandboxFetch(sandbox));
});

/** Settings with the given Ekuaibao fields, every other field at its default. */
function settings(values: Partial<Settings['ekuaibao']>): Settings {
  return { ...DEFAULT_SETTINGS, ekuaibao: { ...DEFAULT_SETTINGS.ekuaibao, ...values } };
}

const withToken = (accessToken: string | null, apiBase: string = API): ConnectionRequest => ({ apiBase, accessToken, app: null });
const withApp = (appKey: string, appSecurity: string | null, apiBase: string = API): ConnectionRequest => ({ apiBase, accessToken: null, app: { appKey, appSecurity } });
const check = (request: ConnectionRequest) => testEkuaibaoConnection(request, clients);

/** Whether the user granted the optional host permission of the address prefix. */
function hostPermission(granted: boolean): MockInstance<(permissions: Browser.permissions.Permissions) => Promise<boolean>> {
  // The typings end with the callback overload, the one vitest's spy types pick; the code uses the promise form.
  const spy = vi.spyOn(fakeBrowser.permissions, 'contains') as unknown as MockInstance<(permissions: Browser.permissions.Permissions) => Promise<boolean>>;
  return spy.mockResolvedValue(granted);
}


const calls = () => sandbox.log.map((e) => `${e.host} ${e.endpoint} ${e.status}`);

describe('testEkuaibaoConnection with a pasted token', () => {
  it('accepts a valid token: the probe form is simply not found', async () => {
    expect(await check(withToken(EKUAIBAO.token))).toEqual({ ok: true, apiBase: API });
    expect(calls()).toEqual(['app.ekuaibao.com ekb.flow-details.by-code 412']);
    expect(new Map(sandbox.log[0]?.query).get('accessToken')).toBe(EKUAIBAO.token);
  });

  it('says token-invalid for an expired token', async () => {
    expect(await check(withToken(EKUAIBAO.expiredToken))).toEqual({
      ok: false,
      apiBase: API,
      problem: { kind: 'token-invalid', platform: 'ekuaibao', status: 403, host: 'app.ekuaibao.com', detail: '未授权' },
    });
    expect(calls()).toEqual(['app.ekuaibao.com ekb.flow-details.by-code 403']);
  });

  it('tests the saved token when the form has none', async () => {
    await saveSettings(settings({ accessToken: EKUAIBAO.expiredToken }));
    expect(await check(withToken(null))).toMatchObject({ ok: false, problem: { kind: 'token-invalid' } });
    await saveSettings(settings({ accessToken: EKUAIBAO.token }));
    expect(await check(withToken(null))).toEqual({ ok: true, apiBase: API });
  });

  it('takes the address prefix with /api/openapi and a trailing slash, and another edition as it is', async () => {
    expect(await check(withToken(EKUAIBAO.token, `${API}/api/openapi/`))).toEqual({ ok: true, apiBase: API });
    expect(await check(withToken(EKUAIBAO.token, EKUAIBAO.dingTalkApiBase))).toEqual({ ok: true, apiBase: EKUAIBAO.dingTalkApiBase });
    expect(sandbox.log.map((e) => e.host)).toEqual(['app.ekuaibao.com', 'dd2.hosecloud.com']);
  });

  it('refuses without calling anything: no token, a malformed token, a base that is not https', async () => {
    expect(await check(withToken(null))).toEqual({ ok: false, apiBase: API, problem: { kind: 'credentials-missing', platform: 'ekuaibao' } });
    expect(await check(withToken('has spaces in it'))).toMatchObject({ ok: false, problem: { kind: 'token-invalid', platform: 'ekuaibao' } });
    expect(await check(withToken(EKUAIBAO.token, 'http://app.ekuaibao.com'))).toMatchObject({ ok: false, problem: { kind: 'unknown', platform: 'ekuaibao' } });
    expect(sandbox.log).toEqual([]);
  });
});

describe('testEkuaibaoConnection with an app key and security', () => {
  it('obtains a token with the right credentials and names the corporation', async () => {
    expect(await check(withApp(EKUAIBAO.app.appKey, EKUAIBAO.app.appSecurity))).toEqual({ ok: true, apiBase: API, corporationId: EKUAIBAO.corpId });
    expect(calls()).toEqual(['app.ekuaibao.com ekb.auth.get-token 200']);
    expect(JSON.parse(sandbox.log[0]?.bodyText ?? '')).toEqual(EKUAIBAO.app);
  });

  it('says app-credentials-invalid for a wrong security', async () => {
    expect(await check(withApp(EKUAIBAO.app.appKey, 'wrong_security_0000000000'))).toEqual({
      ok: false,
      apiBase: API,
      problem: { kind: 'app-credentials-invalid', platform: 'ekuaibao', status: 403, host: 'app.ekuaibao.com', detail: '密钥无效' },
    });
  });

  it('uses the saved security for the saved key when none is typed, and only for that key', async () => {
    await saveSettings(settings({ authMode: 'app', appKey: EKUAIBAO.app.appKey, appSecurity: EKUAIBAO.app.appSecurity }));
    expect(await check(withApp(EKUAIBAO.app.appKey, null))).toEqual({ ok: true, apiBase: API, corporationId: EKUAIBAO.corpId });
    expect(await check(withApp('another-app-key', null))).toEqual({ ok: false, apiBase: API, problem: { kind: 'credentials-missing', platform: 'ekuaibao' } });
    expect(calls()).toEqual(['app.ekuaibao.com ekb.auth.get-token 200']);
  });

  it('leaves the saved credentials to their own tokens: testing typed ones caches nothing', async () => {
    await saveSettings(settings({ authMode: 'app', appKey: EKUAIBAO.app.appKey, appSecurity: 'wrong_security_0000000000' }));
    expect(await check(withApp(EKUAIBAO.app.appKey, EKUAIBAO.app.appSecurity))).toMatchObject({ ok: true });
    // Not saved: the background still signs in with the saved (wrong) security, and is refused.
    const client = await clients.forApiBase(API);
    expect(await problemOf(fetchForm(client, { code: EKUAIBAO.forms.travel.code }))).toMatchObject({ kind: 'app-credentials-invalid', platform: 'ekuaibao' });
    expect(calls()).toEqual(['app.ekuaibao.com ekb.auth.get-token 200', 'app.ekuaibao.com ekb.auth.get-token 403']);
  });

  it('refuses malformed credentials without calling anything', async () => {
    expect(await check(withApp('a b', EKUAIBAO.app.appSecurity))).toMatchObject({ ok: false, problem: { kind: 'app-credentials-invalid' } });
    expect(await check(withApp(EKUAIBAO.app.appKey, 'x'))).toMatchObject({ ok: false, problem: { kind: 'app-credentials-invalid' } });
    expect(sandbox.log).toEqual([]);
  });
});

describe('testEkuaibaoConnection and host permissions', () => {
  it('asks for the host permission of a private address prefix before sending the token there', async () => {
    const contains = hostPermission(false);
    expect(await check(withToken(EKUAIBAO.token, PRIVATE))).toEqual({
      ok: false,
      apiBase: PRIVATE,
      problem: { kind: 'host-permission-missing', platform: 'ekuaibao', host: 'ekb.corp.example' },
    });
    expect(await check(withApp(EKUAIBAO.app.appKey, EKUAIBAO.app.appSecurity, PRIVATE))).toMatchObject({ ok: false, problem: { kind: 'host-permission-missing' } });
    expect(contains).toHaveBeenCalledWith({ origins: [`${PRIVATE}/*`] });
    expect(sandbox.log).toEqual([]);
  });

  it('needs no permission for the documented Ekuaibao hosts', async () => {
    const contains = hostPermission(false);
    expect(await check(withToken(EKUAIBAO.token))).toEqual({ ok: true, apiBase: API });
    expect(contains).not.toHaveBeenCalled();
  });

  it('sends the token to a granted private address prefix, and only there', async () => {
    hostPermission(true);
    const result = await check(withToken(EKUAIBAO.token, PRIVATE));
    // The sandbox serves no such host (421): the test reached it and says what came back.
    expect(result).toMatchObject({ ok: false, apiBase: PRIVATE, problem: { platform: 'ekuaibao', host: 'ekb.corp.example', status: 421 } });
    // (Node's fetch itself repeats a 421 Misdirected Request once on a new connection.)
    expect(new Set(sandbox.log.map((e) => e.host))).toEqual(new Set(['ekb.corp.example']));
  });
});
