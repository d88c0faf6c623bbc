// @vitest-environment node
/**
 * Contract tests of the fake wiki and sheets APIs: node resolution, spreadsheet meta, sheets query, values of ranges
 * (syntax, clipping, render options, the 10 MB cap), floating images, errors and rate limits.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setSheetsResponseCap } from './api/sheets';
import { SHEET_FILES, SHEET_GRIDS } from './fixtures/sheets';
import { WIKI_NODES, WIKI_SPACE_ID } from './fixtures/wiki';
import { createDemoWorld, DOCS, DRIVE, sandboxFetch, SHEETS, startSandbox, TOKENS, WIKI, type Sandbox, type SandboxSpreadsheet } from './index';

/** Asymmetric matchers, typed `unknown` (vitest types them `any`). */
const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);
const anyNumber: unknown = expect.any(Number);
const anyString: unknown = expect.any(String);

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
  setSheetsResponseCap(undefined);
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: { code: number; msg?: string; data?: Record<string, unknown>; error?: { permission_violations?: { subject: string }[] } };
}

async function api(path: string, token: string = TOKENS.feishuUser): Promise<Answer> {
  const response = await send(`https://open.feishu.cn/open-apis/${path}`, { headers: { Authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as Answer['body'] };
}

const getNode = (query: string, token?: string) => api(`wiki/v2/spaces/get_node?${query}`, token);
const values = (range: string, query = '', book: string = SHEETS.budget) => api(`sheets/v2/spreadsheets/${book}/values/${encodeURIComponent(range)}${query}`);
const batch = (ranges: readonly string[], query = '', book: string = SHEETS.budget) =>
  api(`sheets/v2/spreadsheets/${book}/values_batch_get?ranges=${encodeURIComponent(ranges.join(','))}${query}`);

interface ValueRange {
  majorDimension: string;
  range: string;
  revision: number;
  values: unknown[][];
}
const valueRange = (answer: Answer) => answer.body.data?.['valueRange'] as ValueRange;

const { summary, detail, archive, embeddedBase } = SHEETS.budgetSheets;

/** Parallel calls, so they all land in one rate window. */
const burst = (count: number, call: () => Promise<Answer>) => Promise.all(Array.from({ length: count }, call));

function expectOneRefusal(answers: readonly Answer[], limit: number): void {
  const refused = answers.filter((a) => a.status !== 200);
  expect(answers.filter((a) => a.status === 200)).toHaveLength(limit);
  expect(refused).toHaveLength(1);
  expect([refused[0]!.status, refused[0]!.body.code]).toEqual([429, 99991400]);
  expect(refused[0]!.headers.get('x-ogw-ratelimit-limit')).toBe(String(limit));
  expect(Number(refused[0]!.headers.get('x-ogw-ratelimit-reset'))).toBeGreaterThanOrEqual(1);
}

describe('wiki get_node', () => {
  it.each(Object.entries(WIKI_NODES).filter(([, n]) => n.readable))('resolves node %s to its object', async (nodeToken, expected) => {
    const answer = await getNode(`token=${nodeToken}`);
    expect(answer.body.code).toBe(0);
    expect(answer.body.data?.['node']).toMatchObject({ node_token: nodeToken, obj_type: expected.objType, obj_token: expected.objToken, title: expected.title });
  });

  it('answers every field of the documented sample, with the documented types', async () => {
    const node = (await getNode(`token=${WIKI.docx}`)).body.data?.['node'];
    expect(node).toEqual({
      space_id: WIKI_SPACE_ID,
      node_token: WIKI.docx,
      obj_token: DOCS.weekly,
      obj_type: 'docx',
      parent_node_token: '',
      node_type: 'origin',
      origin_node_token: '',
      origin_space_id: '',
      has_child: false,
      title: '项目周报 2026-W47',
      obj_create_time: matching(/^\d{10}$/),
      obj_edit_time: matching(/^\d{10}$/),
      node_create_time: matching(/^\d{10}$/),
      creator: matching(/^ou_/),
      owner: matching(/^ou_/),
      node_creator: matching(/^ou_/),
      url: `https://sandbox.feishu.cn/wiki/${WIKI.docx}`,
    });
    expect(WIKI_NODES[WIKI.docx].objToken).toBe(DOCS.weekly);
  });

  it('finds the node of an object token when obj_type names its type, and only then', async () => {
    expect((await getNode(`token=${DOCS.weekly}&obj_type=docx`)).body.data?.['node']).toMatchObject({ node_token: WIKI.docx });
    expect((await getNode(`token=${SHEETS.budget}&obj_type=sheet`)).body.data?.['node']).toMatchObject({ node_token: WIKI.sheet });
    expect((await getNode(`token=${DRIVE.contract}&obj_type=file`)).body.data?.['node']).toMatchObject({ node_token: WIKI.file, obj_type: 'file' });
    const withoutType = await getNode(`token=${DOCS.weekly}`);
    expect([withoutType.status, withoutType.body.code]).toEqual([400, 131005]);
    const wrongType = await getNode(`token=${DOCS.weekly}&obj_type=sheet`);
    expect([wrongType.status, wrongType.body.code]).toEqual([400, 131005]);
    expect((await getNode(`token=${WIKI.sheet}&obj_type=wiki`)).body.code).toBe(0);
  });

  it('refuses a missing token or an unknown obj_type with 400/131002', async () => {
    for (const query of ['', 'token=', `token=${WIKI.docx}&obj_type=spreadsheet`]) {
      const answer = await getNode(query);
      expect([query, answer.status, answer.body.code]).toEqual([query, 400, 131002]);
    }
  });

  it('answers 400/131005 for an unknown node and 400/131006 for one shared with nobody', async () => {
    const unknown = await getNode('token=WkNoSuchNode000000000000000');
    expect([unknown.status, unknown.body.code]).toEqual([400, 131005]);
    for (const token of [TOKENS.feishuUser, TOKENS.feishuTenant]) {
      const refused = await getNode(`token=${WIKI.private}`, token);
      expect([refused.status, refused.body.code]).toEqual([400, 131006]);
    }
  });

  it('tells a legacy doc node apart by its obj_type', async () => {
    expect((await getNode(`token=${WIKI.legacy}`)).body.data?.['node']).toMatchObject({ obj_type: 'doc' });
  });

  it('needs one of the wiki scopes', async () => {
    const answer = await getNode(`token=${WIKI.docx}`, TOKENS.feishuNoMediaScope);
    expect([answer.status, answer.body.code]).toEqual([400, 99991679]);
    expect(answer.body.error?.permission_violations?.map((v) => v.subject)).toEqual(['wiki:node:read', 'wiki:wiki', 'wiki:wiki:readonly']);
  });

  it('allows 100 calls a minute, then 429/99991400 with a reset in seconds', async () => {
    for (let i = 0; i < 100; i++) expect((await getNode(`token=${WIKI.docx}`)).status).toBe(200);
    const refused = await getNode(`token=${WIKI.docx}`);
    expect([refused.status, refused.body.code]).toEqual([429, 99991400]);
    expect(refused.headers.get('x-ogw-ratelimit-limit')).toBe('100');
    const reset = Number(refused.headers.get('x-ogw-ratelimit-reset'));
    expect(reset).toBeGreaterThan(1);
    expect(reset).toBeLessThanOrEqual(60);
  });
});

describe('spreadsheet meta and sheets query', () => {
  it('answers the spreadsheet meta', async () => {
    const answer = await api(`sheets/v3/spreadsheets/${SHEETS.budget}`);
    expect(answer.body).toMatchObject({ code: 0, msg: 'success' });
    expect(answer.body.data).toEqual({
      spreadsheet: { title: '2026 预算', owner_id: matching(/^ou_/), token: SHEETS.budget, url: `https://sandbox.feishu.cn/sheets/${SHEETS.budget}` },
    });
  });

  it.each(Object.entries(SHEET_GRIDS))('lists the sheets of %s in order, grid properties only for grids', async (book, grid) => {
    const sheets = (await api(`sheets/v3/spreadsheets/${book}/sheets/query`)).body.data?.['sheets'];
    expect(sheets).toEqual(
      grid.sheets.map((s, index) => ({
        sheet_id: s.sheetId,
        title: s.title,
        index,
        hidden: s.hidden,
        ...(s.resourceType === 'sheet'
          ? { grid_properties: { frozen_row_count: 0, frozen_column_count: 0, row_count: s.rowCount, column_count: s.columnCount } }
          : {}),
        resource_type: s.resourceType,
      })),
    );
  });

  it('answers 400/1310214 for an unknown spreadsheet and 400/1310213 for one not shared (v3, as documented)', async () => {
    const unknown = await api('sheets/v3/spreadsheets/ShtNoSuchBook00000000000000/sheets/query');
    expect([unknown.status, unknown.body.code]).toEqual([400, 1310214]);
    sandbox.world = withBudgetReaders([TOKENS.feishuTenant]);
    for (const path of [`sheets/v3/spreadsheets/${SHEETS.budget}`, `sheets/v3/spreadsheets/${SHEETS.budget}/sheets/query`]) {
      const refused = await api(path);
      expect([refused.status, refused.body.code]).toEqual([400, 1310213]);
      expect((await api(path, TOKENS.feishuTenant)).body.code).toBe(0);
    }
  });

  it('needs a sheets or drive scope', async () => {
    const answer = await api(`sheets/v3/spreadsheets/${SHEETS.budget}/sheets/query`, TOKENS.feishuNoMediaScope);
    expect(answer.body.code).toBe(99991679);
    expect(answer.body.error?.permission_violations?.map((v) => v.subject)).toEqual(['drive:drive', 'drive:drive:readonly', 'sheets:spreadsheet', 'sheets:spreadsheet:readonly']);
  });

  it('allows 20 meta and 20 query calls a second', async () => {
    expectOneRefusal(await burst(21, () => api(`sheets/v3/spreadsheets/${SHEETS.budget}`)), 20);
    expectOneRefusal(await burst(21, () => api(`sheets/v3/spreadsheets/${SHEETS.budget}/sheets/query`)), 20);
  });
});

function withBudgetReaders(readers: readonly string[]) {
  const world = createDemoWorld();
  return { ...world, spreadsheets: (world.spreadsheets ?? []).map((s): SandboxSpreadsheet => (s.token === SHEETS.budget ? { ...s, readers } : s)) };
}

describe('values of a range', () => {
  it('answers the documented shape, with null for empty cells and the full width on every row', async () => {
    const answer = await values(`${summary}!A1:H60`);
    expect(answer.body).toMatchObject({ code: 0, msg: 'Success', data: { revision: anyNumber, spreadsheetToken: SHEETS.budget } });
    const range = valueRange(answer);
    expect(range).toMatchObject({ majorDimension: 'ROWS', range: `${summary}!A1:H60`, revision: answer.body.data?.['revision'] });
    expect(range.values).toHaveLength(60);
    expect(range.values.every((row) => row.length === 8)).toBe(true);
    expect(range.values[0]).toEqual(['项目', '预算(元)', '实际(元)', '差异', '负责人', '附件', '链接', '备注']);
    expect(range.values[1]![1]).toBe(50_000);
    expect(range.values[1]![5]).toBeNull();
    expect(range.values[59]).toEqual([null, null, null, null, null, null, null, null]);
  });

  it('shows attachments as segments and cell images as embed-image objects', async () => {
    const [note, approval] = SHEET_FILES.filter((f) => f.sheetId === summary && f.cell === 'F3');
    const f3 = valueRange(await values(`${summary}!F3:F3`)).values;
    expect(f3).toEqual([
      [
        [
          { type: 'attachment', fileToken: note!.media.token, text: '预算说明.pdf', size: note!.media.bytes.length, mimeType: 'application/pdf' },
          { type: 'attachment', fileToken: approval!.media.token, text: '审批单.png', size: approval!.media.bytes.length, mimeType: 'image/png' },
        ],
      ],
    ]);
    const chart = SHEET_FILES.find((f) => f.sheetId === summary && f.kind === 'embed-image')!;
    expect(valueRange(await values(`${summary}!C7:C7`)).values).toEqual([[{ type: 'embed-image', fileToken: chart.media.token, width: 1280, height: 720 }]]);
  });

  it.each([
    [`${summary}!A1:Z100`, `${summary}!A1:H60`, 60, 8],
    [`${summary}!A:B`, `${summary}!A1:B60`, 60, 2],
    [`${summary}!C5:D`, `${summary}!C5:D60`, 56, 2],
    [`${detail}!K1790:Z1810`, `${detail}!K1790:L1810`, 21, 2],
    [`${detail}!a1:b3`, `${detail}!A1:B3`, 3, 2],
    [summary, `${summary}!A1:H18`, 18, 8],
    [detail, `${detail}!A1:L2600`, 2600, 12],
    [archive, `${archive}!A1:F3`, 3, 6],
  ])('reads %s as %s (clipped to the grid)', async (requested, answered, rows, columns) => {
    const range = valueRange(await values(requested));
    expect(range.range).toBe(answered);
    expect(range.values).toHaveLength(rows);
    expect(range.values.every((row) => row.length === columns)).toBe(true);
  });

  it('answers an empty range, "" and no values, for a range without data (outside the grid or empty cells)', async () => {
    for (const requested of [`${summary}!A61:H70`, `${summary}!I1:J5`, `${summary}!A30:H40`]) {
      const answer = await values(requested);
      expect([requested, answer.body.code, valueRange(answer).range, valueRange(answer).values]).toEqual([requested, 0, '', []]);
    }
  });

  it.each([`${summary}!A1`, `${summary}!B5:A1`, `${summary}!A5:B1`, `${summary}!A0:B2`, `${summary}!1:2`, `${summary}!`])('refuses the malformed range %s with 400/90202', async (requested) => {
    const answer = await values(requested);
    expect([answer.status, answer.body.code]).toEqual([400, 90202]);
  });

  it('refuses an unknown sheet with 400/90215 and a sheet that is not a grid with 400/90202', async () => {
    const unknown = await values('zZ9yY8!A1:B2');
    expect([unknown.status, unknown.body.code]).toEqual([400, 90215]);
    const base = await values(`${embeddedBase}!A1:B2`);
    expect([base.status, base.body.code]).toEqual([400, 90202]);
  });

  it('answers 404/90214 for an unknown spreadsheet and 403/90213 for one not shared', async () => {
    const unknown = await values(`${summary}!A1:B2`, '', 'ShtNoSuchBook00000000000000');
    expect([unknown.status, unknown.body.code]).toEqual([404, 90214]);
    sandbox.world = withBudgetReaders([]);
    const refused = await values(`${summary}!A1:B2`);
    expect([refused.status, refused.body.code]).toEqual([403, 90213]);
    const refusedBatch = await batch([`${summary}!A1:B2`]);
    expect([refusedBatch.status, refusedBatch.body.code]).toEqual([403, 90213]);
  });

  it('reads several ranges at once with totalCells', async () => {
    const answer = await batch([`${summary}!A1:B2`, `${detail}!K5:K5`, `${archive}!Z1:Z2`]);
    expect(answer.body).toMatchObject({ code: 0, msg: 'Success', data: { revision: anyNumber, spreadsheetToken: SHEETS.budget, totalCells: 5 } });
    const ranges = answer.body.data?.['valueRanges'] as ValueRange[];
    expect(ranges.map((r) => r.range)).toEqual([`${summary}!A1:B2`, `${detail}!K5:K5`, '']);
    expect(ranges.every((r) => r.majorDimension === 'ROWS' && typeof r.revision === 'number')).toBe(true);
    const approval = SHEET_FILES.find((f) => f.cell === 'K5')!;
    expect(ranges[1]!.values).toEqual([[[expect.objectContaining({ type: 'attachment', fileToken: approval.media.token, text: '审批单.png' })]]]);
  });

  it('refuses a batch without ranges (400/90229) and one with a bad range (400/90202)', async () => {
    const none = await api(`sheets/v2/spreadsheets/${SHEETS.budget}/values_batch_get`);
    expect([none.status, none.body.code]).toEqual([400, 90229]);
    const bad = await batch([`${summary}!A1:B2`, `${summary}!nonsense`]);
    expect([bad.status, bad.body.code]).toEqual([400, 90202]);
  });

  it('flattens attachments and images to text with valueRenderOption=ToString (why clients must not use it)', async () => {
    const answer = await values(`${summary}!A1:H18`, '?valueRenderOption=ToString');
    const rows = valueRange(answer).values;
    expect(rows[2]![5]).toBe('预算说明.pdf审批单.png');
    expect(rows[4]![5]).toBe('Q1 报表.xlsx');
    expect(rows[6]![2]).toBe('');
    expect(rows[1]![1]).toBe(50_000); // numbers stay numbers
    expect(rows[1]![4]).toBe('@张三');
    expect(rows[1]![7]).toBe('已审批（财务部）');
    expect(answer.text).not.toContain('fileToken');
    for (const file of SHEET_FILES.filter((f) => f.sheetId === summary)) expect(answer.text).not.toContain(file.media.token);
    const batched = await batch([`${detail}!K1:L2600`], '?valueRenderOption=ToString');
    expect(batched.text).not.toContain('fileToken');
  });

  it('leaves cells as they are with the other render options and refuses unknown ones (400/90229)', async () => {
    const plain = valueRange(await values(`${summary}!F3:F5`)).values;
    for (const option of ['FormattedValue', 'UnformattedValue', 'Formula']) {
      expect(valueRange(await values(`${summary}!F3:F5`, `?valueRenderOption=${option}&dateTimeRenderOption=FormattedString`)).values).toEqual(plain);
    }
    const bad = await values(`${summary}!F3:F5`, '?valueRenderOption=ToText');
    expect([bad.status, bad.body.code]).toEqual([400, 90229]);
    const badDate = await values(`${summary}!F3:F5`, '?dateTimeRenderOption=SerialNumber');
    expect([badDate.status, badDate.body.code]).toEqual([400, 90229]);
  });

  it('refuses an answer larger than the cap (400/90221), so big sheets must be read in chunks', async () => {
    const whole = await values(detail);
    expect(whole.body.code).toBe(0);
    const wholeBytes = Buffer.byteLength(whole.text);
    expect(wholeBytes).toBeGreaterThan(500_000);

    setSheetsResponseCap(300_000);
    const refused = await values(detail);
    expect([refused.status, refused.body.code]).toEqual([400, 90221]);
    expect(refused.body.msg).toContain('exceeds the limit');
    const refusedBatch = await batch([`${detail}!A1:L1000`, `${detail}!A1001:L2000`]);
    expect(refusedBatch.body.code).toBe(90221);

    let rows = 0;
    for (let start = 1; start <= 2600; start += 500) {
      const chunk = await values(`${detail}!A${start}:L${Math.min(start + 499, 2600)}`);
      expect(chunk.body.code).toBe(0);
      expect(Buffer.byteLength(chunk.text)).toBeLessThanOrEqual(300_000);
      rows += valueRange(chunk).values.length;
    }
    expect(rows).toBe(2600);

    setSheetsResponseCap(undefined);
    expect((await values(detail)).body.code).toBe(0);
  });

  it('allows 100 values calls a second, and 100 batch calls on their own window', async () => {
    expectOneRefusal(await burst(101, () => values(`${summary}!A1:A1`)), 100);
    expectOneRefusal(await burst(101, () => batch([`${summary}!A1:A1`])), 100);
  });
});

describe('floating images', () => {
  it('lists the floating images of a sheet, and none elsewhere', async () => {
    const logo = SHEET_FILES.find((f) => f.kind === 'float-image')!;
    const answer = await api(`sheets/v3/spreadsheets/${SHEETS.budget}/sheets/${summary}/float_images/query`);
    expect(answer.body.code).toBe(0);
    expect(answer.body.data).toEqual({
      items: [
        {
          float_image_id: anyString,
          float_image_token: logo.media.token,
          range: `${summary}!${logo.cell}`,
          width: anyNumber,
          height: anyNumber,
          offset_x: anyNumber,
          offset_y: anyNumber,
        },
      ],
    });
    for (const sheet of [detail, archive, embeddedBase]) {
      expect((await api(`sheets/v3/spreadsheets/${SHEETS.budget}/sheets/${sheet}/float_images/query`)).body.data).toEqual({ items: [] });
    }
  });

  it('answers 400/1310215 for an unknown sheet and 400/1310214 for an unknown spreadsheet', async () => {
    const sheet = await api(`sheets/v3/spreadsheets/${SHEETS.budget}/sheets/zZ9yY8/float_images/query`);
    expect([sheet.status, sheet.body.code]).toEqual([400, 1310215]);
    const book = await api(`sheets/v3/spreadsheets/ShtNoSuchBook00000000000000/sheets/${summary}/float_images/query`);
    expect([book.status, book.body.code]).toEqual([400, 1310214]);
  });

  it('allows 20 calls a second', async () => {
    expectOneRefusal(await burst(21, () => api(`sheets/v3/spreadsheets/${SHEETS.budget}/sheets/${summary}/float_images/query`)), 20);
  });
});

describe('the files the spreadsheets show', () => {
  it('has every attachment and image where SHEET_FILES says, with two same-named files in different sheets', async () => {
    for (const file of SHEET_FILES.filter((f) => f.kind !== 'float-image')) {
      const cell = valueRange(await values(`${file.sheetId}!${file.cell}:${file.cell}`, '', file.spreadsheet)).values[0]![0];
      const found = (Array.isArray(cell) ? cell : [cell]) as { type: string; fileToken: string; text?: string }[];
      const segment = found.find((s) => s.fileToken === file.media.token);
      expect(segment?.type).toBe(file.kind);
      if (file.kind === 'attachment') expect(segment?.text).toBe(file.fileName);
      expect(file.media.fileName).toBe(file.fileName);
    }
    const approvals = SHEET_FILES.filter((f) => f.fileName === '审批单.png');
    expect(new Set(approvals.map((f) => f.sheetTitle))).toEqual(new Set(['汇总', '明细']));
    expect(approvals[0]!.media.token).not.toBe(approvals[1]!.media.token);
    expect(SHEET_FILES.some((f) => f.kind === 'attachment' && / /.test(f.fileName) && /[\u4e00-\u9fff]/.test(f.fileName))).toBe(true);
    expect(SHEET_FILES.every((f) => f.media.bytes.length >= 1024 && f.media.bytes.length <= 300 * 1024)).toBe(true);
  });

  it('registers every file as media of the world, downloadable through tmp download URLs', async () => {
    const tokens = SHEET_FILES.map((f) => f.media.token);
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const token of tokens) expect(sandbox.world.media.some((m) => m.token === token)).toBe(true);
    for (let i = 0; i < SHEET_FILES.length; i += 5) {
      const group = SHEET_FILES.slice(i, i + 5);
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1000)); // 5 calls/s, documented
      const answer = await api(`drive/v1/medias/batch_get_tmp_download_url?${group.map((f) => `file_tokens=${f.media.token}`).join('&')}`);
      expect(answer.body.code).toBe(0);
      const urls = answer.body.data?.['tmp_download_urls'] as { file_token: string; tmp_download_url: string }[];
      expect(urls.map((u) => u.file_token)).toEqual(group.map((f) => f.media.token));
      for (const [index, url] of urls.entries()) {
        const file = await send(url.tmp_download_url);
        expect(file.status).toBe(200);
        expect(file.headers.get('content-type')).toBe(group[index]!.media.mimeType);
        expect(Buffer.from(await file.arrayBuffer()).equals(group[index]!.media.bytes)).toBe(true);
      }
    }
  });

  it('lets only the spreadsheet readers fetch its files', async () => {
    sandbox.world = withBudgetReaders([TOKENS.feishuTenant]);
    const archived = SHEET_FILES.find((f) => f.cell === 'B3' && f.spreadsheet === SHEETS.budget)!;
    const refused = await api(`drive/v1/medias/batch_get_tmp_download_url?file_tokens=${archived.media.token}`);
    expect([refused.status, refused.body.code]).toEqual([403, 1061004]);
    expect((await api(`drive/v1/medias/batch_get_tmp_download_url?file_tokens=${archived.media.token}`, TOKENS.feishuTenant)).body.code).toBe(0);
  });
});
