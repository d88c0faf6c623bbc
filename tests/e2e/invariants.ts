/** What the sandbox must never have seen, whatever the test: the platform's limits and our security promises. */
import { expect } from '@playwright/test';
import { APPS, callsBeforeReset, EKUAIBAO, TOKENS, type Sandbox } from '../sandbox';

const API_HOSTS = new Set(['open.feishu.cn', 'open.larksuite.com']);
/** Private deployments' API origins in the demo world. */
const CUSTOM_API_HOSTS = new Set(['open.acme-private.cn']);

/**
 * With `injectedFaults`, the refusals the test itself injected (`fault` in the log) are expected; any other 429 still
 * fails, and no call may come before a refusal's `x-ogw-ratelimit-reset` allowed it.
 */
export function expectPlatformRulesKept(sandbox: Sandbox, options: { injectedFaults?: boolean } = {}): void {
  const tmpUrlCalls = sandbox.log.filter((r) => r.endpoint === 'drive.media.tmp-url');
  for (const call of tmpUrlCalls) {
    expect(call.query.filter(([k]) => k === 'file_tokens').length, 'file_tokens per tmp-URL call').toBeLessThanOrEqual(5);
  }
  const limited = sandbox.log.filter((r) => (r.status === 429 || r.code === 99991400) && !(options.injectedFaults && r.fault));
  expect(limited, 'rate-limited answers').toEqual([]);
  expect(callsBeforeReset(sandbox.log).map((r) => `${r.endpoint ?? r.path} at ${r.at}`), 'calls before x-ogw-ratelimit-reset allowed').toEqual([]);
  const streamWithAuth = sandbox.log.filter((r) => r.host.startsWith('internal-api-drive-stream.') && 'authorization' in r.headers);
  expect(streamWithAuth, 'stream-host requests carrying Authorization').toEqual([]);
  // The one exception: DingPan links need the `Authorization: OSS …` signature the Ekuaibao API returned with them.
  const dingPanSignature = (r: (typeof sandbox.log)[number]) => r.host === EKUAIBAO.hosts.dingPan && /^OSS /.test(r.headers['authorization'] ?? '');
  const authElsewhere = sandbox.log.filter((r) => 'authorization' in r.headers && !API_HOSTS.has(r.host) && !CUSTOM_API_HOSTS.has(r.host) && !dingPanSignature(r));
  expect(authElsewhere.map((r) => r.host), 'Authorization sent outside the API hosts').toEqual([]);
}

export function apiCalls(sandbox: Sandbox): readonly { host: string; path: string }[] {
  return sandbox.log.filter((r) => API_HOSTS.has(r.host));
}

/**
 * Ekuaibao's limits and our promises there: at most 100 items per downloadurls call; Ekuaibao credentials (the
 * pasted token, app key and app security, tokens the API issued) only ever reach the configured address prefix;
 * the web app's own session token (in the page URLs) reaches no API or file host at all.
 */
export function expectEkuaibaoRulesKept(sandbox: Sandbox, apiHost = new URL(EKUAIBAO.apiBase).hostname): void {
  const calls = sandbox.log.filter((r) => r.endpoint === 'ekb.downloadurls');
  for (const call of calls) expect(call.items ?? 0, 'items per downloadurls call').toBeLessThanOrEqual(100);
  const secrets = [EKUAIBAO.token, EKUAIBAO.app.appKey, EKUAIBAO.app.appSecurity, ...issuedEkuaibaoTokens(sandbox)];
  const leaks = sandbox.log.filter((r) => r.host !== apiHost && secrets.some((secret) => mentions(r, secret)));
  expect(leaks.map((r) => `${r.host}${r.path}`), 'Ekuaibao credentials sent elsewhere').toEqual([]);
  const inUrls = sandbox.log.filter((r) => r.query.some(([, v]) => v === EKUAIBAO.app.appSecurity || v === EKUAIBAO.app.appKey));
  expect(inUrls.map((r) => r.path), 'app key or security in a URL').toEqual([]);
  // (The page itself sends it to its own host, e.g. as the Referer of its favicon: that is the browser, not us.)
  const ours = (r: Sandbox['log'][number]) => r.path.startsWith('/api/') || r.host === EKUAIBAO.hosts.objectStore || r.host === EKUAIBAO.hosts.dingPan;
  const session = sandbox.log.filter((r) => ours(r) && mentions(r, EKUAIBAO.webSessionToken));
  expect(session.map((r) => `${r.host}${r.path}`), 'the web session token sent by the extension').toEqual([]);
}

/** Tokens the fake's auth endpoints handed out, as seen in their answers' later use (the accessToken parameter). */
function issuedEkuaibaoTokens(sandbox: Sandbox): string[] {
  return [...new Set(sandbox.log.flatMap((r) => r.query.filter(([k]) => k === 'accessToken').map(([, v]) => v)))];
}

function mentions(request: Sandbox['log'][number], secret: string): boolean {
  const text = JSON.stringify([request.path, request.query, request.headers, request.bodyText ?? '']);
  return text.includes(secret) || text.includes(encodeURIComponent(secret));
}

/**
 * Nothing the extension logged (`ExtensionBrowser.logs`: its worker, its pages, its content scripts, uncaught errors
 * included) holds one of `secrets` (tokens, app secrets, tenant tokens the sandbox issued) or a bearer credential.
 */
export function expectNoCredentialLogged(logs: readonly string[], secrets: readonly string[]): void {
  for (const secret of secrets) {
    expect(secret.length, 'a secret worth looking for').toBeGreaterThanOrEqual(16);
    expect(logs.filter((line) => line.includes(secret) || line.includes(encodeURIComponent(secret))), 'log lines with a credential').toEqual([]);
  }
  expect(logs.filter((line) => line.includes('Bearer ')), 'log lines with a bearer token').toEqual([]);
}

/** Every credential of the demo world and every tenant token the sandbox issued so far. */
export function knownFeishuSecrets(sandbox: Sandbox): string[] {
  return [...Object.values(TOKENS), ...Object.values(APPS).map((a) => a.appSecret), ...sandbox.api.state.issuedTokens.keys()];
}
