// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDemoWorld, DOCS, EMBEDS, EMBEDS_DOC_ID, sandboxFetch, startSandbox, TOKENS, type Sandbox } from '../../tests/sandbox';
import { buildBlocks, type DocNode } from '../../tests/sandbox/world';
import type { FeishuPage } from '../core/page';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { FeishuClient } from './client';
import { fetchAllBlocks, listDocxAttachments, scanDocxBlocks, toAttachments, type DocxAttachmentRef, type DocxEmbeds } from './docx';
import { problemOf } from '../../tests/unit/problem-of';

const FEISHU_API = 'https://open.feishu.cn';

function feishuPage(token: string, brand: 'feishu' | 'lark' = 'feishu'): Extract<FeishuPage, { kind: 'docx' }> {
  return { platform: 'feishu', brand, host: brand === 'lark' ? 'acme.larksuite.com' : 'acme.feishu.cn', kind: 'docx', token };
}


// --- a hand-written block list, in the shape `GET /open-apis/docx/v1/documents/:id/blocks` documents -------------

const DOC = 'XkJbdVQ2Uo8Yp0xAbCdEfGhIjKl';
const NO_EMBEDS: DocxEmbeds = { sheets: [], bitables: [], boards: [] };
const run = (content: string) => ({ text_run: { content, text_element_style: { bold: false, inline_code: false } } });
const inlineFile = (fileToken: string) => ({ file: { file_token: fileToken, source_block_id: 'doxcnSourceBlock00000000001', text_element_style: {} } });

const T = {
  contract: 'boxcnContract000000000000001',
  scan: 'boxcnScanPng0000000000000001',
  flow: 'boxcnFlowChart00000000000001',
  cellFile: 'boxcnCellFile000000000000001',
  cellImage: 'boxcnCellImage00000000000001',
  left: 'boxcnGridLeft000000000000001',
  right: 'boxcnGridRight00000000000001',
  calloutInline: 'boxcnCalloutInline000000001',
  orphan: 'boxcnOrphan00000000000000001',
  brokenSibling: 'boxcnAfterBroken00000000001',
} as const;

/** Deliberately not in reading order: the API's flat list is DFS, but the scanner must follow `children`. */
const HAND_WRITTEN: unknown[] = [
  {
    block_id: DOC,
    block_type: 1,
    parent_id: '',
    children: ['h2', 'intro', 'view1', 'img-bare', 'img-caption', 'table', 'grid', 'callout', 'missing-child', 'broken-file', 'after-broken', 'tail'],
    page: { elements: [run('  采购合同 '), run('2026 '), { equation: { content: 'x' } }], style: { align: 1 } },
  },
  // The grid comes first in the flat list, yet after the table in the document.
  { block_id: 'grid', block_type: 24, parent_id: DOC, children: ['col1', 'col2'], grid: { column_size: 2 } },
  { block_id: 'col1', block_type: 25, parent_id: 'grid', children: ['view-left'], grid_column: { width_ratio: 50 } },
  { block_id: 'col2', block_type: 25, parent_id: 'grid', children: ['view-right'], grid_column: { width_ratio: 50 } },
  { block_id: 'view-left', block_type: 33, parent_id: 'col1', children: ['file-left'], view: { view_type: 1 } },
  { block_id: 'file-left', block_type: 23, parent_id: 'view-left', file: { token: T.left, name: '左栏.docx', view_type: 1 } },
  { block_id: 'view-right', block_type: 33, parent_id: 'col2', children: ['file-right'], view: { view_type: 2 } },
  { block_id: 'file-right', block_type: 23, parent_id: 'view-right', file: { token: T.right, name: '   ', view_type: 2 } },
  { block_id: 'h2', block_type: 4, parent_id: DOC, heading2: { elements: [run('附件'), inlineFile(T.contract)], style: {} } },
  { block_id: 'intro', block_type: 2, parent_id: DOC, text: { elements: [run('请查收。'), inlineFile(T.contract)], style: {} } },
  { block_id: 'view1', block_type: 33, parent_id: DOC, children: ['file1'], view: { view_type: 1 } },
  { block_id: 'file1', block_type: 23, parent_id: 'view1', file: { token: T.contract, name: ' 合同 v3.pdf ', view_type: 1 } },
  { block_id: 'img-bare', block_type: 27, parent_id: DOC, image: { token: T.scan, width: 1280, height: 720, align: 2 } },
  { block_id: 'img-caption', block_type: 27, parent_id: DOC, image: { token: T.flow, width: 800, height: 600, caption: { content: '流程图' } } },
  { block_id: 'table', block_type: 31, parent_id: DOC, children: ['cell1', 'cell2'], table: { cells: ['cell1', 'cell2'], property: { row_size: 1, column_size: 2 } } },
  { block_id: 'cell1', block_type: 32, parent_id: 'table', children: ['cell1-view'], table_cell: {} },
  { block_id: 'cell1-view', block_type: 33, parent_id: 'cell1', children: ['cell1-file'], view: { view_type: 1 } },
  { block_id: 'cell1-file', block_type: 23, parent_id: 'cell1-view', file: { token: T.cellFile, name: '报价单.xlsx' } },
  { block_id: 'cell2', block_type: 32, parent_id: 'table', children: ['cell2-img'], table_cell: {} },
  { block_id: 'cell2-img', block_type: 27, parent_id: 'cell2', image: { token: T.cellImage, caption: { content: '' } } },
  {
    block_id: 'callout',
    block_type: 19,
    parent_id: DOC,
    children: ['callout-text'],
    callout: { background_color: 1, emoji_id: 'star' },
  },
  { block_id: 'callout-text', block_type: 12, parent_id: 'callout', bullet: { elements: [inlineFile(T.calloutInline), { file: { file_token: 42 } }, 'odd'], style: {} } },
  // Malformed blocks: skipped, without hiding their neighbours.
  { block_id: 'broken-file', block_type: 23, parent_id: DOC, file: { name: 'no token.pdf' } },
  { block_id: 'after-broken', block_type: 23, parent_id: DOC, file: { token: T.brokenSibling, name: '附录.zip' } },
  { block_type: 23, parent_id: DOC, file: { token: 'boxcnNoBlockId0000000000001', name: 'x.pdf' } },
  { block_id: 'bad-type', block_type: '27', parent_id: DOC, image: { token: 'boxcnBadType00000000000001' } },
  null,
  'not a block',
  42,
  { block_id: 'img-empty-token', block_type: 27, parent_id: DOC, image: { token: '' } },
  { block_id: 'tail', block_type: 2, parent_id: DOC, text: { elements: 'not an array', style: {} } },
  // Not reachable from the root (e.g. a block whose parent was deleted): still listed, after the tree.
  { block_id: 'orphan-view', block_type: 33, parent_id: 'deleted-parent', children: ['orphan-file'], view: { view_type: 1 } },
  { block_id: 'orphan-file', block_type: 23, parent_id: 'orphan-view', file: { token: T.orphan, name: '孤儿.pdf' } },
];

describe('scanDocxBlocks on a hand-written block list', () => {
  const scan = scanDocxBlocks(HAND_WRITTEN, DOC);

  it('reads the title from the root page block', () => {
    expect(scan.title).toBe('采购合同 2026');
  });

  it('lists every attachment once, in document order, with the document\'s names', () => {
    expect(scan.refs).toEqual<DocxAttachmentRef[]>([
      // Named by the file block further down, though first met as an inline file in the heading.
      { token: T.contract, kind: 'file', name: '合同 v3.pdf' },
      { token: T.scan, kind: 'image', name: null },
      { token: T.flow, kind: 'image', name: '流程图' },
      { token: T.cellFile, kind: 'file', name: '报价单.xlsx' },
      { token: T.cellImage, kind: 'image', name: null },
      { token: T.left, kind: 'file', name: '左栏.docx' },
      { token: T.right, kind: 'file', name: null },
      { token: T.calloutInline, kind: 'file', name: null },
      { token: T.brokenSibling, kind: 'file', name: '附录.zip' },
      { token: T.orphan, kind: 'file', name: '孤儿.pdf' },
    ]);
  });

  it('does not depend on the order of the flat list', () => {
    const reversed = [...HAND_WRITTEN].reverse();
    expect(scanDocxBlocks(reversed, DOC)).toEqual(scan);
  });

  it('finds the root without its id, by the parentless page block', () => {
    expect(scanDocxBlocks(HAND_WRITTEN, 'SomeOtherDocumentId00000000')).toEqual(scan);
  });

  it('still lists attachments when the list has no root', () => {
    const withoutRoot = HAND_WRITTEN.filter((b) => !(typeof b === 'object' && b !== null && 'block_id' in b && b.block_id === DOC));
    const rootless = scanDocxBlocks(withoutRoot, DOC);
    expect(rootless.title).toBeNull();
    expect(new Set(rootless.refs.map((r) => r.token))).toEqual(new Set(scan.refs.map((r) => r.token)));
  });

  it('gives no title for a root without text', () => {
    const untitled = scanDocxBlocks([{ block_id: DOC, block_type: 1, parent_id: '', page: { elements: [run('   ')] } }], DOC);
    expect(untitled).toEqual({ title: null, refs: [], embeds: NO_EMBEDS });
    expect(scanDocxBlocks([{ block_id: DOC, block_type: 1, parent_id: '' }], DOC)).toEqual({ title: null, refs: [], embeds: NO_EMBEDS });
  });

  it('survives cycles and blocks that name themselves as children', () => {
    const cyclic = [
      { block_id: DOC, block_type: 1, parent_id: '', children: ['a'], page: { elements: [run('环')] } },
      { block_id: 'a', block_type: 33, parent_id: DOC, children: ['b', 'a'] },
      { block_id: 'b', block_type: 23, parent_id: 'a', children: [DOC], file: { token: T.contract, name: 'c.pdf' } },
    ];
    expect(scanDocxBlocks(cyclic, DOC)).toEqual({ title: '环', refs: [{ token: T.contract, kind: 'file', name: 'c.pdf' }], embeds: NO_EMBEDS });
  });

  it('keeps the first name when a token appears twice with names', () => {
    const twice = [
      { block_id: DOC, block_type: 1, parent_id: '', children: ['f1', 'f2', 'i1'] },
      { block_id: 'f1', block_type: 23, file: { token: T.contract, name: 'first.pdf' } },
      { block_id: 'f2', block_type: 23, file: { token: T.contract, name: 'second.pdf' } },
      { block_id: 'i1', block_type: 2, text: { elements: [inlineFile(T.contract)] } },
    ];
    expect(scanDocxBlocks(twice, DOC).refs).toEqual([{ token: T.contract, kind: 'file', name: 'first.pdf' }]);
  });

  it('lists nothing for an empty list', () => {
    expect(scanDocxBlocks([], DOC)).toEqual({ title: null, refs: [], embeds: NO_EMBEDS });
  });
});

describe('scanDocxBlocks on blocks built like the sandbox\'s documents', () => {
  const world = createDemoWorld();
  const f = world.files;

  it('reads the showcase document in order, with inline and duplicate files', () => {
    const weekly = world.documents.find((d) => d.id === DOCS.weekly)!;
    const scan = scanDocxBlocks(weekly.blocks, DOCS.weekly);
    expect(scan.title).toBe('项目周报 2026-W47');
    expect(scan.refs).toEqual<DocxAttachmentRef[]>([
      { token: f.report.token, kind: 'file', name: '季度报告.pdf' },
      { token: f.photo.token, kind: 'image', name: null },
      { token: f.budget.token, kind: 'file', name: '预算表.xlsx' },
      { token: f.minutesA.token, kind: 'file', name: '会议纪要.txt' },
      { token: f.diagram.token, kind: 'image', name: '系统流程图' },
      { token: f.photoInTable.token, kind: 'image', name: null },
      { token: f.contract.token, kind: 'file', name: '合同 v2 (final).docx' },
      { token: f.minutesB.token, kind: 'file', name: '会议纪要.txt' },
      { token: f.traversal.token, kind: 'file', name: '../x' },
      { token: f.slash.token, kind: 'file', name: 'a/b' },
      { token: f.appendix.token, kind: 'file', name: null },
      { token: f.reserved.token, kind: 'file', name: 'CON.txt' },
      { token: f.control.token, kind: 'file', name: '报销\u0007单\u200b据\u202e.pdf' },
      { token: f.chart.token, kind: 'image', name: null },
      { token: f.longName.token, kind: 'file', name: f.longName.fileName },
      { token: f.screenshot.token, kind: 'image', name: null },
    ]);
  });

  it('reads nested tables and grids in document order', () => {
    const content: DocNode[] = [
      { type: 'grid', columns: [[{ type: 'image', media: f.chart }], [{ type: 'table', cells: [[{ type: 'file', media: f.budget }], [{ type: 'text', text: '见', inlineFile: f.appendix }]] }]] },
      { type: 'file', media: f.report },
    ];
    const blocks = buildBlocks(DOC, '嵌套', content);
    expect(scanDocxBlocks(blocks, DOC)).toEqual({
      title: '嵌套',
      refs: [
        { token: f.chart.token, kind: 'image', name: null },
        { token: f.budget.token, kind: 'file', name: '预算表.xlsx' },
        { token: f.appendix.token, kind: 'file', name: null },
        { token: f.report.token, kind: 'file', name: '季度报告.pdf' },
      ],
      embeds: NO_EMBEDS,
    });
  });
});

describe('scanDocxBlocks: embedded sheets, bases and whiteboards', () => {
  const embedded = (children: readonly Record<string, unknown>[]) => [
    { block_id: DOC, block_type: 1, parent_id: '', children: children.map((c) => c['block_id']), page: { elements: [run('嵌入')] } },
    ...children,
  ];

  it('splits `<token>_<id>` at the last underscore, in reading order, boards once each', () => {
    const scan = scanDocxBlocks(
      embedded([
        { block_id: 's1', block_type: 30, parent_id: DOC, sheet: { token: 'ShtEmbeddedInDocxAbCdEfGhIj_m3N4o5', row_size: 10, column_size: 5 } },
        { block_id: 'b1', block_type: 18, parent_id: DOC, bitable: { token: 'BscInvoices2026AbCdEfGhIjKl_tblContractsAbCd', view_type: 1 } },
        { block_id: 'w1', block_type: 43, parent_id: DOC, board: { token: 'BrdFlowChart2026AbCdEfGhIjK', align: 2 } },
        // A left part with an underscore of its own (older tokens): only the last one separates.
        { block_id: 's2', block_type: 30, parent_id: DOC, sheet: { token: 'shtcn_old_token_x9Y8z7' } },
        { block_id: 'w2', block_type: 43, parent_id: DOC, board: { token: 'BrdFlowChart2026AbCdEfGhIjK' } },
      ]),
      DOC,
    );
    expect(scan.embeds).toEqual<DocxEmbeds>({
      sheets: [
        { spreadsheetToken: 'ShtEmbeddedInDocxAbCdEfGhIj', sheetId: 'm3N4o5' },
        { spreadsheetToken: 'shtcn_old_token', sheetId: 'x9Y8z7' },
      ],
      bitables: [{ appToken: 'BscInvoices2026AbCdEfGhIjKl', tableId: 'tblContractsAbCd' }],
      boards: ['BrdFlowChart2026AbCdEfGhIjK'],
    });
    expect(scan.refs).toEqual([]);
  });

  it.each([
    ['no separator', { block_type: 30, sheet: { token: 'ShtEmbeddedInDocxAbCdEfGhIj' } }],
    ['a trailing separator', { block_type: 30, sheet: { token: 'ShtEmbeddedInDocxAbCdEfGhIj_' } }],
    ['a leading separator', { block_type: 18, bitable: { token: '_tblContractsAbCd' } }],
    ['a token with a path', { block_type: 18, bitable: { token: '../apps_tblContractsAbCd' } }],
    ['a numeric token', { block_type: 30, sheet: { token: 12345 } }],
    ['no body', { block_type: 18 }],
    ['a body of the wrong kind', { block_type: 30, bitable: { token: 'BscInvoices2026AbCdEfGhIjKl_tblContractsAbCd' } }],
    ['a board with a query in its token', { block_type: 43, board: { token: 'Brd?x=1' } }],
    ['a board without a token', { block_type: 43, board: { align: 2 } }],
  ])('ignores an embed with %s', (_name, body) => {
    expect(scanDocxBlocks(embedded([{ block_id: 'e1', parent_id: DOC, ...body }]), DOC).embeds).toEqual(NO_EMBEDS);
  });

  it('finds the embeds of the sandbox\'s embeds document', () => {
    const world = createDemoWorld();
    const doc = world.documents.find((d) => d.id === EMBEDS_DOC_ID)!;
    const scan = scanDocxBlocks(doc.blocks, EMBEDS_DOC_ID);
    expect(scan.title).toBe(EMBEDS.title);
    expect(scan.refs).toEqual([{ token: EMBEDS.ownFile.token, kind: 'file', name: EMBEDS.ownFile.fileName }]);
    expect(scan.embeds).toEqual<DocxEmbeds>({
      sheets: [{ spreadsheetToken: EMBEDS.sheet.spreadsheetToken, sheetId: EMBEDS.sheet.sheetId }],
      bitables: [{ appToken: EMBEDS.base.appToken, tableId: EMBEDS.base.tableId }],
      boards: [EMBEDS.board],
    });
  });
});

describe('toAttachments', () => {
  const ref = (token: string, kind: 'file' | 'image', name: string | null): DocxAttachmentRef => ({ token, kind, name });

  it('names nameless images and files by their rank, and marks generated names', () => {
    const attachments = toAttachments(
      [
        ref('boxcnImgA', 'image', null),
        ref('boxcnFileA', 'file', 'report.pdf'),
        ref('boxcnImgB', 'image', '流程图'),
        ref('boxcnFileB', 'file', null),
        ref('boxcnImgC', 'image', null),
        ref('boxcnFileC', 'file', null),
      ],
      FEISHU_API,
    );
    expect(attachments).toEqual([
      { id: 'feishu-media:boxcnImgA', name: 'image-01', nameIsGenerated: true, kind: 'image', source: { type: 'feishu-media', apiBase: FEISHU_API, token: 'boxcnImgA' }, subfolders: [] },
      { id: 'feishu-media:boxcnFileA', name: 'report.pdf', nameIsGenerated: false, kind: 'file', source: { type: 'feishu-media', apiBase: FEISHU_API, token: 'boxcnFileA' }, subfolders: [] },
      // A caption names an image, but its type is still learnt from the bytes.
      { id: 'feishu-media:boxcnImgB', name: '流程图', nameIsGenerated: true, kind: 'image', source: { type: 'feishu-media', apiBase: FEISHU_API, token: 'boxcnImgB' }, subfolders: [] },
      { id: 'feishu-media:boxcnFileB', name: 'attachment-01', nameIsGenerated: true, kind: 'file', source: { type: 'feishu-media', apiBase: FEISHU_API, token: 'boxcnFileB' }, subfolders: [] },
      { id: 'feishu-media:boxcnImgC', name: 'image-03', nameIsGenerated: true, kind: 'image', source: { type: 'feishu-media', apiBase: FEISHU_API, token: 'boxcnImgC' }, subfolders: [] },
      { id: 'feishu-media:boxcnFileC', name: 'attachment-02', nameIsGenerated: true, kind: 'file', source: { type: 'feishu-media', apiBase: FEISHU_API, token: 'boxcnFileC' }, subfolders: [] },
    ]);
  });

  it('pads to the width of the largest number, at least two digits', () => {
    const images = Array.from({ length: 120 }, (_, i) => ref(`boxcnImg${i}`, 'image', null));
    const names = toAttachments(images, FEISHU_API).map((a) => a.name);
    expect(names.slice(0, 2)).toEqual(['image-001', 'image-002']);
    expect(names[98]).toBe('image-099');
    expect(names.at(-1)).toBe('image-120');

    const files = Array.from({ length: 9 }, (_, i) => ref(`boxcnFile${i}`, 'file', null));
    expect(toAttachments(files, FEISHU_API).map((a) => a.name)).toEqual(Array.from({ length: 9 }, (_, i) => `attachment-0${i + 1}`));
  });

  it('gives an empty list for no refs', () => {
    expect(toAttachments([], FEISHU_API)).toEqual([]);
  });
});

describe('listDocxAttachments against the sandbox', () => {
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

  function client(token: string, apiBase = FEISHU_API, fetchImpl: typeof fetch = sandboxFetch(sandbox)): FeishuClient {
    return new FeishuClient({ apiBase, accessToken: async () => token, limiters: new RateLimiterRegistry(), fetch: fetchImpl });
  }

  it('lists the 16 attachments of the showcase document from all three block pages, title from the root block', async () => {
    const world = createDemoWorld();
    const weekly = world.documents.find((d) => d.id === DOCS.weekly)!;
    expect(Math.ceil(weekly.blocks.length / 500)).toBe(3);

    const listing = await listDocxAttachments(client(TOKENS.feishuUser), feishuPage(DOCS.weekly));
    expect(listing.title).toBe('项目周报 2026-W47');
    expect(listing.folder).toEqual(['Feishu', '项目周报 2026-W47']);
    expect(listing.attachments).toHaveLength(16);
    expect(listing.attachments.map((a) => a.name)).toEqual([
      '季度报告.pdf',
      'image-01',
      '预算表.xlsx',
      '会议纪要.txt',
      '系统流程图',
      'image-03',
      '合同 v2 (final).docx',
      '会议纪要.txt',
      '../x',
      'a/b',
      'attachment-01',
      'CON.txt',
      '报销\u0007单\u200b据\u202e.pdf',
      'image-04',
      world.files.longName.fileName,
      'image-05',
    ]);
    expect(new Set(listing.attachments.map((a) => a.id)).size).toBe(16);
    for (const attachment of listing.attachments) {
      expect(attachment.source).toEqual({ type: 'feishu-media', apiBase: FEISHU_API, token: attachment.id.replace('feishu-media:', '') });
    }

    expect(sandbox.log.map((e) => e.endpoint)).toEqual(['docx.blocks.list', 'docx.blocks.list', 'docx.blocks.list']);
    expect(sandbox.log.every((e) => e.status === 200 && e.code === 0)).toBe(true);
    const queries = sandbox.log.map((e) => Object.fromEntries(e.query));
    expect(queries.map((q) => [q['page_size'], q['document_revision_id']])).toEqual(Array(3).fill(['500', '-1']));
    expect(queries[0]?.['page_token']).toBeUndefined();
    expect(queries[1]?.['page_token']).toEqual(expect.any(String));
    expect(queries[2]?.['page_token']).toEqual(expect.any(String));
    expect(queries[2]?.['page_token']).not.toBe(queries[1]?.['page_token']);
  });

  it('lists a Lark document under the Lark folder', async () => {
    const listing = await listDocxAttachments(client(TOKENS.larkUser, 'https://open.larksuite.com'), feishuPage(DOCS.lark, 'lark'));
    expect(listing.title).toBe('Quarterly Review');
    expect(listing.folder).toEqual(['Lark', 'Quarterly Review']);
    expect(listing.attachments.map((a) => [a.name, a.kind, a.source.apiBase])).toEqual([
      ['Roadmap 2027.pptx', 'file', 'https://open.larksuite.com'],
      ['image-01', 'image', 'https://open.larksuite.com'],
    ]);
  });

  it('lists a document without attachments', async () => {
    expect(await listDocxAttachments(client(TOKENS.feishuUser), feishuPage(DOCS.empty))).toEqual({
      type: 'attachments',
      title: '空白文档',
      folder: ['Feishu', '空白文档'],
      attachments: [],
      partial: [],
      hints: [],
    });
    expect(sandbox.log).toHaveLength(1);
  });

  it('asks for the title only when the root block has none', async () => {
    const world = createDemoWorld();
    const empty = world.documents.find((d) => d.id === DOCS.empty)!;
    const blocks = empty.blocks.map((b) => (b['block_id'] === DOCS.empty ? { ...b, page: { elements: [], style: {} } } : b));
    world.documents[world.documents.indexOf(empty)] = { ...empty, blocks };
    sandbox.world = world;
    const listing = await listDocxAttachments(client(TOKENS.feishuUser), feishuPage(DOCS.empty));
    expect(listing.title).toBe('空白文档');
    expect(sandbox.log.map((e) => e.endpoint)).toEqual(['docx.blocks.list', 'docx.document.get']);
  });

  it('names the folder after the document token when the document has no title at all', async () => {
    const world = createDemoWorld();
    const empty = world.documents.find((d) => d.id === DOCS.empty)!;
    world.documents[world.documents.indexOf(empty)] = { ...empty, title: '', blocks: buildBlocks(DOCS.empty, '', []) };
    sandbox.world = world;
    expect(await listDocxAttachments(client(TOKENS.feishuUser), feishuPage(DOCS.empty))).toEqual({
      type: 'attachments',
      title: '',
      folder: ['Feishu', `Untitled document ${DOCS.empty}`],
      attachments: [],
      partial: [],
      hints: [],
    });
  });

  it('passes the API\'s problem on: not shared', async () => {
    expect(await problemOf(listDocxAttachments(client(TOKENS.feishuUser), feishuPage(DOCS.private)))).toMatchObject({ kind: 'not-shared', code: 1770032 });
  });

  it('treats a pagination that never advances as an invalid answer', async () => {
    const page = (token: string | undefined) =>
      new Response(JSON.stringify({ code: 0, data: { items: [{ block_id: DOCS.weekly, block_type: 1, page: { elements: [run('x')] } }], has_more: true, ...(token ? { page_token: token } : {}) } }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    let calls = 0;
    const stuck: typeof fetch = async () => {
      calls++;
      return page('same-token');
    };
    expect(await problemOf(fetchAllBlocks(client(TOKENS.feishuUser, FEISHU_API, stuck), DOCS.weekly))).toEqual({
      kind: 'invalid-response',
      host: 'open.feishu.cn',
      detail: 'block list pagination did not advance',
    });
    expect(calls).toBe(2);

    calls = 0;
    const tokenless: typeof fetch = async () => {
      calls++;
      return page(undefined);
    };
    expect(await problemOf(fetchAllBlocks(client(TOKENS.feishuUser, FEISHU_API, tokenless), DOCS.weekly))).toMatchObject({
      kind: 'invalid-response',
      detail: 'block list pagination did not advance',
    });
    expect(calls).toBe(1);
  });

  it('treats a page token that comes back after others as not advancing', async () => {
    const tokens = ['p1', 'p2', 'p1'];
    let calls = 0;
    const looping: typeof fetch = async () => {
      const token = tokens[calls++];
      return new Response(JSON.stringify({ code: 0, data: { items: [], has_more: true, page_token: token } }), { status: 200 });
    };
    expect(await problemOf(fetchAllBlocks(client(TOKENS.feishuUser, FEISHU_API, looping), DOCS.weekly))).toMatchObject({ kind: 'invalid-response' });
    expect(calls).toBe(3);
  });
});
