// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDemoWorld, sandboxFetch, startSandbox, TOKENS, type Sandbox, type SandboxMedia } from '../../tests/sandbox';
import type { Problem } from '../core/problem';
import { RateLimiterRegistry } from './rate-limit';
import { FeishuClient } from '../feishu/client';
import { fetchTmpDownloadUrls } from '../feishu/media';
import { createProbe } from './probe';
import { problemOf } from '../../tests/unit/problem-of';

const STREAM_HOST = 'internal-api-drive-stream.feishu.cn';

let sandbox: Sandbox;
const files = createDemoWorld().files;

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

async function linkFor(media: SandboxMedia): Promise<string> {
  const client = new FeishuClient({ apiBase: 'https://open.feishu.cn', accessToken: async () => TOKENS.feishuUser, limiters: new RateLimiterRegistry(), fetch: sandboxFetch(sandbox) });
  const result = (await fetchTmpDownloadUrls(client, [media.token])).get(media.token);
  if (!result || !('url' in result)) throw new Error('no link from the sandbox');
  sandbox.log.length = 0;
  return result.url;
}


describe('createProbe against the sandbox\'s stream host', () => {
  it.each([
    ['a PDF', () => files.report, { contentType: 'application/pdf', fileName: '季度报告.pdf', sniffedExtension: '.pdf', size: 182_345 }],
    ['a PNG', () => files.photo, { contentType: 'image/png', fileName: 'image.png', sniffedExtension: '.png', size: 345_678 }],
    ['a JPEG', () => files.diagram, { contentType: 'image/jpeg', fileName: 'image.jpg', sniffedExtension: '.jpg', size: 123_456 }],
    ['a GIF', () => files.chart, { contentType: 'image/gif', fileName: 'image.gif', sniffedExtension: '.gif', size: 23_456 }],
    ['a WebP', () => files.screenshot, { contentType: 'image/webp', fileName: 'image.webp', sniffedExtension: '.webp', size: 67_890 }],
    ['a name with a path in it', () => files.traversal, { contentType: 'application/octet-stream', fileName: '../x', sniffedExtension: null, size: 1_024 }],
  ])('learns type, name and size of %s from its first 64 bytes', async (_name, media, expected) => {
    const result = await createProbe(sandboxFetch(sandbox))({ url: await linkFor(media()) });
    expect(result).toEqual(expected);
    expect(sandbox.log).toHaveLength(1);
    const [request] = sandbox.log;
    expect(request).toMatchObject({ host: STREAM_HOST, status: 206 });
    expect(request?.headers['range']).toBe('bytes=0-63');
    expect(request?.headers['authorization']).toBeUndefined();
    expect(request?.headers['cookie']).toBeUndefined();
  });

  it('sends the link\'s own headers', async () => {
    await createProbe(sandboxFetch(sandbox))({ url: await linkFor(files.report), headers: [{ name: 'X-Request-Source', value: 'extension' }] });
    expect(sandbox.log[0]?.headers['x-request-source']).toBe('extension');
  });

  it('reports a dead link as expired (a fresh one is asked for)', async () => {
    const problem = await problemOf(createProbe(sandboxFetch(sandbox))({ url: `https://${STREAM_HOST}/space/api/box/stream/download/authcode/?code=expired` }));
    expect(problem).toEqual({ kind: 'link-expired', host: STREAM_HOST, status: 403 });
  });
});

describe('createProbe with a scripted remote', () => {
  const url = `https://${STREAM_HOST}/space/api/box/stream/download/authcode/?code=abc`;

  it('reads only the first bytes of a server that ignores Range, and takes the size from Content-Length', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(pulled === 1 ? new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d]) : new Uint8Array(40).fill(0x20));
        if (pulled > 1000) controller.close();
      },
    });
    const remote: typeof fetch = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/octet-stream', 'content-length': '10485760' } });
    const result = await createProbe(remote)({ url });
    expect(result).toEqual({ contentType: 'application/octet-stream', fileName: null, sniffedExtension: '.pdf', size: 10_485_760 });
    expect(pulled).toBeLessThan(10);
  });

  it('gives no size when the server says nothing about it', async () => {
    const remote: typeof fetch = async () => new Response(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), { status: 206, headers: { 'content-type': 'image/png' } });
    expect(await createProbe(remote)({ url })).toEqual({ contentType: 'image/png', fileName: null, sniffedExtension: '.png', size: null });
  });

  it.each<[number, Problem['kind']]>([
    [404, 'link-expired'],
    [410, 'link-expired'],
    [403, 'link-expired'],
    [500, 'server'],
    [503, 'server'],
  ])('maps HTTP %i to %s', async (status, kind) => {
    const remote: typeof fetch = async () => new Response('nope', { status });
    expect(await problemOf(createProbe(remote)({ url }))).toEqual({ kind, host: STREAM_HOST, status });
  });

  it('reports a network failure with the host only, never the signed URL', async () => {
    const remote: typeof fetch = async () => Promise.reject(new TypeError('fetch failed'));
    const problem = await problemOf(createProbe(remote)({ url }));
    expect(problem).toEqual({ kind: 'network', host: STREAM_HOST, detail: 'fetch failed' });
    expect(JSON.stringify(problem)).not.toContain('code=abc');
  });

  it('asks without credentials', async () => {
    let seen: RequestInit | undefined;
    const remote: typeof fetch = async (_input, init) => {
      seen = init;
      return new Response(new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]), { status: 206, headers: { 'content-range': 'bytes 0-5/6' } });
    };
    expect(await createProbe(remote)({ url })).toEqual({ contentType: null, fileName: null, sniffedExtension: '.gif', size: 6 });
    expect(seen?.credentials).toBe('omit');
    expect(new Headers(seen?.headers).get('authorization')).toBeNull();
    expect(new Headers(seen?.headers).get('range')).toBe('bytes=0-63');
  });
});
