// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDemoWorld, sandboxFetch, startSandbox, TOKENS, type Sandbox } from '../../tests/sandbox';
import type { Attachment } from '../core/attachment';
import { ProblemError } from '../core/problem';
import type { LinkResult } from '../downloads/links';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { FeishuClient } from './client';
import { createFeishuMediaResolver, fetchTmpDownloadUrls, TMP_URL_BATCH_SIZE, type TmpUrlResult } from './media';

const FEISHU_API = 'https://open.feishu.cn';
const STREAM_LINK = /^https:\/\/internal-api-drive-stream\.feishu\.cn\/space\/api\/box\/stream\/download\/authcode\/\?code=[\w-]+$/;

let sandbox: Sandbox;
const world = createDemoWorld();
const f = world.files;
/** The showcase document's 16 media tokens, in document order. */
const WEEKLY_TOKENS = [
  f.report,
  f.photo,
  f.budget,
  f.minutesA,
  f.diagram,
  f.photoInTable,
  f.contract,
  f.minutesB,
  f.traversal,
  f.slash,
  f.appendix,
  f.reserved,
  f.control,
  f.chart,
  f.longName,
  f.screenshot,
].map((m) => m.token);

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

function client(token: string, apiBase = FEISHU_API): FeishuClient {
  return new FeishuClient({ apiBase, accessToken: async () => token, limiters: new RateLimiterRegistry(), fetch: sandboxFetch(sandbox) });
}

const tmpCalls = () => sandbox.log.filter((e) => e.endpoint === 'drive.media.tmp-url');
const tokensOf = (entry: { query: readonly (readonly [string, string])[] }) => entry.query.filter(([k]) => k === 'file_tokens').map(([, v]) => v);
const urlOf = (result: TmpUrlResult | undefined) => (result && 'url' in result ? result.url : undefined);

describe('fetchTmpDownloadUrls', () => {
  it('never asks for more than five tokens a call: 16 tokens → 4 calls', async () => {
    expect(TMP_URL_BATCH_SIZE).toBe(5);
    const results = await fetchTmpDownloadUrls(client(TOKENS.feishuUser), WEEKLY_TOKENS);
    expect(tmpCalls().map(tokensOf)).toEqual([WEEKLY_TOKENS.slice(0, 5), WEEKLY_TOKENS.slice(5, 10), WEEKLY_TOKENS.slice(10, 15), WEEKLY_TOKENS.slice(15)]);
    expect(tmpCalls().map((e) => [e.status, e.code])).toEqual(Array(4).fill([200, 0]));
    expect([...results.keys()]).toEqual(WEEKLY_TOKENS);
    for (const token of WEEKLY_TOKENS) expect(urlOf(results.get(token))).toMatch(STREAM_LINK);
    expect(new Set([...results.values()].map(urlOf)).size).toBe(16);
  });

  it('hands out links that work without any credentials', async () => {
    const results = await fetchTmpDownloadUrls(client(TOKENS.feishuUser), [f.report.token, f.photo.token]);
    const download = sandboxFetch(sandbox);
    const report = await download(urlOf(results.get(f.report.token))!, { credentials: 'omit' });
    expect(report.status).toBe(200);
    expect(Buffer.from(await report.arrayBuffer()).equals(f.report.bytes)).toBe(true);
    const stream = sandbox.log.filter((e) => e.host === 'internal-api-drive-stream.feishu.cn');
    expect(stream).toHaveLength(1);
    expect(stream[0]?.headers['authorization']).toBeUndefined();
  });

  it('asks once per distinct token', async () => {
    const results = await fetchTmpDownloadUrls(client(TOKENS.feishuUser), [f.report.token, f.budget.token, f.report.token, f.photo.token, f.budget.token]);
    expect(tmpCalls().map(tokensOf)).toEqual([[f.report.token, f.budget.token, f.photo.token]]);
    expect([...results.keys()]).toEqual([f.report.token, f.budget.token, f.photo.token]);
  });

  it('asks for nothing when given no tokens', async () => {
    expect((await fetchTmpDownloadUrls(client(TOKENS.feishuUser), [])).size).toBe(0);
    expect(sandbox.log).toEqual([]);
  });

  it('splits a batch refused because of one token, so the others still get their links', async () => {
    const batch = [f.report.token, f.privateFile.token, f.budget.token, f.contract.token, f.photo.token];
    const results = await fetchTmpDownloadUrls(client(TOKENS.feishuUser), batch);
    expect(tmpCalls().map((e) => [tokensOf(e), e.status, e.code])).toEqual([
      [batch, 403, 1061004],
      [[f.report.token], 200, 0],
      [[f.privateFile.token], 403, 1061004],
      [[f.budget.token], 200, 0],
      [[f.contract.token], 200, 0],
      [[f.photo.token], 200, 0],
    ]);
    expect(results.get(f.privateFile.token)).toEqual({ problem: { kind: 'not-shared', code: 1061004, status: 403, host: 'open.feishu.cn', detail: 'forbidden.' } });
    for (const token of [f.report.token, f.budget.token, f.contract.token, f.photo.token]) expect(urlOf(results.get(token))).toMatch(STREAM_LINK);
  }, 10_000);

  it('marks tokens the answer leaves out as having no link', async () => {
    const gone = 'boxcnDeletedLongAgo00000001';
    const results = await fetchTmpDownloadUrls(client(TOKENS.feishuUser), [f.report.token, gone]);
    expect(tmpCalls()).toHaveLength(1);
    expect(results.get(gone)).toEqual({ problem: { kind: 'no-link', host: 'open.feishu.cn' } });
    expect(urlOf(results.get(f.report.token))).toMatch(STREAM_LINK);
  });

  it('gives a call-wide problem (missing scope) to every token, without splitting', async () => {
    const tokens = WEEKLY_TOKENS.slice(0, 7);
    const results = await fetchTmpDownloadUrls(client(TOKENS.feishuNoMediaScope), tokens);
    expect(tmpCalls().map(tokensOf)).toEqual([tokens.slice(0, 5), tokens.slice(5)]);
    expect(results.size).toBe(7);
    const problems = tokens.map((token) => {
      const result = results.get(token);
      return result && 'problem' in result ? result.problem : null;
    });
    for (const problem of problems) {
      expect(problem).toMatchObject({ kind: 'scope-missing', code: 99991679, status: 400, host: 'open.feishu.cn' });
      expect(problem?.scopes).toContain('docs:document.media:download');
      expect(problem?.scopes).toContain('drive:drive:readonly');
    }
  });

  it('gives an expired token\'s problem to every token, without splitting', async () => {
    const results = await fetchTmpDownloadUrls(client(TOKENS.feishuExpired), WEEKLY_TOKENS.slice(0, 3));
    expect(tmpCalls()).toHaveLength(1);
    expect([...results.values()].map((r) => ('problem' in r ? [r.problem.kind, r.problem.code] : null))).toEqual(Array(3).fill(['token-expired', 99991677]));
  });

  it('does not split a batch when the server itself is failing (5xx): one problem for all, no extra calls', async () => {
    let calls = 0;
    const failing: typeof fetch = async () => {
      calls++;
      return new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });
    };
    const down = new FeishuClient({ apiBase: FEISHU_API, accessToken: async () => TOKENS.feishuUser, limiters: new RateLimiterRegistry(), fetch: failing, retries: 0 });
    const results = await fetchTmpDownloadUrls(down, WEEKLY_TOKENS.slice(0, 5));
    expect(calls).toBe(1);
    expect([...results.values()].map((r) => ('problem' in r ? [r.problem.kind, r.problem.status] : null))).toEqual(Array(5).fill(['server', 502]));
  });

  it('passes `extra` on every call', async () => {
    await fetchTmpDownloadUrls(client(TOKENS.feishuUser), WEEKLY_TOKENS.slice(0, 6), '{"bitablePerm":{"tableId":"tbl1"}}');
    for (const call of tmpCalls()) expect(call.query.filter(([k]) => k === 'extra')).toEqual([['extra', '{"bitablePerm":{"tableId":"tbl1"}}']]);
  });

  it('only ever sends the token to the API host', async () => {
    await fetchTmpDownloadUrls(client(TOKENS.feishuUser), WEEKLY_TOKENS.slice(0, 5));
    for (const entry of sandbox.log) {
      if (entry.headers['authorization'] !== undefined) expect(entry.host).toBe('open.feishu.cn');
    }
  });
});

describe('createFeishuMediaResolver', () => {
  function attachment(token: string, apiBase = FEISHU_API): Attachment {
    return { id: `feishu-media:${token}`, name: 'x', nameIsGenerated: false, kind: 'file', source: { type: 'feishu-media', apiBase, token }, subfolders: [] };
  }

  it('resolves a batch by attachment id, with one client for the listing\'s API base', async () => {
    const clientFor = vi.fn(async (apiBase: string) => client(TOKENS.feishuUser, apiBase));
    const resolver = createFeishuMediaResolver(clientFor);
    expect(resolver.batchSize).toBe(5);
    const gone = 'boxcnDeletedLongAgo00000001';
    const batch = [attachment(f.report.token), attachment(gone), attachment(f.photo.token)];
    const results = await resolver.resolve(batch);
    expect(clientFor).toHaveBeenCalledExactlyOnceWith(FEISHU_API);
    expect([...results.keys()]).toEqual(batch.map((a) => a.id));
    const linkOf = (r: LinkResult | undefined) => (r && 'link' in r ? r.link : undefined);
    for (const token of [f.report.token, f.photo.token]) {
      const link = linkOf(results.get(`feishu-media:${token}`));
      expect(Object.keys(link ?? {})).toEqual(['url']);
      expect(link?.url).toMatch(STREAM_LINK);
    }
    expect(results.get(`feishu-media:${gone}`)).toEqual({ problem: { kind: 'no-link', host: 'open.feishu.cn' } });
    expect(tmpCalls()).toHaveLength(1);
  });

  it('groups by API base, so two origins never share a call', () => {
    const resolver = createFeishuMediaResolver(async (apiBase) => client(TOKENS.feishuUser, apiBase));
    expect(resolver.groupOf(attachment('boxcnAAAAAAAA'))).toBe(resolver.groupOf(attachment('boxcnBBBBBBBB')));
    expect(resolver.groupOf(attachment('boxcnAAAAAAAA'))).not.toBe(resolver.groupOf(attachment('boxcnAAAAAAAA', 'https://open.larksuite.com')));
  });

  it('resolves Lark media through the Lark API', async () => {
    const resolver = createFeishuMediaResolver(async (apiBase) => client(TOKENS.larkUser, apiBase));
    const results = await resolver.resolve([attachment(f.larkDeck.token, 'https://open.larksuite.com')]);
    const result = results.get(`feishu-media:${f.larkDeck.token}`);
    expect(result && 'link' in result && result.link.url).toMatch(/^https:\/\/internal-api-drive-stream\.larksuite\.com\//);
    expect(sandbox.log.map((e) => e.host)).toEqual(['open.larksuite.com']);
  });

  it('asks for nothing when given nothing', async () => {
    const clientFor = vi.fn(async (apiBase: string) => client(TOKENS.feishuUser, apiBase));
    expect((await createFeishuMediaResolver(clientFor).resolve([])).size).toBe(0);
    expect(clientFor).not.toHaveBeenCalled();
  });

  it('lets a refused client (e.g. a changed API base) fail the whole call', async () => {
    const refusal = new ProblemError({ kind: 'host-permission-missing', host: 'feishu.corp.example' });
    const resolver = createFeishuMediaResolver(async () => Promise.reject(refusal));
    await expect(resolver.resolve([attachment(f.report.token, 'https://feishu.corp.example')])).rejects.toBe(refusal);
    expect(sandbox.log).toEqual([]);
  });

  it('gives the tenant app the media of the private document it may read', async () => {
    const resolver = createFeishuMediaResolver(async (apiBase) => client(TOKENS.feishuTenant, apiBase));
    const results = await resolver.resolve([attachment(f.privateFile.token)]);
    const result = results.get(`feishu-media:${f.privateFile.token}`);
    expect(result && 'link' in result && result.link.url).toMatch(STREAM_LINK);
  });
});
