/**
 * Whiteboards: `GET /open-apis/board/v1/whiteboards/:whiteboard_id/download_as_image` answers the board rendered as
 * a PNG (the bytes themselves, `Content-Type: image/png`).
 *
 * Documented [V] (reference §1.3: the route; official CLI and node-sdk: a streamed image answer). Scope
 * board:whiteboard:node:read (as the brief and ALL_SCOPES have it).
 *
 * [I] inferred: 5/s answered 429; errors 404/2891001 "whiteboard not found" (unknown id or another brand's) and
 * 403/2891002 "no permission" (not shared with the caller) — the board error codes are not in the reference.
 * No Range support and no Content-Disposition (an export, not a stored file).
 */
import { canRead, fail, perSecond, requireScope, type Route } from './context';

export const BOARD_SCOPES = ['board:whiteboard:node:read'];

export const boardRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/open-apis\/board\/v1\/whiteboards\/([^/]+)\/download_as_image$/,
    endpoint: 'board.download-as-image',
    limits: [perSecond(5)],
    handle(ctx) {
      const denied = requireScope(ctx, BOARD_SCOPES);
      if (denied) return denied;
      const board = (ctx.world.boards ?? []).find((b) => b.token === ctx.params[0] && b.brand === ctx.brand);
      if (!board) return fail(ctx, 404, 2891001, 'whiteboard not found');
      if (!canRead(ctx.token, board.readers)) return fail(ctx, 403, 2891002, 'no permission');
      ctx.reply.status = 200;
      ctx.reply.headers['content-type'] = 'image/png';
      ctx.reply.body = board.png;
      return { code: 0 };
    },
  },
];
