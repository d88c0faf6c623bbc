/** Lists every attachment of a docx document: file blocks, image blocks and inline files, in document order. */
import type { Attachment, AttachmentListing, PartialProblem } from '../core/attachment';
import { ProblemError, toProblem } from '../core/problem';
import { listBase } from './bitable';
import { FEISHU_ENDPOINTS, segment, type FeishuClient } from './client';
import { BRAND_FOLDERS, type FeishuBrand } from './hosts';
import { listSpreadsheet } from './sheets';
import {
  BlockSchema,
  BlocksPageSchema,
  DocumentSchema,
  FileBlockBodySchema,
  ImageBlockBodySchema,
  TextElementSchema,
  type Block,
} from './schemas';

const BLOCK_PAGE = 1;
const BLOCK_BITABLE = 18;
const BLOCK_FILE = 23;
const BLOCK_IMAGE = 27;
const BLOCK_SHEET = 30;
/** Whiteboard: 43 in the SDKs' enums (not in the public block table). */
const BLOCK_BOARD = 43;
/** The API's maximum page size: the fewest calls for a long document. */
const BLOCKS_PAGE_SIZE = 500;
/** 500 pages of 500 blocks is far beyond any real document; a server that never ends pagination is a bug. */
const MAX_BLOCK_PAGES = 500;

export interface DocxAttachmentRef {
  readonly token: string;
  readonly kind: 'file' | 'image';
  /** File name from a file block, or an image caption; null when the document gives none (inline file, bare image). */
  readonly name: string | null;
}

export interface DocxEmbeds {
  /** Sheet blocks: `sheet.token` is `<spreadsheet_token>_<sheet_id>`. */
  readonly sheets: readonly { readonly spreadsheetToken: string; readonly sheetId: string }[];
  /** Base blocks: `bitable.token` is `<app_token>_<table_id>`. */
  readonly bitables: readonly { readonly appToken: string; readonly tableId: string }[];
  readonly boards: readonly string[];
}

export interface DocxScan {
  /** From the root page block; null when the list had no root. */
  readonly title: string | null;
  readonly refs: readonly DocxAttachmentRef[];
  readonly embeds: DocxEmbeds;
}

/** Pure: turns the flat block list into attachments, de-duplicated by token, in reading order. */
export function scanDocxBlocks(items: readonly unknown[], documentId: string): DocxScan {
  const blocks: Block[] = [];
  for (const item of items) {
    const parsed = BlockSchema.safeParse(item);
    if (parsed.success) blocks.push(parsed.data);
  }
  const byId = new Map(blocks.map((b) => [b.block_id, b]));
  const root = byId.get(documentId) ?? blocks.find((b) => b.block_type === BLOCK_PAGE && !b.parent_id);

  const refs = new Map<string, DocxAttachmentRef>();
  const add = (ref: DocxAttachmentRef) => {
    const existing = refs.get(ref.token);
    if (!existing) refs.set(ref.token, ref);
    else if (existing.name === null && ref.name !== null) refs.set(ref.token, { ...existing, name: ref.name });
  };

  const embeds = { sheets: [] as { spreadsheetToken: string; sheetId: string }[], bitables: [] as { appToken: string; tableId: string }[], boards: [] as string[] };
  for (const block of readingOrder(blocks, byId, root)) {
    if (block.block_type === BLOCK_SHEET || block.block_type === BLOCK_BITABLE) {
      const [left, right] = splitCompositeToken(tokenOf(block[block.block_type === BLOCK_SHEET ? 'sheet' : 'bitable']));
      if (left && right && block.block_type === BLOCK_SHEET) embeds.sheets.push({ spreadsheetToken: left, sheetId: right });
      if (left && right && block.block_type === BLOCK_BITABLE) embeds.bitables.push({ appToken: left, tableId: right });
    } else if (block.block_type === BLOCK_BOARD) {
      const token = tokenOf(block['board']);
      if (token && !embeds.boards.includes(token)) embeds.boards.push(token);
    }
    if (block.block_type === BLOCK_FILE) {
      const file = FileBlockBodySchema.safeParse(block['file']);
      if (file.success) add({ token: file.data.token, kind: 'file', name: nonEmpty(file.data.name) });
    } else if (block.block_type === BLOCK_IMAGE) {
      const image = ImageBlockBodySchema.safeParse(block['image']);
      if (image.success) add({ token: image.data.token, kind: 'image', name: nonEmpty(image.data.caption?.content) });
    }
    for (const token of inlineFileTokens(block)) add({ token, kind: 'file', name: null });
  }

  return { title: root ? textOf(root['page']) : null, refs: [...refs.values()], embeds };
}

function tokenOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || !('token' in body) || typeof body.token !== 'string') return null;
  return /^[A-Za-z0-9_-]{4,200}$/.test(body.token) ? body.token : null;
}

/** `<left>_<right>`: the right part never contains `_` (sheet and table ids), the left part might. */
function splitCompositeToken(token: string | null): [string | null, string | null] {
  const at = token?.lastIndexOf('_') ?? -1;
  if (!token || at <= 0 || at === token.length - 1) return [null, null];
  return [token.slice(0, at), token.slice(at + 1)];
}

/** Depth-first from the root through `children`; blocks the tree does not reach still count, after it. */
function readingOrder(blocks: readonly Block[], byId: ReadonlyMap<string, Block>, root: Block | undefined): Block[] {
  const ordered: Block[] = [];
  const seen = new Set<string>();
  const visit = (start: Block) => {
    const stack = [start];
    while (stack.length > 0) {
      const block = stack.pop()!;
      if (seen.has(block.block_id)) continue;
      seen.add(block.block_id);
      ordered.push(block);
      const children = (block.children ?? []).map((id) => byId.get(id)).filter((b): b is Block => b !== undefined);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  };
  if (root) visit(root);
  for (const block of blocks) if (!seen.has(block.block_id)) visit(block);
  return ordered;
}

/** Inline file elements can sit in any text-like block (text, headings, lists, callouts...): look at all of them. */
function inlineFileTokens(block: Block): string[] {
  const tokens: string[] = [];
  for (const value of Object.values(block)) {
    if (typeof value !== 'object' || value === null || !('elements' in value) || !Array.isArray(value.elements)) continue;
    for (const element of value.elements as unknown[]) {
      const parsed = TextElementSchema.safeParse(element);
      if (parsed.success && parsed.data.file) tokens.push(parsed.data.file.file_token);
    }
  }
  return tokens;
}

function textOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || !('elements' in body) || !Array.isArray(body.elements)) return null;
  const text = (body.elements as unknown[])
    .map((element) => TextElementSchema.safeParse(element))
    .map((parsed) => (parsed.success ? (parsed.data.text_run?.content ?? '') : ''))
    .join('')
    .trim();
  return text || null;
}

function nonEmpty(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** Reads all pages of the block list, one call per 500 blocks. */
export async function fetchAllBlocks(client: FeishuClient, documentId: string): Promise<unknown[]> {
  const items: unknown[] = [];
  const seenTokens = new Set<string>();
  let pageToken: string | undefined;
  for (let pages = 0; pages < MAX_BLOCK_PAGES; pages++) {
    const query: [string, string][] = [['page_size', String(BLOCKS_PAGE_SIZE)], ['document_revision_id', '-1']];
    if (pageToken) query.push(['page_token', pageToken]);
    const page = await client.request(
      FEISHU_ENDPOINTS.blocksList,
      { path: `docx/v1/documents/${segment(documentId)}/blocks`, query },
      BlocksPageSchema,
    );
    items.push(...page.items);
    if (!page.has_more) return items;
    if (!page.page_token || seenTokens.has(page.page_token)) {
      throw new ProblemError({ kind: 'invalid-response', host: client.host, detail: 'block list pagination did not advance' });
    }
    seenTokens.add(page.page_token);
    pageToken = page.page_token;
  }
  throw new ProblemError({ kind: 'invalid-response', host: client.host, detail: 'block list has too many pages' });
}

export interface DocxOptions {
  /** Save whiteboards as images. */
  readonly whiteboards?: boolean;
  /** Embedded bases: each record's files in a sub-folder named by its primary field. */
  readonly recordFolders?: boolean;
}

export async function listDocxAttachments(
  client: FeishuClient,
  document: { readonly token: string; readonly brand: FeishuBrand },
  options: DocxOptions = {},
): Promise<AttachmentListing> {
  const scan = scanDocxBlocks(await fetchAllBlocks(client, document.token), document.token);
  // The root block carries the title; only a list without one costs the extra document call.
  const title =
    scan.title ??
    (
      await client.request(FEISHU_ENDPOINTS.documentGet, { path: `docx/v1/documents/${segment(document.token)}` }, DocumentSchema)
    ).document.title?.trim() ??
    '';
  const attachments = toAttachments(scan.refs, client.apiBase);
  const partial: PartialProblem[] = [];
  const add = (more: readonly Attachment[]) => {
    for (const attachment of more) if (!attachments.some((a) => a.id === attachment.id)) attachments.push(attachment);
  };

  // Embedded sheets and bases bring their own attachments, each under its own sub-folder.
  for (const [index, sheet] of scan.embeds.sheets.entries()) {
    try {
      add((await listSpreadsheet(client, sheet.spreadsheetToken, { onlySheetId: sheet.sheetId })).attachments);
    } catch (error) {
      partial.push({ where: `Embedded sheet ${index + 1}`, problem: toProblem(error) });
    }
  }
  for (const [index, base] of scan.embeds.bitables.entries()) {
    try {
      add((await listBase(client, base.appToken, { tableId: base.tableId, recordFolders: options.recordFolders })).attachments);
    } catch (error) {
      partial.push({ where: `Embedded base ${index + 1}`, problem: toProblem(error) });
    }
  }
  if (options.whiteboards !== false) {
    scan.embeds.boards.forEach((token, index) => {
      add([
        {
          id: `feishu-board:${token}`,
          name: `whiteboard-${pad(index + 1, scan.embeds.boards.length)}.png`,
          nameIsGenerated: false,
          kind: 'image',
          mimeType: 'image/png',
          source: { type: 'feishu-board', apiBase: client.apiBase, token },
          subfolders: [],
          where: 'Whiteboard',
        },
      ]);
    });
  }
  return {
    type: 'attachments',
    title,
    folder: [BRAND_FOLDERS[document.brand], title || `Untitled document ${document.token}`],
    attachments,
    partial,
    hints: [],
  };
}

export function toAttachments(refs: readonly DocxAttachmentRef[], apiBase: string): Attachment[] {
  const imageCount = refs.filter((r) => r.kind === 'image').length;
  const unnamedFileCount = refs.filter((r) => r.kind === 'file' && r.name === null).length;
  let imageIndex = 0;
  let unnamedFileIndex = 0;
  return refs.map((ref) => {
    let name = ref.name;
    if (ref.kind === 'image') {
      imageIndex++;
      name ??= `image-${pad(imageIndex, imageCount)}`;
    } else if (name === null) {
      unnamedFileIndex++;
      name = `attachment-${pad(unnamedFileIndex, unnamedFileCount)}`;
    }
    return {
      id: `feishu-media:${ref.token}`,
      name,
      // Images never come with a type, and unnamed files take their real name from the download's headers.
      nameIsGenerated: ref.kind === 'image' || ref.name === null,
      kind: ref.kind,
      source: { type: 'feishu-media', apiBase, token: ref.token },
      subfolders: [],
    };
  });
}

function pad(index: number, count: number): string {
  return String(index).padStart(Math.max(2, String(count).length), '0');
}
