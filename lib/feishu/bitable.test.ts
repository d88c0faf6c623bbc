// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BASE_ATTACHMENTS,
  BASE_FIELD_IDS,
  BASES,
  createDemoWorld,
  INVOICE_RECORD_COUNT,
  sandboxFetch,
  startSandbox,
  TOKENS,
  type Sandbox,
  type SandboxBase,
} from '../../tests/sandbox';
import type { ExpectedBaseAttachment, ExpectedBaseRecord } from '../../tests/sandbox/fixtures/bases';
import type { Attachment } from '../core/attachment';
import type { Problem } from '../core/problem';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { attachmentValues, bitableExtra, cellText, listBase, type AttachmentValue } from './bitable';
import { FeishuClient } from './client';
import { problemOf } from '../../tests/unit/problem-of';

const FEISHU_API = 'https://open.feishu.cn';
const TABLES = BASES.invoicesTables;

// --- pure helpers -------------------------------------------------------------------------------------------------

describe('attachmentValues', () => {
  const file = (token: string, name: string, extra: Record<string, unknown> = {}) => ({
    file_token: token,
    name,
    size: 86_512,
    type: 'application/pdf',
    url: `https://open.feishu.cn/open-apis/drive/v1/medias/${token}/download`,
    tmp_url: `https://open.feishu.cn/open-apis/drive/v1/medias/batch_get_tmp_download_url?file_tokens=${token}`,
    ...extra,
  });

  it('reads an attachment field\'s list, as record search answers it', () => {
    expect(attachmentValues([file('boxcnInvoiceVat000000001', '增值税专用发票-0001.pdf'), file('boxcnHotelJpg00000000001', '酒店水单.jpg', { size: 154_321, type: 'image/jpeg' })])).toEqual<
      AttachmentValue[]
    >([
      { token: 'boxcnInvoiceVat000000001', name: '增值税专用发票-0001.pdf', size: 86_512, mimeType: 'application/pdf' },
      { token: 'boxcnHotelJpg00000000001', name: '酒店水单.jpg', size: 154_321, mimeType: 'image/jpeg' },
    ]);
  });

  it('unwraps lookups and formulas that show attachments: {type: 17, value: [...]}', () => {
    expect(attachmentValues({ type: 17, value: [file('boxcnContractSouth000001', '采购合同-华南区.pdf')] })).toEqual([
      { token: 'boxcnContractSouth000001', name: '采购合同-华南区.pdf', size: 86_512, mimeType: 'application/pdf' },
    ]);
    // A lookup of a lookup.
    expect(attachmentValues({ type: 19, value: [{ type: 17, value: [file('boxcnNested0000000000001', 'n.pdf')] }] }).map((v) => v.token)).toEqual([
      'boxcnNested0000000000001',
    ]);
  });

  it.each([
    ['a number', 42],
    ['a string', 'boxcnLooksLikeAToken0001'],
    ['null', null],
    ['undefined', undefined],
    ['a text formula', { type: 1, value: [{ text: 'INV-2026-0001 · ¥10.00', type: 'text' }] }],
    ['a link field', { link_record_ids: ['recAbCdEfGhIj'] }],
    ['text runs', [{ text: 'INV-2026-0001', type: 'text' }]],
    ['a person', [{ id: 'ou_7d8a6e6df7621556ce0d21922b676706', name: '张三', email: 'zhangsan@acme-demo.cn' }]],
    ['a token too short', [{ file_token: 'abc', name: 'x.pdf' }]],
    ['a token with a path', [{ file_token: '../../medias/x', name: 'x.pdf' }]],
    ['a numeric token', [{ file_token: 1234567890, name: 'x.pdf' }]],
    ['a value that is not a list', { type: 17, value: 'boxcnLooksLikeAToken0001' }],
  ])('finds nothing in %s', (_name, value) => {
    expect(attachmentValues(value)).toEqual([]);
  });

  it('keeps an attachment whose name, size or type is missing or odd', () => {
    expect(
      attachmentValues([
        { file_token: 'boxcnNoName0000000000001' },
        { file_token: 'boxcnBlankName0000000001', name: '   ', size: -1, type: 'pdf' },
        { file_token: 'boxcnOddSize000000000001', name: ' 报销明细.xlsx ', size: 27_182.9, type: 7 },
      ]),
    ).toEqual<AttachmentValue[]>([
      { token: 'boxcnNoName0000000000001', name: null },
      { token: 'boxcnBlankName0000000001', name: null },
      { token: 'boxcnOddSize000000000001', name: '报销明细.xlsx', size: 27_182 },
    ]);
  });

  it('stops at absurd nesting', () => {
    let deep: unknown = [{ file_token: 'boxcnDeep000000000000001', name: 'deep.pdf' }];
    for (let i = 0; i < 10; i++) deep = { type: 19, value: [deep] };
    expect(attachmentValues(deep)).toEqual([]);
  });
});

describe('cellText', () => {
  it.each<[string, unknown, string]>([
    ['text runs', [{ text: 'INV-2026-0001', type: 'text' }], 'INV-2026-0001'],
    ['one text with a mention and a link inside', [{ text: '见 ', type: 'text' }, { text: '@张三', type: 'mention', token: 'ou_x' }, { text: ' 的报告', type: 'url', link: 'https://x.example' }], '见 @张三 的报告'],
    ['a plain string', 'HD-2026-001 华东区框架协议', 'HD-2026-001 华东区框架协议'],
    ['a number', 1234.5, '1234.5'],
    ['a boolean', true, 'true'],
    ['options', ['进行中', '重点'], '进行中, 重点'],
    ['people', [{ id: 'ou_1', name: '张三' }, { id: 'ou_2', name: '李四' }], '张三, 李四'],
    ['a text formula', { type: 1, value: [{ text: 'INV-2026-0001 · ¥10.00', type: 'text' }] }, 'INV-2026-0001 · ¥10.00'],
    ['a link', { link: 'https://x.example/a', text: '台账' }, '台账'],
    ['a link without text', { link: 'https://x.example/a' }, 'https://x.example/a'],
    ['null', null, ''],
    ['undefined', undefined, ''],
    ['an object without text', { link_record_ids: ['recAbCdEfGhIj'] }, ''],
    ['an empty list', [], ''],
  ])('%s', (_name, value, expected) => {
    expect(cellText(value)).toBe(expected);
  });
});

describe('bitableExtra', () => {
  const table = 'tblAdvancedAbCdE';
  const item = (token: string, fieldId: string, recordId: string) => ({ token, bitable: { tableId: table, fieldId, recordId } });

  it('is the documented JSON: the table, then tokens by field and record', () => {
    expect(bitableExtra([item('boxcnMinutes000000000001', 'fldFile01', 'recA000000001')])).toBe(
      '{"bitablePerm":{"tableId":"tblAdvancedAbCdE","attachments":{"fldFile01":{"recA000000001":["boxcnMinutes000000000001"]}}}}',
    );
  });

  it('groups several tokens, records and fields of one table', () => {
    const extra = bitableExtra([
      item('boxcnT1000000000000000001', 'fldFile01', 'recA000000001'),
      item('boxcnT2000000000000000002', 'fldFile01', 'recA000000001'),
      item('boxcnT3000000000000000003', 'fldFile01', 'recB000000002'),
      item('boxcnT4000000000000000004', 'fldLookup1', 'recB000000002'),
    ]);
    expect(JSON.parse(extra!)).toEqual({
      bitablePerm: {
        tableId: table,
        attachments: {
          fldFile01: { recA000000001: ['boxcnT1000000000000000001', 'boxcnT2000000000000000002'], recB000000002: ['boxcnT3000000000000000003'] },
          fldLookup1: { recB000000002: ['boxcnT4000000000000000004'] },
        },
      },
    });
  });

  it('is nothing for no items', () => {
    expect(bitableExtra([])).toBeUndefined();
  });
});

// --- against the sandbox ------------------------------------------------------------------------------------------

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


const TABLE_NAMES: Readonly<Record<string, string>> = { [TABLES.invoices]: '发票', [TABLES.contracts]: '合同', [BASES.advancedTables.only]: '机密资料' };

/** What a listing must say of one expected attachment, placed in `tableId` (its own table unless told). */
function expected(record: ExpectedBaseRecord, file: ExpectedBaseAttachment, tableId: string, options: { recordFolders?: boolean; bitable?: boolean } = {}): Attachment {
  const table = TABLE_NAMES[tableId]!;
  return {
    id: `feishu-media:${file.media.token}`,
    name: file.fileName,
    nameIsGenerated: false,
    kind: file.media.mimeType.startsWith('image/') ? 'image' : 'file',
    size: file.media.bytes.length,
    mimeType: file.media.mimeType,
    source: {
      type: 'feishu-media',
      apiBase: FEISHU_API,
      token: file.media.token,
      ...(options.bitable ? { bitable: { tableId, fieldId: file.fieldId, recordId: record.recordId } } : {}),
    },
    subfolders: options.recordFolders ? [table, record.primary] : [table],
    where: `${table} · ${record.primary}`,
  };
}

/** The expected attachments of a table, optionally without those shown only through a lookup. */
function expectedOf(base: string, tableId: string, options: { withLookups: boolean; recordFolders?: boolean; bitable?: boolean }): Attachment[] {
  return (BASE_ATTACHMENTS[base]?.[tableId] ?? []).flatMap((record) =>
    record.attachments.filter((a) => options.withLookups || !a.viaLookup).map((file) => expected(record, file, tableId, options)),
  );
}

const searches = () => sandbox.log.filter((e) => e.endpoint === 'bitable.records.search');

describe('listBase against the sandbox', () => {
  it('lists both tables, every record over two pages of 500, each attachment once', async () => {
    const scan = await listBase(client(), BASES.invoices);
    expect(scan.title).toBe('报销台账');
    expect(scan.advanced).toBe(false);
    expect(scan.partial).toEqual([]);
    expect(scan.records).toBe(INVOICE_RECORD_COUNT + 4);
    // The contract scan shown in 发票 through the lookup 关联附件 goes with its own table, 合同, once.
    expect(scan.attachments).toEqual([
      ...expectedOf(BASES.invoices, TABLES.invoices, { withLookups: false }),
      ...expectedOf(BASES.invoices, TABLES.contracts, { withLookups: true }),
    ]);
    expect(new Set(scan.attachments.map((a) => a.id)).size).toBe(scan.attachments.length);
    const every = Object.values(BASE_ATTACHMENTS[BASES.invoices]!).flatMap((records) => records.flatMap((r) => r.attachments.map((a) => a.media.token)));
    expect(new Set(scan.attachments.map((a) => (a.source.type === 'feishu-media' ? a.source.token : '')))).toEqual(new Set(every));

    const invoiceSearches = searches().filter((e) => e.path.includes(TABLES.invoices));
    expect(invoiceSearches.map((e) => [e.method, Object.fromEntries(e.query)['page_size'], Object.fromEntries(e.query)['page_token'] === undefined])).toEqual([
      ['POST', '500', true],
      ['POST', '500', false],
    ]);
    expect(searches().filter((e) => e.path.includes(TABLES.contracts))).toHaveLength(1);
    expect(sandbox.log.every((e) => e.code === 0)).toBe(true);
  });

  it('lists only the table of the URL', async () => {
    const scan = await listBase(client(), BASES.invoices, { tableId: TABLES.contracts });
    expect(scan.attachments).toEqual(expectedOf(BASES.invoices, TABLES.contracts, { withLookups: true }));
    expect(scan.records).toBe(4);
    expect(sandbox.log.some((e) => e.path.includes(TABLES.invoices))).toBe(false);
  });

  it('keeps a file shown only through a lookup, once, when its own table is not listed', async () => {
    const scan = await listBase(client(), BASES.invoices, { tableId: TABLES.invoices });
    expect(scan.attachments).toEqual(expectedOf(BASES.invoices, TABLES.invoices, { withLookups: true }));
    const viaLookup = BASE_ATTACHMENTS[BASES.invoices]![TABLES.invoices]!.flatMap((r) => r.attachments.filter((a) => a.viaLookup));
    expect(viaLookup).toHaveLength(1);
    expect(scan.attachments.filter((a) => a.name === viaLookup[0]!.fileName)).toEqual([
      expect.objectContaining({ subfolders: ['发票'], where: '发票 · INV-2026-0620' }),
    ]);
  });

  it('puts each record\'s files in a sub-folder named by its primary field', async () => {
    const scan = await listBase(client(), BASES.invoices, { recordFolders: true });
    expect(scan.attachments).toEqual([
      ...expectedOf(BASES.invoices, TABLES.invoices, { withLookups: false, recordFolders: true }),
      ...expectedOf(BASES.invoices, TABLES.contracts, { withLookups: true, recordFolders: true }),
    ]);
    expect(scan.attachments[0]?.subfolders).toEqual(['发票', 'INV-2026-0001']);
  });

  it('marks every attachment of an advanced-permission base with its table, field and record', async () => {
    const scan = await listBase(client(), BASES.advanced);
    expect(scan.advanced).toBe(true);
    expect(scan.title).toBe('高级权限台账');
    expect(scan.attachments).toEqual(expectedOf(BASES.advanced, BASES.advancedTables.only, { withLookups: true, bitable: true }));
    expect(scan.attachments.map((a) => a.source.type === 'feishu-media' && a.source.bitable?.fieldId)).toEqual(Array(3).fill(BASE_FIELD_IDS.advanced.file));
  });

  it('gets an empty advanced base for a token that may not manage it (the search succeeds, empty)', async () => {
    const scan = await listBase(client(TOKENS.feishuTenant), BASES.advanced);
    expect(scan).toEqual({ title: '高级权限台账', advanced: true, attachments: [], partial: [], records: 0 });
    expect(searches().map((e) => e.code)).toEqual([0]);
  });

  it('fails with the table\'s problem when the only table asked for cannot be read', async () => {
    expect(await problemOf(listBase(client(), BASES.invoices, { tableId: 'tblNoSuchTable00' }))).toMatchObject({ kind: 'not-found', code: 1254041 });
    expect(await problemOf(listBase(client(), 'BscNoSuchBase2026AbCdEfGhIj'))).toMatchObject({ kind: 'not-found', code: 1254040 });
  });

  it('lists the other tables when one cannot be read, naming it', async () => {
    // The remote refuses the search of one table (as for a table the role may not see).
    const inner = sandboxFetch(sandbox);
    const refusing: typeof fetch = async (input, init) => {
      if (requestUrl(input).includes(`/tables/${TABLES.contracts}/records/search`)) {
        return new Response(JSON.stringify({ code: 1254302, msg: 'The role has no permissions.' }), { status: 403, headers: { 'content-type': 'application/json' } });
      }
      return inner(input, init);
    };
    const scan = await listBase(client(TOKENS.feishuUser, refusing), BASES.invoices);
    expect(scan.partial).toEqual([{ where: '合同', problem: expect.objectContaining({ kind: 'not-shared', code: 1254302 }) as Problem }]);
    // The contract scan the invoices show through their lookup is then kept with them.
    expect(scan.attachments).toEqual(expectedOf(BASES.invoices, TABLES.invoices, { withLookups: true }));
  });

  it('names files and records the base leaves unnamed, and reads a table without a primary field', async () => {
    const world = createDemoWorld();
    const base: SandboxBase = {
      appToken: 'BscOddFields2026AbCdEfGhIjK',
      brand: 'feishu',
      name: '  ',
      isAdvanced: false,
      readers: 'all',
      tables: [
        {
          tableId: 'tblOddFieldsAbCd',
          name: '',
          revision: 1,
          fields: [
            { fieldId: 'fldNote0001', name: '备注', type: 1 },
            { fieldId: 'fldFiles001', name: '附件', type: 17 },
          ],
          records: [
            { recordId: 'recOdd0000001', fields: { 备注: [{ text: 'x', type: 'text' }], 附件: [{ file_token: 'boxcnNameless00000000001', size: 10, type: 'application/octet-stream' }] } },
            { recordId: 'recOdd0000002', fields: { 附件: [{ file_token: 'boxcnNamed000000000000001', name: '图.png', size: 20, type: 'image/png' }, { file_token: 'x' }] } },
            { recordId: 'recOdd0000003', fields: {} },
          ],
        },
        { tableId: 'tblNoFilesAbCdEf', name: '无附件', revision: 1, fields: [{ fieldId: 'fldText0001', name: '名称', type: 1, isPrimary: true }], records: [] },
      ],
    };
    sandbox.world = { ...world, bases: [...(world.bases ?? []), base] };
    const scan = await listBase(client(), base.appToken);
    expect(scan.title).toBe('');
    expect(scan.attachments).toEqual([
      {
        id: 'feishu-media:boxcnNameless00000000001',
        name: 'attachment-recOdd0000001',
        nameIsGenerated: true,
        kind: 'file',
        size: 10,
        mimeType: 'application/octet-stream',
        source: { type: 'feishu-media', apiBase: FEISHU_API, token: 'boxcnNameless00000000001' },
        subfolders: ['tblOddFieldsAbCd'],
        where: 'tblOddFieldsAbCd · recOdd0000001',
      },
      {
        id: 'feishu-media:boxcnNamed000000000000001',
        name: '图.png',
        nameIsGenerated: false,
        kind: 'image',
        size: 20,
        mimeType: 'image/png',
        source: { type: 'feishu-media', apiBase: FEISHU_API, token: 'boxcnNamed000000000000001' },
        subfolders: ['tblOddFieldsAbCd'],
        where: 'tblOddFieldsAbCd · recOdd0000002',
      },
    ]);
    // A table without fields that can hold files costs no record search.
    expect(searches().map((e) => e.path)).toEqual([`/open-apis/bitable/v1/apps/${base.appToken}/tables/tblOddFieldsAbCd/records/search`]);
  });
});
