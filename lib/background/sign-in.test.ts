// @vitest-environment node
/**
 * "Sign in with Feishu" against the sandbox's fake authorize page and token endpoint: the code exchange, the
 * signed-in user's tokens used by the API clients, refreshes (single-use refresh tokens, serialised), the end of a
 * sign-in, sign-out, and where the tokens are stored.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { APPS, createDemoWorld, DOCS, sandboxFetch, startSandbox, type Sandbox } from '../../tests/sandbox';
import { consentAs } from '../../tests/sandbox/oauth-user';
import type { FeishuPage } from '../core/page';
import { listDocxAttachments } from '../feishu/docx';
import { authorizeUrl, createPkce, createState, parseCallback, SIGN_IN_SCOPES } from '../feishu/oauth';
import { REFRESH_MARGIN_MS } from '../feishu/user-tokens';
import { DEFAULT_SETTINGS, saveSettings, type Settings } from '../settings';
import { FeishuClients } from './feishu-clients';
import { testConnection } from './connection-test';
import { completeSignIn, signInStatus, signOut } from './sign-in';
import { problemOf } from '../../tests/unit/problem-of';

const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const PAGE: FeishuPage = { platform: 'feishu', brand: 'feishu', host: 'acme.feishu.cn', kind: 'docx', token: DOCS.weekly };

let sandbox: Sandbox;
let send: typeof fetch;
/** How far the clock (the extension's and the sandbox's, both read through Date.now) runs ahead. */
let skew = 0;

const realNow = Date.now.bind(Date);

beforeAll(async () => {
  sandbox = await startSandbox({ tls: false });
  send = sandboxFetch(sandbox);
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  skew = 0;
  // Set for each test: the config restores spies between tests.
  vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skew);
  fakeBrowser.reset();
  sandbox.world = createDemoWorld();
  sandbox.reset();
  sandbox.api.oauth.registerRedirectUri(APPS.feishu.appId, REDIRECT);
  fakeBrowser.identity.getRedirectURL = () => REDIRECT;
});

function signInSettings(values: Partial<Settings> = {}): Settings {
  return { ...DEFAULT_SETTINGS, feishu: { ...DEFAULT_SETTINGS.feishu, authMode: 'oauth', appId: APPS.feishu.appId, appSecret: APPS.feishu.appSecret }, ...values };
}

/** What the options page does: PKCE, the authorize page (the user presses Authorize), the callback's checks. */
async function authorize(scopes: readonly string[] = SIGN_IN_SCOPES): Promise<{ code: string; verifier: string }> {
  const pkce = await createPkce();
  const state = createState();
  const url = authorizeUrl({ accountsBase: 'https://accounts.feishu.cn', appId: APPS.feishu.appId, redirectUri: REDIRECT, scopes, state, challenge: pkce.challenge });
  const callback = parseCallback(await consentAs(send, url), REDIRECT, state);
  if (!callback.ok) throw new Error(JSON.stringify(callback.problem));
  return { code: callback.code, verifier: pkce.verifier };
}

async function signedIn(clients: FeishuClients, settings = signInSettings()): Promise<void> {
  await saveSettings(settings);
  const { code, verifier } = await authorize();
  const result = await completeSignIn({ code, codeVerifier: verifier }, clients);
  expect(result.ok, JSON.stringify(result)).toBe(true);
}


/** Asymmetric matchers, typed `unknown` (vitest types them `any`). */
const containing = (shape: object): unknown => expect.objectContaining(shape);
const including = (items: readonly unknown[]): unknown => expect.arrayContaining([...items]);

const tokenCalls = () => sandbox.api.oauth.tokenRequests;
const refreshes = () => tokenCalls().filter((r) => r.grantType === 'refresh_token');

describe('sign in', () => {
  it('trades the code (with the PKCE verifier and the saved secret) for the user’s tokens, and names the user', async () => {
    const clients = new FeishuClients(undefined, send);
    await signedIn(clients);
    const status = await signInStatus(clients);
    expect(status.signedIn).toMatchObject({ name: '张三', apiBase: 'https://open.feishu.cn', appId: APPS.feishu.appId });
    expect(status.signedIn?.scopes).toEqual(including(['docx:document:readonly', 'offline_access']));
    expect(JSON.stringify(status)).not.toMatch(/u-[0-9a-f]{40}|ur-[0-9a-f]{40}/);
    expect(tokenCalls()).toEqual([containing({ grantType: 'authorization_code', code: 0 })]);

    // The clients now use the user's token: the document lists as 张三 sees it.
    const listed = await listDocxAttachments(await clients.forPage(PAGE), { token: DOCS.weekly, brand: 'feishu' });
    expect(listed.attachments).toHaveLength(16);
    expect(await clients.hasCredentials()).toBe(true);
    expect(await clients.usesTenantToken()).toBe(false);
  });

  it('"Test connection" with nothing typed tests the signed-in user’s token', async () => {
    const clients = new FeishuClients(undefined, send);
    await signedIn(clients);
    expect(await testConnection({ apiBase: null, accessToken: null, app: null }, clients)).toEqual({ ok: true, apiBase: 'https://open.feishu.cn', tokenKind: 'user', who: '张三' });
    await signOut(clients);
    expect(await testConnection({ apiBase: null, accessToken: null, app: null }, clients)).toEqual({ ok: false, apiBase: 'https://open.feishu.cn', problem: { kind: 'sign-in-required' } });
  });

  it('refuses a code exchanged with another verifier (PKCE), and a code used twice', async () => {
    const clients = new FeishuClients(undefined, send);
    await saveSettings(signInSettings());
    const { code, verifier } = await authorize();
    const other = await createPkce();
    expect(await completeSignIn({ code, codeVerifier: other.verifier }, clients)).toEqual({ ok: false, problem: containing({ kind: 'sign-in-required', code: 20049 }) });
    expect((await completeSignIn({ code, codeVerifier: verifier }, clients)).ok).toBe(true);
    expect(await completeSignIn({ code, codeVerifier: verifier }, clients)).toEqual({ ok: false, problem: containing({ kind: 'sign-in-required', code: 20065 }) });
  });

  it('says which setting is wrong when the app secret is refused, and does nothing without sign-in mode', async () => {
    const clients = new FeishuClients(undefined, send);
    await saveSettings(signInSettings({ feishu: { ...signInSettings().feishu, appSecret: 'WrongSecret0123456789abcdefghijk' } }));
    const { code, verifier } = await authorize();
    expect(await completeSignIn({ code, codeVerifier: verifier }, clients)).toEqual({ ok: false, problem: containing({ kind: 'app-credentials-invalid', code: 20002 }) });
    await saveSettings(DEFAULT_SETTINGS);
    expect(await completeSignIn({ code, codeVerifier: verifier }, clients)).toEqual({ ok: false, problem: containing({ kind: 'credentials-missing' }) });
  });
});

describe('refresh', () => {
  it('refreshes before expiry, once for many callers at the same moment (refresh tokens are single-use)', async () => {
    const clients = new FeishuClients(undefined, send);
    await signedIn(clients);
    const first = await clients.userTokens.token('https://open.feishu.cn');
    // Two hours later, within the refresh margin: twenty calls at once share one refresh.
    skew = 7200_000 - REFRESH_MARGIN_MS + 1000;
    const tokens = await Promise.all(Array.from({ length: 20 }, () => clients.userTokens.token('https://open.feishu.cn')));
    expect(new Set(tokens).size).toBe(1);
    expect(refreshes()).toEqual([containing({ code: 0 })]);
    const second = tokens[0];
    expect(second).not.toBe(first);
    const listed = await listDocxAttachments(await clients.forPage(PAGE), { token: DOCS.weekly, brand: 'feishu' });
    expect(listed.attachments).toHaveLength(16);
    expect(refreshes()).toHaveLength(1);
    // The rotated refresh token is the one kept: the next refresh works too.
    skew += 7200_000;
    expect(await clients.userTokens.token('https://open.feishu.cn')).not.toBe(second);
    expect(refreshes().map((r) => r.code)).toEqual([0, 0]);
  });

  it('refreshes once when the API refuses the token (99991677), and the call goes through', async () => {
    const clients = new FeishuClients(undefined, send);
    await signedIn(clients);
    sandbox.api.oauth.expireAccessTokens();
    const client = await clients.forPage(PAGE);
    const [a, b] = await Promise.all([listDocxAttachments(client, { token: DOCS.weekly, brand: 'feishu' }), listDocxAttachments(client, { token: DOCS.weekly, brand: 'feishu' })]);
    expect([a.attachments.length, b.attachments.length]).toEqual([16, 16]);
    expect(sandbox.log.some((r) => r.code === 99991677)).toBe(true);
    expect(refreshes()).toEqual([containing({ code: 0 })]);
  });

  it('ends the sign-in when the refresh token is revoked: every token forgotten, the reason kept, no more calls', async () => {
    const clients = new FeishuClients(undefined, send);
    await signedIn(clients);
    sandbox.api.oauth.revokeRefreshTokens();
    sandbox.api.oauth.expireAccessTokens();
    const client = await clients.forPage(PAGE);
    expect(await problemOf(listDocxAttachments(client, { token: DOCS.weekly, brand: 'feishu' }))).toMatchObject({ kind: 'sign-in-required', code: 20064 });
    const status = await signInStatus(clients);
    expect(status.signedIn).toBeNull();
    expect(status.ended).toMatchObject({ kind: 'sign-in-required', code: 20064 });
    const stored = JSON.stringify([await fakeBrowser.storage.local.get(null), await fakeBrowser.storage.session.get(null)]);
    for (const token of [...sandbox.api.oauth.issuedAccessTokens(), ...sandbox.api.oauth.issuedRefreshTokens()]) expect(stored).not.toContain(token);

    // Nothing is sent without a token; the list still says why (the sign-in ended), rather than "no credentials".
    const before = sandbox.log.length;
    expect(await problemOf((await clients.forPage(PAGE)).request({ id: 'x', limits: [], scopes: [] }, { path: 'docx/v1/documents/x' }, (await import('zod')).z.unknown()))).toMatchObject({
      kind: 'sign-in-required',
    });
    expect(sandbox.log.length).toBe(before);
    expect(await clients.hasCredentials()).toBe(true);

    // Signing in again clears the reason.
    const { code, verifier } = await authorize();
    expect((await completeSignIn({ code, codeVerifier: verifier }, clients)).ok).toBe(true);
    expect((await signInStatus(clients)).ended).toBeNull();
  });

  it('a sign-in to Feishu gives no token for a Lark page', async () => {
    const clients = new FeishuClients(undefined, send);
    await signedIn(clients);
    const larkPage: FeishuPage = { platform: 'feishu', brand: 'lark', host: 'acme.larksuite.com', kind: 'docx', token: DOCS.lark };
    expect(await problemOf(listDocxAttachments(await clients.forPage(larkPage), { token: DOCS.lark, brand: 'lark' }))).toMatchObject({ kind: 'sign-in-required', detail: 'signed in to open.feishu.cn' });
    expect(sandbox.log.filter((r) => r.host === 'open.larksuite.com')).toHaveLength(0);
  });
});

describe('storage', () => {
  it('remembered: the sign-in is in local storage; not remembered: in session storage only', async () => {
    const clients = new FeishuClients(undefined, send);
    await signedIn(clients);
    const [access] = sandbox.api.oauth.issuedAccessTokens();
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).toContain(access);

    await saveSettings(signInSettings({ rememberCredentials: false }));
    await clients.userTokens.relocate();
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toContain(access);
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toContain(APPS.feishu.appSecret);
    expect(JSON.stringify(await fakeBrowser.storage.session.get(null))).toContain(access);
    expect(await clients.userTokens.token('https://open.feishu.cn')).toBe(access);

    // The browser quits: session storage is gone, and with it the sign-in and the secret.
    await fakeBrowser.storage.session.clear();
    expect(await clients.userTokens.current()).toBeNull();
    expect(await clients.hasCredentials()).toBe(false);
  });

  it('sign out forgets every token', async () => {
    const clients = new FeishuClients(undefined, send);
    await signedIn(clients);
    const status = await signOut(clients);
    expect(status.signedIn).toBeNull();
    const stored = JSON.stringify([await fakeBrowser.storage.local.get(null), await fakeBrowser.storage.session.get(null)]);
    for (const token of [...sandbox.api.oauth.issuedAccessTokens(), ...sandbox.api.oauth.issuedRefreshTokens()]) expect(stored).not.toContain(token);
    expect(await clients.hasCredentials()).toBe(false);
  });
});
