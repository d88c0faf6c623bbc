// @vitest-environment node
/**
 * Contract tests of the sandbox's fault injection (faults.ts), of `callsBeforeReset` (assertions.ts) and of the bulk
 * fixtures (fixtures/bulk.ts): end-to-end tests of a download engine that must lose nothing rely on each fault doing
 * exactly what it says, and on nothing happening when none is armed.
 *
 * Time: injected rate-limit windows read `Date.now()` at each call (as the log's `at` does), so moving through them
 * fakes `Date` only (`vi.useFakeTimers({ toFake: ['Date'] })`). The gateway's own windows keep real time.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BULK,
  BULK_DOC60,
  BULK_FILES,
  bulkDocument,
  callsBeforeReset,
  createDemoWorld,
  DOCS,
  INJECTED_ERROR_CODE,
  sandboxFetch,
  startSandbox,
  TOKENS,
  type RecordedRequest,
  type Sandbox,
} from './index';

let sandbox: Sandbox;
let send: typeof fetch;
const files = createDemoWorld().files;

beforeAll(async () => {
  sandbox = await startSandbox({ tls: false });
  send = sandboxFetch(sandbox);
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  sandbox.world = createDemoWorld();
  sandbox.reset();
});

afterEach(() => {
  vi.useRealTimers();
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The JSON body, when the answer is JSON. */
  readonly body?: { code: number; msg?: string; data?: Record<string, unknown>; error?: { log_id?: string } };
}

async function api(path: string, token: string | null = TOKENS.feishuUser): Promise<Answer> {
  const response = await send(`https://open.feishu.cn/open-apis/${path}`, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(text) as Answer['body']) : undefined;
  return { status: response.status, headers: response.headers, text, ...(json ? { body: json } : {}) };
}

const documentGet = (id: string = DOCS.weekly) => `docx/v1/documents/${id}`;
const blocks = (query = '', id: string = DOCS.weekly) => `docx/v1/documents/${id}/blocks${query}`;
const tmpUrls = (tokens: readonly string[]) => `drive/v1/medias/batch_get_tmp_download_url?${tokens.map((t) => `file_tokens=${t}`).join('&')}`;

async function tmpLinks(tokens: readonly string[]): Promise<string[]> {
  const answer = await api(tmpUrls(tokens));
  expect(answer.status).toBe(200);
  const urls = answer.body?.data?.['tmp_download_urls'] as { file_token: string; tmp_download_url: string }[];
  return tokens.map((token) => urls.find((u) => u.file_token === token)!.tmp_download_url);
}

const tmpLink = async (token: string) => (await tmpLinks([token]))[0]!;
const streamLog = () => sandbox.log.filter((r) => r.host === 'internal-api-drive-stream.feishu.cn');
const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer());

/** Reads a body until it ends or breaks: the bytes received and whether it broke. */
async function drain(response: Response): Promise<{ received: number; broke: boolean }> {
  const reader = response.body!.getReader();
  let received = 0;
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) return { received, broke: false };
      received += chunk.value.length;
    }
  } catch {
    return { received, broke: true };
  }
}

describe('rate-limit bursts', () => {
  it('refuse the next calls exactly like the gateway: 400 for docx, 429 elsewhere, 99991400 and both headers', async () => {
    sandbox.faults.rateLimitBurst('docx.document.get', 2, 3);
    sandbox.faults.rateLimitBurst('drive.media.tmp-url', 1, 2);

    const refused = await api(documentGet());
    expect([refused.status, refused.body?.code, refused.body?.msg]).toEqual([400, 99991400, 'request trigger frequency limit']);
    expect(refused.body?.error?.log_id).toMatch(/^\d{10}[0-9A-F]{16}$/);
    expect(refused.headers.get('x-ogw-ratelimit-limit')).toBe('5');
    expect(refused.headers.get('x-ogw-ratelimit-reset')).toBe('3');
    // The second call of the burst: its own full reset.
    expect((await api(documentGet())).headers.get('x-ogw-ratelimit-reset')).toBe('3');

    const media = await api(tmpUrls([files.report.token]));
    expect([media.status, media.body?.code, media.headers.get('x-ogw-ratelimit-limit'), media.headers.get('x-ogw-ratelimit-reset')]).toEqual([429, 99991400, '5', '2']);

    // Other endpoints are not touched.
    expect((await api(blocks('?page_size=1'))).status).toBe(200);
    expect(sandbox.log.map((r) => [r.endpoint, r.status, r.code, r.fault, r.rateLimitReset])).toEqual([
      ['docx.document.get', 400, 99991400, 'rate-limit', 3],
      ['docx.document.get', 400, 99991400, 'rate-limit', 3],
      ['drive.media.tmp-url', 429, 99991400, 'rate-limit', 2],
      ['docx.blocks.list', 200, 0, undefined, undefined],
    ]);
  });

  it('hold the window for resetSeconds after a refusal, answering the seconds left rounded up', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    sandbox.faults.rateLimitBurst('docx.blocks.list', 1, 10);
    const resetAt = async (offsetMs: number) => {
      vi.setSystemTime(t0 + offsetMs);
      const answer = await api(blocks('?page_size=1'));
      return [answer.status, answer.headers.get('x-ogw-ratelimit-reset')];
    };
    expect(await resetAt(0)).toEqual([400, '10']);
    expect(await resetAt(4_000)).toEqual([400, '6']);
    expect(await resetAt(9_500)).toEqual([400, '1']);
    expect(await resetAt(9_999)).toEqual([400, '1']);
    expect(await resetAt(10_000)).toEqual([200, null]);
    expect(await resetAt(10_001)).toEqual([200, null]);
    expect(sandbox.log.map((r) => r.fault ?? null)).toEqual(['rate-limit', 'rate-limit', 'rate-limit', 'rate-limit', null, null]);
    expect(sandbox.log.map((r) => r.rateLimitReset ?? null)).toEqual([10, 6, 1, 1, null, null]);
  });

  it('show a patient client exactly `count` refusals, and callsBeforeReset finds nothing against it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    sandbox.faults.rateLimitBurst('drive.media.tmp-url', 3, 2);
    const statuses: number[] = [];
    for (;;) {
      const answer = await api(tmpUrls([files.report.token]));
      statuses.push(answer.status);
      if (answer.status === 200) break;
      vi.setSystemTime(Date.now() + 1000 * Number(answer.headers.get('x-ogw-ratelimit-reset')));
    }
    expect(statuses).toEqual([429, 429, 429, 200]);
    expect(callsBeforeReset(sandbox.log)).toEqual([]);
  });

  it('are refused for a bad token first, which uses up nothing', async () => {
    sandbox.faults.rateLimitBurst('docx.document.get', 1, 1);
    expect((await api(documentGet(), null)).body?.code).toBe(99991661);
    expect((await api(documentGet())).body?.code).toBe(99991400);
  });
});

describe('callsBeforeReset', () => {
  const entry = (at: number, extra: Partial<RecordedRequest> = {}): RecordedRequest => ({
    at,
    host: 'open.feishu.cn',
    method: 'GET',
    path: '/open-apis/drive/v1/medias/batch_get_tmp_download_url',
    query: [],
    headers: {},
    status: 200,
    endpoint: 'drive.media.tmp-url',
    ...extra,
  });

  it('flags calls after the concurrency margin and before refusal + reset − tolerance, per host and endpoint', () => {
    const refusal = entry(1_000, { status: 429, code: 99991400, rateLimitReset: 2 });
    const inFlight = entry(1_150);
    const early = entry(1_151);
    const middle = entry(2_000);
    const otherEndpoint = entry(2_000, { endpoint: 'docx.blocks.list' });
    const otherHost = entry(2_000, { host: 'open.larksuite.com' });
    const notApi = entry(2_000, { host: 'internal-api-drive-stream.feishu.cn' });
    delete (notApi as { endpoint?: string }).endpoint;
    const almost = entry(2_949);
    const withinTolerance = entry(2_950);
    const patient = entry(3_000);
    const log = [refusal, inFlight, early, middle, otherEndpoint, otherHost, notApi, almost, withinTolerance, patient];
    expect(callsBeforeReset(log)).toEqual([early, middle, almost]);
    expect(callsBeforeReset(log, { concurrentMs: 0, toleranceMs: 0 })).toEqual([inFlight, early, middle, almost, withinTolerance]);
  });

  it('holds every refusal, later ones included, and lists a call once', () => {
    const first = entry(0, { status: 429, rateLimitReset: 5 });
    const second = entry(1_000, { status: 429, rateLimitReset: 5 });
    const afterFirst = entry(5_000);
    const afterBoth = entry(6_000);
    expect(callsBeforeReset([first, second, afterFirst, afterBoth])).toEqual([second, afterFirst]);
  });

  it('catches an impatient client of the sandbox, and uses the resets of the gateway’s own refusals too', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    sandbox.faults.rateLimitBurst('docx.document.get', 1, 5);
    await api(documentGet());
    vi.setSystemTime(t0 + 1_000);
    await api(documentGet());
    expect(sandbox.log.map((r) => r.rateLimitReset)).toEqual([5, 4]);
    expect(callsBeforeReset(sandbox.log)).toEqual([sandbox.log[1]]);

    sandbox.reset();
    vi.setSystemTime(t0 + 10_000);
    for (let i = 0; i < 6; i++) await api(blocks('?page_size=1'));
    expect(sandbox.log.map((r) => r.rateLimitReset ?? null)).toEqual([null, null, null, null, null, 1]);
    expect(sandbox.log[5]!.fault).toBeUndefined();
    vi.setSystemTime(t0 + 10_500);
    await api(blocks('?page_size=1'));
    expect(callsBeforeReset(sandbox.log)).toEqual([sandbox.log[6]]);
  });
});

describe('server errors', () => {
  it('answer 500 with the internal-error envelope and a bare 502 page alternately, then the route again', async () => {
    sandbox.faults.serverErrors('docx.blocks.list', 3);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await api(blocks('?page_size=1')));
    expect(answers.map((a) => a.status)).toEqual([500, 502, 500, 200]);
    expect(answers[0]!.body).toEqual({ code: INJECTED_ERROR_CODE, msg: 'internal error', error: { log_id: expect.stringMatching(/^\d{10}[0-9A-F]{16}$/) as unknown } });
    expect(INJECTED_ERROR_CODE).toBe(1061045);
    expect(answers[1]!.headers.get('content-type')).toBe('text/html');
    expect(answers[1]!.text).toContain('<title>502 Bad Gateway</title>');
    expect(answers[1]!.body).toBeUndefined();
    expect(answers[3]!.body?.code).toBe(0);
    expect(sandbox.log.map((r) => [r.status, r.code, r.fault])).toEqual([
      [500, 1061045, 'server-error'],
      [502, undefined, 'server-error'],
      [500, 1061045, 'server-error'],
      [200, 0, undefined],
    ]);
  });

  it('count in the route’s own window, as calls the gateway let through', async () => {
    sandbox.faults.serverErrors('docx.document.get', 5);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await api(documentGet())).status);
    expect(statuses).toEqual([500, 502, 500, 502, 500, 400]);
    expect(sandbox.log[5]).toMatchObject({ code: 99991400, rateLimitReset: 1 });
    expect(sandbox.log[5]!.fault).toBeUndefined();
  });
});

describe('dropped connections', () => {
  it('give an API call no answer at all: the socket is destroyed, nothing is done, the next call works', async () => {
    sandbox.faults.dropConnections('drive.media.tmp-url', 1);
    await expect(send(`https://open.feishu.cn/open-apis/${tmpUrls([files.report.token])}`, { headers: { Authorization: `Bearer ${TOKENS.feishuUser}` } })).rejects.toThrow();
    expect(sandbox.api.state.streamLinks.size).toBe(0);
    expect((await tmpLinks([files.report.token])).length).toBe(1);
    expect(sandbox.log.map((r) => [r.endpoint, r.status, r.fault])).toEqual([
      ['drive.media.tmp-url', 0, 'dropped'],
      ['drive.media.tmp-url', 200, undefined],
    ]);
  });

  it('cut a stream-host transfer after the headers and half the body, then work again on the same link', async () => {
    const link = await tmpLink(files.report.token);
    sandbox.faults.dropConnections('stream', 1);
    const cut = await send(link);
    expect(cut.status).toBe(200);
    expect(cut.headers.get('content-length')).toBe(String(files.report.bytes.length));
    expect(await drain(cut)).toEqual({ received: Math.floor(files.report.bytes.length / 2), broke: true });
    const again = await send(link);
    expect((await bytesOf(again)).equals(files.report.bytes)).toBe(true);
    expect(streamLog().map((r) => [r.status, r.fault])).toEqual([
      [200, 'dropped'],
      [200, undefined],
    ]);
  });

  it('count only stream requests that would be served with a body (not 403s, not HEAD), ranged probes included', async () => {
    const link = await tmpLink(files.photo.token);
    sandbox.faults.dropConnections('stream', 1);
    expect((await send('https://internal-api-drive-stream.feishu.cn/space/api/box/stream/download/authcode/?code=forged')).status).toBe(403);
    expect((await send(link, { method: 'HEAD' })).status).toBe(200);
    const probe = await send(link, { headers: { Range: 'bytes=0-63' } });
    expect(probe.status).toBe(206);
    expect(await drain(probe)).toEqual({ received: 32, broke: true });
    expect((await bytesOf(await send(link, { headers: { Range: 'bytes=0-63' } }))).equals(files.photo.bytes.subarray(0, 64))).toBe(true);
    expect(streamLog().map((r) => r.fault ?? null)).toEqual([null, null, 'dropped', null]);
  });
});

describe('expired stream links', () => {
  it('make every link issued so far answer 403 at once, while new links work', async () => {
    const [report, budget] = await tmpLinks([files.report.token, files.budget.token]);
    expect((await send(report!)).status).toBe(200);
    sandbox.faults.expireStreamLinks();
    for (const old of [report!, budget!]) {
      const refused = await send(old);
      expect([refused.status, await refused.text()]).toEqual([403, 'link expired, used up or invalid']);
    }
    const fresh = await tmpLink(files.report.token);
    expect((await bytesOf(await send(fresh))).equals(files.report.bytes)).toBe(true);
    expect((await send(report!)).status).toBe(403);
    expect(streamLog().map((r) => [r.status, r.fault ?? null])).toEqual([
      [200, null],
      [403, 'expired'],
      [403, 'expired'],
      [200, null],
      [403, 'expired'],
    ]);
  });
});

describe('failing media', () => {
  it('answers 500 for every link of that media only, until healed', async () => {
    sandbox.faults.failMedia(files.report.token);
    const [report, budget] = await tmpLinks([files.report.token, files.budget.token]);
    const failed = await send(report!);
    expect([failed.status, await failed.text()]).toEqual([500, 'internal server error']);
    expect((await send(await tmpLink(files.report.token))).status).toBe(500);
    expect((await bytesOf(await send(budget!))).equals(files.budget.bytes)).toBe(true);
    // The API itself still serves it: the fault is the stream host's.
    expect((await send(`https://open.feishu.cn/open-apis/drive/v1/medias/${files.report.token}/download`, { headers: { Authorization: `Bearer ${TOKENS.feishuUser}` } })).status).toBe(200);
    sandbox.faults.healMedia(files.report.token);
    expect((await bytesOf(await send(report!))).equals(files.report.bytes)).toBe(true);
    expect(streamLog().map((r) => [r.status, r.fault ?? null])).toEqual([
      [500, 'failing-media'],
      [500, 'failing-media'],
      [200, null],
      [200, null],
    ]);
  });
});

describe('reset', () => {
  it('disarms every fault (sandbox.reset() and faults.reset() alike), and nothing is marked when none is armed', async () => {
    const arm = async () => {
      sandbox.faults.rateLimitBurst('docx.document.get', 5, 30);
      sandbox.faults.serverErrors('docx.blocks.list', 5);
      sandbox.faults.dropConnections('drive.media.tmp-url', 5);
      sandbox.faults.dropConnections('stream', 5);
      sandbox.faults.failMedia(files.budget.token);
      expect((await api(documentGet())).status).toBe(400);
    };
    const allWell = async () => {
      expect((await api(documentGet())).status).toBe(200);
      expect((await api(blocks('?page_size=1'))).status).toBe(200);
      const [report, budget] = await tmpLinks([files.report.token, files.budget.token]);
      expect((await bytesOf(await send(report!))).equals(files.report.bytes)).toBe(true);
      expect((await bytesOf(await send(budget!))).equals(files.budget.bytes)).toBe(true);
    };
    await arm();
    sandbox.reset();
    await allWell();
    await arm();
    sandbox.faults.reset();
    sandbox.log.length = 0;
    await allWell();
    expect(sandbox.log.filter((r) => 'fault' in r || 'rateLimitReset' in r)).toEqual([]);
  });

  it('forgets links expired earlier', async () => {
    const link = await tmpLink(files.report.token);
    sandbox.faults.expireStreamLinks();
    expect((await send(link)).status).toBe(403);
    sandbox.faults.reset();
    expect((await send(link)).status).toBe(200);
  });
});

describe('bulk documents', () => {
  interface BlockPage {
    items: { block_type: number; file?: { token: string; name: string } }[];
    has_more: boolean;
    page_token?: string;
  }

  async function listBlocks(id: string, token: string = TOKENS.feishuUser): Promise<BlockPage['items'][]> {
    const pages: BlockPage['items'][] = [];
    let pageToken: string | undefined;
    do {
      const answer = await api(blocks(`?page_size=500${pageToken ? `&page_token=${pageToken}` : ''}`, id), token);
      expect(answer.body?.code).toBe(0);
      const data = answer.body!.data as unknown as BlockPage;
      pages.push(data.items);
      pageToken = data.has_more ? data.page_token : undefined;
    } while (pageToken);
    return pages;
  }

  it('"批量附件 60" lists 60 named file blocks over two block pages, for every token', async () => {
    expect((await api(documentGet(BULK.doc60))).body?.data).toEqual({ document: { document_id: BULK.doc60, revision_id: 42, title: '批量附件 60' } });
    const pages = await listBlocks(BULK.doc60);
    expect(pages).toHaveLength(2);
    const filesPerPage = pages.map((items) => items.filter((b) => b.block_type === 23).length);
    expect(filesPerPage.every((n) => n > 0)).toBe(true);
    const fileBlocks = pages.flat().filter((b) => b.block_type === 23);
    expect(fileBlocks.map((b) => b.file!.name)).toEqual(BULK_FILES.map((f) => f.name));
    expect(fileBlocks.map((b) => b.file!.token)).toEqual(BULK_FILES.map((f) => f.media.token));
    expect(BULK_FILES).toHaveLength(60);
    expect(BULK_FILES[0]!.name).toBe('附件-01.pdf');
    expect(BULK_FILES[59]!.name).toBe('附件-60.png');
    expect(new Set(BULK_FILES.map((f) => f.name)).size).toBe(60);
    expect(new Set(BULK_FILES.map((f) => f.media.mimeType))).toEqual(
      new Set(['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'image/png']),
    );
    expect(BULK_FILES.every((f) => f.media.bytes.length >= BULK_DOC60.minBytes && f.media.bytes.length <= BULK_DOC60.maxBytes)).toBe(true);
    expect((await listBlocks(BULK.doc60, TOKENS.feishuTenant)).flat().filter((b) => b.block_type === 23)).toHaveLength(60);
  });

  it('"批量附件 60": every attachment downloads with its bytes and its name', async () => {
    const links: string[] = [];
    for (let i = 0; i < BULK_FILES.length; i += 5) {
      // Twelve link calls would meet the 5/s limit, which is not what is tested here.
      sandbox.api.windows.reset();
      links.push(...(await tmpLinks(BULK_FILES.slice(i, i + 5).map((f) => f.media.token))));
    }
    for (const [i, file] of BULK_FILES.entries()) {
      const response = await send(links[i]!);
      expect(response.headers.get('content-disposition')).toContain(encodeURIComponent(file.name));
      expect((await bytesOf(response)).equals(file.media.bytes)).toBe(true);
    }
  });

  it('bulkDocument builds 100 and 1000 attachments fast, uniquely named, over pages of blocks, servable as a world', async () => {
    const started = performance.now();
    const thousand = bulkDocument('BenchThousandAbCdEfGhIjKlmn', '批量附件 1000', 1000);
    const hundred = bulkDocument('BenchHundredAbCdEfGhIjKlmno', '批量附件 100', 100, { paragraphsBetween: 4 });
    expect(performance.now() - started).toBeLessThan(3_000);

    expect(thousand.files.map((f) => f.name).slice(0, 2)).toEqual(['附件-0001.pdf', '附件-0002.pdf']);
    expect(thousand.files[999]!.name).toBe('附件-1000.png');
    expect(new Set(thousand.files.map((f) => f.name)).size).toBe(1000);
    expect(new Set(thousand.media.map((m) => m.token)).size).toBe(1000);
    expect(thousand.media.every((m) => m.bytes.length >= 1024 && m.bytes.length <= 4096)).toBe(true);
    expect(thousand.document.blocks).toHaveLength(2 + 1000 * 3);
    expect(thousand.document.blocks.filter((b) => b['block_type'] === 23)).toHaveLength(1000);
    expect(hundred.files[0]!.name).toBe('附件-001.pdf');
    // Tokens depend on the document id, so both fit in one world.
    expect(hundred.media.some((m) => thousand.media.some((t) => t.token === m.token))).toBe(false);

    const world = createDemoWorld();
    sandbox.world = { ...world, documents: [...world.documents, hundred.document], media: [...world.media, ...hundred.media] };
    const pages = await listBlocks(hundred.document.id);
    expect(pages).toHaveLength(2);
    expect(pages.flat().filter((b) => b.block_type === 23).map((b) => b.file!.name)).toEqual(hundred.files.map((f) => f.name));
    const [link] = await tmpLinks([hundred.media[42]!.token]);
    expect((await bytesOf(await send(link!))).equals(hundred.media[42]!.bytes)).toBe(true);
  });
});
