/**
 * The sandbox's data: tokens, documents (as the docx API returns their blocks) and media files with their bytes.
 * Everything is deterministic, so tests can compare files on disk byte for byte with what the fake served.
 */
import { createHash } from 'node:crypto';
import { createEkuaibaoWorld, type EkuaibaoWorld } from './ekuaibao/world';
import { appsFixture } from './fixtures/apps';
import { basesFixture } from './fixtures/bases';
import { bulkFixture } from './fixtures/bulk';
import { driveFixture } from './fixtures/drive';
import { embedsFixture } from './fixtures/embeds';
import { mailFixture } from './fixtures/mail';
import { APPS } from './fixtures/ids';
import { mergeParts } from './fixtures/part';
import { sheetsFixture } from './fixtures/sheets';
import { wikiFixture } from './fixtures/wiki';

export type Brand = 'feishu' | 'lark';

export interface SandboxToken {
  readonly token: string;
  readonly kind: 'user' | 'tenant';
  readonly brand: Brand;
  /** The user's or tenant's display name. */
  readonly name: string;
  readonly scopes: readonly string[];
  readonly expired?: boolean;
  /**
   * For issued tokens, what `readers` lists (and mailbox owners) may name instead of the token value: the app id for
   * tenant tokens (auth endpoint), the world user token the OAuth user acts as for user tokens (OAuth token endpoint).
   */
  readonly issuedFor?: string;
}

export interface SandboxMedia {
  readonly token: string;
  readonly brand: Brand;
  /** Name served in Content-Disposition (and shown by the document for file blocks). */
  readonly fileName: string;
  readonly mimeType: string;
  readonly bytes: Buffer;
}

export interface SandboxDocument {
  readonly id: string;
  readonly brand: Brand;
  readonly title: string;
  /** Blocks in the API's flat shape, root first. */
  readonly blocks: readonly Record<string, unknown>[];
  /** Tokens that may read the document and its media; `all` for every valid token of the brand. */
  readonly readers: Readers;
  /** More for its web page: markup in `<head>` and after the blocks, and a Content-Security-Policy (the hostile page). */
  readonly page?: { readonly head?: string; readonly body?: string; readonly csp?: string };
}

/** Who may read a container: every valid token of the brand, or these token values and app ids. */
export type Readers = 'all' | readonly string[];

/** A custom (self-built) app: `auth/v3/tenant_access_token/internal` trades its id and secret for tenant tokens. */
export interface SandboxApp {
  readonly appId: string;
  readonly appSecret: string;
  readonly brand: Brand;
  readonly name: string;
  readonly scopes: readonly string[];
  /** Lifetime of issued tokens in seconds (documented: at most 7200). */
  readonly tokenLifetimeSeconds: number;
  /** OAuth: the registered redirect URLs (开发者后台 → 安全设置 → 重定向 URL), compared exactly; default none. */
  readonly redirectUris?: readonly string[];
  /** OAuth: the scopes enabled for user tokens (asking for others → 20027); default `ALL_SCOPES` and `offline_access`. */
  readonly userScopes?: readonly string[];
  /** OAuth: the "刷新 user_access_token" security switch; off → no refresh tokens, refreshing answers 20074. Default on. */
  readonly refreshEnabled?: boolean;
}

/** Who is signed in on a brand's accounts host and authorizes apps (OAuth). */
export interface SandboxOAuthUser {
  readonly brand: Brand;
  readonly name: string;
  /** A world user token's value: tokens issued to this user carry it as `issuedFor`, so they read what it reads. */
  readonly actsAs: string;
}

export interface SandboxWikiNode {
  readonly nodeToken: string;
  readonly brand: Brand;
  readonly spaceId: string;
  readonly title: string;
  readonly objType: 'doc' | 'docx' | 'sheet' | 'mindnote' | 'bitable' | 'file' | 'slides';
  readonly objToken: string;
  readonly nodeType?: 'origin' | 'shortcut';
  readonly readers: Readers;
}

export interface SandboxSheet {
  readonly sheetId: string;
  readonly title: string;
  readonly hidden?: boolean;
  readonly rowCount: number;
  readonly columnCount: number;
  /** 'sheet' for a grid; other resource types (e.g. an embedded base) have no values to read. */
  readonly resourceType?: string;
  /** Cell values in the API's shape, by A1 address ("B3"); absent cells are empty. */
  readonly cells: Readonly<Record<string, unknown>>;
  readonly floatImages?: readonly { readonly floatImageId: string; readonly token: string; readonly range: string }[];
}

export interface SandboxSpreadsheet {
  readonly token: string;
  readonly brand: Brand;
  readonly title: string;
  readonly sheets: readonly SandboxSheet[];
  readonly readers: Readers;
}

export interface SandboxBaseField {
  readonly fieldId: string;
  readonly name: string;
  /** 1 text, 2 number, 17 attachment, 19 lookup, 20 formula, ... */
  readonly type: number;
  readonly uiType?: string;
  readonly isPrimary?: boolean;
}

export interface SandboxBaseRecord {
  readonly recordId: string;
  /** Values by field name, in the record-search API's shape. */
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface SandboxBaseTable {
  readonly tableId: string;
  readonly name: string;
  readonly revision: number;
  readonly fields: readonly SandboxBaseField[];
  readonly records: readonly SandboxBaseRecord[];
}

export interface SandboxBase {
  readonly appToken: string;
  readonly brand: Brand;
  readonly name: string;
  /** Advanced permissions: media downloads need the documented `extra`; only managers see records. */
  readonly isAdvanced: boolean;
  readonly tables: readonly SandboxBaseTable[];
  readonly readers: Readers;
  /** With advanced permissions, the identities that may manage the base (others get empty searches). */
  readonly managers?: Readers;
}

/** A file in the cloud space (`/file/<token>`), downloaded through `drive/v1/files/:token/download`. */
export interface SandboxDriveFile {
  readonly token: string;
  readonly brand: Brand;
  readonly name: string;
  readonly mimeType: string;
  readonly bytes: Buffer;
  readonly readers: Readers;
}

/** A whiteboard, exported with `board/v1/whiteboards/:token/download_as_image`. */
export interface SandboxBoard {
  readonly token: string;
  readonly brand: Brand;
  readonly png: Buffer;
  readonly readers: Readers;
}

export interface SandboxMailAttachment {
  readonly id: string;
  readonly media: SandboxMedia;
  readonly isInline?: boolean;
  /** 1 normal, 2 large (超大附件). */
  readonly attachmentType?: 1 | 2;
  /** The download_url API always lists this id in `failed_ids`. */
  readonly alwaysFails?: boolean;
}

export interface SandboxMailMessage {
  readonly messageId: string;
  readonly subject: string;
  readonly from: { readonly name: string; readonly address: string };
  /** Milliseconds since the epoch (the API sends it as a string). */
  readonly internalDate: number;
  readonly folderId: string;
  readonly attachments: readonly SandboxMailAttachment[];
}

export interface SandboxMailbox {
  /** The user tokens (values) whose `me` this mailbox is. */
  readonly owners: readonly string[];
  readonly address: string;
  readonly brand: Brand;
  /** Newest first, as the list API returns them. */
  readonly messages: readonly SandboxMailMessage[];
}

export interface SandboxWorld {
  readonly tokens: SandboxToken[];
  readonly documents: SandboxDocument[];
  readonly media: SandboxMedia[];
  readonly tenantName: string;
  readonly apps?: SandboxApp[];
  /** The OAuth user of each brand; a brand without one has its `DEFAULT_OAUTH_USERS` entry. */
  readonly oauthUsers?: readonly SandboxOAuthUser[];
  readonly wikiNodes?: SandboxWikiNode[];
  readonly spreadsheets?: SandboxSpreadsheet[];
  readonly bases?: SandboxBase[];
  readonly driveFiles?: SandboxDriveFile[];
  readonly boards?: SandboxBoard[];
  readonly mailboxes?: SandboxMailbox[];
  /** Extra web hosts served as Feishu pages (private deployments), with their brand. */
  readonly customHosts?: readonly { readonly host: string; readonly apiHost: string; readonly brand: Brand }[];
  /** Ekuaibao (合思): apps, tokens, forms and stored files; without it every Ekuaibao token is unknown. */
  readonly ekuaibao?: EkuaibaoWorld;
}

// --- deterministic bytes ------------------------------------------------------------------------------------------

function prng(seed: string): () => number {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0) || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

function randomBytes(seed: string, length: number): Buffer {
  const next = prng(seed);
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(next() * 256);
  return bytes;
}

const MAGIC: Record<string, Buffer> = {
  'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]),
  'image/gif': Buffer.from('GIF89a', 'latin1'),
  'image/webp': Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.from([0, 0, 0, 0]), Buffer.from('WEBPVP8 ', 'latin1')]),
  'application/pdf': Buffer.from('%PDF-1.7\n', 'latin1'),
  'application/zip': Buffer.from([0x50, 0x4b, 0x03, 0x04]),
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': Buffer.from([0x50, 0x4b, 0x03, 0x04]),
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': Buffer.from([0x50, 0x4b, 0x03, 0x04]),
};

/** Bytes that start like a real file of `mimeType` (so type sniffing works) and are random after that. */
export function fileBytes(seed: string, mimeType: string, length: number): Buffer {
  if (mimeType.startsWith('text/')) {
    const line = `${seed} — 这是一行测试文本 / a line of test text.\n`;
    return Buffer.from(line.repeat(Math.ceil(length / Buffer.byteLength(line)))).subarray(0, length);
  }
  const magic = MAGIC[mimeType] ?? Buffer.alloc(0);
  return Buffer.concat([magic, randomBytes(seed, Math.max(0, length - magic.length))]);
}

/** A media token shaped like Feishu's: 27 letters and digits. */
export function mediaToken(seed: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const next = prng(`token:${seed}`);
  return Array.from({ length: 27 }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
}

// --- document builder --------------------------------------------------------------------------------------------

export type DocNode =
  | { readonly type: 'text'; readonly text: string; readonly inlineFile?: SandboxMedia }
  | { readonly type: 'heading'; readonly text: string }
  | { readonly type: 'file'; readonly media: SandboxMedia }
  | { readonly type: 'image'; readonly media: SandboxMedia; readonly caption?: string }
  | { readonly type: 'table'; readonly cells: readonly (readonly DocNode[])[] }
  | { readonly type: 'grid'; readonly columns: readonly (readonly DocNode[])[] }
  /** An embedded sheet: `sheet.token` = `<spreadsheet_token>_<sheet_id>`. */
  | { readonly type: 'sheet'; readonly spreadsheetToken: string; readonly sheetId: string }
  /** An embedded base table: `bitable.token` = `<app_token>_<table_id>`. */
  | { readonly type: 'bitable'; readonly appToken: string; readonly tableId: string }
  | { readonly type: 'board'; readonly token: string };

const BLOCK_TYPE = { page: 1, text: 2, heading2: 4, bitable: 18, file: 23, grid: 24, grid_column: 25, image: 27, sheet: 30, table: 31, table_cell: 32, view: 33, board: 43 };

/** Flattens a document tree into the blocks list exactly as `GET /docx/v1/documents/:id/blocks` returns it. */
export function buildBlocks(documentId: string, title: string, content: readonly DocNode[]): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  let counter = 0;
  const newId = () => `doxcn${mediaToken(`${documentId}:${counter++}`).slice(0, 22)}`;
  const textElements = (text: string) => [{ text_run: { content: text, text_element_style: {} } }];

  const emit = (node: DocNode, parentId: string): string => {
    const id = newId();
    const block: Record<string, unknown> = { block_id: id, parent_id: parentId };
    blocks.push(block);
    switch (node.type) {
      case 'text': {
        const elements: unknown[] = textElements(node.text);
        if (node.inlineFile) elements.push({ file: { file_token: node.inlineFile.token, source_block_id: newId(), text_element_style: {} } });
        Object.assign(block, { block_type: BLOCK_TYPE.text, text: { elements, style: {} } });
        break;
      }
      case 'heading':
        Object.assign(block, { block_type: BLOCK_TYPE.heading2, heading2: { elements: textElements(node.text), style: {} } });
        break;
      case 'file': {
        // A file block never stands alone: it always sits in a view block (block_type 33).
        Object.assign(block, { block_type: BLOCK_TYPE.view, view: { view_type: 1 } });
        const fileId = newId();
        blocks.push({ block_id: fileId, parent_id: id, block_type: BLOCK_TYPE.file, file: { token: node.media.token, name: node.media.fileName, view_type: 1 } });
        block['children'] = [fileId];
        break;
      }
      case 'image':
        Object.assign(block, {
          block_type: BLOCK_TYPE.image,
          image: { token: node.media.token, width: 1280, height: 720, align: 2, ...(node.caption ? { caption: { content: node.caption } } : {}) },
        });
        break;
      case 'table': {
        const cells = node.cells.map((cell) => {
          const cellId = newId();
          const cellBlock: Record<string, unknown> = { block_id: cellId, parent_id: id, block_type: BLOCK_TYPE.table_cell, table_cell: {} };
          blocks.push(cellBlock);
          cellBlock['children'] = cell.map((child) => emit(child, cellId));
          return cellId;
        });
        Object.assign(block, { block_type: BLOCK_TYPE.table, table: { cells, property: { row_size: 1, column_size: cells.length } }, children: cells });
        break;
      }
      case 'sheet':
        Object.assign(block, { block_type: BLOCK_TYPE.sheet, sheet: { token: `${node.spreadsheetToken}_${node.sheetId}`, row_size: 10, column_size: 5 } });
        break;
      case 'bitable':
        Object.assign(block, { block_type: BLOCK_TYPE.bitable, bitable: { token: `${node.appToken}_${node.tableId}`, view_type: 1 } });
        break;
      case 'board':
        Object.assign(block, { block_type: BLOCK_TYPE.board, board: { token: node.token, align: 2, width: 800, height: 600 } });
        break;
      case 'grid': {
        const columns = node.columns.map((column) => {
          const columnId = newId();
          const columnBlock: Record<string, unknown> = { block_id: columnId, parent_id: id, block_type: BLOCK_TYPE.grid_column, grid_column: { width_ratio: 50 } };
          blocks.push(columnBlock);
          columnBlock['children'] = column.map((child) => emit(child, columnId));
          return columnId;
        });
        Object.assign(block, { block_type: BLOCK_TYPE.grid, grid: { column_size: columns.length }, children: columns });
        break;
      }
    }
    return id;
  };

  const root: Record<string, unknown> = { block_id: documentId, parent_id: '', block_type: BLOCK_TYPE.page, page: { elements: textElements(title), style: {} } };
  blocks.push(root);
  root['children'] = content.map((node) => emit(node, documentId));
  return blocks;
}

// --- the demo world ----------------------------------------------------------------------------------------------

export const TOKENS = {
  feishuUser: 'u-sandbox-feishu-user-7f1bcd13fc57d46bac21793a18e560',
  feishuTenant: 't-sandbox-feishu-tenant-caecc734c2e3328a62489fe0648c4b',
  feishuExpired: 'u-sandbox-feishu-expired-0000000000000000000000',
  feishuNoMediaScope: 'u-sandbox-feishu-no-media-scope-111111111111111',
  larkUser: 'u-sandbox-lark-user-2b8e1f0c9d7a6b5c4d3e2f1a0b9c8d7e',
} as const;

/** The signed-in user of each brand's accounts host unless the world names one: 张三 (Feishu), Alex Kim (Lark). */
export const DEFAULT_OAUTH_USERS: Readonly<Record<Brand, SandboxOAuthUser>> = {
  feishu: { brand: 'feishu', name: '张三', actsAs: TOKENS.feishuUser },
  lark: { brand: 'lark', name: 'Alex Kim', actsAs: TOKENS.larkUser },
};

/** The user signed in on `brand`'s accounts host. */
export function oauthUserOf(world: SandboxWorld, brand: Brand): SandboxOAuthUser {
  return world.oauthUsers?.find((u) => u.brand === brand) ?? DEFAULT_OAUTH_USERS[brand];
}

export const DOCS = {
  /** The showcase document: 16 attachments over three block pages, hostile and duplicate names included. */
  weekly: 'UXEAd6cRUoj5pexJZr0cdwaFnpd',
  /** Shared with nobody but the tenant token's app: user tokens get 1770032. */
  private: 'Wq3sKpQ7mBz8XcN2vLr5TtYh9Ud',
  /** A document without attachments. */
  empty: 'Ea7fGh2JkLm9NpQr4StUv6WxYz1',
  /** On the Lark brand. */
  lark: 'LkR8sT2uV4wX6yZ0aB1cD3eF5gH',
} as const;

/** Every scope the extension's features use: what a fully set-up app has. */
export const ALL_SCOPES = [
  'docx:document:readonly',
  'docs:document.media:download',
  'tenant:tenant:readonly',
  'wiki:wiki:readonly',
  'sheets:spreadsheet:readonly',
  'bitable:app:readonly',
  'drive:drive:readonly',
  'board:whiteboard:node:read',
  'mail:user_mailbox.message:readonly',
  'mail:user_mailbox.message.body:read',
  'mail:user_mailbox.message.subject:read',
  'mail:user_mailbox.message.address:read',
];

/** A media file of the demo: deterministic bytes that start like a real file of its type. */
export function demoMedia(brand: Brand, seed: string, fileName: string, mimeType: string, size: number): SandboxMedia {
  return { token: mediaToken(`${brand}:${seed}`), brand, fileName, mimeType, bytes: fileBytes(seed, mimeType, size) };
}
const media = demoMedia;

/** Filler paragraphs so the attachments spread over several pages of 500 blocks. */
function paragraphs(from: number, count: number): DocNode[] {
  return Array.from({ length: count }, (_, i) => ({ type: 'text', text: `第 ${from + i} 段：本周进展与风险说明。Paragraph ${from + i}.` }) as const);
}

export const LONG_CHINESE_NAME = `${'关于二〇二六年度第四季度项目预算执行情况与下一阶段资金安排的详细说明报告'.repeat(9).slice(0, 300)}.pdf`;

export type DemoFiles = ReturnType<typeof demoFiles>;

function demoFiles() {
  return {
    report: media('feishu', 'report', '季度报告.pdf', 'application/pdf', 182_345),
    budget: media('feishu', 'budget', '预算表.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 48_213),
    contract: media('feishu', 'contract', '合同 v2 (final).docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 73_421),
    minutesA: media('feishu', 'minutes-a', '会议纪要.txt', 'text/plain', 3_210),
    minutesB: media('feishu', 'minutes-b', '会议纪要.txt', 'text/plain', 4_567),
    traversal: media('feishu', 'traversal', '../x', 'application/octet-stream', 1_024),
    slash: media('feishu', 'slash', 'a/b', 'application/octet-stream', 2_048),
    reserved: media('feishu', 'reserved', 'CON.txt', 'text/plain', 512),
    control: media('feishu', 'control', '报销\u0007单\u200b据\u202e.pdf', 'application/pdf', 9_999),
    longName: media('feishu', 'long-name', LONG_CHINESE_NAME, 'application/pdf', 20_480),
    photo: media('feishu', 'photo', 'image.png', 'image/png', 345_678),
    diagram: media('feishu', 'diagram', 'image.jpg', 'image/jpeg', 123_456),
    chart: media('feishu', 'chart', 'image.gif', 'image/gif', 23_456),
    screenshot: media('feishu', 'screenshot', 'image.webp', 'image/webp', 67_890),
    appendix: media('feishu', 'appendix', '附录A.zip', 'application/zip', 55_555),
    photoInTable: media('feishu', 'table-photo', 'image.png', 'image/png', 12_345),
    privateFile: media('feishu', 'private', '内部资料.pdf', 'application/pdf', 4_096),
    larkDeck: media('lark', 'deck', 'Roadmap 2027.pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', 88_888),
    larkShot: media('lark', 'shot', 'image.png', 'image/png', 16_384),
  };
}

export interface DemoWorld extends SandboxWorld {
  /** The demo's files by role, for tests that check what landed on disk. */
  readonly files: DemoFiles;
}

export function createDemoWorld(): DemoWorld {
  const feishu = mergeParts(baseWorld(), [appsFixture(), wikiFixture(), sheetsFixture(), basesFixture(), driveFixture(), mailFixture(), embedsFixture(), bulkFixture()]);
  return { ...feishu, ekuaibao: createEkuaibaoWorld() };
}

function baseWorld(): DemoWorld {
  const f = demoFiles();

  const weeklyTitle = '项目周报 2026-W47';
  const weekly: DocNode[] = [
    { type: 'heading', text: '本周附件' },
    { type: 'file', media: f.report },
    { type: 'image', media: f.photo },
    { type: 'file', media: f.budget },
    ...paragraphs(1, 400),
    { type: 'file', media: f.minutesA },
    { type: 'image', media: f.diagram, caption: '系统流程图' },
    { type: 'table', cells: [[{ type: 'text', text: '现场照片' }], [{ type: 'image', media: f.photoInTable }]] },
    ...paragraphs(401, 400),
    { type: 'file', media: f.contract },
    { type: 'file', media: f.minutesB },
    { type: 'grid', columns: [[{ type: 'file', media: f.traversal }], [{ type: 'file', media: f.slash }]] },
    { type: 'text', text: '附录见：', inlineFile: f.appendix },
    ...paragraphs(801, 400),
    { type: 'file', media: f.reserved },
    { type: 'file', media: f.control },
    { type: 'image', media: f.chart },
    { type: 'file', media: f.longName },
    // The same file linked inline again: one attachment, not two.
    { type: 'text', text: '再次引用报告：', inlineFile: f.report },
    { type: 'image', media: f.screenshot },
    ...paragraphs(1201, 20),
  ];

  return {
    tenantName: '示例科技有限公司',
    tokens: [
      { token: TOKENS.feishuUser, kind: 'user', brand: 'feishu', name: '张三', scopes: ALL_SCOPES },
      { token: TOKENS.feishuTenant, kind: 'tenant', brand: 'feishu', name: '示例科技有限公司', scopes: ALL_SCOPES },
      { token: TOKENS.feishuExpired, kind: 'user', brand: 'feishu', name: '张三', scopes: ALL_SCOPES, expired: true },
      { token: TOKENS.feishuNoMediaScope, kind: 'user', brand: 'feishu', name: '李四', scopes: ['docx:document:readonly'] },
      { token: TOKENS.larkUser, kind: 'user', brand: 'lark', name: 'Alex Kim', scopes: ALL_SCOPES },
    ],
    documents: [
      { id: DOCS.weekly, brand: 'feishu', title: weeklyTitle, blocks: buildBlocks(DOCS.weekly, weeklyTitle, weekly), readers: 'all' },
      {
        id: DOCS.private,
        brand: 'feishu',
        title: '内部文档',
        blocks: buildBlocks(DOCS.private, '内部文档', [{ type: 'file', media: f.privateFile }]),
        readers: [TOKENS.feishuTenant, APPS.feishu.appId],
      },
      { id: DOCS.empty, brand: 'feishu', title: '空白文档', blocks: buildBlocks(DOCS.empty, '空白文档', paragraphs(1, 3)), readers: 'all' },
      {
        id: DOCS.lark,
        brand: 'lark',
        title: 'Quarterly Review',
        blocks: buildBlocks(DOCS.lark, 'Quarterly Review', [
          { type: 'heading', text: 'Materials' },
          { type: 'file', media: f.larkDeck },
          { type: 'image', media: f.larkShot },
        ]),
        readers: 'all',
      },
    ],
    media: Object.values(f),
    files: f,
  };
}
