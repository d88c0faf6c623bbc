// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BASE_ATTACHMENTS,
  BASES,
  BOARD_IMAGES,
  createDemoWorld,
  CUSTOM_HOST,
  DOCS,
  DRIVE_FILES,
  EMBEDS,
  EMBEDS_DOC_ID,
  sandboxFetch,
  SHEET_FILES,
  SHEETS,
  startSandbox,
  TOKENS,
  WIKI,
  WIKI_NODES,
  type Sandbox,
} from '../../tests/sandbox';
import type { Attachment, AttachmentListing, Listing } from '../core/attachment';
import type { FeishuPage } from '../core/page';
import type { Problem } from '../core/problem';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { FeishuClient } from './client';
import { listFeishuPage, type ListOptions } from './list-page';
import { problemOf } from '../../tests/unit/problem-of';

const FEISHU_API = 'https://open.feishu.cn';
const HOST = { platform: 'feishu', brand: 'feishu', host: 'acme.feishu.cn' } as const;
const OPTIONS: ListOptions = { recordFolders: false, whiteboards: true, tenantToken: false };

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

function client(token: string = TOKENS.feishuUser, apiBase = FEISHU_API): FeishuClient {
  return new FeishuClient({ apiBase, accessToken: async () => token, limiters: new RateLimiterRegistry(), fetch: sandboxFetch(sandbox), retries: 0 });
}


function attachmentsOf(listing: Listing): AttachmentListing {
  if (listing.type !== 'attachments') throw new Error(`expected an attachment listing, got ${listing.type}`);
  return listing;
}

const tokenOf = (a: Attachment) => (a.source.type === 'feishu-mail' ? a.source.attachmentId : a.source.type === 'ekuaibao-attachment' ? a.source.fileId : a.source.token);
const wiki = (token: string, extra: Partial<Extract<FeishuPage, { kind: 'wiki' }>> = {}): FeishuPage => ({ ...HOST, kind: 'wiki', token, ...extra });
const budgetFiles = SHEET_FILES.filter((f) => f.spreadsheet === SHEETS.budget);
const contractScans = BASE_ATTACHMENTS[BASES.invoices]![BASES.invoicesTables.contracts]!.flatMap((r) => r.attachments.map((a) => ({ record: r, file: a })));

describe('listFeishuPage: wiki nodes', () => {
  it('lists the document a node points at, under the document\'s title', async () => {
    const listing = attachmentsOf(await listFeishuPage(client(), wiki(WIKI.docx), OPTIONS));
    expect(listing.title).toBe('项目周报 2026-W47');
    expect(listing.folder).toEqual(['Feishu', '项目周报 2026-W47']);
    expect(listing.attachments).toHaveLength(16);
    expect(sandbox.log.map((e) => e.endpoint)).toEqual(['wiki.get-node', 'docx.blocks.list', 'docx.blocks.list', 'docx.blocks.list']);
  });

  it('lists the spreadsheet a node points at, the sheet of the URL first', async () => {
    const listing = attachmentsOf(await listFeishuPage(client(), wiki(WIKI.sheet, { sheetId: SHEETS.budgetSheets.archive }), OPTIONS));
    expect(listing).toMatchObject({ type: 'attachments', title: '2026 预算', folder: ['Feishu', '2026 预算'], partial: [], hints: [] });
    expect(listing.attachments.map(tokenOf).sort()).toEqual(budgetFiles.map((f) => f.media.token).sort());
    expect(listing.attachments[0]?.subfolders).toEqual(['归档']);
  });

  it('lists the base a node points at, only the table of the URL', async () => {
    const listing = attachmentsOf(await listFeishuPage(client(), wiki(WIKI.base, { tableId: BASES.invoicesTables.contracts }), OPTIONS));
    expect(listing).toMatchObject({ title: '报销台账', folder: ['Feishu', '报销台账'], hints: [] });
    expect(listing.attachments.map(tokenOf)).toEqual(contractScans.map((c) => c.file.media.token));
  });

  it('lists the cloud-space file a node points at, named by the node', async () => {
    const listing = attachmentsOf(await listFeishuPage(client(), wiki(WIKI.file), OPTIONS));
    expect(listing).toEqual({
      type: 'attachments',
      title: WIKI_NODES[WIKI.file].title,
      folder: ['Feishu', 'Drive'],
      attachments: [
        {
          id: `feishu-drive-file:${DRIVE_FILES.contract.token}`,
          name: WIKI_NODES[WIKI.file].title,
          nameIsGenerated: false,
          kind: 'file',
          size: DRIVE_FILES.contract.bytes.length,
          mimeType: 'application/pdf',
          source: { type: 'feishu-drive-file', apiBase: FEISHU_API, token: DRIVE_FILES.contract.token },
          subfolders: [],
        },
      ],
      partial: [],
      hints: [],
    });
  });

  it('says a legacy doc holds nothing it can list, naming its type, after one call', async () => {
    expect(await problemOf(listFeishuPage(client(), wiki(WIKI.legacy), OPTIONS))).toEqual({ kind: 'not-listable', detail: 'doc' });
    expect(sandbox.log.map((e) => e.endpoint)).toEqual(['wiki.get-node']);
  });

  it('passes on that a node is not shared', async () => {
    expect(await problemOf(listFeishuPage(client(), wiki(WIKI.private), OPTIONS))).toMatchObject({ kind: 'not-shared', code: 131006 });
  });
});

describe('listFeishuPage: sheets, bases, files', () => {
  it('lists a spreadsheet page', async () => {
    const listing = attachmentsOf(await listFeishuPage(client(), { ...HOST, kind: 'sheets', token: SHEETS.budget }, OPTIONS));
    expect(listing).toMatchObject({ title: '2026 预算', folder: ['Feishu', '2026 预算'], partial: [], hints: [] });
    expect(listing.attachments).toHaveLength(budgetFiles.length);
    expect(listing.attachments[0]?.subfolders).toEqual(['汇总']);
  });

  it('lists a base page, with record sub-folders when asked', async () => {
    const page: FeishuPage = { ...HOST, kind: 'base', token: BASES.invoices, tableId: BASES.invoicesTables.contracts };
    const listing = attachmentsOf(await listFeishuPage(client(), page, { ...OPTIONS, recordFolders: true }));
    expect(listing.attachments.map((a) => a.subfolders)).toEqual(contractScans.map((c) => ['合同', c.record.primary]));
  });

  it('hints that an advanced base may hide its records from a token that cannot manage it', async () => {
    const page: FeishuPage = { ...HOST, kind: 'base', token: BASES.advanced };
    expect(attachmentsOf(await listFeishuPage(client(TOKENS.feishuTenant), page, OPTIONS))).toMatchObject({ attachments: [], hints: ['advanced-base-empty'] });
    const managed = attachmentsOf(await listFeishuPage(client(), page, OPTIONS));
    expect(managed.hints).toEqual([]);
    expect(managed.attachments).toHaveLength(3);
  });

  it('lists a cloud-space file page under its own name', async () => {
    const listing = attachmentsOf(await listFeishuPage(client(), { ...HOST, kind: 'file', token: DRIVE_FILES.contract.token }, OPTIONS));
    expect(listing).toMatchObject({ title: DRIVE_FILES.contract.name, folder: ['Feishu', 'Drive'] });
    expect(listing.attachments.map((a) => [a.name, a.nameIsGenerated, a.size])).toEqual([[DRIVE_FILES.contract.name, false, DRIVE_FILES.contract.bytes.length]]);
  });

  it('lists through a private deployment\'s API, and its files stay with that API', async () => {
    const page: FeishuPage = { ...HOST, host: CUSTOM_HOST.host, kind: 'docx', token: DOCS.weekly };
    const listing = attachmentsOf(await listFeishuPage(client(TOKENS.feishuUser, CUSTOM_HOST.apiBase), page, OPTIONS));
    expect(listing.attachments).toHaveLength(16);
    expect(listing.attachments.every((a) => a.source.apiBase === CUSTOM_HOST.apiBase)).toBe(true);
    expect(new Set(sandbox.log.map((e) => e.host))).toEqual(new Set([CUSTOM_HOST.apiHost]));
  });
});

describe('listFeishuPage: Mail', () => {
  const mailPage: FeishuPage = { platform: 'feishu', brand: 'feishu', host: 'mail.feishu.cn', kind: 'mail' };

  it('refuses a tenant token without any call: Mail reads the user\'s own mailbox', async () => {
    expect(await problemOf(listFeishuPage(client(TOKENS.feishuTenant), mailPage, { ...OPTIONS, tenantToken: true }))).toEqual({ kind: 'needs-user-token' });
    expect(sandbox.log).toEqual([]);
  });

  it('lists the mailbox with a user token', async () => {
    const listing = await listFeishuPage(client(), { ...mailPage, messageId: 'anyOpenMessage' }, OPTIONS);
    expect(listing).toMatchObject({ type: 'mailbox', title: 'Mail', attachmentsHidden: false });
    expect(listing.type === 'mailbox' && listing.messages.length).toBeGreaterThan(0);
  });
});

describe('listFeishuPage: embedded sheets, bases and whiteboards', () => {
  const page: FeishuPage = { ...HOST, kind: 'docx', token: EMBEDS_DOC_ID };
  const embeddedSheetFiles = SHEET_FILES.filter((f) => f.spreadsheet === SHEETS.embedded);

  it('lists the document\'s own file, the embedded sheet\'s and base table\'s files in their sub-folders, and the whiteboard', async () => {
    const listing = attachmentsOf(await listFeishuPage(client(), page, OPTIONS));
    expect(listing.title).toBe(EMBEDS.title);
    expect(listing.partial).toEqual([]);
    expect(listing.attachments.map((a) => [a.source.type, tokenOf(a), a.name, a.subfolders])).toEqual([
      ['feishu-media', EMBEDS.ownFile.token, EMBEDS.ownFile.fileName, []],
      ...embeddedSheetFiles.map((f) => ['feishu-media', f.media.token, f.kind === 'attachment' ? f.fileName : `image-${f.cell}`, [EMBEDS.sheet.title]]),
      ...contractScans.map((c) => ['feishu-media', c.file.media.token, c.file.fileName, [EMBEDS.base.tableName]]),
      ['feishu-board', BOARD_IMAGES.flow.token, 'whiteboard-01.png', []],
    ]);
    expect(listing.attachments.at(-1)).toEqual({
      id: `feishu-board:${BOARD_IMAGES.flow.token}`,
      name: 'whiteboard-01.png',
      nameIsGenerated: false,
      kind: 'image',
      mimeType: 'image/png',
      source: { type: 'feishu-board', apiBase: FEISHU_API, token: BOARD_IMAGES.flow.token },
      subfolders: [],
      where: 'Whiteboard',
    });
    // Only the embedded sheet and table are read, not the whole spreadsheet or base.
    expect(sandbox.log.some((e) => e.path.includes(BASES.invoicesTables.invoices))).toBe(false);
    expect(sandbox.log.map((e) => e.endpoint)).not.toContain('sheets.spreadsheet.get');
    // The whiteboard is exported only when it is downloaded.
    expect(sandbox.log.map((e) => e.endpoint)).not.toContain('board.download-as-image');
  });

  it('leaves whiteboards out when they are not wanted', async () => {
    const listing = attachmentsOf(await listFeishuPage(client(), page, { ...OPTIONS, whiteboards: false }));
    expect(listing.attachments.some((a) => a.source.type === 'feishu-board')).toBe(false);
    expect(listing.attachments).toHaveLength(1 + embeddedSheetFiles.length + contractScans.length);
  });

  it('puts the embedded base\'s files in record sub-folders when asked', async () => {
    const listing = attachmentsOf(await listFeishuPage(client(), page, { ...OPTIONS, recordFolders: true }));
    expect(listing.attachments.filter((a) => a.subfolders[0] === EMBEDS.base.tableName).map((a) => a.subfolders)).toEqual(
      contractScans.map((c) => [EMBEDS.base.tableName, c.record.primary]),
    );
  });

  it('turns an embed it cannot read into a partial entry and lists the rest', async () => {
    const world = createDemoWorld();
    sandbox.world = {
      ...world,
      spreadsheets: (world.spreadsheets ?? []).map((s) => (s.token === SHEETS.embedded ? { ...s, readers: [] } : s)),
      bases: (world.bases ?? []).map((b) => (b.appToken === BASES.invoices ? { ...b, readers: [] } : b)),
    };
    const listing = attachmentsOf(await listFeishuPage(client(), page, OPTIONS));
    expect(listing.partial).toEqual([
      { where: 'Embedded sheet 1', problem: expect.objectContaining({ kind: 'not-shared', code: 1310213 }) as Problem },
      { where: 'Embedded base 1', problem: expect.objectContaining({ kind: 'not-shared', code: 1254302 }) as Problem },
    ]);
    expect(listing.attachments.map(tokenOf)).toEqual([EMBEDS.ownFile.token, BOARD_IMAGES.flow.token]);
  });

  it('lists an embed that has gone as a partial entry too', async () => {
    const world = createDemoWorld();
    sandbox.world = { ...world, spreadsheets: (world.spreadsheets ?? []).filter((s) => s.token !== SHEETS.embedded) };
    const listing = attachmentsOf(await listFeishuPage(client(), page, OPTIONS));
    expect(listing.partial).toEqual([{ where: 'Embedded sheet 1', problem: expect.objectContaining({ kind: 'not-found', code: 1310214 }) as Problem }]);
    expect(listing.attachments).toHaveLength(1 + contractScans.length + 1);
  });
});
