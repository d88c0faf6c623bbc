/** Who the token belongs to: user info (user tokens) and tenant query (any token with the scope). */
import { fail, ok, perMinute, perSecond, requireScope, type Route } from './context';

export const identityRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/open-apis\/authen\/v1\/user_info$/,
    endpoint: 'authen.user-info',
    limits: [perSecond(50), perMinute(1000)],
    handle(ctx) {
      if (ctx.token.kind !== 'user') return fail(ctx, 400, 99991668, 'Invalid access token for authorization. Please make a request with token attached.');
      // The user, not the token: tokens issued through OAuth have the open_id of the world token they act as.
      const user = ctx.token.issuedFor ?? ctx.token.token;
      return ok(ctx, { name: ctx.token.name, en_name: ctx.token.name, tenant_key: 'sandbox-tenant', open_id: `ou_${user.slice(-12)}` });
    },
  },
  {
    method: 'GET',
    pattern: /^\/open-apis\/tenant\/v2\/tenant\/query$/,
    endpoint: 'tenant.query',
    limits: [perSecond(50), perMinute(1000)],
    handle(ctx) {
      const denied = requireScope(ctx, ['tenant:tenant:readonly']);
      if (denied) return denied;
      return ok(ctx, { tenant: { name: ctx.world.tenantName, tenant_key: 'sandbox-tenant' } });
    },
  },
];
