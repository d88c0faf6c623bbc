// @vitest-environment node
/**
 * Contract tests of the fake bases (多维表格) API: app meta, tables, fields, record search, and the `extra` rule
 * advanced-permission bases impose on media downloads.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BASE_ATTACHMENTS, BASE_FIELD_IDS, BASE_TABLE_REVISIONS, INVOICE_RECORD_COUNT, baseFiles } from './fixtures/bases';
import { APPS, BASES, createDemoWorld, sandboxFetch, startSandbox, TOKENS, type Sandbox } from './index';

/** Asymmetric matchers typed `unknown`, so object literals that hold them stay type-safe. */
const m = {
  any: (type: unknown): unknown => expect.any(type),
  stringMatching: (pattern: RegExp): unknown => expect.stringMatching(pattern),
  stringContaining: (text: string): unknown => expect.stringContaining(text),
  arrayContaining: (items: unknown[]): unknown => expect.arrayContaining(items),
};

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

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { code: number; msg?: string; data?: Record<string, unknown>; error?: { permission_violations?: { subject: string }[] } };
}

interface Options {
  readonly token?: string;
  readonly body?: unknown;
  /** A raw body, sent as is. */
  readonly raw?: string;
  readonly host?: string;
}

async function call(method: 'GET' | 'POST', path: string, options: Options = {}): Promise<Answer> {
  const headers: Record<string, string> = { Authorization: `Bearer ${options.token ?? TOKENS.feishuUser}` };
  let body: string | undefined;
  if (options.raw !== undefined || options.body !== undefined) {
    headers['Content-Type'] = 'application/json; charset=utf-8';
    body = options.raw ?? JSON.stringify(options.body);
  }
  const response = await send(`https://${options.host ?? 'open.feishu.cn'}/open-apis/${path}`, { method, headers, body });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

const INVOICES = BASES.invoicesTables.invoices;
const CONTRACTS = BASES.invoicesTables.contracts;
const ADVANCED = BASES.advancedTables.only;

const app = (token: string = BASES.invoices) => `bitable/v1/apps/${token}`;
const tables = (query = '', token: string = BASES.invoices) => `${app(token)}/tables${query}`;
const fields = (table: string, query = '', token: string = BASES.invoices) => `${app(token)}/tables/${table}/fields${query}`;
const searchPath = (table: string, query = '', token: string = BASES.invoices) => `${app(token)}/tables/${table}/records/search${query}`;
const search = (table: string, query = '', options: Options = {}, token: string = BASES.invoices) => call('POST', searchPath(table, query, token), options);

interface Attachment {
  file_token: string;
  name: string;
  size: number;
  type: string;
  url: string;
  tmp_url: string;
}
interface SearchData {
  items: { record_id: string; fields: Record<string, unknown> }[];
  has_more: boolean;
  page_token?: string;
  total: number;
}
interface ListData<T> {
  items: T[];
  has_more: boolean;
  page_token?: string;
  total: number;
}

/** Every record of a table, following page tokens. */
async function allRecords(table: string, body: unknown = {}, token: string = BASES.invoices, caller: string = TOKENS.feishuUser): Promise<SearchData['items']> {
  const records: SearchData['items'] = [];
  let pageToken: string | undefined;
  do {
    const answer = await search(table, `?page_size=500${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`, { body, token: caller }, token);
    expect(answer.body.code).toBe(0);
    const data = answer.body.data as unknown as SearchData;
    records.push(...data.items);
    pageToken = data.has_more ? data.page_token : undefined;
  } while (pageToken);
  return records;
}

const textOf = (cell: unknown) => (cell as { text: string }[]).map((t) => t.text).join('');

describe('base meta and tables', () => {
  it('describes a base, and tells whether it has advanced permissions', async () => {
    const invoices = await call('GET', app());
    expect([invoices.status, invoices.body.code]).toEqual([200, 0]);
    expect(invoices.body.data?.['app']).toMatchObject({ app_token: BASES.invoices, name: '报销台账', is_advanced: false, revision: m.any(Number), time_zone: m.any(String) });
    const advanced = await call('GET', app(BASES.advanced));
    expect(advanced.body.data?.['app']).toMatchObject({ app_token: BASES.advanced, name: '高级权限台账', is_advanced: true });
  });

  it('answers unknown app tokens with HTTP 200 + 1254040, malformed ones with 1254003, and keeps the brands apart', async () => {
    const unknown = await call('GET', app('BscNoSuchBase2026AbCdEfGhIj'));
    expect([unknown.status, unknown.body.code]).toEqual([200, 1254040]);
    const malformed = await call('GET', app('not-a-token!'));
    expect([malformed.status, malformed.body.code]).toEqual([200, 1254003]);
    const lark = await call('GET', app(), { token: TOKENS.larkUser, host: 'open.larksuite.com' });
    expect(lark.body.code).toBe(1254040);
  });

  it('needs a base scope (base:app:read, bitable:app or bitable:app:readonly)', async () => {
    const answer = await call('GET', app(), { token: TOKENS.feishuNoMediaScope });
    expect([answer.status, answer.body.code]).toEqual([400, 99991679]);
    expect(answer.body.error?.permission_violations?.map((v) => v.subject)).toEqual(['base:app:read', 'bitable:app', 'bitable:app:readonly']);
  });

  it('lists tables, 20 per page by default, with opaque page tokens', async () => {
    const all = (await call('GET', tables())).body.data as unknown as ListData<{ table_id: string; name: string; revision: number }>;
    expect(all).toEqual({
      has_more: false,
      total: 2,
      items: [
        { table_id: INVOICES, name: '发票', revision: BASE_TABLE_REVISIONS.invoices },
        { table_id: CONTRACTS, name: '合同', revision: BASE_TABLE_REVISIONS.contracts },
      ],
    });
    const first = (await call('GET', tables('?page_size=1'))).body.data as unknown as ListData<{ table_id: string }>;
    expect(first.items.map((t) => t.table_id)).toEqual([INVOICES]);
    expect(first.has_more).toBe(true);
    const second = (await call('GET', tables(`?page_size=1&page_token=${first.page_token!}`))).body.data as unknown as ListData<{ table_id: string }>;
    expect(second.items.map((t) => t.table_id)).toEqual([CONTRACTS]);
    expect([second.has_more, second.page_token]).toEqual([false, undefined]);
  });

  it.each([
    ['0', 400, 1254011],
    ['-3', 400, 1254011],
    ['101', 400, 99992402],
    ['abc', 400, 99992402],
  ])('refuses tables page_size=%s with %i/%i', async (size, status, code) => {
    const answer = await call('GET', tables(`?page_size=${size}`));
    expect([answer.status, answer.body.code]).toEqual([status, code]);
  });

  it('accepts the documented maximum of 100 tables a page', async () => {
    expect((await call('GET', tables('?page_size=100'))).body.code).toBe(0);
  });

  it('answers a bad or foreign page token with HTTP 200 + 1254002', async () => {
    const garbage = await call('GET', tables('?page_token=garbage'));
    expect([garbage.status, garbage.body.code]).toEqual([200, 1254002]);
    const fieldsToken = ((await call('GET', fields(INVOICES, '?page_size=1'))).body.data as unknown as ListData<unknown>).page_token!;
    expect((await call('GET', tables(`?page_token=${fieldsToken}`))).body.code).toBe(1254002);
  });
});

describe('fields', () => {
  it('lists the fields with their types, the primary one first', async () => {
    const data = (await call('GET', fields(INVOICES))).body.data as unknown as ListData<Record<string, unknown>>;
    expect(data.total).toBe(6);
    expect(data.has_more).toBe(false);
    expect(data.items.map((f) => [f['field_name'], f['type'], f['ui_type'], f['is_primary']])).toEqual([
      ['单号', 1, 'Text', true],
      ['发票', 17, 'Attachment', false],
      ['金额', 2, 'Currency', false],
      ['关联合同', 18, 'SingleLink', false],
      ['关联附件', 19, 'Lookup', false],
      ['摘要', 20, 'Formula', false],
    ]);
    expect(data.items[1]).toMatchObject({ field_id: BASE_FIELD_IDS.invoices.file, property: null });
    expect(data.items[3]?.['property']).toMatchObject({ table_id: CONTRACTS });
    expect(data.items.every((f) => /^fld[A-Za-z0-9]{7}$/.test(f['field_id'] as string))).toBe(true);
  });

  it('pages fields by 100 at most', async () => {
    const first = (await call('GET', fields(INVOICES, '?page_size=4'))).body.data as unknown as ListData<{ field_name: string }>;
    expect(first.items).toHaveLength(4);
    expect(first.has_more).toBe(true);
    const rest = (await call('GET', fields(INVOICES, `?page_size=4&page_token=${first.page_token!}`))).body.data as unknown as ListData<{ field_name: string }>;
    expect(rest.items.map((f) => f.field_name)).toEqual(['关联附件', '摘要']);
    const tooMany = await call('GET', fields(INVOICES, '?page_size=101'));
    expect([tooMany.status, tooMany.body.code]).toEqual([400, 99992402]);
    const zero = await call('GET', fields(INVOICES, '?page_size=0'));
    expect([zero.status, zero.body.code]).toEqual([400, 1254011]);
  });

  it('answers unknown tables with 1254041, malformed table ids with 1254004, malformed views with 1254005', async () => {
    const unknown = await call('GET', fields('tblNoSuchTableAb'));
    expect([unknown.status, unknown.body.code]).toEqual([200, 1254041]);
    expect((await call('GET', fields('table-1'))).body.code).toBe(1254004);
    expect((await call('GET', fields(INVOICES, '?view_id=grid'))).body.code).toBe(1254005);
    expect((await call('GET', fields(INVOICES, '?view_id=vewAbCdEf12'))).body.code).toBe(0);
    // A table of another base is unknown here.
    expect((await call('GET', fields(ADVANCED))).body.code).toBe(1254041);
  });
});

describe('record search', () => {
  it('pages 620 invoices by 500 at most', async () => {
    const first = await search(INVOICES, '?page_size=500');
    const page1 = first.body.data as unknown as SearchData;
    expect([page1.items.length, page1.has_more, page1.total]).toEqual([500, true, INVOICE_RECORD_COUNT]);
    const page2 = (await search(INVOICES, `?page_size=500&page_token=${encodeURIComponent(page1.page_token!)}`)).body.data as unknown as SearchData;
    expect([page2.items.length, page2.has_more, page2.page_token]).toEqual([120, false, undefined]);
    const ids = new Set([...page1.items, ...page2.items].map((r) => r.record_id));
    expect(ids.size).toBe(INVOICE_RECORD_COUNT);
    expect([...ids].every((id) => /^rec[A-Za-z0-9]{10}$/.test(id))).toBe(true);
    expect(textOf(page1.items[0]?.fields['单号'])).toBe('INV-2026-0001');
    expect(textOf(page2.items[119]?.fields['单号'])).toBe('INV-2026-0620');
  });

  it('answers 20 records without page_size', async () => {
    const data = (await search(INVOICES)).body.data as unknown as SearchData;
    expect([data.items.length, data.has_more]).toEqual([20, true]);
  });

  it.each([
    ['501', 400, 99992402],
    ['0', 400, 1254011],
    ['-1', 400, 1254011],
    ['many', 400, 99992402],
  ])('refuses search page_size=%s with %i/%i', async (size, status, code) => {
    const answer = await search(INVOICES, `?page_size=${size}`);
    expect([answer.status, answer.body.code]).toEqual([status, code]);
  });

  it('answers a bad page token, or one of another table, with HTTP 200 + 1254002', async () => {
    const garbage = await search(INVOICES, '?page_token=eVQrYzJBNDNONlk4VFZBZVlSdzlKdFJ4bVVHVExENDNKVHoxaVdiVnViQT0%3D');
    expect([garbage.status, garbage.body.code]).toEqual([200, 1254002]);
    const contractsToken = ((await search(CONTRACTS, '?page_size=1')).body.data as unknown as SearchData).page_token!;
    expect((await search(INVOICES, `?page_token=${encodeURIComponent(contractsToken)}`)).body.code).toBe(1254002);
  });

  it('answers an unknown table with 1254041 and a malformed one with 1254004', async () => {
    const unknown = await search('tblNoSuchTableAb');
    expect([unknown.status, unknown.body.code]).toEqual([200, 1254041]);
    expect((await search('tbl1')).body.code).toBe(1254004);
  });

  it('shows every expected attachment, in the documented shape, and nothing else', async () => {
    for (const table of [INVOICES, CONTRACTS]) {
      const expected = BASE_ATTACHMENTS[BASES.invoices]![table]!;
      const found: { recordId: string; primary: string; fieldName: string; token: string; name: string }[] = [];
      for (const record of await allRecords(table)) {
        const primaryName = table === INVOICES ? '单号' : '合同名';
        for (const [name, cell] of Object.entries(record.fields)) {
          const list = Array.isArray(cell) ? cell : (cell as { type?: number; value?: unknown[] }).type === 17 ? (cell as { value: unknown[] }).value : [];
          for (const item of list as Partial<Attachment>[]) {
            if (item.file_token === undefined) continue;
            found.push({ recordId: record.record_id, primary: textOf(record.fields[primaryName]), fieldName: name, token: item.file_token, name: item.name! });
            expect(Object.keys(item).sort()).toEqual(['file_token', 'name', 'size', 'tmp_url', 'type', 'url']);
          }
        }
      }
      expect(found).toEqual(
        expected.flatMap((record) =>
          record.attachments.map((a) => ({ recordId: record.recordId, primary: record.primary, fieldName: a.fieldName, token: a.media.token, name: a.fileName })),
        ),
      );
    }
    const invoices = BASE_ATTACHMENTS[BASES.invoices]![INVOICES]!;
    expect(invoices).toHaveLength(8);
    expect(invoices.some((r) => r.attachments.length === 3)).toBe(true);
    const sameName = invoices.flatMap((r) => r.attachments).filter((a) => a.fileName === '发票.pdf');
    expect(sameName).toHaveLength(2);
    expect(sameName[0]!.media.token).not.toBe(sameName[1]!.media.token);
    expect(invoices.flatMap((r) => r.attachments).filter((a) => a.viaLookup)).toHaveLength(1);
  });

  it('gives attachments a size, MIME type and links without extra on a base without advanced permissions', async () => {
    const [record] = await allRecords(INVOICES, { field_names: ['单号', '发票'], filter: { conjunction: 'and', conditions: [{ field_name: '单号', operator: 'is', value: ['INV-2026-0001'] }] } });
    const files = record!.fields['发票'] as Attachment[];
    const media = BASE_ATTACHMENTS[BASES.invoices]![INVOICES]![0]!.attachments[0]!.media;
    expect(files[0]).toEqual({
      file_token: media.token,
      name: '增值税专用发票-0001.pdf',
      size: media.bytes.length,
      type: 'application/pdf',
      url: `https://open.feishu.cn/open-apis/drive/v1/medias/${media.token}/download`,
      tmp_url: `https://open.feishu.cn/open-apis/drive/v1/medias/batch_get_tmp_download_url?file_tokens=${media.token}`,
    });
    const download = await send(files[0]!.url, { headers: { Authorization: `Bearer ${TOKENS.feishuUser}` } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(media.bytes)).toBe(true);
    const tmp = (await (await send(files[1]!.tmp_url, { headers: { Authorization: `Bearer ${TOKENS.feishuUser}` } })).json()) as Answer['body'];
    const link = (tmp.data?.['tmp_download_urls'] as { tmp_download_url: string }[])[0]!.tmp_download_url;
    const bytes = Buffer.from(await (await send(link)).arrayBuffer());
    expect(bytes.equals(BASE_ATTACHMENTS[BASES.invoices]![INVOICES]![0]!.attachments[1]!.media.bytes)).toBe(true);
  });

  it('keys fields by name, leaves empty cells out, and wraps lookups and formulas', async () => {
    const records = await allRecords(INVOICES, { filter: { conjunction: 'or', conditions: [{ field_name: '单号', operator: 'is', value: ['INV-2026-0620'] }, { field_name: '单号', operator: 'is', value: ['INV-2026-0002'] }] } });
    expect(records).toHaveLength(2);
    const [plain, linked] = records;
    expect(Object.keys(plain!.fields).sort()).toEqual(['单号', '摘要', '金额'].sort());
    expect(plain!.fields['单号']).toEqual([{ text: 'INV-2026-0002', type: 'text' }]);
    expect(typeof plain!.fields['金额']).toBe('number');
    expect(plain!.fields['摘要']).toEqual({ type: 1, value: [{ text: `INV-2026-0002 · ¥${(plain!.fields['金额'] as number).toFixed(2)}`, type: 'text' }] });
    const lookup = linked!.fields['关联附件'] as { type: number; value: Attachment[] };
    expect(lookup.type).toBe(17);
    expect(lookup.value.map((a) => a.name)).toEqual(['采购合同-华南区.pdf']);
    expect(lookup.value[0]!.url).toBe(`https://open.feishu.cn/open-apis/drive/v1/medias/${baseFiles().contractSouth.token}/download`);
    expect(linked!.fields['关联合同']).toEqual({ link_record_ids: [BASE_ATTACHMENTS[BASES.invoices]![CONTRACTS]![1]!.recordId] });
    expect(linked!.fields['发票']).toBeUndefined();
  });

  it('returns only the fields named in field_names, and refuses unknown names (1254045) or a non-list (1254024)', async () => {
    const data = (await search(INVOICES, '?page_size=5', { body: { field_names: ['发票'] } })).body.data as unknown as SearchData;
    expect(Array.isArray(data.items[0]!.fields['发票'])).toBe(true);
    expect(data.items.every((r) => Object.keys(r.fields).every((k) => k === '发票'))).toBe(true);
    expect(data.items[1]!.fields).toEqual({});
    const unknown = await search(INVOICES, '', { body: { field_names: ['附件'] } });
    expect([unknown.status, unknown.body.code]).toEqual([200, 1254045]);
    expect((await search(INVOICES, '', { body: { field_names: '发票' } })).body.code).toBe(1254024);
  });

  it('filters and sorts', async () => {
    const withFiles = await allRecords(INVOICES, { field_names: ['单号'], filter: { conjunction: 'and', conditions: [{ field_name: '发票', operator: 'isNotEmpty', value: [] }] } });
    expect(withFiles.map((r) => textOf(r.fields['单号']))).toEqual(['INV-2026-0001', 'INV-2026-0004', 'INV-2026-0058', 'INV-2026-0212', 'INV-2026-0500', 'INV-2026-0501', 'INV-2026-0578']);
    const sorted = (await search(INVOICES, '?page_size=3', { body: { sort: [{ field_name: '金额', desc: true }] } })).body.data as unknown as SearchData;
    const amounts = sorted.items.map((r) => r.fields['金额'] as number);
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    expect(sorted.total).toBe(INVOICE_RECORD_COUNT);
    expect((await search(INVOICES, '', { body: { sort: [{ field_name: '无此字段' }] } })).body.code).toBe(1254016);
    expect((await search(INVOICES, '', { body: { filter: { conjunction: 'and', conditions: [{ field_name: '无此字段', operator: 'is', value: ['x'] }] } } })).body.code).toBe(1254018);
    expect((await search(INVOICES, '', { body: { filter: { conjunction: 'and', conditions: [{ field_name: '单号', operator: 'like', value: ['x'] }] } } })).body.code).toBe(1254018);
  });

  it('refuses a body that is not JSON (1254000) or not an object (1254001), and a malformed view (1254005)', async () => {
    expect((await search(INVOICES, '', { raw: '{"field_names":' })).body.code).toBe(1254000);
    expect((await search(INVOICES, '', { body: ['发票'] })).body.code).toBe(1254001);
    expect((await search(INVOICES, '', { body: { view_id: 'grid' } })).body.code).toBe(1254005);
    expect((await search(INVOICES, '?page_size=1', { body: { view_id: 'vewAbCdEf12' } })).body.code).toBe(0);
  });

  it('adds created/modified fields with automatic_fields, in the requested user id type', async () => {
    const data = (await search(INVOICES, '?page_size=1&user_id_type=union_id', { body: { automatic_fields: true } })).body.data as unknown as SearchData;
    expect(data.items[0]).toMatchObject({ created_time: m.any(Number), created_by: { id: m.stringMatching(/^on_/) }, last_modified_time: m.any(Number) });
    expect((await search(INVOICES, '?user_id_type=email')).status).toBe(400);
  });

  it('needs a record scope', async () => {
    const answer = await search(INVOICES, '', { token: TOKENS.feishuNoMediaScope });
    expect([answer.status, answer.body.code]).toEqual([400, 99991679]);
    expect(answer.body.error?.permission_violations?.map((v) => v.subject)).toEqual(['base:record:retrieve', 'bitable:app', 'bitable:app:readonly']);
  });

  it('refuses the 21st search within a second with 429/99991400', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 21; i++) answers.push(await search(CONTRACTS));
    expect(answers.slice(0, 20).every((a) => a.status === 200)).toBe(true);
    expect([answers[20]!.status, answers[20]!.body.code]).toEqual([429, 99991400]);
    expect(answers[20]!.headers.get('x-ogw-ratelimit-reset')).toBe('1');
  });
});

describe('advanced-permission base', () => {
  const records = () => BASE_ATTACHMENTS[BASES.advanced]![ADVANCED]!;
  const files = () => records().map((r) => r.attachments[0]!);
  const fileField = BASE_FIELD_IDS.advanced.file;
  const extraQuery = (extra: unknown) => `extra=${encodeURIComponent(typeof extra === 'string' ? extra : JSON.stringify(extra))}`;
  const revExtra = { bitablePerm: { tableId: ADVANCED, rev: BASE_TABLE_REVISIONS.advanced } };
  const attachmentsExtra = (picks: readonly number[]) => ({
    bitablePerm: {
      tableId: ADVANCED,
      attachments: { [fileField]: Object.fromEntries(picks.map((i) => [records()[i]!.recordId, [files()[i]!.media.token]])) },
    },
  });
  const tmpUrl = (tokens: readonly string[], extra?: unknown) =>
    `drive/v1/medias/batch_get_tmp_download_url?${tokens.map((t) => `file_tokens=${t}`).join('&')}${extra === undefined ? '' : `&${extraQuery(extra)}`}`;
  const download = (token: string, extra?: unknown) => `drive/v1/medias/${token}/download${extra === undefined ? '' : `?${extraQuery(extra)}`}`;

  it('shows managers every record, with links that carry the server-generated extra', async () => {
    const found = await allRecords(ADVANCED, {}, BASES.advanced);
    expect(found.map((r) => r.record_id)).toEqual(records().map((r) => r.recordId));
    const attachment = (found[0]!.fields['附件'] as Attachment[])[0]!;
    const extra = JSON.stringify(revExtra);
    expect(attachment.url).toBe(`https://open.feishu.cn/open-apis/drive/v1/medias/${attachment.file_token}/download?extra=${encodeURIComponent(extra)}`);
    expect(attachment.tmp_url).toBe(`https://open.feishu.cn/open-apis/drive/v1/medias/batch_get_tmp_download_url?file_tokens=${attachment.file_token}&extra=${encodeURIComponent(extra)}`);
    expect(new URL(attachment.url).searchParams.get('extra')).toBe(`{"bitablePerm":{"tableId":"${ADVANCED}","rev":${BASE_TABLE_REVISIONS.advanced}}}`);
  });

  it('answers a caller who cannot manage the base with an empty success', async () => {
    const answer = await search(ADVANCED, '?page_size=500', { token: TOKENS.feishuTenant }, BASES.advanced);
    expect([answer.status, answer.body.code]).toEqual([200, 0]);
    expect(answer.body.data).toEqual({ has_more: false, total: 0, items: [] });
    // The base and its tables are still visible.
    expect((await call('GET', tables('', BASES.advanced), { token: TOKENS.feishuTenant })).body.code).toBe(0);
  });

  it('counts the demo app among the managers: its tenant tokens see the records', async () => {
    const issued = await send('https://open.feishu.cn/open-apis/auth/v3/tenant_access_token/internal', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ app_id: APPS.feishu.appId, app_secret: APPS.feishu.appSecret }),
    });
    const { tenant_access_token: token } = (await issued.json()) as { tenant_access_token: string };
    expect(await allRecords(ADVANCED, {}, BASES.advanced, token)).toHaveLength(3);
  });

  it('refuses media without extra: tmp-url 403, download 400', async () => {
    const token = files()[0]!.media.token;
    expect((await call('GET', tmpUrl([token]))).status).toBe(403);
    const refused = await call('GET', download(token));
    expect([refused.status, refused.body.code]).toEqual([400, 1061002]);
  });

  it.each([
    ['another table', () => ({ bitablePerm: { tableId: INVOICES, rev: BASE_TABLE_REVISIONS.advanced } })],
    ['a stale revision', () => ({ bitablePerm: { tableId: ADVANCED, rev: BASE_TABLE_REVISIONS.advanced - 1 } })],
    ['no bitablePerm', () => ({ tableId: ADVANCED, rev: BASE_TABLE_REVISIONS.advanced })],
    ['another record', () => ({ bitablePerm: { tableId: ADVANCED, attachments: { [fileField]: { [records()[1]!.recordId]: [files()[0]!.media.token] } } } })],
    ['another field', () => ({ bitablePerm: { tableId: ADVANCED, attachments: { fldWrong01: { [records()[0]!.recordId]: [files()[0]!.media.token] } } } })],
    ['another token', () => attachmentsExtra([1])],
    ['text that is not JSON', () => 'bitablePerm'],
    ['extra encoded twice', () => encodeURIComponent(JSON.stringify({ bitablePerm: { tableId: ADVANCED, rev: BASE_TABLE_REVISIONS.advanced } }))],
  ])('refuses an extra naming %s', async (_case, extra) => {
    const token = files()[0]!.media.token;
    const tmp = await call('GET', tmpUrl([token], extra()));
    expect([tmp.status, tmp.body.code]).toEqual([403, 1061004]);
    const direct = await call('GET', download(token, extra()));
    expect([direct.status, direct.body.code]).toEqual([400, 1061002]);
  });

  it.each([
    ['the documented attachments form', () => attachmentsExtra([0])],
    ['the server-generated rev form', () => revExtra],
  ])('accepts %s', async (_case, extra) => {
    const media = files()[0]!.media;
    const tmp = await call('GET', tmpUrl([media.token], extra()));
    expect(tmp.body.code).toBe(0);
    const link = (tmp.body.data?.['tmp_download_urls'] as { tmp_download_url: string }[])[0]!.tmp_download_url;
    expect(Buffer.from(await (await send(link)).arrayBuffer()).equals(media.bytes)).toBe(true);
    const direct = await send(`https://open.feishu.cn/open-apis/${download(media.token, extra())}`, { headers: { Authorization: `Bearer ${TOKENS.feishuUser}` } });
    expect(direct.status).toBe(200);
    expect(Buffer.from(await direct.arrayBuffer()).equals(media.bytes)).toBe(true);
  });

  it('downloads through the url a search returned', async () => {
    const attachment = ((await allRecords(ADVANCED, {}, BASES.advanced))[2]!.fields['附件'] as Attachment[])[0]!;
    const direct = await send(attachment.url, { headers: { Authorization: `Bearer ${TOKENS.feishuUser}` } });
    expect(direct.status).toBe(200);
    expect(Buffer.from(await direct.arrayBuffer()).equals(files()[2]!.media.bytes)).toBe(true);
  });

  it('needs one extra that covers every token of a tmp-url call', async () => {
    const tokens = files().map((f) => f.media.token);
    expect((await call('GET', tmpUrl(tokens, attachmentsExtra([0, 1])))).status).toBe(403);
    const all = await call('GET', tmpUrl(tokens, attachmentsExtra([0, 1, 2])));
    expect((all.body.data?.['tmp_download_urls'] as unknown[]).length).toBe(3);
    expect((await call('GET', tmpUrl(tokens, revExtra))).body.code).toBe(0);
    // Tokens outside advanced-permission bases need no extra.
    const mixed = await call('GET', tmpUrl([tokens[0]!, baseFiles().inv0004.token], revExtra));
    expect(mixed.body.code).toBe(0);
  });

  it('refuses a caller who cannot manage the base even with a correct extra (403)', async () => {
    const answer = await call('GET', download(files()[0]!.media.token, revExtra), { token: TOKENS.feishuTenant });
    expect([answer.status, answer.body.code]).toEqual([403, 1061004]);
  });
});
