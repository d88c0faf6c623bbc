/**
 * The hosts behind Ekuaibao's download links (reference §3.1, seeds/ekuaibao-attachment-downloadurls-v2.md).
 *
 * Object store (`ekuaibao.oss-cn-hangzhou.aliyuncs.com`, any `*.aliyuncs.com`): Aliyun OSS links signed with STS
 * credentials in the query (`Expires`, `OSSAccessKeyId=STS.…`, `Signature`, `security-token`). The link is the only
 * credential and may be used any number of times until `Expires` (epoch seconds):
 *   - a request that also carries an `Authorization` header → 400 InvalidArgument (OSS refuses two credentials) [I];
 *   - no signature → 403 AccessDenied; expired → 403 AccessDenied "Request has expired."; a signature the sandbox
 *     did not issue for this key, Expires and key id → 403 SignatureDoesNotMatch [I: OSS's codes];
 *   - the bytes with the file's real content type and NO Content-Disposition (the name comes from the form) [I];
 *   - `x-oss-process=image/resize,w_120,h_120` (thumbUrl): images are served as they are (the sandbox does not
 *     resize), other files → 400 BadRequest, as the doc says a PDF's thumbUrl is unusable [I].
 * DingPan (`sh-dualstack.trans.dingtalk.com`, any `*.dingtalk.com`): `/yundisk0/<id>.file` links that need the
 * `Authorization` and `x-oss-date` headers the downloadurls answer gave with them, exactly [V: "must send these
 * headers, otherwise it fails"]; else 403 AccessDenied [I]; valid 15 minutes (OSS's allowed clock skew for
 * `x-oss-date`) [I]; content type application/octet-stream, no Content-Disposition [I: the doc says to take the
 * type from the key's fileType]; unknown id → 404 NoSuchKey [I].
 * Both serve single byte ranges (206 / 416), GET and HEAD only (else 405 MethodNotAllowed).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { sendText, serveRange, type Reply } from '../http-util';
import { EKUAIBAO, type EkuaibaoFile } from './world';

export const OBJECT_STORE_HOST = EKUAIBAO.hosts.objectStore;
export const DINGPAN_HOST = EKUAIBAO.hosts.dingPan;
export const DINGPAN_LINK_LIFETIME_MS = 15 * 60_000;
/** What thumbUrl adds (decoded). */
export const OSS_THUMBNAIL_PROCESS = 'image/resize,w_120,h_120';

interface ObjectStoreLink {
  readonly file: EkuaibaoFile;
  /** Epoch seconds, as in the link. */
  readonly expires: number;
  readonly accessKeyId: string;
  readonly securityToken: string;
}

interface DingPanLink {
  readonly file: EkuaibaoFile;
  readonly authorization: string;
  readonly date: string;
  readonly expiresAt: number;
}

export interface DingPanAnswer {
  readonly url: string;
  readonly thumbUrl: string;
  readonly headers: { readonly Authorization: string; readonly 'x-oss-date': string };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (length: number) => Array.from(randomBytes(length), (b) => ALNUM[b % ALNUM.length]).join('');

function ossError(reply: Reply, status: number, code: string, message: string, host: string): void {
  const requestId = randomBytes(12).toString('hex').toUpperCase();
  reply.headers['x-oss-request-id'] = requestId;
  reply.headers['x-oss-ec'] = `0003-${String(status).padStart(8, '0')}`;
  sendText(
    reply,
    status,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${message}</Message>\n  <RequestId>${requestId}</RequestId>\n  <HostId>${host}</HostId>\n</Error>\n`,
    'application/xml',
  );
}

/** OSS's ETag: the MD5 of the object, upper-case hex, quoted. */
const etag = (file: EkuaibaoFile) => `"${createHash('md5').update(file.bytes).digest('hex').toUpperCase()}"`;

function serveObject(reply: Reply, request: IncomingMessage, file: EkuaibaoFile, contentType: string): void {
  serveRange(reply, request, file.bytes, contentType, etag(file));
  reply.headers['x-oss-request-id'] = randomBytes(12).toString('hex').toUpperCase();
  reply.headers['x-oss-object-type'] = 'Normal';
  reply.headers['server'] = 'AliyunOSS';
}

/** Links issued by downloadurls and the two hosts that honour them. Reset between tests. */
export class EkuaibaoFileHosts {
  /** Object-store links by Signature (thumbUrl shares its url's). */
  private readonly objectLinks = new Map<string, ObjectStoreLink>();
  /** DingPan links by the id in `/yundisk0/<id>.file`. */
  private readonly dingPanLinks = new Map<string, DingPanLink>();

  reset(): void {
    this.objectLinks.clear();
    this.dingPanLinks.clear();
  }

  /** An STS-signed link valid until `expires` (epoch seconds), and its thumbnail link. */
  issueObjectStoreLink(file: EkuaibaoFile, expires: number): { url: string; thumbUrl: string } {
    const signature = randomBytes(20).toString('base64');
    const link: ObjectStoreLink = { file, expires, accessKeyId: `STS.${alnum(28)}`, securityToken: `CAIS${randomBytes(180).toString('base64')}` };
    this.objectLinks.set(signature, link);
    const query = [
      ['Expires', String(expires)],
      ['OSSAccessKeyId', link.accessKeyId],
      ['Signature', signature],
      ['security-token', link.securityToken],
    ]
      .map(([name, value]) => `${name}=${encodeURIComponent(value!)}`)
      .join('&');
    const url = `https://${OBJECT_STORE_HOST}/${encodeURIComponent(file.key)}?${query}`;
    return { url, thumbUrl: `${url}&x-oss-process=${encodeURIComponent(OSS_THUMBNAIL_PROCESS)}` };
  }

  /** A DingPan link with the headers it must be fetched with (fresh for every answer). */
  issueDingPanLink(file: EkuaibaoFile, now: number): DingPanAnswer {
    const id = randomBytes(42).toString('base64url');
    const authorization = `OSS LTAI${alnum(16)}:${randomBytes(20).toString('base64')}`;
    const date = new Date(now).toUTCString();
    this.dingPanLinks.set(id, { file, authorization, date, expiresAt: now + DINGPAN_LINK_LIFETIME_MS });
    const url = `https://${DINGPAN_HOST}/yundisk0/${id}.file`;
    return { url, thumbUrl: url, headers: { Authorization: authorization, 'x-oss-date': date } };
  }

  handleObjectStore(request: IncomingMessage, url: URL, reply: Reply, now: number): void {
    const host = url.hostname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      ossError(reply, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', host);
      return;
    }
    if (request.headers.authorization !== undefined) {
      ossError(reply, 400, 'InvalidArgument', 'Authorization header is not allowed together with a signature in the query string.', host);
      return;
    }
    const query = url.searchParams;
    const signature = query.get('Signature');
    if (signature === null) {
      ossError(reply, 403, 'AccessDenied', 'You have no right to access this object because of bucket acl.', host);
      return;
    }
    const expires = Number(query.get('Expires'));
    if (!Number.isFinite(expires) || expires * 1000 <= now) {
      ossError(reply, 403, 'AccessDenied', 'Request has expired.', host);
      return;
    }
    let key: string | null;
    try {
      key = decodeURIComponent(url.pathname.slice(1));
    } catch {
      key = null;
    }
    const link = this.objectLinks.get(signature);
    if (
      !link ||
      link.file.key !== key ||
      link.expires !== expires ||
      link.accessKeyId !== query.get('OSSAccessKeyId') ||
      link.securityToken !== query.get('security-token')
    ) {
      ossError(reply, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', host);
      return;
    }
    const process = query.get('x-oss-process');
    if (process !== null) {
      if (process !== OSS_THUMBNAIL_PROCESS) {
        ossError(reply, 400, 'InvalidArgument', 'The image process parameter is invalid.', host);
        return;
      }
      if (!link.file.mimeType.startsWith('image/')) {
        ossError(reply, 400, 'BadRequest', 'The source image format is not supported.', host);
        return;
      }
    }
    serveObject(reply, request, link.file, link.file.mimeType);
  }

  handleDingPan(request: IncomingMessage, url: URL, reply: Reply, now: number): void {
    const host = url.hostname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      ossError(reply, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', host);
      return;
    }
    const match = /^\/yundisk0\/([A-Za-z0-9_-]+)\.file$/.exec(url.pathname);
    const link = match ? this.dingPanLinks.get(match[1]!) : undefined;
    if (!link) {
      ossError(reply, 404, 'NoSuchKey', 'The specified key does not exist.', host);
      return;
    }
    // Node lower-cases header names, so `Authorization` and `authorization` are the same header, as in HTTP.
    if (request.headers.authorization !== link.authorization || request.headers['x-oss-date'] !== link.date) {
      ossError(reply, 403, 'AccessDenied', 'The request must carry the Authorization and x-oss-date headers issued with this link.', host);
      return;
    }
    if (now >= link.expiresAt) {
      ossError(reply, 403, 'AccessDenied', 'Request has expired.', host);
      return;
    }
    serveObject(reply, request, link.file, 'application/octet-stream');
  }
}
