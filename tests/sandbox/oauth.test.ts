// @vitest-environment node
/**
 * Contract tests of the fake OAuth 2.0 authorization-code flow (v2, PKCE): the authorize and consent pages on the
 * accounts hosts, the token endpoint, the tokens it issues against the other routes, and `sandbox.api.oauth`.
 * Time moves through the sandbox's own clock (`startSandbox({ now })`), run ahead by `skew`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CUSTOM_HOST } from './fixtures/embeds';
import {
  ALL_SCOPES,
  APPS,
  createDemoWorld,
  DOCS,
  OAUTH_TOKEN_ENDPOINT,
  sandboxFetch,
  startSandbox,
  TOKENS,
  type Sandbox,
  type SandboxApp,
} from './index';
import { answerConsent, consentForm, openAuthorizePage, type ConsentPage } from './oauth-user';

/** Asymmetric matchers, typed `unknown` (vitest types them `any`). */
const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);

const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const APP = APPS.feishu;
const OTHER_APP: SandboxApp = { appId: 'cli_a5sandboxother002', appSecret: 'OtherAppSecret0123456789abcdefgh', brand: 'feishu', name: '另一个应用', scopes: ALL_SCOPES, tokenLifetimeSeconds: 7200 };
const LARK_APP: SandboxApp = { appId: 'cli_a5sandboxlark0001', appSecret: 'LarkAppSecret0123456789abcdefghi', brand: 'lark', name: 'Attachment Downloader', scopes: ALL_SCOPES, tokenLifetimeSeconds: 7200 };
const READ_SCOPES = 'docx:document:readonly docs:document.media:download offline_access';

let sandbox: Sandbox;
let send: typeof fetch;
/** How far the sandbox's clock runs ahead of the real one. */
let skew = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ tls: false, now: () => Date.now() + skew });
  send = sandboxFetch(sandbox);
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  skew = 0;
  sandbox.world = createDemoWorld();
  sandbox.reset();
  sandbox.api.oauth.registerRedirectUri(APP.appId, REDIRECT);
});

function withApps(edit: (apps: SandboxApp[]) => SandboxApp[]): void {
  const world = createDemoWorld();
  sandbox.world = { ...world, apps: edit([...(world.apps ?? [])]) };
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

type Page = ConsentPage;

async function openAuthorize(params: Record<string, string>, host = 'accounts.feishu.cn'): Promise<Page> {
  return openAuthorizePage(send, `https://${host}/open-apis/authen/v1/authorize?${new URLSearchParams(params).toString()}`);
}

async function answer(html: string, label: 'Authorize' | 'Deny', host = 'accounts.feishu.cn'): Promise<Page> {
  return answerConsent(send, html, label, host);
}

interface AuthorizeOptions {
  readonly scope?: string;
  readonly state?: string;
  readonly redirectUri?: string;
  readonly clientId?: string;
  readonly challenge?: string;
  readonly method?: string;
  readonly host?: string;
}

/** Loads the authorize page, clicks Authorize and returns the code from the redirect. */
async function authorizeCode(options: AuthorizeOptions = {}): Promise<string> {
  const params: Record<string, string> = {
    client_id: options.clientId ?? APP.appId,
    response_type: 'code',
    redirect_uri: options.redirectUri ?? REDIRECT,
    scope: options.scope ?? READ_SCOPES,
    state: options.state ?? 'st-1',
  };
  if (options.challenge) params['code_challenge'] = options.challenge;
  if (options.method) params['code_challenge_method'] = options.method;
  const page = await openAuthorize(params, options.host);
  expect(page.status, page.html).toBe(200);
  const redirect = await answer(page.html, 'Authorize', options.host);
  expect(redirect.status).toBe(302);
  return new URL(redirect.location!).searchParams.get('code')!;
}

interface TokenAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function token(fields: Record<string, string>, options: { host?: string; form?: boolean; headers?: Record<string, string>; raw?: string } = {}): Promise<TokenAnswer> {
  const response = await send(`https://${options.host ?? 'open.feishu.cn'}/open-apis/authen/v2/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': options.form ? 'application/x-www-form-urlencoded' : 'application/json; charset=utf-8', ...options.headers },
    body: options.raw ?? (options.form ? new URLSearchParams(fields).toString() : JSON.stringify(fields)),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const credentials = (app: { appId: string; appSecret: string } = APP) => ({ client_id: app.appId, client_secret: app.appSecret });

function exchange(code: string, verifier: string | undefined, extra: Record<string, string> = {}, host?: string): Promise<TokenAnswer> {
  return token(
    { grant_type: 'authorization_code', ...credentials(), code, redirect_uri: REDIRECT, ...(verifier === undefined ? {} : { code_verifier: verifier }), ...extra },
    host === undefined ? {} : { host },
  );
}

function refresh(refreshToken: string, extra: Record<string, string> = {}): Promise<TokenAnswer> {
  return token({ grant_type: 'refresh_token', ...credentials(), refresh_token: refreshToken, ...extra });
}

/** The whole flow with S256: the token answer. */
async function signIn(scope = READ_SCOPES): Promise<Record<string, unknown>> {
  const { verifier, challenge } = pkcePair();
  const code = await authorizeCode({ scope, challenge, method: 'S256' });
  const answered = await exchange(code, verifier);
  expect(answered.body['code'], JSON.stringify(answered.body)).toBe(0);
  return answered.body;
}

async function api(path: string, bearer: string, host = 'open.feishu.cn'): Promise<{ status: number; code: number; data?: Record<string, unknown> }> {
  const response = await send(`https://${host}/open-apis/${path}`, { headers: { Authorization: `Bearer ${bearer}` } });
  const body = (await response.json()) as { code: number; data?: Record<string, unknown> };
  return { status: response.status, code: body.code, ...(body.data ? { data: body.data } : {}) };
}

const userInfo = (bearer: string, host?: string) => api('authen/v1/user_info', bearer, host);

function expectOAuthError(answered: TokenAnswer, code: number, error: string): void {
  expect([answered.status, answered.body['code'], answered.body['error']]).toEqual([code === 20050 ? 500 : 400, code, error]);
  expect(answered.body['error_description']).toEqual(matching(/\S/));
  expect(answered.body['access_token']).toBeUndefined();
}

describe('the whole flow (S256)', () => {
  it('shows a consent page naming the app, the user and the scopes, with Authorize and Deny buttons', async () => {
    const { challenge } = pkcePair();
    const page = await openAuthorize({ client_id: APP.appId, redirect_uri: REDIRECT, scope: READ_SCOPES, state: 's', code_challenge: challenge, code_challenge_method: 'S256' });
    expect(page.status).toBe(200);
    expect(page.location).toBeNull();
    expect(page.html).toMatch(/<html lang="en">/);
    expect(page.html).toContain('附件下载测试应用');
    expect(page.html).toContain('张三');
    for (const scope of READ_SCOPES.split(' ')) expect(page.html).toContain(`<li data-scope="${scope}">`);
    const form = consentForm(page.html);
    expect([form.method, form.action]).toEqual(['post', '/open-apis/authen/v1/authorize/confirm']);
    expect(form.buttons.map((b) => b.label)).toEqual(['Authorize', 'Deny']);
    expect(Object.keys(form.fields)).toEqual(['consent_id']);
    expect(sandbox.api.oauth.authorizeRequests).toEqual([
      {
        brand: 'feishu',
        clientId: APP.appId,
        redirectUri: REDIRECT,
        scopes: READ_SCOPES.split(' '),
        state: 's',
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
        responseType: null,
        code: 0,
      },
    ]);
    expect(sandbox.log.map((e) => [e.host, e.endpoint, e.code])).toEqual([['accounts.feishu.cn', 'accounts.authorize', 0]]);
  });

  it('redirects with a code and the state, and the code buys tokens that read what 张三 reads', async () => {
    const { verifier, challenge } = pkcePair();
    expect(verifier.length).toBeGreaterThanOrEqual(43);
    const page = await openAuthorize({ client_id: APP.appId, response_type: 'code', redirect_uri: REDIRECT, scope: READ_SCOPES, state: 'xyz 1/2', code_challenge: challenge, code_challenge_method: 'S256' });
    const redirect = await answer(page.html, 'Authorize');
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.location!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect([...location.searchParams.keys()]).toEqual(['code', 'state']);
    expect(location.searchParams.get('state')).toBe('xyz 1/2');
    const code = location.searchParams.get('code')!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{64}$/);

    const answered = await exchange(code, verifier);
    expect(answered.status).toBe(200);
    expect(answered.body).toEqual({
      code: 0,
      access_token: matching(/^u-[0-9a-f]{40}$/),
      expires_in: 7200,
      refresh_token: matching(/^ur-[0-9a-f]{40}$/),
      refresh_token_expires_in: 604_800,
      scope: 'docs:document.media:download docx:document:readonly offline_access',
      token_type: 'Bearer',
    });
    const access = answered.body['access_token'] as string;
    expect(sandbox.api.state.issuedTokens.get(access)).toMatchObject({
      appId: APP.appId,
      token: { token: access, kind: 'user', brand: 'feishu', name: '张三', scopes: ['docs:document.media:download', 'docx:document:readonly', 'offline_access'], issuedFor: TOKENS.feishuUser },
    });
    expect(sandbox.api.oauth.issuedAccessTokens()).toEqual([access]);
    expect(sandbox.api.oauth.issuedRefreshTokens()).toEqual([answered.body['refresh_token']]);
    expect(sandbox.api.oauth.tokenRequests).toEqual([{ grantType: 'authorization_code', clientId: APP.appId, code: 0 }]);

    const document = await api(`docx/v1/documents/${DOCS.weekly}`, access);
    expect([document.status, document.code, (document.data?.['document'] as { title?: string }).title]).toEqual([200, 0, '项目周报 2026-W47']);
    // Only what the user granted: no wiki scope.
    expect((await api('wiki/v2/spaces/get_node?token=x', access)).code).toBe(99991679);
    // The same person as the world token it acts as.
    const me = await userInfo(access);
    expect(me.data).toEqual((await userInfo(TOKENS.feishuUser)).data);
    expect(sandbox.log.map((e) => e.endpoint)).toEqual(['accounts.authorize', 'accounts.authorize.confirm', OAUTH_TOKEN_ENDPOINT, 'docx.document.get', 'wiki.get-node', 'authen.user-info', 'authen.user-info']);
  });

  it('reads the mailbox of the user it acts as', async () => {
    const access = (await signIn(ALL_SCOPES.join(' ')))['access_token'] as string;
    const list = await api('mail/v1/user_mailboxes/me/messages?page_size=20&folder_id=INBOX', access);
    expect(list.code).toBe(0);
  });

  it('takes a form-urlencoded body too, and plain PKCE (the default method)', async () => {
    const { verifier } = pkcePair();
    const code = await authorizeCode({ challenge: verifier });
    expect(sandbox.api.oauth.authorizeRequests[0]?.codeChallengeMethod).toBeNull();
    const fields = { grant_type: 'authorization_code', ...credentials(), code, redirect_uri: REDIRECT };
    expectOAuthError(await token({ ...fields, code_verifier: pkcePair().verifier }, { form: true }), 20049, 'invalid_grant');
    const answered = await token({ ...fields, code_verifier: verifier }, { form: true });
    expect(answered.body['code']).toBe(0);
  });

  it('works without PKCE, and with app_id for client_id', async () => {
    const page = await openAuthorize({ app_id: APP.appId, redirect_uri: REDIRECT, scope: 'docx:document:readonly' });
    expect(page.status).toBe(200);
    const code = new URL((await answer(page.html, 'Authorize')).location!).searchParams.get('code')!;
    expect((await exchange(code, undefined)).body['code']).toBe(0);
  });

  it('keeps the redirect URL’s query, puts its fragment last, and leaves state out when none was sent', async () => {
    const target = 'https://app.example/cb?from=ext&x=a%20b#/done';
    sandbox.api.oauth.registerRedirectUri(APP.appId, target);
    const page = await openAuthorize({ client_id: APP.appId, redirect_uri: target, scope: 'docx:document:readonly' });
    const location = (await answer(page.html, 'Authorize')).location!;
    expect(location).toMatch(/^https:\/\/app\.example\/cb\?from=ext&x=a%20b&code=[A-Za-z0-9_-]{64}#\/done$/);
    const code = /code=([^#&]+)/.exec(location)![1]!;
    expect((await token({ grant_type: 'authorization_code', ...credentials(), code, redirect_uri: target })).body['code']).toBe(0);
  });

  it('exchanges on a custom API host', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await authorizeCode({ challenge, method: 'S256' });
    const answered = await exchange(code, verifier, {}, CUSTOM_HOST.apiHost);
    expect(answered.body['code']).toBe(0);
    expect((await userInfo(answered.body['access_token'] as string, CUSTOM_HOST.apiHost)).code).toBe(0);
  });

  it('on Lark: accounts.larksuite.com signs in Alex Kim, and open.larksuite.com issues Lark tokens', async () => {
    withApps((apps) => [...apps, LARK_APP]);
    sandbox.api.oauth.registerRedirectUri(LARK_APP.appId, REDIRECT);
    const { verifier, challenge } = pkcePair();
    const page = await openAuthorize({ client_id: LARK_APP.appId, redirect_uri: REDIRECT, scope: READ_SCOPES, code_challenge: challenge, code_challenge_method: 'S256' }, 'accounts.larksuite.com');
    expect(page.html).toContain('Alex Kim');
    expect(page.html).toContain('Lark account');
    const code = new URL((await answer(page.html, 'Authorize', 'accounts.larksuite.com')).location!).searchParams.get('code')!;
    const body = { grant_type: 'authorization_code', client_id: LARK_APP.appId, client_secret: LARK_APP.appSecret, code, redirect_uri: REDIRECT, code_verifier: verifier };
    expectOAuthError(await token(body), 20048, 'invalid_client');
    const answered = await token(body, { host: 'open.larksuite.com' });
    expect(answered.body['code']).toBe(0);
    const access = answered.body['access_token'] as string;
    expect((await api(`docx/v1/documents/${DOCS.lark}`, access, 'open.larksuite.com')).code).toBe(0);
    expect((await userInfo(access)).code).toBe(99991668);
    expect(sandbox.api.oauth.grantedScopes(LARK_APP.appId, 'lark')).toEqual(['docs:document.media:download', 'docx:document:readonly', 'offline_access']);
    expect(sandbox.api.oauth.grantedScopes(LARK_APP.appId)).toEqual([]);
  });

  it('leaves tenant tokens of the same app alone', async () => {
    await signIn();
    const response = await send('https://open.feishu.cn/open-apis/auth/v3/tenant_access_token/internal', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ app_id: APP.appId, app_secret: APP.appSecret }),
    });
    expect(((await response.json()) as Record<string, unknown>)['tenant_access_token']).toEqual(matching(/^t-[0-9a-f]{40}$/));
  });
});

describe('the consent page', () => {
  const params = (extra: Record<string, string> = {}) => ({ client_id: APP.appId, redirect_uri: REDIRECT, scope: 'docx:document:readonly', state: 's1', ...extra });

  it('Deny redirects with error=access_denied and the state, and grants nothing', async () => {
    const page = await openAuthorize(params());
    const redirect = await answer(page.html, 'Deny');
    expect([redirect.status, redirect.location]).toEqual([302, `${REDIRECT}?error=access_denied&state=s1`]);
    expect(sandbox.api.oauth.grantedScopes(APP.appId)).toEqual([]);
    expect(sandbox.api.state.oauth.codes.size).toBe(0);
  });

  it('answers once: the same form again gets an error page', async () => {
    const page = await openAuthorize(params());
    expect((await answer(page.html, 'Authorize')).status).toBe(302);
    const again = await answer(page.html, 'Authorize');
    expect([again.status, again.location]).toEqual([400, null]);
    expect(again.html).toContain('expired or was already answered');
  });

  it.each([
    ['an unknown client_id', { client_id: 'cli_unknown000000000' }, 20048, 'The specified app does not exist.'],
    ['no client_id', { client_id: '' }, 20048, 'The specified app does not exist.'],
    ['a redirect URL not registered', { redirect_uri: 'https://evil.example/cb' }, 20029, 'redirect_uri request is invalid'],
    ['a registered URL but for the trailing slash', { redirect_uri: REDIRECT.slice(0, -1) }, 20029, 'redirect_uri request is invalid'],
    ['a scope the app has not enabled', { scope: 'docx:document:readonly contact:contact.base:readonly' }, 20027, 'contact:contact.base:readonly'],
    ['more than 50 scopes', { scope: Array.from({ length: 51 }, (_, i) => `x:scope${i}:read`).join(' ') }, 20063, 'at most 50 scopes'],
    ['a response_type other than code', { response_type: 'token' }, 20063, 'response_type'],
    ['an unknown code_challenge_method', { code_challenge: 'abc', code_challenge_method: 'S512' }, 20063, 'code_challenge_method'],
  ])('shows an error page for %s, without redirecting', async (_, extra, code, text) => {
    const page = await openAuthorize(params(extra));
    expect([page.status, page.location]).toEqual([400, null]);
    expect(page.html).toContain(`Error code: ${code}`);
    expect(page.html).toContain(text);
    expect(page.html).not.toContain('<form');
    expect(sandbox.api.oauth.authorizeRequests.map((r) => r.code)).toEqual([code]);
  });

  it('shows 20029 without redirect_uri, and 20048 for the app on the other brand’s host', async () => {
    const { redirect_uri: _, ...noRedirect } = params();
    expect((await openAuthorize(noRedirect)).html).toContain('Error code: 20029');
    expect((await openAuthorize(params(), 'accounts.larksuite.com')).html).toContain('Error code: 20048');
  });

  it('takes the app’s own redirect URLs and user scopes from the world', async () => {
    withApps((apps) => apps.map((a) => ({ ...a, redirectUris: ['https://registered.example/cb'], userScopes: ['docx:document:readonly'] })));
    sandbox.api.oauth.registerRedirectUri(APP.appId, REDIRECT);
    expect((await openAuthorize(params({ redirect_uri: 'https://registered.example/cb' }))).status).toBe(200);
    expect((await openAuthorize(params())).status).toBe(200);
    const refused = await openAuthorize(params({ scope: 'docx:document:readonly offline_access' }));
    expect(refused.html).toContain('Error code: 20027');
  });
});

describe('cumulative grants', () => {
  it('adds each consent’s scopes to the grant, and withheld scopes are left out', async () => {
    const first = await signIn('docx:document:readonly');
    expect(first['scope']).toBe('docx:document:readonly');
    expect(first['refresh_token']).toBeUndefined();
    expect(first['refresh_token_expires_in']).toBeUndefined();
    expect(sandbox.api.oauth.grantedScopes(APP.appId)).toEqual(['docx:document:readonly']);

    sandbox.api.oauth.withholdScopes = ['drive:drive:readonly'];
    const page = await openAuthorize({ client_id: APP.appId, redirect_uri: REDIRECT, scope: 'docs:document.media:download drive:drive:readonly' });
    expect(page.html).toContain('drive:drive:readonly <em>(left unchecked)</em>');
    const code = new URL((await answer(page.html, 'Authorize')).location!).searchParams.get('code')!;
    const second = await exchange(code, undefined);
    expect(second.body['scope']).toBe('docs:document.media:download docx:document:readonly');

    sandbox.api.oauth.withholdScopes = [];
    const third = await signIn('drive:drive:readonly');
    expect(third['scope']).toBe('docs:document.media:download docx:document:readonly drive:drive:readonly');
    expect(sandbox.api.oauth.grantedScopes(APP.appId)).toEqual(['docs:document.media:download', 'docx:document:readonly', 'drive:drive:readonly']);
  });

  it('narrows a token with scope (20067 duplicates, 20068 not granted); narrowing does not shrink the grant', async () => {
    const ask = async (scope: string) => exchange(await authorizeCode(), undefined, { scope });
    const narrow = await ask('docx:document:readonly');
    expect([narrow.body['scope'], narrow.body['refresh_token']]).toEqual(['docx:document:readonly', undefined]);
    expect((await ask('docx:document:readonly offline_access')).body['refresh_token']).toEqual(matching(/^ur-/));
    expectOAuthError(await ask('docx:document:readonly docx:document:readonly'), 20067, 'invalid_scope');
    expectOAuthError(await ask('wiki:wiki:readonly'), 20068, 'invalid_scope');
    expect((await exchange(await authorizeCode(), undefined)).body['scope']).toBe('docs:document.media:download docx:document:readonly offline_access');
  });
});

describe('refresh', () => {
  it('rotates: the new pair works, the old refresh token answers 20073, the old access token works for 60 s', async () => {
    const first = await signIn();
    const second = await refresh(first['refresh_token'] as string);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      code: 0,
      access_token: matching(/^u-[0-9a-f]{40}$/),
      expires_in: 7200,
      refresh_token: matching(/^ur-[0-9a-f]{40}$/),
      refresh_token_expires_in: 604_800,
      scope: first['scope'],
      token_type: 'Bearer',
    });
    expect(second.body['access_token']).not.toBe(first['access_token']);
    expect(second.body['refresh_token']).not.toBe(first['refresh_token']);
    expectOAuthError(await refresh(first['refresh_token'] as string), 20073, 'invalid_grant');

    const oldAccess = first['access_token'] as string;
    const newAccess = second.body['access_token'] as string;
    expect((await userInfo(oldAccess)).code).toBe(0);
    skew = 59_000;
    expect((await userInfo(oldAccess)).code).toBe(0);
    skew = 60_500;
    expect(await userInfo(oldAccess)).toMatchObject({ status: 400, code: 99991668 });
    expect((await userInfo(newAccess)).code).toBe(0);
    expect((await api(`docx/v1/documents/${DOCS.weekly}`, newAccess)).code).toBe(0);

    const third = await refresh(second.body['refresh_token'] as string);
    expect(third.body['code']).toBe(0);
    expect(sandbox.api.oauth.tokenRequests.map((r) => [r.grantType, r.code])).toEqual([
      ['authorization_code', 0],
      ['refresh_token', 0],
      ['refresh_token', 20073],
      ['refresh_token', 0],
    ]);
    expect(sandbox.api.oauth.issuedRefreshTokens()).toHaveLength(3);
  });

  it('answers the grant as it is now, and narrows with scope', async () => {
    const first = await signIn();
    await signIn('drive:drive:readonly');
    const refreshed = await refresh(first['refresh_token'] as string);
    expect(refreshed.body['scope']).toBe('docs:document.media:download docx:document:readonly drive:drive:readonly offline_access');
    expectOAuthError(await refresh(refreshed.body['refresh_token'] as string, { scope: 'wiki:wiki:readonly' }), 20068, 'invalid_scope');
    const narrowed = await refresh(refreshed.body['refresh_token'] as string, { scope: 'drive:drive:readonly offline_access' });
    expect(narrowed.body['scope']).toBe('drive:drive:readonly offline_access');
  });

  it('gives each refresh token a fresh lifetime, up to 365 days after the sign-in (then 20037)', async () => {
    sandbox.api.oauth.refreshTokenLifetimeSeconds = 400 * 86_400;
    const first = await signIn();
    expect(first['refresh_token_expires_in']).toBe(365 * 86_400);
    skew = 300 * 86_400_000;
    const later = await refresh(first['refresh_token'] as string);
    expect(later.body['refresh_token_expires_in']).toBeGreaterThanOrEqual(65 * 86_400 - 2);
    expect(later.body['refresh_token_expires_in']).toBeLessThanOrEqual(65 * 86_400);
    skew = 366 * 86_400_000;
    expectOAuthError(await refresh(later.body['refresh_token'] as string), 20037, 'invalid_grant');
  });

  it('answers 20037 once the refresh token’s lifetime has passed', async () => {
    sandbox.api.oauth.refreshTokenLifetimeSeconds = 10;
    const first = await signIn();
    expect(first['refresh_token_expires_in']).toBe(10);
    skew = 11_000;
    expectOAuthError(await refresh(first['refresh_token'] as string), 20037, 'invalid_grant');
  });

  it('answers 20064 for revoked refresh tokens; later ones work', async () => {
    const first = await signIn();
    sandbox.api.oauth.revokeRefreshTokens();
    expectOAuthError(await refresh(first['refresh_token'] as string), 20064, 'invalid_grant');
    // The access token is not revoked with it.
    expect((await userInfo(first['access_token'] as string)).code).toBe(0);
    const again = await signIn();
    expect((await refresh(again['refresh_token'] as string)).body['code']).toBe(0);
  });

  it('with the refresh switch off: no refresh token, and refreshing answers 20074', async () => {
    const before = await signIn();
    withApps((apps) => apps.map((a) => ({ ...a, refreshEnabled: false })));
    sandbox.api.oauth.registerRedirectUri(APP.appId, REDIRECT);
    const after = await signIn();
    expect(after['scope']).toContain('offline_access');
    expect(after['refresh_token']).toBeUndefined();
    expect(after['refresh_token_expires_in']).toBeUndefined();
    expectOAuthError(await refresh(before['refresh_token'] as string), 20074, 'unauthorized_client');
  });
});

describe('expiry and lifetimes', () => {
  it('expireAccessTokens: issued user tokens answer 99991677, world tokens do not', async () => {
    const first = await signIn();
    sandbox.api.oauth.expireAccessTokens();
    expect(await userInfo(first['access_token'] as string)).toMatchObject({ status: 400, code: 99991677 });
    expect((await userInfo(TOKENS.feishuUser)).code).toBe(0);
    const refreshed = await refresh(first['refresh_token'] as string);
    expect((await userInfo(refreshed.body['access_token'] as string)).code).toBe(0);
  });

  it('accessTokenLifetimeSeconds sets expires_in, and the token expires then', async () => {
    sandbox.api.oauth.accessTokenLifetimeSeconds = 60;
    const first = await signIn();
    expect(first['expires_in']).toBe(60);
    skew = 59_000;
    expect((await userInfo(first['access_token'] as string)).code).toBe(0);
    skew = 61_000;
    expect((await userInfo(first['access_token'] as string)).code).toBe(99991677);
  });

  it('refuses lifetimes that are not whole seconds, and reset() restores the defaults', () => {
    expect(() => (sandbox.api.oauth.accessTokenLifetimeSeconds = -1)).toThrow(RangeError);
    expect(() => (sandbox.api.oauth.refreshTokenLifetimeSeconds = 1.5)).toThrow(RangeError);
    sandbox.api.oauth.accessTokenLifetimeSeconds = 5;
    sandbox.api.oauth.withholdScopes = ['offline_access'];
    sandbox.reset();
    expect([sandbox.api.oauth.accessTokenLifetimeSeconds, sandbox.api.oauth.refreshTokenLifetimeSeconds, sandbox.api.oauth.withholdScopes]).toEqual([7200, 604_800, []]);
  });
});

describe('token endpoint errors', () => {
  const codeGrant = async (extra: Record<string, string> = {}) => {
    const { verifier, challenge } = pkcePair();
    const code = await authorizeCode({ challenge, method: 'S256' });
    return { grant_type: 'authorization_code', ...credentials(), code, redirect_uri: REDIRECT, code_verifier: verifier, ...extra };
  };
  const without = (fields: Record<string, string>, name: string) => Object.fromEntries(Object.entries(fields).filter(([key]) => key !== name));

  it('20001 for a missing parameter, 20036 for another grant_type, 20063 for a body that does not parse', async () => {
    const fields = await codeGrant();
    for (const name of ['grant_type', 'client_id', 'client_secret', 'code', 'redirect_uri']) expectOAuthError(await token(without(fields, name)), 20001, 'invalid_request');
    expectOAuthError(await token({ ...fields, code: '' }), 20001, 'invalid_request');
    expectOAuthError(await token({ grant_type: 'refresh_token', ...credentials() }), 20001, 'invalid_request');
    expectOAuthError(await token({}, { raw: '' }), 20001, 'invalid_request');
    expectOAuthError(await token({ ...fields, grant_type: 'password' }), 20036, 'unsupported_grant_type');
    expectOAuthError(await token({}, { raw: 'grant_type=authorization_code' }), 20063, 'invalid_request');
    expectOAuthError(await token({}, { raw: '["authorization_code"]' }), 20063, 'invalid_request');
    // None of this used up the code.
    expect((await token(fields)).body['code']).toBe(0);
  });

  it('20048 for an unknown app, 20002 for a wrong secret', async () => {
    const fields = await codeGrant();
    expectOAuthError(await token({ ...fields, client_id: 'cli_unknown000000000' }), 20048, 'invalid_client');
    expectOAuthError(await token({ ...fields, client_secret: 'wrong' }), 20002, 'invalid_client');
  });

  it('takes client credentials in Basic auth, but not both ways at once (20070)', async () => {
    const fields = await codeGrant();
    const basic = { Authorization: `Basic ${Buffer.from(`${APP.appId}:${APP.appSecret}`).toString('base64')}` };
    expectOAuthError(await token(fields, { headers: basic }), 20070, 'invalid_request');
    const { client_id: _id, client_secret: _secret, ...rest } = fields;
    expect((await token(rest, { headers: basic })).body['code']).toBe(0);
  });

  it('20003 unknown code, 20024 another app’s code, 20065 a used code, 20004 an expired one', async () => {
    withApps((apps) => [...apps, OTHER_APP]);
    sandbox.api.oauth.registerRedirectUri(APP.appId, REDIRECT);
    const fields = await codeGrant();
    expectOAuthError(await token({ ...fields, code: 'NoSuchCode0000000000000000000000' }), 20003, 'invalid_grant');
    expectOAuthError(await token({ ...fields, ...credentials(OTHER_APP) }), 20024, 'invalid_grant');
    expect((await token(fields)).body['code']).toBe(0);
    expectOAuthError(await token(fields), 20065, 'invalid_grant');

    const late = await codeGrant();
    skew = 4 * 60_000 + 59_000;
    const stillValid = await codeGrant();
    skew = 5 * 60_000 + 1_000;
    expectOAuthError(await token(late), 20004, 'invalid_grant');
    expect((await token(stillValid)).body['code']).toBe(0);
  });

  it('20071 for another redirect_uri than the authorize one', async () => {
    const fields = await codeGrant();
    expectOAuthError(await token({ ...fields, redirect_uri: 'https://other.example/cb' }), 20071, 'invalid_grant');
    expectOAuthError(await token({ ...fields, redirect_uri: `${REDIRECT}x` }), 20071, 'invalid_grant');
  });

  it('20049 when the verifier is missing, wrong or malformed', async () => {
    const fields = await codeGrant();
    expectOAuthError(await token(without(fields, 'code_verifier')), 20049, 'invalid_grant');
    expectOAuthError(await token({ ...fields, code_verifier: pkcePair().verifier }), 20049, 'invalid_grant');
    expectOAuthError(await token({ ...fields, code_verifier: 'too-short' }), 20049, 'invalid_grant');
    // S256 means hashed: the challenge itself is not a verifier.
    const { challenge } = pkcePair();
    const code = await authorizeCode({ challenge, method: 'S256' });
    expectOAuthError(await token({ ...fields, code, code_verifier: challenge }), 20049, 'invalid_grant');
    expect((await token(fields)).body['code']).toBe(0);
  });

  it('20026 for an unknown refresh token, 20024 for another app’s', async () => {
    withApps((apps) => [...apps, OTHER_APP]);
    sandbox.api.oauth.registerRedirectUri(APP.appId, REDIRECT);
    const first = await signIn();
    expectOAuthError(await refresh('ur-0000000000000000000000000000000000000000'), 20026, 'invalid_grant');
    expectOAuthError(await refresh(TOKENS.feishuUser), 20026, 'invalid_grant');
    expectOAuthError(await token({ grant_type: 'refresh_token', ...credentials(OTHER_APP), refresh_token: first['refresh_token'] as string }), 20024, 'invalid_grant');
    expect((await refresh(first['refresh_token'] as string)).body['code']).toBe(0);
  });

  it('answers an injected server error as 500/20050', async () => {
    sandbox.faults.serverErrors(OAUTH_TOKEN_ENDPOINT, 1);
    expectOAuthError(await token(await codeGrant()), 20050, 'server_error');
  });

  it('allows 50 calls a second (429 with x-ogw-ratelimit-reset after)', async () => {
    const responses = await Promise.all(
      Array.from({ length: 51 }, () =>
        send('https://open.feishu.cn/open-apis/authen/v2/oauth/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }),
      ),
    );
    const answers = await Promise.all(responses.map(async (r) => ({ status: r.status, reset: r.headers.get('x-ogw-ratelimit-reset'), code: ((await r.json()) as { code: number }).code })));
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toEqual([{ status: 429, reset: '1', code: 99991400 }]);
    expect(answers.filter((a) => a.status === 400 && a.code === 20001)).toHaveLength(50);
    expect(sandbox.api.oauth.tokenRequests).toHaveLength(50);
    expect(sandbox.log.filter((e) => e.rateLimitReset !== undefined).map((e) => e.endpoint)).toEqual([OAUTH_TOKEN_ENDPOINT]);
  });
});
