// @vitest-environment node
/**
 * Contract tests of the fake Ekuaibao (合思) Open API and its file hosts: auth (token in the query, refresh that
 * rotates both tokens), form details, downloadurls (≤ 100 items, expiration ≤ 1800 s except for DingPan items, a
 * bare array), the object store (STS-signed links) and the DingPan host (exact headers), the web app's pages, and
 * what the request log records.
 *
 * Time: link expiry is tested by faking `Date` only (`vi.useFakeTimers({ toFake: ['Date'] })`): the file hosts read
 * `Date.now()` when a link is used.
 */
import { Window } from 'happy-dom';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DINGPAN_LINK_LIFETIME_MS, EKUAIBAO, EKUAIBAO_FILES, sandboxFetch, startSandbox, createDemoWorld, type ExpectedEkuaibaoFile, type Sandbox } from './index';

let sandbox: Sandbox;
let send: typeof fetch;

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

const API = EKUAIBAO.apiBase;
const JSON_TYPE = { 'Content-Type': 'application/json' };
const travel = EKUAIBAO_FILES.filter((f) => f.formCode === EKUAIBAO.forms.travel.code);
const marketing = EKUAIBAO_FILES.filter((f) => f.formCode === EKUAIBAO.forms.marketing.code);
const byName = (name: string, files: readonly ExpectedEkuaibaoFile[] = travel) => files.find((f) => f.fileName === name)!;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function call(path: string, init: RequestInit = {}, base: string = API): Promise<Answer> {
  const response = await send(`${base}${path}`, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const json = <T = Record<string, unknown>>(answer: Answer) => JSON.parse(answer.text) as T;
const withToken = (token: string) => `accessToken=${encodeURIComponent(token)}`;

const getToken = (body: unknown, query = '') => call(`/api/openapi/v1/auth/getAccessToken${query}`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(body) });

interface TokenValue {
  accessToken: string;
  refreshToken: string;
  expireTime: number;
  corporationId: string;
}

async function issuedToken(): Promise<TokenValue> {
  return json<{ value: TokenValue }>(await getToken(EKUAIBAO.app)).value;
}

const refresh = (accessToken: string, refreshToken: string, powerCode = '219904') =>
  call(`/api/openapi/v2/auth/refreshToken?accessToken=${encodeURIComponent(accessToken)}&refreshToken=${encodeURIComponent(refreshToken)}&powerCode=${powerCode}`, { method: 'POST' });

const details = (token: string = EKUAIBAO.token, flowId: string = EKUAIBAO.forms.travel.flowId) => call(`/api/openapi/v1.1/flowDetails?flowId=${flowId}&${withToken(token)}`);
const byCode = (code: string, token: string = EKUAIBAO.token) => call(`/api/openapi/v1.1/flowDetails/byCode?code=${code}&${withToken(token)}`);

interface LinkItem {
  id: string;
  key: string;
  url: string;
  thumbUrl: string;
  headers?: Record<string, string>;
}

/** A downloadurls item; `expiration: null` leaves the field out. */
const item = (f: ExpectedEkuaibaoFile, expiration: number | null = 600) => ({ id: f.fileId, key: f.key, ...(expiration === null ? {} : { expiration }) });

async function downloadUrls(body: unknown, token: string = EKUAIBAO.token): Promise<Answer> {
  return call(`/api/openapi/v2/attachment/downloadurls?${withToken(token)}`, { method: 'POST', headers: JSON_TYPE, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function linkFor(f: ExpectedEkuaibaoFile, expiration = 600): Promise<LinkItem> {
  const answer = await downloadUrls([item(f, expiration)]);
  return json<LinkItem[]>(answer)[0]!;
}

const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer());
const UNAUTHORIZED = { errorCode: 403, errorMessage: '未授权', errorDetails: null, code: null, data: null };

describe('auth', () => {
  it('issues a token for the app key and secret in the JSON body, usable at once (URL-encoded: it holds a colon)', async () => {
    const before = Date.now();
    const answer = await getToken(EKUAIBAO.app);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const value = json<{ value: TokenValue }>(answer).value;
    expect(value.accessToken).toMatch(new RegExp(`^ID_[A-Za-z0-9]+:${EKUAIBAO.corpId}$`));
    expect(value.refreshToken).toMatch(/^ID_[A-Za-z0-9]+$/);
    expect(value.corporationId).toBe(EKUAIBAO.corpId);
    expect(value.expireTime).toBeGreaterThanOrEqual(before + 2 * 3600_000);
    expect(value.expireTime).toBeLessThanOrEqual(Date.now() + 2 * 3600_000);
    expect((await details(value.accessToken)).status).toBe(200);
  });

  it('refuses credentials in the query (even with the body), wrong or missing ones, and a non-JSON body with 403 密钥无效', async () => {
    const attempts: [string, () => Promise<Answer>][] = [
      ['credentials in the query', () => getToken({}, `?appKey=${EKUAIBAO.app.appKey}&appSecurity=${EKUAIBAO.app.appSecurity}`)],
      ['credentials in the query as well as the body', () => getToken(EKUAIBAO.app, `?appKey=${EKUAIBAO.app.appKey}&appSecurity=${EKUAIBAO.app.appSecurity}`)],
      ['a wrong secret', () => getToken({ ...EKUAIBAO.app, appSecurity: 'wrong-secret-0000000000' })],
      ['no body', () => call('/api/openapi/v1/auth/getAccessToken', { method: 'POST' })],
      ['a body not sent as JSON', () => call('/api/openapi/v1/auth/getAccessToken', { method: 'POST', body: JSON.stringify(EKUAIBAO.app) })],
    ];
    for (const [label, attempt] of attempts) {
      const answer = await attempt();
      expect([label, answer.status, json(answer)]).toEqual([label, 403, { value: { errorCode: 403, errorMessage: '密钥无效', errorDetail: null } }]);
    }
  });

  it('refreshes with everything in the query: both tokens change, the old ones stop working, 32 days', async () => {
    const first = await issuedToken();
    const answer = await refresh(first.accessToken, first.refreshToken);
    expect(answer.status).toBe(200);
    const next = json<{ value: TokenValue }>(answer).value;
    expect(next.accessToken).not.toBe(first.accessToken);
    expect(next.refreshToken).not.toBe(first.refreshToken);
    expect(next.corporationId).toBe(EKUAIBAO.corpId);
    expect(Math.abs(next.expireTime - (Date.now() + 32 * 86_400_000))).toBeLessThan(60_000);
    expect((await details(next.accessToken)).status).toBe(200);
    expect((await details(first.accessToken)).status).toBe(403);
    // The old pair cannot be refreshed again, nor the new token with the old refresh token.
    expect((await refresh(first.accessToken, first.refreshToken)).status).toBe(403);
    expect((await refresh(next.accessToken, first.refreshToken)).status).toBe(403);
  });

  it('refuses a wrong refresh token, a wrong powerCode, a pasted token and an expired token with plain-text 未授权', async () => {
    const pair = await issuedToken();
    const attempts = [
      refresh(pair.accessToken, 'ID_notTheRefresh'),
      refresh(pair.accessToken, pair.refreshToken, '123456'),
      refresh(EKUAIBAO.token, pair.refreshToken),
    ];
    for (const answer of await Promise.all(attempts)) {
      expect([answer.status, answer.text, answer.headers.get('content-type')]).toEqual([403, '未授权', 'text/plain; charset=utf-8']);
    }
    // Refusals change nothing: the pair still refreshes, until it has expired.
    sandbox.ekuaibao.expireIssuedTokens();
    const expired = await refresh(pair.accessToken, pair.refreshToken);
    expect([expired.status, expired.text]).toEqual([403, '未授权']);
  });
});

describe('tokens', () => {
  it('refuses no token, unknown, expired and web-session tokens, and tokens in headers with 403 未授权', async () => {
    const attempts: [string, () => Promise<Answer>][] = [
      ['no token', () => call(`/api/openapi/v1.1/flowDetails?flowId=${EKUAIBAO.forms.travel.flowId}`)],
      ['an unknown token', () => details(`ID_unknownToken:${EKUAIBAO.corpId}`)],
      ['an expired token', () => details(EKUAIBAO.expiredToken)],
      ['the web session token', () => details(EKUAIBAO.webSessionToken)],
      ['a token in the Authorization header only', () => call(`/api/openapi/v1.1/flowDetails?flowId=${EKUAIBAO.forms.travel.flowId}`, { headers: { Authorization: EKUAIBAO.token } })],
      ['a token as a bearer only', () => call(`/api/openapi/v1.1/flowDetails?flowId=${EKUAIBAO.forms.travel.flowId}`, { headers: { Authorization: `Bearer ${EKUAIBAO.token}` } })],
    ];
    for (const [label, attempt] of attempts) {
      const answer = await attempt();
      expect([label, answer.status, json(answer)]).toEqual([label, 403, UNAUTHORIZED]);
    }
  });

  it('stops every issued token at once on expireIssuedTokens, refreshed ones too, but not the pasted ones', async () => {
    const issued = await issuedToken();
    const other = await issuedToken();
    const refreshed = json<{ value: TokenValue }>(await refresh(other.accessToken, other.refreshToken)).value;
    expect((await details(issued.accessToken)).status).toBe(200);
    sandbox.ekuaibao.expireIssuedTokens();
    for (const token of [issued.accessToken, refreshed.accessToken]) {
      const answer = await details(token);
      expect([answer.status, json(answer)]).toEqual([403, UNAUTHORIZED]);
    }
    expect((await details(EKUAIBAO.token)).status).toBe(200);
  });
});

describe('form details', () => {
  it('answers the travel form by flowId in the documented shape', async () => {
    const answer = await details();
    expect(answer.status).toBe(200);
    const value = json<{ value: Record<string, unknown> }>(answer).value;
    expect(value).toMatchObject({ id: EKUAIBAO.forms.travel.flowId, corporationId: EKUAIBAO.corpId, formType: 'expense', state: 'approving', active: true });
    const form = value['form'] as Record<string, unknown>;
    expect(form).toMatchObject({ code: 'B24000123', title: '11月差旅报销-上海' });
    expect(form['attachments']).toEqual([
      { key: '行程单-1732500000001-101.pdf', fileId: byName('行程单.pdf').fileId, fileName: '行程单.pdf' },
      { key: expect.stringMatching(/^openapi[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-会议通知\.docx$/) as unknown, fileId: byName('会议通知.docx').fileId, fileName: '会议通知.docx' },
    ]);
    expect((form['u_合同附件'] as { fileName: string }[]).map((a) => a.fileName)).toEqual(['服务合同.pdf', '../../说明.txt']);
    // Given as a JSON-encoded string, with an attachment that has no fileName.
    expect(typeof form['u_补充材料']).toBe('string');
    expect(JSON.parse(form['u_补充材料'] as string)).toEqual([{ key: 'scan-1732500000002-7.jpg', fileId: expect.stringMatching(/^ID01[A-Za-z0-9]{10}$/) as unknown }]);
    const lines = form['details'] as { feeTypeId: string; feeType: { id: string; name: string; code: string }; specificationId: string; feeTypeForm: Record<string, unknown> }[];
    expect(lines.map((l) => l.feeType.name)).toEqual(['飞机票', '住宿']);
    expect(lines[0]!.feeTypeId).toBe(lines[0]!.feeType.id);
    expect(lines[0]!.feeTypeForm).toMatchObject({ detailId: expect.any(String) as unknown, amount: { standard: '1280.00' } });
    const invoiceForm = lines[0]!.feeTypeForm['invoiceForm'] as { type: string; invoices: Record<string, unknown>[]; attachments: { fileName: string }[] };
    expect(invoiceForm.type).toBe('exist');
    expect(invoiceForm.invoices[0]).toMatchObject({ invoiceId: expect.any(String) as unknown });
    expect(invoiceForm.invoices[0]).not.toHaveProperty('key');
    expect(invoiceForm.attachments.map((a) => a.fileName)).toEqual(['发票.pdf']);
    const logs = value['logs'] as { action: string; operatorId: string; time: number; attachments: { fileName: string }[] }[];
    expect(logs.map((l) => [l.action, l.attachments.map((a) => a.fileName)])).toEqual([
      ['freeflow.submit', []],
      ['freeflow.agree', ['审批意见.png']],
      ['freeflow.comment', ['补充说明.txt']],
    ]);
  });

  it('answers the same form by code', async () => {
    const answer = await byCode(EKUAIBAO.forms.travel.code);
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual(json(await details()));
  });

  it('holds every expected file where EKUAIBAO_FILES says, the travel one on line 2 twice', async () => {
    const refs = new Map<string, number>();
    const walk = (node: unknown): void => {
      const value = typeof node === 'string' && node.startsWith('[') ? (JSON.parse(node) as unknown) : node;
      if (Array.isArray(value)) value.forEach(walk);
      else if (typeof value === 'object' && value !== null) {
        const record = value as Record<string, unknown>;
        if (typeof record['fileId'] === 'string' && typeof record['key'] === 'string') {
          const pair = `${record['fileId']}\n${record['key']}`;
          refs.set(pair, (refs.get(pair) ?? 0) + 1);
        } else Object.values(record).forEach(walk);
      }
    };
    for (const form of [EKUAIBAO.forms.travel, EKUAIBAO.forms.marketing]) walk(json(await byCode(form.code)));
    expect(travel).toHaveLength(14);
    expect(marketing).toHaveLength(105);
    expect(refs.size).toBe(EKUAIBAO_FILES.length);
    for (const f of EKUAIBAO_FILES) expect([f.fileName, refs.get(`${f.fileId}\n${f.key}`)]).toEqual([f.fileName, f.references]);
    expect(travel.filter((f) => f.references === 2).map((f) => f.fileName)).toEqual(['行程单.pdf']);
    expect(travel.filter((f) => f.fileName === '发票.pdf').map((f) => [f.place, f.line])).toEqual([
      ['invoice', 1],
      ['invoice', 2],
    ]);
    expect(travel.filter((f) => f.dingPan).map((f) => f.fileName)).toEqual(['酒店发票', '128163bbba83.jpg']);
    expect(EKUAIBAO_FILES.filter((f) => f.missing).map((f) => f.fileName)).toEqual(['已删除的附件.pdf']);
    expect(new Set(marketing.map((f) => f.line))).toEqual(new Set([undefined, 1, 2, 3, 4, 5, 6, 7, 8]));
  });

  it('makes files of 3–60 KB (travel) and 1–3 KB (marketing) that start with real magic bytes', () => {
    const outside = (files: readonly ExpectedEkuaibaoFile[], min: number, max: number) => files.filter((f) => f.bytes.length < min || f.bytes.length > max);
    expect(outside(travel, 3_000, 60_000)).toEqual([]);
    expect(outside(marketing, 1_000, 3_072)).toEqual([]);
    expect(byName('行程单.pdf').bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(byName('128163bbba83.jpg').bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(byName('酒店发票').key).toBe(`DP:${JSON.stringify({ fileId: '136634437985', fileName: '酒店发票', fileSize: byName('酒店发票').bytes.length, fileType: 'pdf', spaceId: '7215288789' })}`);
    expect(EKUAIBAO.app.appKey).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(EKUAIBAO.app.appSecurity).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    for (const form of Object.values(EKUAIBAO.forms)) expect(form.flowId).toMatch(/^ID01[A-Za-z0-9]{10}$/);
  });

  it('answers unknown, foreign and deleted forms with 412', async () => {
    const attempts: [string, () => Promise<Answer>, string][] = [
      ['an unknown code', () => byCode(EKUAIBAO.unknownCode), '单据不存在'],
      ['an unknown flowId', () => details(EKUAIBAO.token, 'ID01NoSuchFlow00'), '单据不存在'],
      ['a form of another corporation', () => byCode(EKUAIBAO.forms.travel.code, EKUAIBAO.otherCorpToken), '单据不存在'],
      ['a deleted form by code', () => byCode(EKUAIBAO.forms.deleted.code), '单据已删除'],
      ['a deleted form by flowId', () => details(EKUAIBAO.token, EKUAIBAO.forms.deleted.flowId), '单据已删除'],
    ];
    for (const [label, attempt, message] of attempts) {
      const answer = await attempt();
      expect([label, answer.status, json(answer)]).toEqual([label, 412, { errorCode: 412, errorMessage: message, errorDetails: null, code: null, data: null }]);
    }
  });
});

describe('download URLs', () => {
  it('answers a bare array: OSS STS links for stored files, DingPan links with headers, the missing file absent', async () => {
    const before = Math.floor(Date.now() / 1000);
    const answer = await downloadUrls(travel.map((f) => item(f, 900)));
    const after = Math.floor(Date.now() / 1000);
    expect(answer.status).toBe(200);
    const links = json<LinkItem[]>(answer);
    expect(links.map((l) => l.id)).toEqual(travel.filter((f) => !f.missing).map((f) => f.fileId));
    for (const link of links) {
      const f = travel.find((x) => x.fileId === link.id)!;
      expect(link.key).toBe(f.key);
      const url = new URL(link.url);
      if (f.dingPan) {
        expect(url.host).toBe('sh-dualstack.trans.dingtalk.com');
        expect(url.pathname).toMatch(/^\/yundisk0\/[A-Za-z0-9_-]+\.file$/);
        expect(link.thumbUrl).toBe(link.url);
        expect(link.headers).toEqual({ Authorization: expect.stringMatching(/^OSS LTAI[A-Za-z0-9]+:[A-Za-z0-9+/]+=$/) as unknown, 'x-oss-date': new Date(Date.parse(link.headers!['x-oss-date']!)).toUTCString() });
        continue;
      }
      expect(link).not.toHaveProperty('headers');
      expect(url.host).toBe('ekuaibao.oss-cn-hangzhou.aliyuncs.com');
      expect(url.pathname).toBe(`/${encodeURIComponent(f.key)}`);
      expect([...url.searchParams.keys()]).toEqual(['Expires', 'OSSAccessKeyId', 'Signature', 'security-token']);
      const expires = Number(url.searchParams.get('Expires'));
      expect(expires).toBeGreaterThanOrEqual(before + 900);
      expect(expires).toBeLessThanOrEqual(after + 900);
      expect(url.searchParams.get('OSSAccessKeyId')).toMatch(/^STS\.[A-Za-z0-9]+$/);
      expect(link.thumbUrl).toBe(`${link.url}&x-oss-process=image%2Fresize%2Cw_120%2Ch_120`);
    }
  });

  it('takes 100 items but refuses 101 with 400', async () => {
    const ok = await downloadUrls(marketing.slice(0, 100).map((f) => item(f)));
    expect([ok.status, json<LinkItem[]>(ok).length]).toEqual([200, 100]);
    const refused = await downloadUrls(marketing.map((f) => item(f)).concat(item(travel[0]!)).slice(0, 101));
    expect(refused.status).toBe(400);
    expect(json(refused)).toEqual({ errorCode: 400, errorMessage: '附件数量不能超过100', errorDetails: null, code: null, data: null });
  });

  it('refuses a body that is no array of valid items, and expirations out of 1..1800, with 400', async () => {
    const bodies: [string, unknown][] = [
      ['an object body', { id: 'x', key: 'y', expiration: 60 }],
      ['invalid JSON', '[{"id":'],
      ['an item without a key', [{ id: 'x', expiration: 60 }]],
      ['expiration 1801', [item(travel[0]!, 1801)]],
      ['expiration 0', [item(travel[0]!, 0)]],
      ['a missing expiration', [item(travel[0]!, null)]],
      ['expiration as a string', [{ ...item(travel[0]!), expiration: '600' }]],
    ];
    for (const [label, body] of bodies) {
      const answer = await downloadUrls(body);
      expect([label, answer.status]).toEqual([label, 400]);
      expect(json(answer)).toMatchObject({ errorCode: 400, errorMessage: expect.stringMatching(/[\u4e00-\u9fff]/) as unknown, errorDetails: null, code: null, data: null });
    }
  });

  it('ignores the expiration of DingPan items, missing or out of range', async () => {
    const answer = await downloadUrls([item(byName('酒店发票'), null), item(byName('128163bbba83.jpg'), 5000)]);
    expect(answer.status).toBe(200);
    expect(json<LinkItem[]>(answer).map((l) => l.id)).toEqual([byName('酒店发票').fileId, byName('128163bbba83.jpg').fileId]);
  });

  it('leaves out unmatched items, answers repeated ones once, and [] with 200 when nothing matches', async () => {
    const f = byName('服务合同.pdf');
    const mixed = await downloadUrls([item(f), { id: f.fileId, key: 'other-key.pdf', expiration: 60 }, item(byName('已删除的附件.pdf')), item(f)]);
    expect(json<LinkItem[]>(mixed).map((l) => l.key)).toEqual([f.key]);
    for (const answer of [await downloadUrls([{ id: 'ID01NoSuchFile00', key: 'nothing.pdf', expiration: 60 }]), await downloadUrls([item(f)], EKUAIBAO.otherCorpToken), await downloadUrls([])]) {
      expect([answer.status, answer.text]).toEqual([200, '[]']);
    }
  });

  it('answers GET with 405 in plain text, and needs a token', async () => {
    const get = await call(`/api/openapi/v2/attachment/downloadurls?${withToken(EKUAIBAO.token)}`);
    expect([get.status, get.text]).toEqual([405, 'Error 405 Method Not Allowed']);
    const noToken = await call('/api/openapi/v2/attachment/downloadurls', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify([item(travel[0]!)]) });
    expect([noToken.status, json(noToken)]).toEqual([403, UNAUTHORIZED]);
  });
});

describe('object store', () => {
  it('serves the bytes with the real type and no Content-Disposition, as often as asked', async () => {
    const f = byName('会议通知.docx');
    const { url } = await linkFor(f);
    for (let i = 0; i < 2; i++) {
      const response = await send(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(f.mimeType);
      expect(response.headers.get('content-disposition')).toBeNull();
      expect((await bytesOf(response)).equals(f.bytes)).toBe(true);
    }
  });

  it('serves byte ranges with 206, and 416 beyond the end', async () => {
    const f = byName('行程单.pdf');
    const { url } = await linkFor(f);
    const head = await send(url, { headers: { Range: 'bytes=0-63' } });
    expect([head.status, head.headers.get('content-range')]).toEqual([206, `bytes 0-63/${f.bytes.length}`]);
    expect((await bytesOf(head)).equals(f.bytes.subarray(0, 64))).toBe(true);
    expect((await send(url, { headers: { Range: `bytes=${f.bytes.length}-` } })).status).toBe(416);
  });

  it('refuses an expired link with 403 AccessDenied', async () => {
    const f = byName('登机牌.jpg');
    const { url } = await linkFor(f, 60);
    const expires = Number(new URL(url).searchParams.get('Expires')) * 1000;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(expires - 2_000);
    expect((await send(url, { method: 'HEAD' })).status).toBe(200);
    vi.setSystemTime(expires + 1_000);
    const expired = await send(url);
    expect(expired.status).toBe(403);
    expect(expired.headers.get('content-type')).toBe('application/xml');
    expect(await expired.text()).toMatch(/<Error>\s*<Code>AccessDenied<\/Code>\s*<Message>Request has expired\.<\/Message>/);
  });

  it('refuses a forged or altered signature with 403 SignatureDoesNotMatch, and a link with Authorization with 400', async () => {
    const f = byName('服务合同.pdf');
    const { url } = await linkFor(f);
    const forged = new URL(url);
    forged.searchParams.set('Signature', 'Zm9yZ2VkLXNpZ25hdHVyZS0wMDA=');
    const longer = new URL(url);
    longer.searchParams.set('Expires', String(Number(longer.searchParams.get('Expires')) + 3600));
    for (const attempt of [forged, longer]) {
      const answer = await send(attempt.href);
      expect(answer.status).toBe(403);
      expect(await answer.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    }
    const withAuth = await send(url, { headers: { Authorization: 'Bearer x' } });
    expect(withAuth.status).toBe(400);
    expect(await withAuth.text()).toContain('<Code>InvalidArgument</Code>');
  });

  it('serves an image thumbnail, but no thumbnail of a PDF', async () => {
    const image = await linkFor(byName('登机牌.jpg'));
    const thumb = await send(image.thumbUrl);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    expect((await send((await linkFor(byName('行程单.pdf'))).thumbUrl)).status).toBe(400);
  });
});

describe('DingPan host', () => {
  it('serves the bytes as octet-stream with exactly the issued headers, in any letter case', async () => {
    const f = byName('酒店发票');
    const link = await linkFor(f);
    const headers = link.headers!;
    const response = await send(link.url, { headers: { authorization: headers['Authorization']!, 'X-OSS-Date': headers['x-oss-date']! } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-disposition')).toBeNull();
    expect((await bytesOf(response)).equals(f.bytes)).toBe(true);
    const range = await send(link.url, { headers: { ...headers, Range: 'bytes=-16' } });
    expect([range.status, (await bytesOf(range)).equals(f.bytes.subarray(-16))]).toEqual([206, true]);
  });

  it('refuses a request without the headers, with one missing, or with another answer’s headers (403 AccessDenied)', async () => {
    const f = byName('128163bbba83.jpg');
    const link = await linkFor(f);
    const other = await linkFor(f);
    expect(other.headers).not.toEqual(link.headers);
    for (const headers of [{}, { Authorization: link.headers!['Authorization']! }, other.headers!]) {
      const answer = await send(link.url, { headers });
      expect(answer.status).toBe(403);
      expect(await answer.text()).toContain('<Code>AccessDenied</Code>');
    }
  });

  it('expires links after 15 minutes', async () => {
    const before = Date.now();
    const link = await linkFor(byName('酒店发票'));
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(before + DINGPAN_LINK_LIFETIME_MS - 5_000);
    expect((await send(link.url, { method: 'HEAD', headers: link.headers })).status).toBe(200);
    vi.setSystemTime(before + DINGPAN_LINK_LIFETIME_MS + 5_000);
    expect((await send(link.url, { headers: link.headers })).status).toBe(403);
  });
});

describe('web pages', () => {
  /** Loads a page into happy-dom with its script running, as Chromium would. */
  async function render(url: string): Promise<Window> {
    const response = await send(url);
    expect(response.status).toBe(200);
    // The only script is the sandbox's own page script, so the warning about untrusted code does not apply.
    const window = new Window({ url, settings: { enableJavaScriptEvaluation: true, suppressInsecureJavaScriptEnvironmentWarning: true } });
    window.document.write(await response.text());
    await window.happyDOM.waitUntilComplete();
    return window;
  }

  it('renders the list of my forms by the hash, with codes in their own cells', async () => {
    const window = await render(EKUAIBAO.pages.list);
    const rows = [...window.document.querySelectorAll('tr.ant-table-row')].map((row) => [row.querySelector('.bill-name')?.textContent, row.querySelector('td.bill-code')?.textContent]);
    expect(rows).toEqual([
      ['11月差旅报销-上海', 'B24000123'],
      ['Q4 市场活动费用', 'B24000124'],
    ]);
    await window.happyDOM.close();
  });

  it('renders the travel detail: 单据编号 in an ekb-field, the title, the file chips; in-page links change only the hash', async () => {
    const window = await render(EKUAIBAO.pages.travelDetail);
    const document = window.document;
    const field = [...document.querySelectorAll('.ekb-field')].find((f) => f.querySelector('.ekb-field__label')?.textContent === '单据编号');
    expect(field?.querySelector('.ekb-field__value')?.textContent).toBe('B24000123');
    expect(document.querySelector('.ekb-bill-detail__title')?.textContent).toBe('11月差旅报销-上海');
    const names = [...document.querySelectorAll('.ekb-file-chip .ant-upload-list-item-name')].map((n) => n.textContent);
    expect(names).toHaveLength(15);
    expect(names).toEqual(expect.arrayContaining(['行程单.pdf', '../../说明.txt', '酒店发票', '审批意见.png']) as unknown);
    expect(document.querySelector('.bill-code')).toBeNull();

    window.location.hash = '#/home';
    window.dispatchEvent(new window.HashChangeEvent('hashchange'));
    expect(document.querySelector('.ekb-home')).not.toBeNull();
    expect(document.querySelector('.ekb-bill-detail')).toBeNull();
    expect(document.body.textContent).not.toMatch(/[A-Z]\d{8}/);
    expect([...document.querySelectorAll('a[href]')].every((a) => a.getAttribute('href')!.startsWith('#/'))).toBe(true);
    await window.happyDOM.close();
  });

  it('serves /web/app.html for any query and on every app host, other paths 404, unknown hosts 421', async () => {
    for (const url of [`${API}/web/app.html`, 'https://dd2.hosecloud.com/web/app.html?_=1732500000000#/bills', 'https://wx2.ekuaibao.com/web/app.html?corpId=x']) {
      const page = await send(url);
      expect([url, page.status, page.headers.get('content-type')]).toEqual([url, 200, 'text/html; charset=utf-8']);
    }
    const missing = await send(`${API}/web/other.html`);
    expect([missing.status, missing.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8']);
    expect((await send('https://ekuaibao.com.example.net/web/app.html')).status).toBe(421);
    expect(sandbox.hostResolverRules).toContain(`MAP *.ekuaibao.com 127.0.0.1:${sandbox.port}`);
    for (const family of ['hosecloud.com', 'aliyuncs.com', 'dingtalk.com']) expect(sandbox.hostResolverRules).toContain(`MAP *.${family} 127.0.0.1:${sandbox.port}`);
  });
});

describe('the request log', () => {
  it('records endpoint ids, request bodies and downloadurls item counts; secrets stay out of URLs', async () => {
    const token = await issuedToken();
    await refresh(token.accessToken, token.refreshToken);
    await details();
    await byCode(EKUAIBAO.forms.marketing.code);
    await downloadUrls(marketing.slice(0, 3).map((f) => item(f)));
    expect(sandbox.log.map((e) => [e.endpoint, e.status, e.items])).toEqual([
      ['ekb.auth.get-token', 200, undefined],
      ['ekb.auth.refresh', 200, undefined],
      ['ekb.flow-details', 200, undefined],
      ['ekb.flow-details.by-code', 200, undefined],
      ['ekb.downloadurls', 200, 3],
    ]);
    expect(JSON.parse(sandbox.log[0]!.bodyText!)).toEqual(EKUAIBAO.app);
    expect(JSON.parse(sandbox.log[4]!.bodyText!)).toHaveLength(3);
    expect(sandbox.log[2]!.bodyText).toBeUndefined();
    const urls = sandbox.log.map((e) => `${e.path}?${new URLSearchParams(e.query.map(([k, v]) => [k, v])).toString()}`).join('\n');
    expect(urls).not.toContain(EKUAIBAO.app.appSecurity);
    expect(urls).not.toContain(EKUAIBAO.app.appKey);
  });
});
