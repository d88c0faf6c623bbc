/**
 * A cloud-space file (`/file/<token>`), downloaded through `drive/v1/files/:token/download`. That API wants the
 * token, so the link handed to Chrome carries `Authorization` for the API origin only; if the API redirects to
 * another origin (a signed link), the redirect is followed without the token and Chrome gets the signed link.
 */
import type { Attachment } from '../core/attachment';
import { ProblemError } from '../core/problem';
import { fileNameFromContentDisposition } from '../downloads/content-type';
import type { LinkResolver, LinkResult, ResolvedLink } from '../downloads/links';
import { FEISHU_ENDPOINTS, segment, type FeishuClient } from './client';

function downloadRequest(token: string, range?: string) {
  return { path: `drive/v1/files/${segment(token)}/download`, ...(range ? { headers: { Range: range } } : {}) };
}

export interface DriveFileInfo {
  readonly name: string | null;
  readonly size: number | null;
  readonly mimeType: string | null;
}

/** The file's name, size and type from the first byte of the download (its headers), without reading the file. */
export async function probeDriveFile(client: FeishuClient, token: string): Promise<DriveFileInfo> {
  const { response } = await client.requestBinary(FEISHU_ENDPOINTS.driveFileDownload, downloadRequest(token, 'bytes=0-0'));
  await response.body?.cancel().catch(() => undefined);
  const total = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '')?.[1];
  return {
    name: fileNameFromContentDisposition(response.headers.get('content-disposition')),
    size: total ? Number(total) : null,
    mimeType: response.headers.get('content-type'),
  };
}

export function driveFileAttachment(apiBase: string, token: string, info: DriveFileInfo, knownName?: string): Attachment {
  const name = knownName?.trim() || info.name;
  return {
    id: `feishu-drive-file:${token}`,
    name: name ?? 'file',
    nameIsGenerated: !name,
    kind: info.mimeType?.startsWith('image/') ? 'image' : 'file',
    ...(info.size !== null ? { size: info.size } : {}),
    ...(info.mimeType ? { mimeType: info.mimeType.split(';')[0]!.trim() } : {}),
    source: { type: 'feishu-drive-file', apiBase, token },
    subfolders: [],
  };
}

/** The link for Chrome: the API URL with the token (API origin only), or the signed link the API redirects to. */
export async function driveFileLink(client: FeishuClient, token: string): Promise<ResolvedLink> {
  const { response, finalUrl, token: accessToken } = await client.requestBinary(FEISHU_ENDPOINTS.driveFileDownload, downloadRequest(token, 'bytes=0-0'));
  await response.body?.cancel().catch(() => undefined);
  const apiUrl = client.urlFor(downloadRequest(token));
  if (new URL(finalUrl).origin !== new URL(client.apiBase).origin) {
    if (new URL(finalUrl).protocol !== 'https:') throw new ProblemError({ kind: 'invalid-response', host: client.host, detail: 'download redirected to a non-https address' });
    return { url: finalUrl };
  }
  return { url: apiUrl, headers: [{ name: 'Authorization', value: `Bearer ${accessToken}` }] };
}

export function createDriveFileResolver(clientFor: (apiBase: string) => Promise<FeishuClient>): LinkResolver {
  return {
    batchSize: 1,
    groupOf: (attachment) => `${attachment.source.type} ${attachment.source.apiBase}`,
    async resolve(attachments) {
      const results = new Map<string, LinkResult>();
      for (const attachment of attachments) {
        if (attachment.source.type !== 'feishu-drive-file') continue;
        const client = await clientFor(attachment.source.apiBase);
        results.set(attachment.id, { link: await driveFileLink(client, attachment.source.token) });
      }
      return results;
    },
  };
}
