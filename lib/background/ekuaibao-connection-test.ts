/** The options page's "Test Ekuaibao connection", run in the background with the form's (possibly unsaved) values. */
import { browser } from '#imports';
import { ProblemError, toProblem } from '../core/problem';
import { fetchForm } from '../ekuaibao/forms';
import { isEkuaibaoWebHost } from '../ekuaibao/hosts';
import type { EkuaibaoConnectionResult, RequestOf } from '../messaging/protocol';
import { AccessTokenSchema, EkuaibaoApiBaseSchema, EkuaibaoAppKeySchema, EkuaibaoAppSecuritySchema, loadSettings } from '../settings';
import type { EkuaibaoClients } from './ekuaibao-clients';

/** No form has this code: the answer (412, or 403 for a bad token) tells whether the token is accepted. */
const PROBE_CODE = 'B00000000';

export async function testEkuaibaoConnection(request: RequestOf<'testEkuaibaoConnection'>, clients: EkuaibaoClients): Promise<EkuaibaoConnectionResult> {
  const base = EkuaibaoApiBaseSchema.safeParse(request.apiBase);
  if (!base.success) return { ok: false, problem: { kind: 'unknown', platform: 'ekuaibao', detail: 'The Ekuaibao API base URL is not a valid https:// address.' } };
  const apiBase = base.data;
  const host = new URL(apiBase).hostname;
  if (!isEkuaibaoWebHost(host) && !(await browser.permissions.contains({ origins: [`${apiBase}/*`] }))) {
    return { ok: false, apiBase, problem: { kind: 'host-permission-missing', platform: 'ekuaibao', host } };
  }
  const { ekuaibao } = await loadSettings();
  try {
    if (request.app) {
      const appKey = EkuaibaoAppKeySchema.safeParse(request.app.appKey);
      if (!appKey.success) return { ok: false, apiBase, problem: { kind: 'app-credentials-invalid', platform: 'ekuaibao', detail: 'The app key is not valid.' } };
      const typed = request.app.appSecurity ? EkuaibaoAppSecuritySchema.safeParse(request.app.appSecurity) : undefined;
      if (typed && !typed.success) return { ok: false, apiBase, problem: { kind: 'app-credentials-invalid', platform: 'ekuaibao', detail: 'The app security is not valid.' } };
      const appSecurity = typed?.data ?? (appKey.data === ekuaibao.appKey ? ekuaibao.appSecurity : null);
      if (!appSecurity) return { ok: false, apiBase, problem: { kind: 'credentials-missing', platform: 'ekuaibao' } };
      const { corporationId } = await clients.tokens.fresh({ apiBase, appKey: appKey.data, appSecurity });
      return { ok: true, apiBase, ...(corporationId ? { corporationId } : {}) };
    }
    const typed = request.accessToken ? AccessTokenSchema.safeParse(request.accessToken) : undefined;
    if (typed && !typed.success) return { ok: false, apiBase, problem: { kind: 'token-invalid', platform: 'ekuaibao', detail: 'This does not look like an access token.' } };
    const token = typed?.data ?? ekuaibao.accessToken;
    if (!token) return { ok: false, apiBase, problem: { kind: 'credentials-missing', platform: 'ekuaibao' } };
    try {
      await fetchForm(clients.create(apiBase, async () => token, { retries: 1 }), { code: PROBE_CODE });
    } catch (error) {
      if (!(error instanceof ProblemError && error.problem.kind === 'not-found')) throw error;
    }
    return { ok: true, apiBase };
  } catch (error) {
    return { ok: false, apiBase, problem: toProblem(error) };
  }
}
