/**
 * "Sign in with Feishu", the background's half: the options page runs the authorize page and hands over the code;
 * here the code becomes the user's tokens (with the saved app secret, which never leaves the background and the
 * options page), the user's name is looked up, and the status is told without any token in it.
 */
import { browser } from '#imports';
import { toProblem } from '../core/problem';
import { FEISHU_ENDPOINTS } from '../feishu/client';
import { UserInfoSchema } from '../feishu/schemas';
import type { RequestOf, SignInResult, SignInStatus } from '../messaging/protocol';
import { loadSettings } from '../settings';
import { signInAppOf, type FeishuClients } from './feishu-clients';

export async function signInStatus(clients: FeishuClients): Promise<SignInStatus> {
  const [signIn, notes] = await Promise.all([clients.userTokens.current(), clients.userTokens.notes()]);
  return {
    redirectUrl: browser.identity.getRedirectURL(),
    signedIn: signIn && { name: signIn.name, apiBase: signIn.apiBase, appId: signIn.appId, scopes: signIn.scopes, expiresAt: signIn.expiresAt },
    ended: notes.ended?.problem ?? null,
    missingScopes: notes.missingScopes,
  };
}

export async function completeSignIn(request: RequestOf<'completeSignIn'>, clients: FeishuClients): Promise<SignInResult> {
  const app = signInAppOf(await loadSettings());
  if (!app) return { ok: false, problem: { kind: 'credentials-missing', detail: 'Save the app ID and secret with "Sign in with Feishu" chosen first.' } };
  try {
    const grant = await clients.oauth.grant(app, {
      grant_type: 'authorization_code',
      code: request.code,
      // The one the authorize page was given (the documented rule: both must be equal).
      redirect_uri: browser.identity.getRedirectURL(),
      code_verifier: request.codeVerifier,
    });
    const who = await clients
      .create(app.apiBase, async () => grant.accessToken, { retries: 1 })
      .request(FEISHU_ENDPOINTS.userInfo, { path: 'authen/v1/user_info' }, UserInfoSchema)
      .then((user) => user.name ?? user.en_name ?? user.email ?? null)
      .catch(() => null);
    await clients.userTokens.signedIn(app, grant, who);
    return { ok: true, status: await signInStatus(clients) };
  } catch (error) {
    return { ok: false, problem: toProblem(error) };
  }
}

export async function signOut(clients: FeishuClients): Promise<SignInStatus> {
  await clients.userTokens.signOut();
  return signInStatus(clients);
}
