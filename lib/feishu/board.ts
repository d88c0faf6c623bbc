/**
 * Whiteboards saved as images: `board/v1/whiteboards/:token/download_as_image` needs the token, so the image is
 * fetched here and handed to Chrome as a `data:` URL (the token never rides along with a download).
 */
import { ProblemError } from '../core/problem';
import type { LinkResolver, LinkResult } from '../downloads/links';
import { FEISHU_ENDPOINTS, segment, type FeishuClient } from './client';

/** Whiteboard images are small; anything larger than this is not a whiteboard image. */
const MAX_BOARD_IMAGE_BYTES = 32 * 1024 * 1024;

export async function boardImageLink(client: FeishuClient, token: string): Promise<string> {
  const { response } = await client.requestBinary(FEISHU_ENDPOINTS.boardImage, { path: `board/v1/whiteboards/${segment(token)}/download_as_image` });
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_BOARD_IMAGE_BYTES) throw new ProblemError({ kind: 'invalid-response', host: client.host, detail: 'whiteboard image too large' });
  const type = (response.headers.get('content-type') ?? 'image/png').split(';')[0]!.trim();
  return `data:${/^image\/[\w.+-]+$/.test(type) ? type : 'image/png'};base64,${toBase64(bytes)}`;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function createBoardResolver(clientFor: (apiBase: string) => Promise<FeishuClient>): LinkResolver {
  return {
    batchSize: 1,
    groupOf: (attachment) => `${attachment.source.type} ${attachment.source.apiBase}`,
    async resolve(attachments) {
      const results = new Map<string, LinkResult>();
      for (const attachment of attachments) {
        if (attachment.source.type !== 'feishu-board') continue;
        const client = await clientFor(attachment.source.apiBase);
        results.set(attachment.id, { link: { url: await boardImageLink(client, attachment.source.token) } });
      }
      return results;
    },
  };
}
