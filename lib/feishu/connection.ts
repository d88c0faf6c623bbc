/** "Test connection": one cheap identity call that proves the token works against the API base, in words. */
import type { ConnectionResult } from '../messaging/protocol';
import { toProblem } from '../core/problem';
import { FEISHU_ENDPOINTS, type FeishuClient } from './client';
import { TenantSchema, UserInfoSchema } from './schemas';

/** Tenant tokens start with `t-`; user tokens are `u-...` or, from the v2 OAuth endpoint, JWTs. */
export function tokenKindOf(token: string): 'user' | 'tenant' {
  return token.startsWith('t-') ? 'tenant' : 'user';
}

export async function testFeishuConnection(client: FeishuClient, token: string): Promise<ConnectionResult> {
  const tokenKind = tokenKindOf(token);
  try {
    if (tokenKind === 'user') {
      const user = await client.request(FEISHU_ENDPOINTS.userInfo, { path: 'authen/v1/user_info' }, UserInfoSchema);
      return { ok: true, apiBase: client.apiBase, tokenKind, who: user.name ?? user.en_name ?? user.email };
    }
    const tenant = await client.request(FEISHU_ENDPOINTS.tenantQuery, { path: 'tenant/v2/tenant/query' }, TenantSchema);
    return { ok: true, apiBase: client.apiBase, tokenKind, who: tenant.tenant.name };
  } catch (error) {
    const problem = toProblem(error);
    // The token was accepted (scopes are checked after the token): say so, and which scope would show the name.
    if (problem.kind === 'scope-missing') {
      return { ok: true, apiBase: client.apiBase, tokenKind, missingScope: problem.scopes?.[0] };
    }
    return { ok: false, apiBase: client.apiBase, problem };
  }
}
