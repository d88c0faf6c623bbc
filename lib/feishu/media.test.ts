// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BASE_ATTACHMENTS, BASE_FIELD_IDS, BASES, createDemoWorld, sandboxFetch, startSandbox, TOKENS, type Sandbox } from '../../tests/sandbox';
import type { Attachment } from '../core/attachment';
import { ProblemError } from '../core/problem';
import { LinkBatcher, type LinkResult } from '../downloads/links';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { listBase } from './bitable';
import { FeishuClient } from './client';
import { DailyQuota } from '../downloads/daily-quota';
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

  it('asks only for what the day\'s media quota has left; the rest waits for the next day, with no call spent', async () => {
    const quota = new DailyQuota('test-media', 3, { now: () => Date.parse('2026-12-03T10:00:00+08:00'), sleep: async () => undefined });
    const resolver = createFeishuMediaResolver(async (apiBase) => client(TOKENS.feishuUser, apiBase), quota);
    const batch = WEEKLY_TOKENS.slice(0, 5).map((token) => attachment(token));
    const results = await resolver.resolve(batch);
    expect(batch.map((a) => { const r = results.get(a.id); return r && 'link' in r ? 'link' : r?.problem.kind; })).toEqual(['link', 'link', 'link', 'daily-quota', 'daily-quota']);
    expect(results.get(batch[4]!.id)).toEqual({ problem: { kind: 'daily-quota', host: 'open.feishu.cn', detail: '2026-12-03T16:00:00.000Z' } });
    expect(tmpCalls().map((r) => r.query.filter(([k]) => k === 'file_tokens').length)).toEqual([3]);
    const more = await resolver.resolve([attachment(WEEKLY_TOKENS[6]!)]);
    expect([...more.values()].map((r) => ('problem' in r ? r.problem.kind : 'link'))).toEqual(['daily-quota']);
    expect(tmpCalls()).toHaveLength(1);
  });

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

describe('createFeishuMediaResolver for advanced-permission bases', () => {
  const ADVANCED_TABLE = BASES.advancedTables.only;
  const records = BASE_ATTACHMENTS[BASES.advanced]![ADVANCED_TABLE]!;

  function advanced(token: string, tableId: string, recordId = 'recAbCdEfGhIj'): Attachment {
    return {
      id: `feishu-media:${token}`,
      name: 'x.pdf',
      nameIsGenerated: false,
      kind: 'file',
      source: { type: 'feishu-media', apiBase: FEISHU_API, token, bitable: { tableId, fieldId: 'fldFile01', recordId } },
      subfolders: [],
    };
  }

  it('groups the media of an advanced base by table, apart from other media', () => {
    const resolver = createFeishuMediaResolver(async (apiBase) => client(TOKENS.feishuUser, apiBase));
    const plain: Attachment = { ...advanced('boxcnPlain0000000000001', 'tblA'), source: { type: 'feishu-media', apiBase: FEISHU_API, token: 'boxcnPlain0000000000001' } };
    expect(resolver.groupOf(advanced('boxcnA', 'tblFirstTable01'))).toBe(resolver.groupOf(advanced('boxcnB', 'tblFirstTable01', 'recOther00001')));
    expect(resolver.groupOf(advanced('boxcnA', 'tblFirstTable01'))).not.toBe(resolver.groupOf(advanced('boxcnA', 'tblSecondTable2')));
    expect(resolver.groupOf(advanced('boxcnA', 'tblFirstTable01'))).not.toBe(resolver.groupOf(plain));
  });

  it('sends the documented extra naming exactly the batch\'s tokens, and the links it gets work', async () => {
    const listing = await listBase(client(TOKENS.feishuUser), BASES.advanced);
    sandbox.log.length = 0;
    const resolver = createFeishuMediaResolver(async (apiBase) => client(TOKENS.feishuUser, apiBase));
    const batch = listing.attachments.slice(0, 2);
    const results = await resolver.resolve(batch);

    expect(tmpCalls()).toHaveLength(1);
    const call = tmpCalls()[0]!;
    expect(tokensOf(call)).toEqual(records.slice(0, 2).map((r) => r.attachments[0]!.media.token));
    const extra = call.query.filter(([k]) => k === 'extra').map(([, v]) => v);
    expect(extra).toHaveLength(1);
    expect(JSON.parse(extra[0]!)).toEqual({
      bitablePerm: {
        tableId: ADVANCED_TABLE,
        attachments: { [BASE_FIELD_IDS.advanced.file]: Object.fromEntries(records.slice(0, 2).map((r) => [r.recordId, [r.attachments[0]!.media.token]])) },
      },
    });
    expect([call.status, call.code]).toEqual([200, 0]);

    const download = sandboxFetch(sandbox);
    for (const [i, attachment] of batch.entries()) {
      const result = results.get(attachment.id);
      expect(result && 'link' in result).toBe(true);
      if (!result || !('link' in result)) continue;
      expect(result.link.url).toMatch(STREAM_LINK);
      const response = await download(result.link.url, { credentials: 'omit' });
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(records[i]!.attachments[0]!.media.bytes)).toBe(true);
    }
  });

  it('shares one call per table through the link batcher, never with other media', async () => {
    const listing = await listBase(client(TOKENS.feishuUser), BASES.advanced);
    sandbox.log.length = 0;
    const plain: Attachment = { id: `feishu-media:${f.report.token}`, name: 'r.pdf', nameIsGenerated: false, kind: 'file', source: { type: 'feishu-media', apiBase: FEISHU_API, token: f.report.token }, subfolders: [] };
    const batcher = new LinkBatcher(createFeishuMediaResolver(async (apiBase) => client(TOKENS.feishuUser, apiBase)));
    const [first, ...rest] = [listing.attachments[0]!, plain, ...listing.attachments.slice(1)];
    const taken = await batcher.take(first, rest);
    expect('link' in taken).toBe(true);
    expect(tmpCalls().map(tokensOf)).toEqual([listing.attachments.map((a) => (a.source.type === 'feishu-media' ? a.source.token : ''))]);
    expect(tmpCalls()[0]!.query.some(([k]) => k === 'extra')).toBe(true);
    expect('link' in (await batcher.take(plain, []))).toBe(true);
    expect(tmpCalls()[1]!.query.some(([k]) => k === 'extra')).toBe(false);
  });

  it('is refused the media of an advanced base without the extra', async () => {
    const tokens = records.map((r) => r.attachments[0]!.media.token);
    const results = await fetchTmpDownloadUrls(client(TOKENS.feishuUser), tokens);
    for (const token of tokens) expect(results.get(token)).toMatchObject({ problem: { kind: 'not-shared', code: 1061004, status: 403 } });
    expect(tmpCalls().every((e) => e.status === 403)).toBe(true);
  });

  it('is refused them for a token that may not manage the base, even with the extra', async () => {
    const listing = await listBase(client(TOKENS.feishuUser), BASES.advanced);
    const results = await createFeishuMediaResolver(async (apiBase) => client(TOKENS.feishuTenant, apiBase)).resolve(listing.attachments);
    for (const attachment of listing.attachments) expect(results.get(attachment.id)).toMatchObject({ problem: { kind: 'not-shared', code: 1061004 } });
  });
});

describe('fetchTmpDownloadUrls with app credentials', () => {
  it('gives refused app credentials to every token of the batch, without splitting it', async () => {
    let renewals = 0;
    const appClient = new FeishuClient({
      apiBase: FEISHU_API,
      accessToken: async () => 't-0000000000000000000000000000000000000000',
      // The token endpoint refuses the app (its secret was reset): no token can be had.
      renewToken: async () => {
        renewals++;
        throw new ProblemError({ kind: 'app-credentials-invalid', code: 10014, status: 400, host: 'open.feishu.cn' });
      },
      limiters: new RateLimiterRegistry(),
      fetch: sandboxFetch(sandbox),
    });
    const results = await fetchTmpDownloadUrls(appClient, WEEKLY_TOKENS.slice(0, 5));
    expect([...results.values()].map((r) => ('problem' in r ? r.problem.kind : null))).toEqual(Array(5).fill('app-credentials-invalid'));
    expect(tmpCalls()).toHaveLength(1);
    expect(renewals).toBe(1);
  });
});
