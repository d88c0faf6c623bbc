/** The options page's "Test connection", run in the background with the form's (possibly unsaved) values. */
import { browser } from '#imports';
import { toProblem } from '../core/problem';
import { testFeishuConnection } from '../feishu/connection';
import { OFFICIAL_API_BASES } from '../feishu/hosts';
import type { ConnectionResult, RequestOf } from '../messaging/protocol';
import { AccessTokenSchema, ApiBaseSchema, AppIdSchema, AppSecretSchema, isOfficialApiBase, loadSettings, signInApiBase } from '../settings';
import type { FeishuClients } from './feishu-clients';

type Credential = { kind: 'token'; token: string } | { kind: 'app'; appId: string; appSecret: string } | { kind: 'signed-in' };

async function credentialFrom(request: RequestOf<'testConnection'>): Promise<Credential | ConnectionResult> {
  const { feishu } = await loadSettings();
  if (request.app) {
    const appId = AppIdSchema.safeParse(request.app.appId);
    if (!appId.success) return { ok: false, problem: { kind: 'app-credentials-invalid', detail: 'The app ID is not valid.' } };
    const secret = request.app.appSecret ? AppSecretSchema.safeParse(request.app.appSecret) : undefined;
    if (secret && !secret.success) return { ok: false, problem: { kind: 'app-credentials-invalid', detail: 'The app secret is not valid.' } };
    const appSecret = secret?.data ?? (appId.data === feishu.appId ? feishu.appSecret : null);
    if (!appSecret) return { ok: false, problem: { kind: 'credentials-missing' } };
    return { kind: 'app', appId: appId.data, appSecret };
  }
  // Signed in and nothing typed: the sign-in's own token is what to test.
  if (!request.accessToken && feishu.authMode === 'oauth') return { kind: 'signed-in' };
  const token = request.accessToken ? AccessTokenSchema.safeParse(request.accessToken) : undefined;
  if (token && !token.success) return { ok: false, problem: { kind: 'token-invalid', detail: 'This does not look like an access token.' } };
  const value = token?.data ?? feishu.accessToken;
  return value ? { kind: 'token', token: value } : { ok: false, problem: { kind: 'credentials-missing' } };
}

export async function testConnection(request: RequestOf<'testConnection'>, clients: FeishuClients): Promise<ConnectionResult> {
  const credential = await credentialFrom(request);
  if ('ok' in credential) return credential;
  const base = request.apiBase ? ApiBaseSchema.safeParse(request.apiBase) : undefined;
  if (base && !base.success) return { ok: false, problem: { kind: 'unknown', detail: 'The API base URL is not a valid https:// address.' } };
  if (credential.kind === 'signed-in') {
    const apiBase = signInApiBase(await loadSettings());
    try {
      const token = await clients.userTokens.token(apiBase);
      if (!token) return { ok: false, apiBase, problem: { kind: 'sign-in-required' } };
      return await testFeishuConnection(clients.create(apiBase, async () => token, { retries: 1 }), token);
    } catch (error) {
      return { ok: false, apiBase, problem: toProblem(error) };
    }
  }

  // No base chosen: try Feishu, then Lark, and report the one that knows the credential.
  const candidates = base ? [base.data] : [OFFICIAL_API_BASES.feishu, OFFICIAL_API_BASES.lark];
  let last: ConnectionResult = { ok: false, problem: { kind: 'unknown' } };
  for (const apiBase of candidates) {
    if (!isOfficialApiBase(apiBase) && !(await browser.permissions.contains({ origins: [`${apiBase}/*`] }))) {
      return { ok: false, apiBase, problem: { kind: 'host-permission-missing', host: new URL(apiBase).hostname } };
    }
    try {
      const token = credential.kind === 'token' ? credential.token : await clients.tenantTokens.fresh({ apiBase, appId: credential.appId, appSecret: credential.appSecret });
      last = await testFeishuConnection(clients.create(apiBase, async () => token, { retries: 1 }), token);
    } catch (error) {
      last = { ok: false, apiBase, problem: toProblem(error) };
    }
    if (last.ok || !['token-invalid', 'token-expired', 'app-credentials-invalid'].includes(last.problem.kind)) return last;
  }
  return last;
}
