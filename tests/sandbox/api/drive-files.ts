/**
 * Cloud-space files (`/file/<token>`): `GET /open-apis/drive/v1/files/:file_token/download` streams the file itself
 * (no redirect), with `Range` (206 / 416), Content-Type and Content-Disposition.
 *
 * Documented [V] (reference §2 note and §9.1; Lark docs mirror `docs/server-api/docs/space/download/download-files.md`):
 * 5 QPS; scopes (any) drive:drive, drive:drive:readonly, drive:file, drive:file:readonly (older page) and
 * drive:file:download (newer Feishu page) — the fake accepts any of the five; Range download; content-type (the MIME)
 * and content-disposition (the name) headers. Media tokens of documents / sheets / bases are not cloud-space files:
 * they are downloaded through `drive/v1/medias/*` (the media doc says so), so this route does not find them.
 *
 * [I] inferred: 403/1061004 "forbidden." when the caller may not read the file, 404/1061007 "file has been deleted."
 * for an unknown token (including a media token), as the media download API answers; the limit is answered 429.
 */
import { serveBytes } from '../http-util';
import { canRead, fail, perSecond, requireScope, type Route } from './context';

export const DRIVE_FILE_SCOPES = ['drive:drive', 'drive:drive:readonly', 'drive:file', 'drive:file:readonly', 'drive:file:download'];

export const driveFilesRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/open-apis\/drive\/v1\/files\/([^/]+)\/download$/,
    endpoint: 'drive.file.download',
    limits: [perSecond(5)],
    handle(ctx) {
      const denied = requireScope(ctx, DRIVE_FILE_SCOPES);
      if (denied) return denied;
      const file = (ctx.world.driveFiles ?? []).find((f) => f.token === ctx.params[0] && f.brand === ctx.brand);
      if (!file) return fail(ctx, 404, 1061007, 'file has been deleted.');
      if (!canRead(ctx.token, file.readers)) return fail(ctx, 403, 1061004, 'forbidden.');
      serveBytes(ctx.reply, ctx.request, { bytes: file.bytes, mimeType: file.mimeType, fileName: file.name, token: file.token });
      return { code: 0 };
    },
  },
];
