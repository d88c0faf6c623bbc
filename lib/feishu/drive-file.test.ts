// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDemoWorld, DRIVE_FILES, sandboxFetch, startSandbox, TOKENS, type Sandbox } from '../../tests/sandbox';
import type { Attachment } from '../core/attachment';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { FeishuClient } from './client';
import { createDriveFileResolver, driveFileAttachment, driveFileLink, probeDriveFile } from './drive-file';
import { problemOf } from '../../tests/unit/problem-of';

const FEISHU_API = 'https://open.feishu.cn';
const CONTRACT = DRIVE_FILES.contract;
const API_URL = `${FEISHU_API}/open-apis/drive/v1/files/${CONTRACT.token}/download`;
const SIGNED = 'https://internal-api-drive-stream.feishu.cn/space/api/box/stream/download/authcode/?code=signed-abc';

/** The address a fetch was asked for. */
function requestUrl(input: RequestInfo | URL): string {
  return input instanceof Request ? input.url : input.toString();
}

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


/**
 * A remote whose download API answers with a redirect to a signed link on another origin, followed by fetch: the
 * answer says so (`redirected`, `url`), as a browser's fetch does. `seen` records what each request carried.
 */
function redirectingRemote(location: string, seen: { url: string; headers: Headers }[] = []): typeof fetch {
  return async (input, init) => {
    seen.push({ url: requestUrl(input), headers: new Headers(init?.headers) });
    const response = new Response(new Uint8Array(CONTRACT.bytes.subarray(0, 1)), {
      status: 206,
      headers: {
        'content-type': CONTRACT.mimeType,
        'content-range': `bytes 0-0/${CONTRACT.bytes.length}`,
        'content-disposition': `attachment; filename="contract.pdf"; filename*=UTF-8''${encodeURIComponent(CONTRACT.name)}`,
      },
    });
    Object.defineProperty(response, 'redirected', { value: true });
    Object.defineProperty(response, 'url', { value: location });
    return response;
  };
}

describe('probeDriveFile', () => {
  it('learns the name, size and type from the first byte of the download', async () => {
    expect(await probeDriveFile(client(), CONTRACT.token)).toEqual({ name: CONTRACT.name, size: CONTRACT.bytes.length, mimeType: CONTRACT.mimeType });
    expect(sandbox.log.map((e) => [e.endpoint, e.status, e.headers['range']])).toEqual([['drive.file.download', 206, 'bytes=0-0']]);
    expect(sandbox.log[0]?.headers['authorization']).toBe(`Bearer ${TOKENS.feishuUser}`);
  });

  it('gives null for what the answer does not say', async () => {
    const bare: typeof fetch = async () => new Response(new Uint8Array([1]), { status: 200, headers: { 'content-type': 'application/octet-stream' } });
    expect(await probeDriveFile(client(TOKENS.feishuUser, bare), CONTRACT.token)).toEqual({ name: null, size: null, mimeType: 'application/octet-stream' });
  });

  it('passes the API\'s problem on: deleted, not shared, no scope', async () => {
    expect(await problemOf(probeDriveFile(client(), 'DrvNoSuchFile2026AbCdEfGhIj'))).toMatchObject({ kind: 'not-found', code: 1061007, status: 404 });
    const world = createDemoWorld();
    sandbox.world = { ...world, driveFiles: (world.driveFiles ?? []).map((f) => ({ ...f, readers: [] })) };
    expect(await problemOf(probeDriveFile(client(), CONTRACT.token))).toMatchObject({ kind: 'not-shared', code: 1061004, status: 403 });
    expect(await problemOf(probeDriveFile(client(TOKENS.feishuNoMediaScope), CONTRACT.token))).toMatchObject({ kind: 'scope-missing' });
  });
});

describe('driveFileAttachment', () => {
  const info = { name: CONTRACT.name, size: CONTRACT.bytes.length, mimeType: 'application/pdf; charset=binary' };

  it('names the file as the page (wiki title) or the download names it, with its size and bare type', () => {
    expect(driveFileAttachment(FEISHU_API, CONTRACT.token, info)).toEqual<Attachment>({
      id: `feishu-drive-file:${CONTRACT.token}`,
      name: CONTRACT.name,
      nameIsGenerated: false,
      kind: 'file',
      size: CONTRACT.bytes.length,
      mimeType: 'application/pdf',
      source: { type: 'feishu-drive-file', apiBase: FEISHU_API, token: CONTRACT.token },
      subfolders: [],
    });
    expect(driveFileAttachment(FEISHU_API, CONTRACT.token, info, '  合同（wiki 标题）.pdf ').name).toBe('合同（wiki 标题）.pdf');
    expect(driveFileAttachment(FEISHU_API, CONTRACT.token, info, '   ').name).toBe(CONTRACT.name);
  });

  it('makes up a name only when there is none, and says so', () => {
    const nameless = driveFileAttachment(FEISHU_API, CONTRACT.token, { name: null, size: null, mimeType: null });
    expect(nameless).toEqual<Attachment>({
      id: `feishu-drive-file:${CONTRACT.token}`,
      name: 'file',
      nameIsGenerated: true,
      kind: 'file',
      source: { type: 'feishu-drive-file', apiBase: FEISHU_API, token: CONTRACT.token },
      subfolders: [],
    });
  });

  it('calls an image an image', () => {
    expect(driveFileAttachment(FEISHU_API, CONTRACT.token, { name: 'scan.png', size: 5, mimeType: 'image/png' }).kind).toBe('image');
  });
});

describe('driveFileLink', () => {
  it('hands Chrome the API URL with the token, for the API origin only', async () => {
    const link = await driveFileLink(client(), CONTRACT.token);
    expect(link).toEqual({ url: API_URL, headers: [{ name: 'Authorization', value: `Bearer ${TOKENS.feishuUser}` }] });
    expect(new URL(link.url).origin).toBe(FEISHU_API);
    // The link works as Chrome will use it: the whole file, with the header.
    const response = await sandboxFetch(sandbox)(link.url, { headers: Object.fromEntries((link.headers ?? []).map((h) => [h.name, h.value])) });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(CONTRACT.bytes)).toBe(true);
    expect(response.headers.get('content-disposition')).toContain(encodeURIComponent(CONTRACT.name));
  });

  it('hands Chrome the signed link without any header when the API redirects to another origin', async () => {
    const seen: { url: string; headers: Headers }[] = [];
    const link = await driveFileLink(client(TOKENS.feishuUser, redirectingRemote(SIGNED, seen)), CONTRACT.token);
    expect(link).toEqual({ url: SIGNED });
    expect(seen.map((s) => [s.url, s.headers.get('range')])).toEqual([[API_URL, 'bytes=0-0']]);
  });

  it('keeps the API URL when a redirect stays on the API origin', async () => {
    const link = await driveFileLink(client(TOKENS.feishuUser, redirectingRemote(`${FEISHU_API}/open-apis/drive/v1/files/${CONTRACT.token}/download?moved=1`)), CONTRACT.token);
    expect(link).toEqual({ url: API_URL, headers: [{ name: 'Authorization', value: `Bearer ${TOKENS.feishuUser}` }] });
  });

  it('refuses a redirect to a plain-http address', async () => {
    const problem = await problemOf(driveFileLink(client(TOKENS.feishuUser, redirectingRemote('http://files.example/contract.pdf')), CONTRACT.token));
    expect(problem).toEqual({ kind: 'invalid-response', host: 'open.feishu.cn', detail: 'download redirected to a non-https address' });
  });

  it('passes the API\'s problem on', async () => {
    expect(await problemOf(driveFileLink(client(TOKENS.feishuExpired), CONTRACT.token))).toMatchObject({ kind: 'token-expired', code: 99991677 });
  });
});

describe('createDriveFileResolver', () => {
  const attachment = driveFileAttachment(FEISHU_API, CONTRACT.token, { name: CONTRACT.name, size: null, mimeType: null });

  it('resolves one file a call through the client of the file\'s API base', async () => {
    const clientFor = vi.fn(async () => client());
    const resolver = createDriveFileResolver(clientFor);
    expect(resolver.batchSize).toBe(1);
    const results = await resolver.resolve([attachment]);
    expect(clientFor).toHaveBeenCalledExactlyOnceWith(FEISHU_API);
    expect(results.get(attachment.id)).toEqual({ link: { url: API_URL, headers: [{ name: 'Authorization', value: `Bearer ${TOKENS.feishuUser}` }] } });
  });

  it('groups by API base', () => {
    const resolver = createDriveFileResolver(async () => client());
    const lark = { ...attachment, source: { ...attachment.source, apiBase: 'https://open.larksuite.com' } };
    expect(resolver.groupOf(attachment)).not.toBe(resolver.groupOf(lark));
  });

  it('ignores attachments of other sources', async () => {
    const clientFor = vi.fn(async () => client());
    const media: Attachment = { ...attachment, id: 'feishu-media:boxcnX', source: { type: 'feishu-media', apiBase: FEISHU_API, token: 'boxcnXXXXXXXXX' } };
    expect((await createDriveFileResolver(clientFor).resolve([media])).size).toBe(0);
    expect(clientFor).not.toHaveBeenCalled();
  });
});
