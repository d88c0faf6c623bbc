import type { IncomingMessage } from 'node:http';

/** A response being prepared; the server writes it once the handler is done. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Bytes per second to trickle the body at (for demos that show progress); 0 = at once. */
  throttle?: number;
}

export function newReply(): Reply {
  return { status: 200, headers: {}, body: Buffer.alloc(0) };
}

export function sendJson(reply: Reply, status: number, body: unknown): void {
  reply.status = status;
  reply.headers['content-type'] = 'application/json; charset=utf-8';
  reply.headers['x-tt-logid'] = `sandbox-${Date.now()}`;
  reply.body = Buffer.from(JSON.stringify(body));
}

export function sendText(reply: Reply, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  reply.status = status;
  reply.headers['content-type'] = contentType;
  reply.body = Buffer.from(text);
}

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name, as Feishu's stream hosts send it. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  // A lone surrogate has no UTF-8 form (encodeURIComponent throws): it goes as U+FFFD, as a server's encoder sends it.
  const wellFormed = fileName.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(wellFormed)}`;
}

/** Serves a file with `Range` support (single ranges; 206 / 416), ETag and Content-Disposition. */
export function serveBytes(reply: Reply, request: IncomingMessage, file: { bytes: Buffer; mimeType: string; fileName: string; token: string }): void {
  reply.headers['content-disposition'] = contentDisposition(file.fileName);
  serveRange(reply, request, file.bytes, file.mimeType, `"${file.token}"`);
}

/**
 * Serves bytes under `contentType` with `Range` support (single ranges; 206 / 416) and an ETag, and nothing else:
 * object stores send no Content-Disposition unless one was stored with the object.
 */
export function serveRange(reply: Reply, request: IncomingMessage, bytes: Buffer, contentType: string, etag: string): void {
  const size = bytes.length;
  reply.headers['content-type'] = contentType;
  reply.headers['accept-ranges'] = 'bytes';
  reply.headers['etag'] = etag;
  const range = request.headers.range;
  const match = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (range && match && (match[1] !== '' || match[2] !== '')) {
    let start: number;
    let end: number;
    if (match[1] === '') {
      start = Math.max(0, size - Number(match[2]));
      end = size - 1;
    } else {
      start = Number(match[1]);
      end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    }
    if (start >= size || start > end) {
      reply.status = 416;
      reply.headers['content-range'] = `bytes */${size}`;
      reply.body = Buffer.alloc(0);
      return;
    }
    reply.status = 206;
    reply.headers['content-range'] = `bytes ${start}-${end}/${size}`;
    reply.body = bytes.subarray(start, end + 1);
    return;
  }
  reply.status = 200;
  reply.body = bytes;
}
