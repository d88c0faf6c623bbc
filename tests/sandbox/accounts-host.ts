/**
 * The accounts hosts (`accounts.feishu.cn`, `accounts.larksuite.com`; brand by domain): the OAuth 2.0 authorize
 * page and its consent form. The token endpoint and the test controls are in api/oauth.ts.
 *
 * `GET /open-apis/authen/v1/authorize?client_id&redirect_uri&scope&state&code_challenge&code_challenge_method`
 * (`app_id` accepted for `client_id`, `response_type=code` accepted) checks the request and shows either an error
 * page (HTTP 400, HTML, the code in its text; never a redirect) or the consent page: HTML (`lang="en"`) naming the
 * app, the signed-in user (the brand's OAuth user, `oauthUserOf`) and the scopes asked, with a form
 * `POST /open-apis/authen/v1/authorize/confirm` on the same host (hidden field `consent_id`, a one-time id of the
 * checked request) and two buttons, `<button name="decision" value="allow">Authorize</button>` and
 * `<button name="decision" value="deny">Deny</button>`. Authorize → `302 <redirect_uri>?code=<code>&state=<state>`,
 * Deny → `302 <redirect_uri>?error=access_denied&state=<state>`.
 *
 * Documented [V] (open.feishu.cn "获取授权码", reference §6.2): the hosts and path; `client_id`, `redirect_uri`
 * (must be one of the app's redirect URLs), `scope` (space-separated, case-sensitive, at most 50; scopes the app has
 * not enabled → 20027 on the page), `state` (returned as is, left out of the redirect when not sent),
 * `code_challenge` and `code_challenge_method` (S256, or plain — the default); grants are cumulative; the code
 * lives 5 minutes, serves once, is of [A-Za-z0-9-_] (reserve 64 characters); Deny → `error=access_denied`; a
 * `redirect_uri` with `#fragment` gets the fragment after the added query.
 *
 * [I] inferred:
 *   - 20029 "redirect_uri request is invalid" for a redirect URL that is missing or not registered (third-party
 *     reports), compared exactly as a whole string.
 *   - An unknown `client_id` (or one of the other brand) → 20048 "The specified app does not exist." (the token
 *     endpoint's documented code for it).
 *   - More than 50 distinct scopes, a `response_type` other than `code`, or a `code_challenge_method` other than
 *     S256/plain → 20063 "The request is malformed" (the token endpoint's code). `response_type` may be left out.
 *   - Checks in this order: client → redirect URL → response_type → scope count → scopes enabled → PKCE method.
 *   - Codes are 64 characters of base64url; the consent id is valid 10 minutes and answers once (a stale or
 *     reused one gets an error page without a code).
 *   - Scopes in `withholdScopes` (test control) are marked "left unchecked" on the page and, as read when
 *     Authorize is clicked, not added to the grant; a code carries the user's whole grant to the app then.
 *   - The page has no rate limit here (documented: 1000/min and 50/s).
 */
import { randomBytes } from 'node:crypto';
import type { ApiContext, ApiOutcome } from './api/context';
import { addToGrant, findApp, redirectUrisOf, userScopesOf } from './api/oauth';
import type { PkceMethod } from './api/oauth-state';
import { oauthUserOf } from './world';

export const AUTHORIZE_PATH = '/open-apis/authen/v1/authorize';
export const CONSENT_CONFIRM_PATH = '/open-apis/authen/v1/authorize/confirm';
export const AUTHORIZATION_CODE_LIFETIME_MS = 5 * 60_000;
export const CONSENT_LIFETIME_MS = 10 * 60_000;
export const MAX_AUTHORIZE_SCOPES = 50;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const productOf = (ctx: ApiContext) => (ctx.brand === 'lark' ? 'Lark' : 'Feishu');

function page(ctx: ApiContext, status: number, title: string, body: string): void {
  ctx.reply.status = status;
  ctx.reply.headers['content-type'] = 'text/html; charset=utf-8';
  ctx.reply.headers['cache-control'] = 'no-store';
  ctx.reply.body = Buffer.from(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} - ${productOf(ctx)}</title></head>
<body><main>
${body}
</main></body></html>`);
}

function errorPage(ctx: ApiContext, code: number | null, message: string): ApiOutcome {
  const codeLine = code === null ? '' : `<p id="error-code">Error code: ${code}</p>\n`;
  page(ctx, 400, 'Authorization failed', `<h1>Authorization failed</h1>\n${codeLine}<p id="error-message">${escapeHtml(message)}</p>`);
  return code === null ? {} : { code };
}

/** `302` to `target` with `params` added to its query (kept as sent), before any `#fragment`. */
function redirectTo(ctx: ApiContext, target: string, params: readonly (readonly [string, string | null])[]): void {
  const hashAt = target.indexOf('#');
  const base = hashAt < 0 ? target : target.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : target.slice(hashAt);
  const query = params
    .filter((p): p is readonly [string, string] => p[1] !== null)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
  const separator = !base.includes('?') ? '?' : /[?&]$/.test(base) ? '' : '&';
  ctx.reply.status = 302;
  ctx.reply.headers['location'] = `${base}${separator}${query}${fragment}`;
  ctx.reply.headers['cache-control'] = 'no-store';
  ctx.reply.body = Buffer.alloc(0);
}

function authorize(ctx: ApiContext): ApiOutcome {
  const query = ctx.url.searchParams;
  const oauth = ctx.state.oauth;
  const clientId = query.get('client_id') ?? query.get('app_id');
  const redirectUri = query.get('redirect_uri');
  const scopes = (query.get('scope') ?? '').split(/\s+/).filter(Boolean);
  const state = query.get('state');
  const challenge = query.get('code_challenge') || null;
  const methodParam = query.get('code_challenge_method');
  const responseType = query.get('response_type');
  const outcome = ((): ApiOutcome => {
    const app = findApp(ctx.world, ctx.brand, clientId);
    if (!app) return errorPage(ctx, 20048, 'The specified app does not exist.');
    if (redirectUri === null || !redirectUrisOf(oauth, app).includes(redirectUri)) return errorPage(ctx, 20029, 'redirect_uri request is invalid');
    if (responseType !== null && responseType !== 'code') return errorPage(ctx, 20063, 'The request is malformed: response_type must be code.');
    const asked = [...new Set(scopes)];
    if (asked.length > MAX_AUTHORIZE_SCOPES) return errorPage(ctx, 20063, `The request is malformed: at most ${MAX_AUTHORIZE_SCOPES} scopes may be asked at once.`);
    const enabled = userScopesOf(app);
    const notEnabled = asked.filter((s) => !enabled.includes(s));
    if (notEnabled.length > 0) return errorPage(ctx, 20027, `The app has not enabled these scopes: ${notEnabled.join(', ')}`);
    const method = methodParam ?? 'plain';
    if (challenge !== null && method !== 'S256' && method !== 'plain') return errorPage(ctx, 20063, 'The request is malformed: code_challenge_method must be S256 or plain.');

    const user = oauthUserOf(ctx.world, ctx.brand);
    const consentId = randomBytes(16).toString('hex');
    oauth.consents.set(consentId, {
      brand: ctx.brand,
      appId: app.appId,
      redirectUri,
      state,
      challenge: challenge === null ? null : { value: challenge, method: method as PkceMethod },
      asked,
      user,
      expiresAt: ctx.now + CONSENT_LIFETIME_MS,
    });
    const withheld = oauth.settings.withholdScopes;
    const items = asked
      .map((s) => `<li data-scope="${escapeHtml(s)}">${escapeHtml(s)}${withheld.includes(s) ? ' <em>(left unchecked)</em>' : ''}</li>`)
      .join('\n');
    page(
      ctx,
      200,
      `Authorize ${app.name}`,
      `<h1>${escapeHtml(app.name)} wants to access your ${productOf(ctx)} account</h1>
<p id="user">Signed in as <strong>${escapeHtml(user.name)}</strong></p>
<h2>Permissions requested</h2>
${asked.length > 0 ? `<ul id="scopes">\n${items}\n</ul>` : '<p id="scopes">No additional permissions.</p>'}
<form method="post" action="${CONSENT_CONFIRM_PATH}">
<input type="hidden" name="consent_id" value="${consentId}">
<button type="submit" name="decision" value="allow">Authorize</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
    );
    return { code: 0 };
  })();
  oauth.authorizeRequests.push({
    brand: ctx.brand,
    clientId,
    redirectUri,
    scopes,
    state,
    codeChallenge: challenge,
    codeChallengeMethod: methodParam,
    responseType,
    code: outcome.code ?? 0,
  });
  return outcome;
}

function confirm(ctx: ApiContext): ApiOutcome {
  const params = new URLSearchParams(ctx.url.search);
  if (ctx.request.method === 'POST') for (const [key, value] of new URLSearchParams(ctx.body.toString('utf8'))) params.set(key, value);
  const oauth = ctx.state.oauth;
  const consentId = params.get('consent_id') ?? '';
  const consent = oauth.consents.get(consentId);
  if (!consent || consent.brand !== ctx.brand || consent.expiresAt <= ctx.now) {
    return errorPage(ctx, null, 'This authorization request has expired or was already answered. Start again from the app.');
  }
  const decision = params.get('decision');
  if (decision !== 'allow' && decision !== 'deny') return errorPage(ctx, null, 'Choose Authorize or Deny.');
  oauth.consents.delete(consentId);
  if (decision === 'deny') {
    redirectTo(ctx, consent.redirectUri, [
      ['error', 'access_denied'],
      ['state', consent.state],
    ]);
    return {};
  }
  const withheld = oauth.settings.withholdScopes;
  const grant = addToGrant(
    oauth,
    consent.brand,
    consent.appId,
    consent.user,
    consent.asked.filter((s) => !withheld.includes(s)),
  );
  const code = randomBytes(48).toString('base64url');
  oauth.codes.set(code, {
    brand: consent.brand,
    appId: consent.appId,
    redirectUri: consent.redirectUri,
    challenge: consent.challenge,
    scopes: grant,
    user: consent.user,
    expiresAt: ctx.now + AUTHORIZATION_CODE_LIFETIME_MS,
    used: false,
  });
  redirectTo(ctx, consent.redirectUri, [
    ['code', code],
    ['state', consent.state],
  ]);
  return {};
}

/** Serves a request to the brand's accounts host. */
export function handleAccounts(ctx: ApiContext): ApiOutcome {
  const path = ctx.url.pathname.replace(/(.)\/+$/, '$1');
  const method = ctx.request.method ?? 'GET';
  if (path === AUTHORIZE_PATH && (method === 'GET' || method === 'HEAD')) return { endpoint: 'accounts.authorize', ...authorize(ctx) };
  if (path === CONSENT_CONFIRM_PATH && (method === 'GET' || method === 'POST')) return { endpoint: 'accounts.authorize.confirm', ...confirm(ctx) };
  page(ctx, 404, 'Not found', '<h1>Page not found</h1>');
  return {};
}
