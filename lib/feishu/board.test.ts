// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BOARD_IMAGES, createDemoWorld, sandboxFetch, startSandbox, TOKENS, type Sandbox } from '../../tests/sandbox';
import type { Attachment } from '../core/attachment';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { boardImageLink, createBoardResolver } from './board';
import { FeishuClient } from './client';
import { problemOf } from '../../tests/unit/problem-of';

const FEISHU_API = 'https://open.feishu.cn';
const FLOW = BOARD_IMAGES.flow;

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ tls: false });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  sandbox.world = createDemoWorld();
  sandbox.reset();
});

function client(token: string = TOKENS.feishuUser, fetchImpl: typeof fetch = sandboxFetch(sandbox)): FeishuClient {
  return new FeishuClient({ apiBase: FEISHU_API, accessToken: async () => token, limiters: new RateLimiterRegistry(), fetch: fetchImpl, retries: 0 });
}


/** The bytes of a `data:<type>;base64,` URL, and its type. */
function decode(url: string): { type: string; bytes: Buffer } {
  const match = /^data:([^;,]+);base64,([A-Za-z0-9+/=]*)$/.exec(url);
  if (!match) throw new Error(`not a base64 data URL: ${url.slice(0, 60)}`);
  return { type: match[1]!, bytes: Buffer.from(match[2]!, 'base64') };
}

describe('boardImageLink', () => {
  it('fetches the whiteboard as a PNG and hands it over as a data: URL with the exact bytes', async () => {
    const url = await boardImageLink(client(), FLOW.token);
    const { type, bytes } = decode(url);
    expect(type).toBe('image/png');
    expect(bytes.equals(FLOW.png)).toBe(true);
    expect(bytes.readUInt32BE(16)).toBe(FLOW.width);
    expect(bytes.readUInt32BE(20)).toBe(FLOW.height);
    expect(sandbox.log.map((e) => [e.method, e.path, e.status, e.endpoint])).toEqual([
      ['GET', `/open-apis/board/v1/whiteboards/${FLOW.token}/download_as_image`, 200, 'board.download-as-image'],
    ]);
    // The token went to the API only: the image itself carries nothing that needs one.
    expect(url).not.toContain(TOKENS.feishuUser);
  });

  it('encodes images larger than one base64 chunk', async () => {
    const big = Buffer.alloc(200_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 256;
    const remote: typeof fetch = async () => new Response(big, { headers: { 'content-type': 'image/png' } });
    expect(decode(await boardImageLink(client(TOKENS.feishuUser, remote), FLOW.token)).bytes.equals(big)).toBe(true);
  });

  it.each([
    ['no type', undefined, 'image/png'],
    ['a type with parameters', 'image/jpeg; quality=90', 'image/jpeg'],
    ['a type that is not an image', 'text/html', 'image/png'],
    ['a type that could break the URL', 'image/png,evil', 'image/png'],
  ])('labels an answer with %s safely', async (_name, contentType, expected) => {
    const remote: typeof fetch = async () => new Response(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), contentType ? { headers: { 'content-type': contentType } } : {});
    expect(decode(await boardImageLink(client(TOKENS.feishuUser, remote), FLOW.token)).type).toBe(expected);
  });

  it('passes the API\'s problem on', async () => {
    expect(await problemOf(boardImageLink(client(TOKENS.feishuNoMediaScope), FLOW.token))).toMatchObject({ kind: 'scope-missing', scopes: ['board:whiteboard:node:read'] });
    expect(await problemOf(boardImageLink(client(), 'BrdNoSuchBoard2026AbCdEfGhI'))).toMatchObject({ status: 404, code: 2891001 });
    expect(await problemOf(boardImageLink(client(TOKENS.feishuExpired), FLOW.token))).toMatchObject({ kind: 'token-expired' });
  });
});

describe('createBoardResolver', () => {
  const board: Attachment = {
    id: `feishu-board:${FLOW.token}`,
    name: 'whiteboard-01.png',
    nameIsGenerated: false,
    kind: 'image',
    mimeType: 'image/png',
    source: { type: 'feishu-board', apiBase: FEISHU_API, token: FLOW.token },
    subfolders: [],
    where: 'Whiteboard',
  };

  it('resolves each whiteboard to its image, without any header', async () => {
    const clientFor = vi.fn(async () => client());
    const resolver = createBoardResolver(clientFor);
    expect(resolver.batchSize).toBe(1);
    const result = (await resolver.resolve([board])).get(board.id);
    expect(clientFor).toHaveBeenCalledExactlyOnceWith(FEISHU_API);
    expect(result && 'link' in result && Object.keys(result.link)).toEqual(['url']);
    expect(result && 'link' in result && decode(result.link.url).bytes.equals(FLOW.png)).toBe(true);
  });

  it('ignores attachments of other sources', async () => {
    const clientFor = vi.fn(async () => client());
    const other: Attachment = { ...board, id: 'feishu-media:boxcnX', source: { type: 'feishu-media', apiBase: FEISHU_API, token: 'boxcnXXXXXXXX' } };
    expect((await createBoardResolver(clientFor).resolve([other])).size).toBe(0);
    expect(clientFor).not.toHaveBeenCalled();
  });
});
