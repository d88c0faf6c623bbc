/**
 * Custom-app tenant tokens: `POST /open-apis/auth/v3/tenant_access_token/internal` with `{app_id, app_secret}`.
 *
 * Documented [V] (reference §0.2, §6.1, §7.1; Lark docs mirror `get-custom-app-tenant-access-token.md`): no bearer;
 * the answer is at the top level, not under `data`: `{code: 0, msg: "ok", tenant_access_token: "t-…", expire}`;
 * `expire` in seconds, at most 2 h; asking while the current token has less than 30 min left issues a new one and
 * both stay valid (so with 30 min or more left, the current one is returned with its remaining `expire`);
 * 1000/min and 50/s.
 *
 * [I] inferred: errors are HTTP 400 with the generic codes — 10003 "invalid param" for a body that is not JSON,
 * misses `app_id` / `app_secret`, or names no app of this brand; 10014 "app secret invalid" for a wrong secret
 * (99991543, the generic table's "app_id/app_secret wrong", is not used); the rate limit is answered 429;
 * issued tokens are `t-` + 40 hex digits.
 */
import { randomBytes } from 'node:crypto';
import { sendJson } from '../http-util';
import type { SandboxToken } from '../world';
import { fail, jsonBody, perMinute, perSecond, type Route } from './context';

/** A token with less than this left is renewed (documented: 30 min). */
export const TENANT_TOKEN_RENEW_MS = 30 * 60_000;

export const authRoutes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/open-apis\/auth\/v3\/tenant_access_token\/internal$/,
    endpoint: 'auth.tenant-access-token',
    auth: 'none',
    limits: [perSecond(50), perMinute(1000)],
    handle(ctx) {
      const body = jsonBody(ctx);
      const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      const appId = fields['app_id'];
      const appSecret = fields['app_secret'];
      if (typeof appId !== 'string' || appId === '' || typeof appSecret !== 'string' || appSecret === '') {
        return fail(ctx, 400, 10003, 'invalid param');
      }
      const app = (ctx.world.apps ?? []).find((a) => a.appId === appId && a.brand === ctx.brand);
      if (!app) return fail(ctx, 400, 10003, 'invalid param');
      if (app.appSecret !== appSecret) return fail(ctx, 400, 10014, 'app secret invalid');

      let current: { value: string; expiresAt: number } | undefined;
      for (const [value, entry] of ctx.state.issuedTokens) {
        if (entry.token.kind === 'tenant' && entry.appId === app.appId && entry.token.brand === app.brand && entry.expiresAt > ctx.now) {
          current = { value, expiresAt: entry.expiresAt };
        }
      }
      if (current && current.expiresAt - ctx.now >= TENANT_TOKEN_RENEW_MS) {
        sendJson(ctx.reply, 200, { code: 0, msg: 'ok', tenant_access_token: current.value, expire: Math.floor((current.expiresAt - ctx.now) / 1000) });
        return { code: 0 };
      }
      const value = `t-${randomBytes(20).toString('hex')}`;
      const token: SandboxToken = { token: value, kind: 'tenant', brand: app.brand, name: app.name, scopes: app.scopes, issuedFor: app.appId };
      ctx.state.issuedTokens.set(value, { token, expiresAt: ctx.now + app.tokenLifetimeSeconds * 1000, appId: app.appId });
      sendJson(ctx.reply, 200, { code: 0, msg: 'ok', tenant_access_token: value, expire: app.tokenLifetimeSeconds });
      return { code: 0 };
    },
  },
];
