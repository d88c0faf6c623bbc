/** Docx documents and their media: get document, list blocks (paginated), tmp download URLs, media download. */
import { serveBytes } from '../http-util';
import type { SandboxDocument, SandboxMedia } from '../world';
import { checkBitableExtra, mediaReadable } from './media-access';
import { canRead, fail, ok, perSecond, requireScope, streamLink, type ApiContext, type ApiOutcome, type Route } from './context';

export const MEDIA_SCOPES = [
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
export const DOCX_SCOPES = ['docx:document', 'docx:document:readonly'];
export const TMP_URL_MAX_TOKENS = 5;
export const BLOCKS_MAX_PAGE_SIZE = 500;
const TMP_URL_LIFETIME_MS = 24 * 3600_000;

function findDocument(ctx: ApiContext, id: string): SandboxDocument | undefined {
  return ctx.world.documents.find((d) => d.id === id && d.brand === ctx.brand);
}

function readableDocument(ctx: ApiContext, id: string): SandboxDocument | ApiOutcome {
  const denied = requireScope(ctx, DOCX_SCOPES);
  if (denied) return denied;
  const document = findDocument(ctx, id);
  if (!document) return fail(ctx, 404, 1770002, 'not found');
  if (!canRead(ctx.token, document.readers)) return fail(ctx, 403, 1770032, 'forbidden');
  return document;
}

const isDocument = (value: SandboxDocument | ApiOutcome): value is SandboxDocument => 'blocks' in value;

export const docxRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/open-apis\/docx\/v1\/documents\/([^/]+)$/,
    endpoint: 'docx.document.get',
    limits: [perSecond(5, 400)],
    handle(ctx) {
      const document = readableDocument(ctx, ctx.params[0]!);
      if (!isDocument(document)) return document;
      return ok(ctx, { document: { document_id: document.id, revision_id: 42, title: document.title } });
    },
  },
  {
    method: 'GET',
    pattern: /^\/open-apis\/docx\/v1\/documents\/([^/]+)\/blocks$/,
    endpoint: 'docx.blocks.list',
    limits: [perSecond(5, 400)],
    handle(ctx) {
      const rawSize = ctx.url.searchParams.get('page_size');
      const pageSize = rawSize === null ? BLOCKS_MAX_PAGE_SIZE : Number(rawSize);
      const document = readableDocument(ctx, ctx.params[0]!);
      if (!isDocument(document)) return document;
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > BLOCKS_MAX_PAGE_SIZE) return fail(ctx, 400, 1770001, 'invalid param');
      let offset = 0;
      const pageToken = ctx.url.searchParams.get('page_token');
      if (pageToken !== null) {
        const decoded = /^off:(\d+):(.+)$/.exec(Buffer.from(pageToken, 'base64url').toString());
        if (!decoded || decoded[2] !== document.id) return fail(ctx, 400, 1770022, 'invalid page_token');
        offset = Number(decoded[1]);
      }
      const items = document.blocks.slice(offset, offset + pageSize);
      const next = offset + pageSize;
      const hasMore = next < document.blocks.length;
      return ok(ctx, {
        items,
        has_more: hasMore,
        ...(hasMore ? { page_token: Buffer.from(`off:${next}:${document.id}`).toString('base64url') } : {}),
      });
    },
  },
  {
    method: 'GET',
    pattern: /^\/open-apis\/drive\/v1\/medias\/batch_get_tmp_download_url$/,
    endpoint: 'drive.media.tmp-url',
    limits: [perSecond(5)],
    handle(ctx) {
      const denied = requireScope(ctx, MEDIA_SCOPES);
      if (denied) return denied;
      const tokens = ctx.url.searchParams.getAll('file_tokens');
      if (tokens.length === 0 || tokens.length > TMP_URL_MAX_TOKENS) return fail(ctx, 400, 1061002, 'params error.');
      const found = tokens
        .map((t) => ctx.world.media.find((m) => m.token === t && m.brand === ctx.brand))
        .filter((m): m is SandboxMedia => m !== undefined);
      if (found.some((m) => !mediaReadable(ctx, m))) return fail(ctx, 403, 1061004, 'forbidden.');
      // Advanced-permission bases: without a correct `extra` the tmp-URL API answers 403 (documented).
      for (const media of found) {
        const refused = checkBitableExtra(ctx, media, 403);
        if (refused) return refused;
      }
      return ok(ctx, {
        tmp_download_urls: found.map((m) => ({ file_token: m.token, tmp_download_url: streamLink(ctx, m, TMP_URL_LIFETIME_MS) })),
      });
    },
  },
  {
    method: 'GET',
    pattern: /^\/open-apis\/drive\/v1\/medias\/([^/]+)\/download$/,
    endpoint: 'drive.media.download',
    limits: [perSecond(5)],
    handle(ctx) {
      const denied = requireScope(ctx, MEDIA_SCOPES);
      if (denied) return denied;
      const media = ctx.world.media.find((m) => m.token === ctx.params[0] && m.brand === ctx.brand);
      if (!media) return fail(ctx, 404, 1061007, 'file has been deleted.');
      if (!mediaReadable(ctx, media)) return fail(ctx, 403, 1061004, 'forbidden.');
      // Media download answers 400 without a correct `extra` on advanced bases (documented).
      const refused = checkBitableExtra(ctx, media, 400);
      if (refused) return refused;
      serveBytes(ctx.reply, ctx.request, media);
      return { code: 0 };
    },
  },
];
