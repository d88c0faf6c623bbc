// @vitest-environment node
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDemoWorld,
  sandboxFetch,
  setSheetsResponseCap,
  SHEET_FILES,
  SHEET_GRIDS,
  SHEETS,
  startSandbox,
  TOKENS,
  type Sandbox,
  type SandboxSpreadsheet,
} from '../../tests/sandbox';
import type { SheetFileExpect } from '../../tests/sandbox/fixtures/sheets';
import type { Attachment } from '../core/attachment';
import type { Problem } from '../core/problem';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { FeishuClient } from './client';
import { CELLS_PER_CALL, collectCellAttachments, columnName, listSpreadsheet, planReads, rangeString, type CellRef, type SheetInfo } from './sheets';
import { problemOf } from '../../tests/unit/problem-of';

const FEISHU_API = 'https://open.feishu.cn';
const S = SHEETS.budgetSheets;

const sheet = (sheetId: string, rows: number, columns: number, title = sheetId): SheetInfo => ({ sheetId, title, rows, columns });
const cellsOf = (call: readonly { sheet: SheetInfo; startRow: number; endRow: number }[]) =>
  call.reduce((sum, r) => sum + (r.endRow - r.startRow + 1) * r.sheet.columns, 0);

describe('columnName', () => {
  it.each([
    [1, 'A'],
    [2, 'B'],
    [26, 'Z'],
    [27, 'AA'],
    [52, 'AZ'],
    [53, 'BA'],
    [702, 'ZZ'],
    [703, 'AAA'],
    [16_384, 'XFD'],
  ])('%i → %s', (index, name) => {
    expect(columnName(index)).toBe(name);
  });

  it('names nothing for column 0', () => {
    expect(columnName(0)).toBe('');
  });
});

describe('rangeString', () => {
  it('spans every column of the sheet over the chunk\'s rows', () => {
    expect(rangeString({ sheet: sheet('a1B2c3', 60, 8), startRow: 1, endRow: 60 })).toBe('a1B2c3!A1:H60');
    expect(rangeString({ sheet: sheet('d4E5f6', 2600, 12), startRow: 834, endRow: 1666 })).toBe('d4E5f6!A834:L1666');
    expect(rangeString({ sheet: sheet('wide01', 5, 30), startRow: 2, endRow: 2 })).toBe('wide01!A2:AD2');
  });

  it('never names column 0 (a sheet that reports no columns)', () => {
    expect(rangeString({ sheet: sheet('empty1', 3, 0), startRow: 1, endRow: 3 })).toBe('empty1!A1:A3');
  });
});

describe('planReads', () => {
  it('reads a small sheet whole in one call', () => {
    const summary = sheet('a1B2c3', 60, 8);
    expect(planReads([summary])).toEqual([[{ sheet: summary, startRow: 1, endRow: 60 }]]);
  });

  it('packs several small sheets into one call', () => {
    const sheets = [sheet('s1', 60, 8), sheet('s2', 20, 6), sheet('s3', 100, 26)];
    expect(planReads(sheets)).toEqual([sheets.map((s) => ({ sheet: s, startRow: 1, endRow: s.rows }))]);
  });

  it('chunks a big sheet into consecutive row ranges that cover every row once', () => {
    const detail = sheet('d4E5f6', 2600, 12);
    const calls = planReads([detail]);
    const ranges = calls.flat();
    expect(ranges[0]?.startRow).toBe(1);
    expect(ranges.at(-1)?.endRow).toBe(2600);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.startRow).toBe(ranges[i - 1]!.endRow + 1);
    expect(calls).toHaveLength(Math.ceil((2600 * 12) / CELLS_PER_CALL));
    expect(calls.map((call) => call.length)).toEqual([1, 1, 1, 1]);
  });

  it('never asks for more cells a call than the budget', () => {
    const sheets = [sheet('s1', 60, 8), sheet('s2', 2600, 12), sheet('s3', 20, 6), sheet('s4', 777, 13), sheet('s5', 3, 9)];
    for (const budget of [100, 1000, 4321, CELLS_PER_CALL]) {
      const calls = planReads(sheets, budget);
      for (const call of calls) expect(cellsOf(call)).toBeLessThanOrEqual(budget);
      expect(calls.flat().reduce((n, r) => n + (r.endRow - r.startRow + 1), 0)).toBe(60 + 2600 + 20 + 777 + 3);
    }
  });

  it('makes the fewest calls the budget allows: each call is filled before the next one starts', () => {
    const grids = SHEET_GRIDS[SHEETS.budget].sheets.filter((s) => s.resourceType === 'sheet').map((s) => sheet(s.sheetId, s.rowCount, s.columnCount));
    const total = grids.reduce((n, s) => n + s.rows * s.columns, 0);
    expect(planReads(grids)).toHaveLength(Math.ceil(total / CELLS_PER_CALL));
    // Whatever sheet comes first.
    expect(planReads([...grids].reverse())).toHaveLength(Math.ceil(total / CELLS_PER_CALL));
    const rows = [sheet('x', 7, 10), sheet('y', 7, 10), sheet('z', 7, 10)];
    expect(planReads(rows, 100).map((call) => call.map((r) => `${r.sheet.sheetId}${r.startRow}-${r.endRow}`))).toEqual([['x1-7', 'y1-3'], ['y4-7', 'z1-6'], ['z7-7']]);
  });

  it('puts at most 20 ranges in a call', () => {
    const tiny = Array.from({ length: 45 }, (_, i) => sheet(`t${i}`, 2, 2));
    const calls = planReads(tiny);
    expect(calls.map((call) => call.length)).toEqual([20, 20, 5]);
    expect(calls.flat().map((r) => r.sheet.sheetId)).toEqual(tiny.map((s) => s.sheetId));
  });

  it('reads a row wider than the budget on its own', () => {
    const wide = sheet('wide01', 3, 150);
    const calls = planReads([sheet('s1', 2, 10), wide, sheet('s2', 2, 10)], 100);
    expect(calls.map((call) => call.map((r) => `${r.sheet.sheetId}:${r.startRow}-${r.endRow}`))).toEqual([
      ['s1:1-2'],
      ['wide01:1-1'],
      ['wide01:2-2'],
      ['wide01:3-3'],
      ['s2:1-2'],
    ]);
  });

  it('skips sheets without rows or columns, and plans nothing for nothing', () => {
    expect(planReads([sheet('e1', 0, 8), sheet('e2', 10, 0)])).toEqual([]);
    expect(planReads([])).toEqual([]);
  });
});

describe('collectCellAttachments', () => {
  const TOKEN_A = 'boxcnAttachA00000000000001';
  const TOKEN_B = 'boxcnAttachB00000000000002';
  const TOKEN_IMG = 'boxcnCellImage0000000000003';
  const attachmentSegment = (fileToken: string, text: string, extra: Record<string, unknown> = {}) => ({
    type: 'attachment',
    fileToken,
    text,
    size: 96_512,
    mimeType: 'application/pdf',
    ...extra,
  });

  it('finds attachment segments, several in one cell, with name, size and type', () => {
    const rows = [[null, [attachmentSegment(TOKEN_A, ' 预算说明.pdf '), attachmentSegment(TOKEN_B, '审批单.png', { size: 41_220, mimeType: 'image/png' })]]];
    expect(collectCellAttachments(rows, 3)).toEqual<CellRef[]>([
      { token: TOKEN_A, kind: 'file', name: '预算说明.pdf', cell: 'B3', size: 96_512, mimeType: 'application/pdf' },
      { token: TOKEN_B, kind: 'file', name: '审批单.png', cell: 'B3', size: 41_220, mimeType: 'image/png' },
    ]);
  });

  it('finds cell images (embed-image), which have no name', () => {
    const rows = [[], [null, null, { type: 'embed-image', fileToken: TOKEN_IMG, width: 1280, height: 720 }]];
    expect(collectCellAttachments(rows, 6)).toEqual<CellRef[]>([{ token: TOKEN_IMG, kind: 'image', name: null, cell: 'C7' }]);
  });

  it('reads files nested in arrays and objects, and the snake_case spelling', () => {
    const rows = [
      [[[attachmentSegment(TOKEN_A, 'deep.pdf')]], { type: 'multipleValue', values: [{ value: { file_token: TOKEN_B, name: 'named.xlsx' } }] }],
    ];
    expect(collectCellAttachments(rows, 1).map((r) => [r.token, r.kind, r.name, r.cell])).toEqual([
      [TOKEN_A, 'file', 'deep.pdf', 'A1'],
      [TOKEN_B, 'file', 'named.xlsx', 'B1'],
    ]);
  });

  it('ignores everything that is not a file: numbers, text, rich text, links, mentions with their own token, booleans', () => {
    const rows = [
      [
        '市场推广',
        62_500,
        true,
        [{ type: 'text', text: '已审批', segmentStyle: { bold: true } }, { type: 'text', text: '（财务部）' }],
        [{ type: 'url', text: '台账', link: 'https://budget.example.com/2026/2' }],
        [{ type: 'mention', text: '@张三', textType: 'user', mentionType: 0, token: 'ou_7d8a6e6df7621556ce0d21922b676706' }],
        [{ type: 'mention', text: '项目周报', link: 'https://sandbox.feishu.cn/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd', mentionType: 22, token: 'UXEAd6cRUoj5pexJZr0cdwaFnpd' }],
        { type: 'multipleValue', values: ['进行中', '重点'] },
        null,
      ],
      null,
      [],
    ];
    expect(collectCellAttachments(rows, 2)).toEqual([]);
  });

  it.each([
    ['a short token', { type: 'attachment', fileToken: 'abc', text: 'x.pdf' }],
    ['a token with a path', { type: 'attachment', fileToken: '../../open-apis/x', text: 'x.pdf' }],
    ['a token with a query', { type: 'attachment', fileToken: 'boxcnAttach?x=1', text: 'x.pdf' }],
    ['a numeric token', { type: 'attachment', fileToken: 1234567890, text: 'x.pdf' }],
    ['an empty token', { type: 'attachment', fileToken: '', text: 'x.pdf' }],
    ['a token far too long', { type: 'attachment', fileToken: 'a'.repeat(129), text: 'x.pdf' }],
  ])('ignores an attachment with %s', (_name, segment) => {
    expect(collectCellAttachments([[[segment]]], 1)).toEqual([]);
  });

  it('keeps a file whose name, size or type is missing or odd', () => {
    const rows = [
      [
        { type: 'attachment', fileToken: TOKEN_A },
        { type: 'attachment', fileToken: TOKEN_B, text: '   ', size: -5, mimeType: 7 },
        { fileToken: 'boxcnFractional000000004', text: 'f.bin', size: 10.7 },
      ],
    ];
    expect(collectCellAttachments(rows, 1)).toEqual<CellRef[]>([
      { token: TOKEN_A, kind: 'file', name: null, cell: 'A1' },
      { token: TOKEN_B, kind: 'file', name: null, cell: 'B1' },
      { token: 'boxcnFractional000000004', kind: 'file', name: 'f.bin', cell: 'C1', size: 10 },
    ]);
  });

  it('addresses columns past Z', () => {
    const row: unknown[] = Array(27).fill(null);
    row[26] = [attachmentSegment(TOKEN_A, 'aa.pdf')];
    expect(collectCellAttachments([row], 1800)[0]?.cell).toBe('AA1800');
  });

  it('stops at absurd nesting instead of walking forever', () => {
    let deep: unknown = attachmentSegment(TOKEN_A, 'deep.pdf');
    for (let i = 0; i < 20; i++) deep = [deep];
    expect(collectCellAttachments([[deep]], 1)).toEqual([]);
  });
});

// --- against the sandbox --------------------------------------------------------------------------------------------

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ tls: false });
});

afterAll(async () => {
  await sandbox.close();
});

function client(token: string = TOKENS.feishuUser): FeishuClient {
  return new FeishuClient({ apiBase: FEISHU_API, accessToken: async () => token, limiters: new RateLimiterRegistry(), fetch: sandboxFetch(sandbox) });
}


const valuesCalls = () => sandbox.log.filter((e) => e.endpoint === 'sheets.values.batch-get');
const rangesOf = (entry: { query: readonly (readonly [string, string])[] }) =>
  entry.query.filter(([k]) => k === 'ranges').flatMap(([, v]) => v.split(','));

/** The cell a listing names for a file: floating images by their anchor's first cell. */
const cellOf = (file: SheetFileExpect) => (file.kind === 'float-image' ? file.cell.split(':')[0]! : file.cell);

/** What the listing must say of a file of the demo spreadsheets. */
function expected(file: SheetFileExpect): Attachment {
  const cell = cellOf(file);
  const base: Pick<Attachment, 'id' | 'source' | 'subfolders' | 'where'> = {
    id: `feishu-media:${file.media.token}`,
    source: { type: 'feishu-media', apiBase: FEISHU_API, token: file.media.token },
    subfolders: [file.sheetTitle],
    where: `${file.sheetTitle} · ${cell}`,
  };
  switch (file.kind) {
    case 'attachment':
      return { ...base, name: file.fileName, nameIsGenerated: false, kind: 'file', size: file.media.bytes.length, mimeType: file.media.mimeType };
    case 'embed-image':
      return { ...base, name: `image-${cell}`, nameIsGenerated: true, kind: 'image' };
    case 'float-image':
      return { ...base, name: `floating-image-${cell}`, nameIsGenerated: true, kind: 'image' };
  }
}

const BUDGET_FILES = SHEET_FILES.filter((f) => f.spreadsheet === SHEETS.budget);

describe('listSpreadsheet against the sandbox', () => {
  beforeEach(() => {
    sandbox.world = createDemoWorld();
    sandbox.reset();
  });

  afterEach(() => {
    setSheetsResponseCap(undefined);
  });

  it('lists every file of the budget: attachments, cell images and floating images, sheet by sheet', async () => {
    expect(BUDGET_FILES).toHaveLength(11);
    const scan = await listSpreadsheet(client(), SHEETS.budget);
    expect(scan.title).toBe('2026 预算');
    expect(scan.partial).toEqual([]);
    // Sheets in their order; within a sheet, cells row by row, then the floating images.
    expect(scan.attachments).toEqual([
      ...['budgetNote', 'approvalSummary', 'q1Report', 'summaryChart', 'summaryLogo'],
      ...['approvalDetail', 'detailPhotoA', 'quote', 'detailPhotoB', 'invoiceScan'],
      'archive',
    ].map((key) => expected(BUDGET_FILES.find((f) => f.key === key)!)));
  });

  it('includes the hidden sheet and skips the sheet that is an embedded base', async () => {
    const scan = await listSpreadsheet(client(), SHEETS.budget);
    expect(scan.attachments.filter((a) => a.subfolders[0] === '归档').map((a) => a.name)).toEqual(['2025 归档.zip']);
    expect(sandbox.log.some((e) => e.path.includes(S.embeddedBase) || rangesOf(e).some((r) => r.startsWith(S.embeddedBase)))).toBe(false);
    expect(sandbox.log.every((e) => e.code === 0)).toBe(true);
  });

  it('lists the sheet of the URL first', async () => {
    const scan = await listSpreadsheet(client(), SHEETS.budget, { firstSheetId: S.detail });
    expect(scan.attachments.map((a) => a.subfolders[0])).toEqual([...Array<string>(5).fill('明细'), ...Array<string>(5).fill('汇总'), '归档']);
    expect(scan.attachments).toEqual(expect.arrayContaining(BUDGET_FILES.map(expected)));
    expect(rangesOf(valuesCalls()[0]!)[0]).toMatch(new RegExp(`^${S.detail}!A1:L\\d+$`));
  });

  it('makes the fewest calls: meta, sheet list, four packed value reads, one floating-image query per sheet', async () => {
    await listSpreadsheet(client(), SHEETS.budget);
    const counts = new Map<string, number>();
    for (const e of sandbox.log) counts.set(e.endpoint ?? '?', (counts.get(e.endpoint ?? '?') ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({
      'sheets.spreadsheet.get': 1,
      'sheets.sheets.query': 1,
      'sheets.values.batch-get': 4,
      'sheets.float-images.query': 3,
    });
    // Every row of every grid read exactly once, never more than the budget a call.
    const ranges = valuesCalls().map(rangesOf);
    for (const call of ranges) {
      expect(call.length).toBeLessThanOrEqual(20);
      const cells = call.reduce((n, r) => {
        const m = /^\w+!A(\d+):([A-Z]+)(\d+)$/.exec(r)!;
        return n + (Number(m[3]) - Number(m[1]) + 1) * (m[2]!.charCodeAt(0) - 64);
      }, 0);
      expect(cells).toBeLessThanOrEqual(CELLS_PER_CALL);
    }
    const rowsRead = (sheetId: string) =>
      ranges.flat().filter((r) => r.startsWith(`${sheetId}!`)).reduce((n, r) => {
        const m = /!A(\d+):[A-Z]+(\d+)$/.exec(r)!;
        return n + Number(m[2]) - Number(m[1]) + 1;
      }, 0);
    expect([rowsRead(S.summary), rowsRead(S.detail), rowsRead(S.archive)]).toEqual([60, 2600, 20]);
  });

  it('splits ranges, then rows, when the answer would be too large, and still finds everything', async () => {
    setSheetsResponseCap(150_000);
    const scan = await listSpreadsheet(client(), SHEETS.budget);
    expect(scan.partial).toEqual([]);
    expect(scan.attachments).toEqual(expect.arrayContaining(BUDGET_FILES.map(expected)));
    expect(scan.attachments).toHaveLength(BUDGET_FILES.length);
    const refused = valuesCalls().filter((e) => e.code === 90221);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => e.status === 400)).toBe(true);
    // More, smaller reads than the plan's four.
    expect(valuesCalls().filter((e) => e.code === 0).length).toBeGreaterThan(4);
  });

  it('reports a row that no read can fetch as a partial problem of its sheet, listing the rest', async () => {
    const world = createDemoWorld();
    const huge = '很长的单元格内容'.repeat(2_000);
    const book: SandboxSpreadsheet = {
      token: 'ShtHugeCells2026AbCdEfGhIjK',
      brand: 'feishu',
      title: '超大单元格',
      readers: 'all',
      sheets: [
        {
          sheetId: 'hUg3x1',
          title: '数据',
          rowCount: 4,
          columnCount: 3,
          resourceType: 'sheet',
          cells: {
            A1: [{ type: 'attachment', fileToken: 'boxcnHugeRow1File000000001', text: 'first.pdf' }],
            B2: huge,
            A3: { type: 'embed-image', fileToken: 'boxcnHugeRow3Image00000001', width: 10, height: 10 },
          },
        },
      ],
    };
    sandbox.world = { ...world, spreadsheets: [...(world.spreadsheets ?? []), book] };
    setSheetsResponseCap(20_000);
    const scan = await listSpreadsheet(client(), book.token);
    expect(scan.attachments.map((a) => [a.name, a.where])).toEqual([
      ['first.pdf', '数据 · A1'],
      ['image-A3', '数据 · A3'],
    ]);
    expect(scan.partial).toEqual([{ where: '数据 · row 2', problem: expect.objectContaining({ code: 90221, status: 400 }) as Problem }]);
  });

  it('reads only the embedded sheet, without asking for the spreadsheet\'s title', async () => {
    const scan = await listSpreadsheet(client(), SHEETS.embedded, { onlySheetId: SHEETS.embeddedSheets.only });
    expect(scan.title).toBe('');
    expect(scan.attachments).toEqual(SHEET_FILES.filter((f) => f.spreadsheet === SHEETS.embedded).map(expected));
    expect(sandbox.log.map((e) => e.endpoint)).not.toContain('sheets.spreadsheet.get');
  });

  it('passes on a problem that concerns the whole spreadsheet', async () => {
    expect(await problemOf(listSpreadsheet(client(TOKENS.feishuNoMediaScope), SHEETS.budget))).toMatchObject({ kind: 'scope-missing' });
    expect(await problemOf(listSpreadsheet(client(), 'ShtNoSuchBook2026AbCdEfGhIj'))).toMatchObject({ kind: 'not-found', code: 1310214 });
  });

  it('says a spreadsheet that is not shared is not shared', async () => {
    const world = createDemoWorld();
    sandbox.world = { ...world, spreadsheets: (world.spreadsheets ?? []).map((s) => (s.token === SHEETS.budget ? { ...s, readers: [] } : s)) };
    expect(await problemOf(listSpreadsheet(client(), SHEETS.budget))).toMatchObject({ kind: 'not-shared', code: 1310213 });
  });
});
