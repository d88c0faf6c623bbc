/**
 * The drive stream host. Signed links (`authcode/?code=`, from the tmp-URL and mail APIs) carry their own
 * credential: a request that also carries an `Authorization` header is refused (as signed object-store links
 * do), expired or used-up links get 403. Page images (`preview/<token>`) are what the web client shows.
 */
import type { IncomingMessage } from 'node:http';
import type { FeishuOpenApi } from './feishu-open-api';
import { sendText, serveBytes, type Reply } from './http-util';
import type { SandboxWorld } from './world';

export function handleStream(api: FeishuOpenApi, world: SandboxWorld, request: IncomingMessage, url: URL, reply: Reply, now: number): void {
  const preview = /^\/space\/api\/box\/stream\/download\/preview\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
  if (preview) {
    const media = world.media.find((m) => m.token === preview[1]);
    if (media) serveBytes(reply, request, media);
    else sendText(reply, 404, 'not found');
    return;
  }
  if (url.pathname !== '/space/api/box/stream/download/authcode/') {
    sendText(reply, 404, 'not found');
    return;
  }
  if (request.headers.authorization !== undefined) {
    sendText(reply, 400, 'a signed link must not carry an Authorization header');
    return;
  }
  const link = api.state.streamLinks.get(url.searchParams.get('code') ?? '');
  if (!link || link.expiresAt <= now || link.usesLeft === 0) {
    sendText(reply, 403, 'link expired, used up or invalid');
    return;
  }
  if (link.usesLeft !== undefined) link.usesLeft--;
  serveBytes(reply, request, link.media);
}
