/**
 * The drive stream host. Signed links (`authcode/?code=`, from the tmp-URL and mail APIs) carry their own
 * credential: a request that also carries an `Authorization` header is refused (as signed object-store links
 * do), expired or used-up links get 403. Page images (`preview/<token>`) are what the web client shows.
 * Faults armed on the gateway's `faults` (faults.ts) apply to signed links only: links expired at once (403),
 * failing media (500), and dropped transfers, which the server carries out (half the body, then the socket goes).
 */
import type { IncomingMessage } from 'node:http';
import { STREAM_TARGET, type FaultKind } from './faults';
import type { FeishuOpenApi } from './feishu-open-api';
import { sendText, serveBytes, type Reply } from './http-util';
import type { SandboxWorld } from './world';

export interface StreamOutcome {
  /** Set when an injected fault decided the answer; 'dropped' asks the server to cut the transfer halfway. */
  readonly fault?: FaultKind;
}

const REFUSED_LINK = 'link expired, used up or invalid';

export function handleStream(api: FeishuOpenApi, world: SandboxWorld, request: IncomingMessage, url: URL, reply: Reply, now: number): StreamOutcome {
  const preview = /^\/space\/api\/box\/stream\/download\/preview\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
  if (preview) {
    const media = world.media.find((m) => m.token === preview[1]);
    if (media) serveBytes(reply, request, media);
    else sendText(reply, 404, 'not found');
    return {};
  }
  if (url.pathname !== '/space/api/box/stream/download/authcode/') {
    sendText(reply, 404, 'not found');
    return {};
  }
  if (request.headers.authorization !== undefined) {
    sendText(reply, 400, 'a signed link must not carry an Authorization header');
    return {};
  }
  const code = url.searchParams.get('code') ?? '';
  const link = api.state.streamLinks.get(code);
  if (!link || link.expiresAt <= now || link.usesLeft === 0) {
    sendText(reply, 403, REFUSED_LINK);
    return {};
  }
  if (api.faults.linkExpired(code)) {
    sendText(reply, 403, REFUSED_LINK);
    return { fault: 'expired' };
  }
  if (api.faults.mediaFailing(link.media.token)) {
    sendText(reply, 500, 'internal server error');
    return { fault: 'failing-media' };
  }
  if (link.usesLeft !== undefined) link.usesLeft--;
  serveBytes(reply, request, link.media);
  // Only a transfer that has a body to cut can be dropped halfway (not a HEAD, not a 416).
  if (request.method !== 'HEAD' && reply.body.length > 0 && api.faults.takeDrop(STREAM_TARGET)) return { fault: 'dropped' };
  return {};
}
