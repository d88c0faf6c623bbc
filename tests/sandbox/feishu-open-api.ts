/**
 * A fake of the Feishu/Lark Open API, to the documented contract: bearer tokens with the real error codes, scopes
 * with `permission_violations`, per-endpoint rate limits (429 or, for docx, 400) with `x-ogw-ratelimit-reset`,
 * block pagination (page_size ≤ 500, opaque page tokens), the 5-token limit of tmp download URLs (400/1061002),
 * and media download with `Range`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RateWindows } from './rate-windows';
import { sendJson, serveBytes, type Reply } from './http-util';
import type { Brand, SandboxDocument, SandboxMedia, SandboxToken, SandboxWorld } from './world';

export const BRAND_DOMAINS: Record<Brand, string> = { feishu: 'feishu.cn', lark: 'larksuite.com' };

const MEDIA_SCOPES = [
  'bitable:app',
  'bitable:app:readonly',
  'docs:doc',
  'docs:doc:readonly',
  'docs:document.media:download',
  'drive:drive',
  'drive:drive:readonly',
  'sheets:spreadsheet',
  'sheets:spreadsheet:readonly',
];
const DOCX_SCOPES = ['docx:document', 'docx:document:readonly'];

/** Documented limits: docx 5/s (answered 400 + 99991400), media 5/s, identity APIs 50/s. */
const LIMITS: Record<string, { limit: number; windowMs: number; status: number }> = {
  'docx.document.get': { limit: 5, windowMs: 1000, status: 400 },
  'docx.blocks.list': { limit: 5, windowMs: 1000, status: 400 },
  'drive.media.tmp-url': { limit: 5, windowMs: 1000, status: 429 },
  'drive.media.download': { limit: 5, windowMs: 1000, status: 429 },
  'authen.user-info': { limit: 50, windowMs: 1000, status: 429 },
  'tenant.query': { limit: 50, windowMs: 1000, status: 429 },
};

export const TMP_URL_MAX_TOKENS = 5;
export const BLOCKS_MAX_PAGE_SIZE = 500;
const TMP_URL_LIFETIME_MS = 24 * 3600_000;

export interface TmpLink {
  readonly media: SandboxMedia;
  readonly expiresAt: number;
}

export interface ApiOutcome {
  readonly endpoint?: string;
  readonly code?: number;
}

export class FeishuOpenApi {
  readonly windows = new RateWindows();
  /** Codes handed out in tmp download URLs → the media they unlock. */
  readonly tmpLinks = new Map<string, TmpLink>();

  constructor(
    private readonly world: () => SandboxWorld,
    private readonly now: () => number = Date.now,
  ) {}

  reset(): void {
    this.windows.reset();
    this.tmpLinks.clear();
  }

  handle(brand: Brand, request: IncomingMessage, url: URL, reply: Reply): ApiOutcome {
    const route = this.route(request.method ?? 'GET', url.pathname);
    if (!route) return this.fail(reply, 404, 404, 'route not found');
    const { endpoint, params } = route;

    const auth = this.authenticate(brand, request.headers.authorization);
    if ('error' in auth) return { endpoint, ...this.fail(reply, 400, auth.error.code, auth.error.msg) };
    const token = auth.token;

    const limit = LIMITS[endpoint];
    if (limit) {
      const key = `${brand} ${endpoint}`;
      const waitMs = this.windows.hit(key, limit.limit, limit.windowMs, this.now());
      if (waitMs > 0) {
        reply.headers['x-ogw-ratelimit-limit'] = String(limit.limit);
        reply.headers['x-ogw-ratelimit-reset'] = String(Math.max(1, Math.ceil(waitMs / 1000)));
        return { endpoint, ...this.fail(reply, limit.status, 99991400, 'request trigger frequency limit') };
      }
    }

    switch (endpoint) {
      case 'docx.document.get':
        return { endpoint, ...this.documentGet(brand, token, params[0]!, reply) };
      case 'docx.blocks.list':
        return { endpoint, ...this.blocksList(brand, token, params[0]!, url, reply) };
      case 'drive.media.tmp-url':
        return { endpoint, ...this.tmpUrls(brand, token, url, reply) };
      case 'drive.media.download':
        return { endpoint, ...this.mediaDownload(brand, token, params[0]!, request, reply) };
      case 'authen.user-info':
        if (token.kind !== 'user') return { endpoint, ...this.fail(reply, 400, 99991668, 'Invalid access token for authorization. Please make a request with token attached.') };
        return { endpoint, ...this.ok(reply, { name: token.name, en_name: token.name, tenant_key: 'sandbox-tenant', open_id: `ou_${token.token.slice(-12)}` }) };
      case 'tenant.query':
        if (!this.hasScope(token, ['tenant:tenant:readonly'])) return { endpoint, ...this.scopeError(reply, token, ['tenant:tenant:readonly']) };
        return { endpoint, ...this.ok(reply, { tenant: { name: this.world().tenantName, tenant_key: 'sandbox-tenant' } }) };
      default:
        return { endpoint, ...this.fail(reply, 404, 404, 'route not found') };
    }
  }

  private route(method: string, pathname: string): { endpoint: string; params: string[] } | null {
    const table: [string, RegExp, string][] = [
      ['GET', /^\/open-apis\/docx\/v1\/documents\/([^/]+)$/, 'docx.document.get'],
      ['GET', /^\/open-apis\/docx\/v1\/documents\/([^/]+)\/blocks$/, 'docx.blocks.list'],
      ['GET', /^\/open-apis\/drive\/v1\/medias\/batch_get_tmp_download_url$/, 'drive.media.tmp-url'],
      ['GET', /^\/open-apis\/drive\/v1\/medias\/([^/]+)\/download$/, 'drive.media.download'],
      ['GET', /^\/open-apis\/authen\/v1\/user_info$/, 'authen.user-info'],
      ['GET', /^\/open-apis\/tenant\/v2\/tenant\/query$/, 'tenant.query'],
    ];
    for (const [m, pattern, endpoint] of table) {
      const match = pattern.exec(pathname);
      if (match && (m === method || (m === 'GET' && method === 'HEAD'))) return { endpoint, params: match.slice(1).map(decodeURIComponent) };
    }
    return null;
  }

  private authenticate(brand: Brand, header: string | undefined): { token: SandboxToken } | { error: { code: number; msg: string } } {
    const match = /^Bearer\s+(\S+)$/.exec(header ?? '');
    if (!match?.[1]) return { error: { code: 99991661, msg: 'Missing access token for authorization. Please make a request with token attached.' } };
    const value = match[1];
    const token = this.world().tokens.find((t) => t.token === value && t.brand === brand);
    if (!token) {
      return { error: { code: value.startsWith('t-') ? 99991663 : 99991668, msg: 'Invalid access token for authorization. Please make a request with token attached.' } };
    }
    if (token.expired) return { error: { code: 99991677, msg: 'Authentication token expired. Please refresh access token.' } };
    return { token };
  }

  private hasScope(token: SandboxToken, anyOf: readonly string[]): boolean {
    return anyOf.some((scope) => token.scopes.includes(scope));
  }

  private scopeError(reply: Reply, token: SandboxToken, anyOf: readonly string[]): ApiOutcome {
    // Tenant tokens miss an app scope (99991672); user tokens miss the user's grant (99991679).
    const code = token.kind === 'tenant' ? 99991672 : 99991679;
    sendJson(reply, 400, {
      code,
      msg: `Access denied. One of the following scopes is required: [${anyOf.join(', ')}].`,
      error: { log_id: logId(), permission_violations: anyOf.map((subject) => ({ type: 'action_scope_required', subject })) },
    });
    return { code };
  }

  private canRead(token: SandboxToken, document: SandboxDocument): boolean {
    return document.readers === 'all' || document.readers.includes(token.token);
  }

  private findDocument(brand: Brand, id: string): SandboxDocument | undefined {
    return this.world().documents.find((d) => d.id === id && d.brand === brand);
  }

  private documentGet(brand: Brand, token: SandboxToken, id: string, reply: Reply): ApiOutcome {
    if (!this.hasScope(token, DOCX_SCOPES)) return this.scopeError(reply, token, DOCX_SCOPES);
    const document = this.findDocument(brand, id);
    if (!document) return this.fail(reply, 404, 1770002, 'not found');
    if (!this.canRead(token, document)) return this.fail(reply, 403, 1770032, 'forbidden');
    return this.ok(reply, { document: { document_id: document.id, revision_id: 42, title: document.title } });
  }

  private blocksList(brand: Brand, token: SandboxToken, id: string, url: URL, reply: Reply): ApiOutcome {
    if (!this.hasScope(token, DOCX_SCOPES)) return this.scopeError(reply, token, DOCX_SCOPES);
    const rawSize = url.searchParams.get('page_size');
    const pageSize = rawSize === null ? BLOCKS_MAX_PAGE_SIZE : Number(rawSize);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > BLOCKS_MAX_PAGE_SIZE) return this.fail(reply, 400, 1770001, 'invalid param');
    const document = this.findDocument(brand, id);
    if (!document) return this.fail(reply, 404, 1770002, 'not found');
    if (!this.canRead(token, document)) return this.fail(reply, 403, 1770032, 'forbidden');
    let offset = 0;
    const pageToken = url.searchParams.get('page_token');
    if (pageToken !== null) {
      const decoded = /^off:(\d+):(.+)$/.exec(Buffer.from(pageToken, 'base64url').toString());
      if (!decoded || decoded[2] !== document.id) return this.fail(reply, 400, 1770022, 'invalid page_token');
      offset = Number(decoded[1]);
    }
    const items = document.blocks.slice(offset, offset + pageSize);
    const next = offset + pageSize;
    const hasMore = next < document.blocks.length;
    return this.ok(reply, {
      items,
      has_more: hasMore,
      ...(hasMore ? { page_token: Buffer.from(`off:${next}:${document.id}`).toString('base64url') } : {}),
    });
  }

  private mediaReadable(token: SandboxToken, media: SandboxMedia): boolean {
    const holders = this.world().documents.filter((d) => JSON.stringify(d.blocks).includes(media.token));
    return holders.length === 0 || holders.some((d) => this.canRead(token, d));
  }

  private tmpUrls(brand: Brand, token: SandboxToken, url: URL, reply: Reply): ApiOutcome {
    if (!this.hasScope(token, MEDIA_SCOPES)) return this.scopeError(reply, token, MEDIA_SCOPES);
    const tokens = url.searchParams.getAll('file_tokens');
    if (tokens.length === 0 || tokens.length > TMP_URL_MAX_TOKENS) return this.fail(reply, 400, 1061002, 'params error.');
    const found = tokens
      .map((t) => this.world().media.find((m) => m.token === t && m.brand === brand))
      .filter((m): m is SandboxMedia => m !== undefined);
    if (found.some((m) => !this.mediaReadable(token, m))) return this.fail(reply, 403, 1061004, 'forbidden.');
    return this.ok(reply, {
      tmp_download_urls: found.map((m) => {
        const code = randomBytes(24).toString('base64url');
        this.tmpLinks.set(code, { media: m, expiresAt: this.now() + TMP_URL_LIFETIME_MS });
        return { file_token: m.token, tmp_download_url: `https://internal-api-drive-stream.${BRAND_DOMAINS[brand]}/space/api/box/stream/download/authcode/?code=${code}` };
      }),
    });
  }

  private mediaDownload(brand: Brand, token: SandboxToken, fileToken: string, request: IncomingMessage, reply: Reply): ApiOutcome {
    if (!this.hasScope(token, MEDIA_SCOPES)) return this.scopeError(reply, token, MEDIA_SCOPES);
    const media = this.world().media.find((m) => m.token === fileToken && m.brand === brand);
    if (!media) return this.fail(reply, 404, 1061007, 'file has been deleted.');
    if (!this.mediaReadable(token, media)) return this.fail(reply, 403, 1061004, 'forbidden.');
    serveBytes(reply, request, media);
    return { code: 0 };
  }

  private ok(reply: Reply, data: unknown): ApiOutcome {
    sendJson(reply, 200, { code: 0, msg: 'success', data });
    return { code: 0 };
  }

  private fail(reply: Reply, status: number, code: number, msg: string): ApiOutcome {
    sendJson(reply, status, { code, msg, error: { log_id: logId() } });
    return { code };
  }
}

function logId(): string {
  return `2026112318${randomBytes(8).toString('hex').toUpperCase()}`;
}
