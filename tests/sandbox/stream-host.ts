/**
 * The drive stream host behind tmp download URLs: the link's code is its only credential, so a request that
 * also carries an `Authorization` header is refused (as signed object-store links do), and counted.
 */
import type { IncomingMessage } from 'node:http';
import type { FeishuOpenApi } from './feishu-open-api';
import { sendText, serveBytes, type Reply } from './http-util';

export function handleStream(api: FeishuOpenApi, request: IncomingMessage, url: URL, reply: Reply, now: number): void {
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
