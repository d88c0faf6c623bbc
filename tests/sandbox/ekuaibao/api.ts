/**
 * A fake of the Ekuaibao (合思) Open API: auth, form details and attachment download links.
 * Contract: shared/reference/ekuaibao-api.md §0–4 and shared/seeds/ekuaibao-attachment-downloadurls-v2.md.
 * Served on `app.ekuaibao.com` and every other `*.ekuaibao.com` / `*.hosecloud.com` host (same data), under
 * `/api/openapi/`; the rest of those hosts is the web app (web-pages.ts).
 *
 * [V] verified in the docs:
 *   - every call takes `accessToken` in the QUERY, never a header; tokens look like `ID_…:<corpId>`.
 *   - getAccessToken: POST, `{appKey, appSecurity}` in the JSON body; credentials in the query → 403; wrong ones →
 *     HTTP 403 `{"value":{"errorCode":403,"errorMessage":"密钥无效","errorDetail":null}}` (v2.0 body); success →
 *     `{"value":{accessToken, refreshToken, expireTime (epoch ms), corporationId}}`, lifetime 2 h by default.
 *   - refreshToken: POST `/v2/auth/refreshToken?accessToken=&refreshToken=&powerCode=219904`, all in the query;
 *     an expired accessToken cannot be refreshed; both tokens change; the new one lives 32 days; failure → 403 with
 *     the plain text `未授权` (v2.0).
 *   - a missing/invalid/expired token → HTTP 403 `{"errorCode":403,"errorMessage":"未授权","errorDetails":null,
 *     "code":null,"data":null}`; business errors use the same envelope with HTTP status = errorCode.
 *   - flowDetails (`?flowId=`) and flowDetails/byCode (`?code=`) → `{"value": {id, corporationId, formType, state,
 *     active, form, logs}}`; unknown → 412 单据不存在; deleted → 412 单据已删除.
 *   - downloadurls: POST, a JSON array of ≤ 100 `{id, key, expiration}`, expiration in seconds ≤ 1800 and ignored
 *     for `DP:` (DingPan) keys; the answer is a BARE array `[{id, key, url, thumbUrl}]`, DingPan items with
 *     `headers` {Authorization, x-oss-date}; `[]` with HTTP 200 when nothing matches; a wrong method → the plain
 *     text `Error 405 Method Not Allowed` (v2.0). Object-store links are OSS STS-signed, thumbUrl adds
 *     `x-oss-process=image%2Fresize%2Cw_120%2Ch_120`.
 *
 * [I] inferred (docs silent), as the brief decided:
 *   - credentials in the query are refused even when the body has them too (secrets must never be in URLs);
 *     a body not labelled application/json is not read (as a Spring controller would not), so getAccessToken
 *     answers it 403 密钥无效 and downloadurls 400 参数错误.
 *   - issued tokens are immediately usable; asking getAccessToken again leaves earlier tokens valid; a refresh
 *     revokes the old accessToken and refreshToken at once; the licence cap on 32 days is not modelled.
 *   - a token only sees its own corporation: other corporations' forms are 单据不存在, their files unmatched.
 *   - downloadurls refuses (400, errorCode 400, Chinese message) a body that is not an array (参数错误), more than 100
 *     items (附件数量不能超过100), an item without string id/key (参数错误), and — except for DingPan items — an
 *     expiration that is missing, not a JSON number, < 1 or > 1800; validation covers the whole array before any
 *     link is issued. Unmatched items are simply absent; repeated (id, key) pairs are answered once, in request
 *     order; `Expires` = now (s) + expiration.
 *   - flowDetails without its parameter → 400 缺少参数; a known route with another method → 405 (plain text, as
 *     documented for downloadurls); an unknown `/api/openapi/` path → 404 in the error envelope.
 *   - the method is checked before the token, the token before the body.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { sendText, type Reply } from '../http-util';
import { EkuaibaoFileHosts } from './file-hosts';
import type { EkuaibaoForm, EkuaibaoWorld } from './world';

/** Host families of the Ekuaibao sandbox: the API and web app, the object store, the DingPan host. */
export const EKUAIBAO_HOST_FAMILIES = {
  app: ['ekuaibao.com', 'hosecloud.com'],
  objectStore: ['aliyuncs.com'],
  dingPan: ['dingtalk.com'],
} as const;

export type EkuaibaoHostKind = keyof typeof EKUAIBAO_HOST_FAMILIES;

export function ekuaibaoHostKind(host: string): EkuaibaoHostKind | null {
  for (const [kind, domains] of Object.entries(EKUAIBAO_HOST_FAMILIES) as [EkuaibaoHostKind, readonly string[]][]) {
    if (domains.some((d) => host === d || host.endsWith(`.${d}`))) return kind;
  }
  return null;
}

export const EKUAIBAO_DOWNLOAD_URLS_MAX_ITEMS = 100;
export const EKUAIBAO_MAX_EXPIRATION_SECONDS = 1800;
export const EKUAIBAO_REFRESH_POWER_CODE = '219904';
export const EKUAIBAO_TOKEN_LIFETIME_MS = 2 * 3600_000;
export const EKUAIBAO_REFRESHED_TOKEN_LIFETIME_MS = 32 * 86_400_000;

/** Endpoint ids in the request log. */
export const EKUAIBAO_ENDPOINT_IDS = {
  getToken: 'ekb.auth.get-token',
  refresh: 'ekb.auth.refresh',
  flowDetails: 'ekb.flow-details',
  flowDetailsByCode: 'ekb.flow-details.by-code',
  downloadUrls: 'ekb.downloadurls',
} as const;

export interface EkuaibaoOutcome {
  readonly endpoint?: string;
  /** downloadurls: the length of the array received. */
  readonly items?: number;
}

interface Caller {
  readonly token: string;
  readonly corpId: string;
}

interface Context {
  readonly world: EkuaibaoWorld;
  readonly request: IncomingMessage;
  readonly body: Buffer;
  readonly url: URL;
  readonly reply: Reply;
  readonly now: number;
  /** The token's owner; routes with `auth: 'none'` get a placeholder and must not use it. */
  readonly caller: Caller;
}

interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly endpoint: string;
  /** 'token' (default): `accessToken` in the query must be valid. 'none': the auth endpoints. */
  readonly auth?: 'token' | 'none';
  handle(ctx: Context, api: EkuaibaoOpenApi): { items?: number } | void;
}

interface IssuedToken {
  readonly corpId: string;
  readonly refreshToken: string;
  expiresAt: number;
  revoked: boolean;
}

const EMPTY_WORLD: EkuaibaoWorld = { corpName: '', apps: [], tokens: [], forms: [], files: [] };
const NO_CALLER: Caller = { token: '', corpId: '' };

function sendJson(reply: Reply, status: number, body: unknown): void {
  reply.status = status;
  reply.headers['content-type'] = 'application/json; charset=utf-8';
  reply.body = Buffer.from(JSON.stringify(body));
}

/** The common error envelope; the HTTP status is the errorCode. */
function fail(ctx: Context, status: number, message: string): void {
  sendJson(ctx.reply, status, { errorCode: status, errorMessage: message, errorDetails: null, code: null, data: null });
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The parsed JSON body, or undefined when there is none, it is not labelled JSON, or it does not parse. */
function jsonBody(ctx: Context): unknown {
  if (!/^application\/json\b/i.test(ctx.request.headers['content-type'] ?? '') || ctx.body.length === 0) return undefined;
  try {
    return JSON.parse(ctx.body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (length: number) => Array.from(randomBytes(length), (b) => ALNUM[b % ALNUM.length]).join('');

function renderForm(form: EkuaibaoForm): Record<string, unknown> {
  return { id: form.flowId, corporationId: form.corpId, formType: form.formType, state: form.state, active: true, form: form.form, logs: form.logs };
}

function sendForm(ctx: Context, form: EkuaibaoForm | undefined): void {
  if (!form) fail(ctx, 412, '单据不存在');
  else if (form.deleted) fail(ctx, 412, '单据已删除');
  else sendJson(ctx.reply, 200, { value: renderForm(form) });
}

const ROUTES: readonly Route[] = [
  {
    method: 'POST',
    path: '/api/openapi/v1/auth/getAccessToken',
    endpoint: EKUAIBAO_ENDPOINT_IDS.getToken,
    auth: 'none',
    handle(ctx, api) {
      const invalid = () => sendJson(ctx.reply, 403, { value: { errorCode: 403, errorMessage: '密钥无效', errorDetail: null } });
      const query = ctx.url.searchParams;
      if (query.has('appKey') || query.has('appSecurity')) return invalid();
      const body = jsonBody(ctx);
      const fields = isRecord(body) ? body : {};
      const app = ctx.world.apps.find((a) => a.appKey === fields['appKey'] && a.appSecurity === fields['appSecurity']);
      if (!app) return invalid();
      sendJson(ctx.reply, 200, { value: api.issue(app.corpId, app.tokenLifetimeMs ?? EKUAIBAO_TOKEN_LIFETIME_MS, ctx.now) });
    },
  },
  {
    method: 'POST',
    path: '/api/openapi/v2/auth/refreshToken',
    endpoint: EKUAIBAO_ENDPOINT_IDS.refresh,
    auth: 'none',
    handle(ctx, api) {
      const query = ctx.url.searchParams;
      const refreshed = api.refresh(query.get('accessToken') ?? '', query.get('refreshToken') ?? '', query.get('powerCode'), ctx.now);
      if (!refreshed) sendText(ctx.reply, 403, '未授权');
      else sendJson(ctx.reply, 200, { value: refreshed });
    },
  },
  {
    method: 'GET',
    path: '/api/openapi/v1.1/flowDetails',
    endpoint: EKUAIBAO_ENDPOINT_IDS.flowDetails,
    handle(ctx) {
      const flowId = ctx.url.searchParams.get('flowId');
      if (!flowId) return fail(ctx, 400, '缺少参数flowId');
      sendForm(ctx, ctx.world.forms.find((f) => f.flowId === flowId && f.corpId === ctx.caller.corpId));
    },
  },
  {
    method: 'GET',
    path: '/api/openapi/v1.1/flowDetails/byCode',
    endpoint: EKUAIBAO_ENDPOINT_IDS.flowDetailsByCode,
    handle(ctx) {
      const code = ctx.url.searchParams.get('code');
      if (!code) return fail(ctx, 400, '缺少参数code');
      sendForm(ctx, ctx.world.forms.find((f) => f.code === code && f.corpId === ctx.caller.corpId));
    },
  },
  {
    method: 'POST',
    path: '/api/openapi/v2/attachment/downloadurls',
    endpoint: EKUAIBAO_ENDPOINT_IDS.downloadUrls,
    handle(ctx, api) {
      const body = jsonBody(ctx);
      if (!Array.isArray(body)) return fail(ctx, 400, '参数错误：请求体须为附件数组');
      const items = body.length;
      if (items > EKUAIBAO_DOWNLOAD_URLS_MAX_ITEMS) {
        fail(ctx, 400, `附件数量不能超过${EKUAIBAO_DOWNLOAD_URLS_MAX_ITEMS}`);
        return { items };
      }
      const requested: { id: string; key: string; expiration: number }[] = [];
      for (const item of body as unknown[]) {
        const id = isRecord(item) ? item['id'] : undefined;
        const key = isRecord(item) ? item['key'] : undefined;
        if (!isRecord(item) || typeof id !== 'string' || id === '' || typeof key !== 'string' || key === '') {
          fail(ctx, 400, '参数错误：id和key不能为空');
          return { items };
        }
        const expiration = item['expiration'];
        if (key.startsWith('DP:')) {
          // Documented: ignored for DingPan items (their links live 15 minutes).
          requested.push({ id, key, expiration: 0 });
          continue;
        }
        if (typeof expiration !== 'number' || !Number.isFinite(expiration) || expiration < 1 || expiration > EKUAIBAO_MAX_EXPIRATION_SECONDS) {
          fail(ctx, 400, `参数错误：expiration须为1到${EKUAIBAO_MAX_EXPIRATION_SECONDS}之间的秒数`);
          return { items };
        }
        requested.push({ id, key, expiration });
      }
      const seen = new Set<string>();
      const answer: Record<string, unknown>[] = [];
      for (const { id, key, expiration } of requested) {
        const pair = `${id}\n${key}`;
        if (seen.has(pair)) continue;
        seen.add(pair);
        const file = ctx.world.files.find((f) => f.fileId === id && f.key === key && f.corpId === ctx.caller.corpId);
        if (!file) continue;
        const links = key.startsWith('DP:')
          ? api.files.issueDingPanLink(file, ctx.now)
          : api.files.issueObjectStoreLink(file, Math.floor(ctx.now / 1000) + Math.floor(expiration));
        answer.push({ id, key, ...links });
      }
      sendJson(ctx.reply, 200, answer);
      return { items };
    },
  },
];

export class EkuaibaoOpenApi {
  /** The object store and DingPan host, which honour the links downloadurls issues. */
  readonly files = new EkuaibaoFileHosts();
  /** Tokens from getAccessToken and refreshToken, by accessToken. */
  private readonly issued = new Map<string, IssuedToken>();

  constructor(
    private readonly world: () => EkuaibaoWorld | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forget issued tokens and links. */
  reset(): void {
    this.issued.clear();
    this.files.reset();
  }

  /** Every token issued so far stops working at once (403 未授权), as when it expires; refreshing it fails too. */
  expireIssuedTokens(): void {
    for (const entry of this.issued.values()) entry.expiresAt = 0;
  }

  /** Mints a token pair for `corpId` (the auth routes' answer body). */
  issue(corpId: string, lifetimeMs: number, now: number): { accessToken: string; refreshToken: string; expireTime: number; corporationId: string } {
    const accessToken = `ID_${alnum(11)}:${corpId}`;
    const refreshToken = `ID_${alnum(11)}`;
    const expireTime = now + lifetimeMs;
    this.issued.set(accessToken, { corpId, refreshToken, expiresAt: expireTime, revoked: false });
    return { accessToken, refreshToken, expireTime, corporationId: corpId };
  }

  /** A new pair for a live issued token and its refresh token, or null (未授权); the old pair is revoked. */
  refresh(accessToken: string, refreshToken: string, powerCode: string | null, now: number): ReturnType<EkuaibaoOpenApi['issue']> | null {
    const entry = this.issued.get(accessToken);
    if (!entry || entry.revoked || entry.expiresAt <= now || entry.refreshToken !== refreshToken || powerCode !== EKUAIBAO_REFRESH_POWER_CODE) return null;
    entry.revoked = true;
    return this.issue(entry.corpId, EKUAIBAO_REFRESHED_TOKEN_LIFETIME_MS, now);
  }

  handle(request: IncomingMessage, body: Buffer, url: URL, reply: Reply): EkuaibaoOutcome {
    const method = request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET');
    const world = this.world() ?? EMPTY_WORLD;
    const now = this.now();
    const base = { world, request, body, url, reply, now, caller: NO_CALLER };
    const candidates = ROUTES.filter((r) => r.path === url.pathname);
    const route = candidates.find((r) => r.method === method);
    if (!route) {
      if (candidates.length > 0) {
        sendText(reply, 405, 'Error 405 Method Not Allowed');
        return { endpoint: candidates[0]!.endpoint };
      }
      fail(base, 404, '接口不存在');
      return {};
    }
    const { endpoint } = route;
    let caller = NO_CALLER;
    if (route.auth !== 'none') {
      // The token is read from the query only: an Authorization header is not looked at.
      const found = this.caller(url.searchParams.get('accessToken'), world, now);
      if (!found) {
        fail(base, 403, '未授权');
        return { endpoint };
      }
      caller = found;
    }
    const result = route.handle({ ...base, caller }, this);
    return { endpoint, ...(result ?? {}) };
  }

  private caller(value: string | null, world: EkuaibaoWorld, now: number): Caller | null {
    if (!value) return null;
    const issued = this.issued.get(value);
    if (issued) return !issued.revoked && issued.expiresAt > now ? { token: value, corpId: issued.corpId } : null;
    const pasted = world.tokens.find((t) => t.token === value);
    return pasted && !pasted.expired ? { token: value, corpId: pasted.corpId } : null;
  }
}
