// @vitest-environment node
/**
 * Download links of Ekuaibao attachments against the sandbox: `downloadurls` in calls of at most 100 items, links
 * that fetch the exact bytes from the object store or the DingPan host (with the headers DingPan needs), the engine's
 * resolver, and answers the sandbox never gives (a DingPan link without headers, a non-http(s) link, headers no
 * download may carry), made by rewriting the sandbox's real answers on their way to the client.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDemoWorld, EKUAIBAO, EKUAIBAO_FILES, sandboxFetch, startSandbox, type ExpectedEkuaibaoFile, type Sandbox } from '../../tests/sandbox';
import type { Attachment } from '../core/attachment';
import { ProblemError, type Problem } from '../core/problem';
import { LinkBatcher, type LinkResult, type ResolvedLink } from '../downloads/links';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { EkuaibaoClient } from './client';
import { createEkuaibaoResolver, fetchDownloadUrls, itemKey, toLinkResult } from './download-urls';

const HOST = 'app.ekuaibao.com';
const stored = EKUAIBAO_FILES.filter((f) => !f.missing);
const missing = EKUAIBAO_FILES.filter((f) => f.missing);
const dingPan = EKUAIBAO_FILES.filter((f) => f.dingPan);
const objectStore = stored.filter((f) => !f.dingPan);

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

type AnswerItem = Record<string, unknown>;

/** The sandbox, with each downloadurls answer passed through `rewrite` (a server that answers differently). */
function rewritingFetch(rewrite: (items: AnswerItem[]) => unknown[]): typeof fetch {
  const toSandbox = sandboxFetch(sandbox);
  return async (input, init) => {
    const response = await toSandbox(input, init);
    if (!(input instanceof Request ? input.url : input.toString()).includes('/api/openapi/v2/attachment/downloadurls') || !response.ok) return response;
    const items = (await response.json()) as AnswerItem[];
    return new Response(JSON.stringify(rewrite(items)), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } });
  };
}

function client(options: { token?: string; apiBase?: string; fetch?: typeof fetch } = {}): EkuaibaoClient {
  return new EkuaibaoClient({
    apiBase: options.apiBase ?? EKUAIBAO.apiBase,
    accessToken: async () => options.token ?? EKUAIBAO.token,
    limiters: new RateLimiterRegistry(),
    fetch: options.fetch ?? sandboxFetch(sandbox),
    retries: 0,
  });
}

/** An engine attachment of a demo file, as the listing makes it. */
function attachmentOf(file: ExpectedEkuaibaoFile, apiBase: string = EKUAIBAO.apiBase): Attachment {
  return {
    id: `ekb:${file.formCode}:${file.fileId}:${file.key}`,
    name: file.fileName ?? 'unnamed',
    nameIsGenerated: file.fileName === undefined,
    kind: 'file',
    source: { type: 'ekuaibao-attachment', apiBase, fileId: file.fileId, key: file.key },
    subfolders: [],
  };
}

const downloadCalls = () => sandbox.log.filter((e) => e.endpoint === 'ekb.downloadurls');

/** Fetches a link the way the download would: its URL with exactly its headers. */
function download(link: ResolvedLink): Promise<Response> {
  return sandboxFetch(sandbox)(link.url, { headers: (link.headers ?? []).map((h): [string, string] => [h.name, h.value]) });
}

function linkOf(result: LinkResult | undefined): ResolvedLink {
  if (!result || !('link' in result)) throw new Error(`expected a link, got ${JSON.stringify(result)}`);
  return result.link;
}

function problemOfResult(result: LinkResult | undefined): Problem {
  if (!result || !('problem' in result)) throw new Error(`expected a problem, got ${JSON.stringify(result)}`);
  return result.problem;
}

describe('fetchDownloadUrls', () => {
  it('asks for all 119 files in ⌈119/100⌉ = 2 calls of at most 100 items, each link for 1800 s', async () => {
    expect(EKUAIBAO_FILES).toHaveLength(119);
    const links = await fetchDownloadUrls(client(), EKUAIBAO_FILES);
    const calls = downloadCalls();
    expect(calls.map((c) => [c.method, c.host, c.status, c.items])).toEqual([
      ['POST', HOST, 200, 100],
      ['POST', HOST, 200, 19],
    ]);
    const asked = calls.flatMap((c) => JSON.parse(c.bodyText ?? '[]') as { id: string; key: string; expiration: number }[]);
    expect(asked).toEqual(EKUAIBAO_FILES.map((f) => ({ id: f.fileId, key: f.key, expiration: 1800 })));
    expect([...links.keys()].sort()).toEqual(stored.map(itemKey).sort());
  });

  it('gives links that download the exact bytes of every stored file', async () => {
    const links = await fetchDownloadUrls(client(), EKUAIBAO_FILES);
    for (const file of stored) {
      const link = linkOf(toLinkResult(links.get(itemKey(file)), HOST));
      const response = await download(link);
      expect([file.fileName, response.status]).toEqual([file.fileName, 200]);
      expect(Buffer.from(await response.arrayBuffer()).equals(file.bytes)).toBe(true);
    }
  });

  it('gives object-store links that carry their own signature: no headers, no token of ours, valid 30 minutes', async () => {
    const links = await fetchDownloadUrls(client(), objectStore);
    for (const file of objectStore) {
      const link = linkOf(toLinkResult(links.get(itemKey(file)), HOST));
      const url = new URL(link.url);
      expect(url.hostname).toBe(EKUAIBAO.hosts.objectStore);
      expect(link.headers).toBeUndefined();
      expect(link.url).not.toContain(encodeURIComponent(EKUAIBAO.token));
      expect(Number(url.searchParams.get('Expires')) - Date.now() / 1000).toBeGreaterThan(1790);
    }
  });

  it('gives DingPan links with the headers they need, and the DingPan host refuses them without', async () => {
    expect(dingPan).toHaveLength(2);
    const links = await fetchDownloadUrls(client(), dingPan);
    for (const file of dingPan) {
      const link = linkOf(toLinkResult(links.get(itemKey(file)), HOST));
      expect(new URL(link.url).hostname).toBe(EKUAIBAO.hosts.dingPan);
      expect(link.headers?.map((h) => h.name)).toEqual(['Authorization', 'x-oss-date']);
      expect((await sandboxFetch(sandbox)(link.url)).status).toBe(403);
      const response = await download(link);
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(file.bytes)).toBe(true);
    }
  });

  it('gives the file missing from the store no link, which the engine takes as no-link', async () => {
    expect(missing).toHaveLength(1);
    const links = await fetchDownloadUrls(client(), EKUAIBAO_FILES.slice(0, 14));
    expect(links.has(itemKey(missing[0]!))).toBe(false);
    expect(toLinkResult(links.get(itemKey(missing[0]!)), HOST)).toEqual({ problem: { kind: 'no-link', platform: 'ekuaibao', host: HOST } });
  });

  it('asks for a file named twice once, and for nothing at all without a call', async () => {
    const [first, second] = EKUAIBAO_FILES as [ExpectedEkuaibaoFile, ExpectedEkuaibaoFile];
    expect((await fetchDownloadUrls(client(), [first, second, first])).size).toBe(2);
    expect(downloadCalls().map((c) => c.items)).toEqual([2]);
    expect((await fetchDownloadUrls(client(), [])).size).toBe(0);
    expect(downloadCalls()).toHaveLength(1);
  });

  it("gets no link for another corporation's token, and a refusal for an expired one", async () => {
    expect((await fetchDownloadUrls(client({ token: EKUAIBAO.otherCorpToken }), stored)).size).toBe(0);
    const refusal = await fetchDownloadUrls(client({ token: EKUAIBAO.expiredToken }), stored).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ProblemError);
    expect((refusal as ProblemError).problem).toMatchObject({ kind: 'token-invalid', platform: 'ekuaibao' });
  });
});

describe('toLinkResult on answers the sandbox does not give', () => {
  it('refuses a DingPan link whose headers are missing: no-link, saying DingPan', async () => {
    const stripped = rewritingFetch((items) => items.map((item) => Object.fromEntries(Object.entries(item).filter(([name]) => name !== 'headers'))));
    const links = await fetchDownloadUrls(client({ fetch: stripped }), dingPan);
    for (const file of dingPan) {
      const problem = problemOfResult(toLinkResult(links.get(itemKey(file)), HOST));
      expect(problem).toEqual({ kind: 'no-link', platform: 'ekuaibao', host: EKUAIBAO.hosts.dingPan, detail: problem.detail });
      expect(problem.detail).toMatch(/^DingPan/);
    }
  });

  it('refuses a DingPan link whose only headers are ones a download may not carry', async () => {
    const cookieOnly = rewritingFetch((items) => items.map((item) => ({ ...item, headers: { Cookie: 'session=1', Host: 'evil.example' } })));
    const links = await fetchDownloadUrls(client({ fetch: cookieOnly }), dingPan);
    const problem = problemOfResult(toLinkResult(links.get(itemKey(dingPan[0]!)), HOST));
    expect(problem.kind).toBe('no-link');
    expect(problem.detail).toMatch(/^DingPan/);
  });

  it('refuses a link that is not http(s): invalid-response', async () => {
    const [file] = objectStore as [ExpectedEkuaibaoFile];
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'ftp://ekuaibao.oss-cn-hangzhou.aliyuncs.com/x.pdf', 'not a link']) {
      const odd = rewritingFetch((items) => items.map((item) => ({ ...item, url })));
      const links = await fetchDownloadUrls(client({ fetch: odd }), [file]);
      const problem = problemOfResult(toLinkResult(links.get(itemKey(file)), HOST));
      expect([url, problem]).toEqual([url, { kind: 'invalid-response', platform: 'ekuaibao', host: HOST, detail: problem.detail }]);
      expect(problem.detail).toMatch(/^downloadurls: /);
    }
  });

  it('drops headers no download may carry (Chrome refuses them) and keeps the rest, which still download', async () => {
    const forbidden = {
      Cookie: 'a=1',
      Cookie2: 'b=2',
      'Set-Cookie': 'c=3',
      Host: 'evil.example',
      Origin: 'https://evil.example',
      Referer: 'https://evil.example/',
      'User-Agent': 'x',
      'Content-Length': '1',
      'Content-Transfer-Encoding': 'binary',
      Connection: 'close',
      'Keep-Alive': 'timeout=5',
      TE: 'trailers',
      Trailer: 'x',
      'Transfer-Encoding': 'chunked',
      Upgrade: 'h2c',
      Via: '1.1 proxy',
      'Proxy-Authorization': 'Basic eA==',
      'Sec-Fetch-Site': 'none',
      'Accept-Charset': 'utf-8',
      'Accept-Encoding': 'gzip',
      'Access-Control-Request-Headers': 'x',
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Private-Network': 'true',
      Date: 'Thu, 20 Nov 2026 09:00:00 GMT',
      DNT: '1',
      Expect: '100-continue',
    };
    const noisy = rewritingFetch((items) => items.map((item) => ({ ...item, headers: { ...forbidden, ...(item['headers'] as Record<string, string> | undefined) } })));
    const links = await fetchDownloadUrls(client({ fetch: noisy }), stored);
    for (const file of stored) {
      const link = linkOf(toLinkResult(links.get(itemKey(file)), HOST));
      expect([file.fileName, link.headers?.map((h) => h.name)]).toEqual([file.fileName, file.dingPan ? ['Authorization', 'x-oss-date'] : undefined]);
      if (file.dingPan) expect((await download(link)).status).toBe(200);
    }
  });

  it('drops an answer item whose header would split the request (a line break): that file gets no link, the rest do', async () => {
    const [first, ...rest] = dingPan as [ExpectedEkuaibaoFile, ...ExpectedEkuaibaoFile[]];
    const broken = rewritingFetch((items) => items.map((item) => (item['id'] === first.fileId ? { ...item, headers: { Authorization: 'OSS a:b\r\nX-Injected: 1' } } : item)));
    const links = await fetchDownloadUrls(client({ fetch: broken }), dingPan);
    expect(toLinkResult(links.get(itemKey(first)), HOST)).toMatchObject({ problem: { kind: 'no-link' } });
    for (const file of rest) expect(toLinkResult(links.get(itemKey(file)), HOST)).toHaveProperty('link');
  });
});

describe('createEkuaibaoResolver', () => {
  it('groups attachments by source type and API base', () => {
    const resolver = createEkuaibaoResolver(async () => client());
    const [a, b] = EKUAIBAO_FILES as [ExpectedEkuaibaoFile, ExpectedEkuaibaoFile];
    expect(resolver.batchSize).toBe(100);
    expect(resolver.groupOf(attachmentOf(a))).toBe(resolver.groupOf(attachmentOf(b)));
    expect(resolver.groupOf(attachmentOf(a))).not.toBe(resolver.groupOf(attachmentOf(a, EKUAIBAO.dingTalkApiBase)));
  });

  it("resolves a batch of 100 in one call on its API base's client, each attachment its link or no-link", async () => {
    const clientFor = vi.fn(async (apiBase: string) => client({ apiBase }));
    const resolver = createEkuaibaoResolver(clientFor);
    const batch = EKUAIBAO_FILES.slice(0, 100).map((f) => attachmentOf(f, EKUAIBAO.dingTalkApiBase));
    const results = await resolver.resolve(batch);
    expect(clientFor.mock.calls).toEqual([[EKUAIBAO.dingTalkApiBase]]);
    expect(downloadCalls().map((c) => [c.host, c.items])).toEqual([['dd2.hosecloud.com', 100]]);
    expect(results.size).toBe(100);
    for (const [i, file] of EKUAIBAO_FILES.slice(0, 100).entries()) {
      const result = results.get(batch[i]!.id);
      if (file.missing) expect(result).toEqual({ problem: { kind: 'no-link', platform: 'ekuaibao', host: 'dd2.hosecloud.com' } });
      else expect(Buffer.from(await (await download(linkOf(result))).arrayBuffer()).equals(file.bytes)).toBe(true);
    }
  });

  it('through the link batcher: the next 100 of the same API base share a call, another base never does', async () => {
    const batcher = new LinkBatcher(createEkuaibaoResolver(async (apiBase) => client({ apiBase })));
    const queue = EKUAIBAO_FILES.map((f, i) => attachmentOf(f, i % 10 === 9 ? EKUAIBAO.dingTalkApiBase : EKUAIBAO.apiBase));
    const results: LinkResult[] = [];
    for (const [i, attachment] of queue.entries()) results.push(await batcher.take(attachment, queue.slice(i + 1)));
    expect(downloadCalls().map((c) => [c.host, c.items])).toEqual([
      [HOST, 100],
      ['dd2.hosecloud.com', 11],
      [HOST, 8],
    ]);
    expect(results.filter((r) => 'link' in r)).toHaveLength(stored.length);
  });
});
