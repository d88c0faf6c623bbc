/**
 * Attachments of a spreadsheet: attachment cells and cell images read through the values API in row chunks
 * (several small ranges packed into one `values_batch_get` call, never more cells a call than keeps the answer
 * far under its 10 MB cap), plus floating images. Each sheet's files go in a sub-folder named after the sheet.
 */
import type { Attachment, PartialProblem } from '../core/attachment';
import { ProblemError, toProblem, type Problem } from '../core/problem';
import { FEISHU_ENDPOINTS, segment, type FeishuClient } from './client';
import { FloatImagesSchema, SheetsQuerySchema, SpreadsheetSchema, ValueRangesSchema } from './schemas';

/** Cells per call. Ordinary cells are tens of bytes, attachment cells a few hundred: ~1-3 MB per answer. */
export const CELLS_PER_CALL = 10_000;
/** Ranges per call, which keeps the query string short. */
const RANGES_PER_CALL = 20;

export interface SheetInfo {
  readonly sheetId: string;
  readonly title: string;
  readonly rows: number;
  readonly columns: number;
}

export interface RowRange {
  readonly sheet: SheetInfo;
  /** 1-based, inclusive. */
  readonly startRow: number;
  readonly endRow: number;
}

export interface CellRef {
  readonly token: string;
  readonly kind: 'file' | 'image';
  /** The attachment's file name; null for images, which have none. */
  readonly name: string | null;
  /** A1 address, e.g. "C7". */
  readonly cell: string;
  readonly size?: number;
  readonly mimeType?: string;
}

/** 1 → A, 26 → Z, 27 → AA. */
export function columnName(index: number): string {
  let n = index;
  let name = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    name = String.fromCharCode(65 + rest) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}

export function rangeString(range: RowRange): string {
  return `${range.sheet.sheetId}!A${range.startRow}:${columnName(Math.max(1, range.sheet.columns))}${range.endRow}`;
}

/**
 * Splits every sheet into row chunks and packs them into as few calls as fit: each call is filled up to `budget`
 * cells (a sheet may continue in the next call) and at most 20 ranges; a row wider than the budget goes alone.
 */
export function planReads(sheets: readonly SheetInfo[], budget = CELLS_PER_CALL): RowRange[][] {
  const calls: RowRange[][] = [];
  let current: RowRange[] = [];
  let cells = 0;
  const flush = () => {
    if (current.length > 0) calls.push(current);
    current = [];
    cells = 0;
  };
  for (const sheet of sheets) {
    if (sheet.rows <= 0 || sheet.columns <= 0) continue;
    for (let start = 1; start <= sheet.rows; ) {
      if (current.length >= RANGES_PER_CALL) flush();
      let rows = Math.floor((budget - cells) / sheet.columns);
      if (rows < 1) {
        if (current.length > 0) {
          flush();
          continue;
        }
        rows = 1;
      }
      const end = Math.min(sheet.rows, start + rows - 1);
      current.push({ sheet, startRow: start, endRow: end });
      cells += (end - start + 1) * sheet.columns;
      start = end + 1;
    }
  }
  flush();
  return calls;
}

/** Every attachment and image object in a block of rows, wherever it is nested in a cell. */
export function collectCellAttachments(rows: readonly (readonly unknown[] | null)[], startRow: number): CellRef[] {
  const refs: CellRef[] = [];
  rows.forEach((row, r) => {
    row?.forEach((cell, c) => {
      const address = `${columnName(c + 1)}${startRow + r}`;
      walk(cell, (found) => refs.push({ ...found, cell: address }), 0);
    });
  });
  return refs;
}

function walk(value: unknown, found: (ref: Omit<CellRef, 'cell'>) => void, depth: number): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) walk(item, found, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  const token = record['fileToken'] ?? record['file_token'];
  if (typeof token === 'string' && /^[A-Za-z0-9_-]{6,128}$/.test(token)) {
    const type = typeof record['type'] === 'string' ? record['type'] : '';
    const isImage = type === 'embed-image' || type === 'image';
    const text = typeof record['text'] === 'string' ? record['text'].trim() : typeof record['name'] === 'string' ? record['name'].trim() : '';
    found({
      token,
      kind: isImage ? 'image' : 'file',
      name: isImage ? null : text || null,
      ...(typeof record['size'] === 'number' && record['size'] >= 0 ? { size: Math.floor(record['size']) } : {}),
      ...(typeof record['mimeType'] === 'string' ? { mimeType: record['mimeType'] } : {}),
    });
    return;
  }
  for (const child of Object.values(record)) walk(child, found, depth + 1);
}

/** Problems that no smaller range can fix. */
const CALL_WIDE: ReadonlySet<Problem['kind']> = new Set([
  'credentials-missing',
  'token-invalid',
  'token-expired',
  'scope-missing',
  'rate-limited',
  'network',
  'host-permission-missing',
  'not-shared',
  'not-found',
  'app-credentials-invalid',
  'sign-in-required',
]);

export interface SpreadsheetScan {
  readonly title: string;
  readonly attachments: Attachment[];
  readonly partial: PartialProblem[];
}

export interface SpreadsheetOptions {
  /** The sheet in the URL (`?sheet=`): listed first. */
  readonly firstSheetId?: string;
  /** An embedded sheet of a document: only this sheet, and no spreadsheet title is needed. */
  readonly onlySheetId?: string;
}

export async function listSpreadsheet(client: FeishuClient, token: string, options: SpreadsheetOptions = {}): Promise<SpreadsheetScan> {
  const base = `sheets/v3/spreadsheets/${segment(token)}`;
  const [meta, query] = await Promise.all([
    options.onlySheetId ? Promise.resolve(null) : client.request(FEISHU_ENDPOINTS.sheetsMeta, { path: base }, SpreadsheetSchema),
    client.request(FEISHU_ENDPOINTS.sheetsQuery, { path: `${base}/sheets/query` }, SheetsQuerySchema),
  ]);
  let sheets = query.sheets
    .filter((s) => s.resource_type === undefined || s.resource_type === 'sheet')
    .map((s) => ({ sheetId: s.sheet_id, title: s.title?.trim() || s.sheet_id, rows: s.grid_properties?.row_count ?? 0, columns: s.grid_properties?.column_count ?? 0 }));
  if (options.onlySheetId) sheets = sheets.filter((s) => s.sheetId === options.onlySheetId);
  if (options.firstSheetId) sheets.sort((a, b) => Number(b.sheetId === options.firstSheetId) - Number(a.sheetId === options.firstSheetId));

  const partial: PartialProblem[] = [];
  const cells = new Map<string, CellRef[]>();
  for (const call of planReads(sheets)) {
    for (const [range, refs] of await readRanges(client, token, call, partial)) {
      cells.set(range.sheet.sheetId, [...(cells.get(range.sheet.sheetId) ?? []), ...refs]);
    }
  }

  const attachments: Attachment[] = [];
  const seen = new Set<string>();
  for (const sheet of sheets) {
    const refs = [...(cells.get(sheet.sheetId) ?? [])];
    try {
      const floating = await client.request(
        FEISHU_ENDPOINTS.sheetsFloatImages,
        { path: `${base}/sheets/${segment(sheet.sheetId)}/float_images/query` },
        FloatImagesSchema,
      );
      for (const item of floating.items) {
        const cell = /!([A-Z]+\d+)/.exec(item.range ?? '')?.[1] ?? item.float_image_id ?? 'floating';
        refs.push({ token: item.float_image_token, kind: 'image', name: `floating-image-${cell}`, cell });
      }
    } catch (error) {
      const problem = toProblem(error);
      if (CALL_WIDE.has(problem.kind) && problem.kind !== 'not-found') throw error;
      partial.push({ where: `${sheet.title} · floating images`, problem });
    }
    for (const ref of refs) {
      if (seen.has(ref.token)) continue;
      seen.add(ref.token);
      attachments.push({
        id: `feishu-media:${ref.token}`,
        name: ref.name ?? `image-${ref.cell}`,
        nameIsGenerated: ref.kind === 'image' || ref.name === null,
        kind: ref.kind,
        ...(ref.size !== undefined ? { size: ref.size } : {}),
        ...(ref.mimeType ? { mimeType: ref.mimeType } : {}),
        source: { type: 'feishu-media', apiBase: client.apiBase, token: ref.token },
        subfolders: [sheet.title],
        where: `${sheet.title} · ${ref.cell}`,
      });
    }
  }
  return { title: meta?.spreadsheet.title?.trim() ?? '', attachments, partial };
}

/**
 * Reads a packed call; a call the server refuses for its size (or any reason a smaller read could avoid) is split
 * (ranges apart, then rows in halves) until it passes or a single row fails, which is then reported for its sheet.
 */
async function readRanges(client: FeishuClient, token: string, ranges: readonly RowRange[], partial: PartialProblem[]): Promise<[RowRange, CellRef[]][]> {
  try {
    const answer = await client.request(
      FEISHU_ENDPOINTS.sheetsValues,
      { path: `sheets/v2/spreadsheets/${segment(token)}/values_batch_get`, query: [['ranges', ranges.map(rangeString).join(',')]] },
      ValueRangesSchema,
    );
    return ranges.map((range, i) => {
      const values = answer.valueRanges[i]?.values ?? [];
      const returnedStart = /![A-Z]+(\d+)/.exec(answer.valueRanges[i]?.range ?? '')?.[1];
      return [range, collectCellAttachments(values, returnedStart ? Number(returnedStart) : range.startRow)];
    });
  } catch (error) {
    const problem = toProblem(error);
    if (!(error instanceof ProblemError) || CALL_WIDE.has(problem.kind)) throw error;
    if (ranges.length > 1) {
      const results: [RowRange, CellRef[]][] = [];
      for (const range of ranges) results.push(...(await readRanges(client, token, [range], partial)));
      return results;
    }
    const [range] = ranges;
    if (!range) return [];
    if (range.endRow > range.startRow) {
      const middle = Math.floor((range.startRow + range.endRow) / 2);
      return [
        ...(await readRanges(client, token, [{ ...range, endRow: middle }], partial)),
        ...(await readRanges(client, token, [{ ...range, startRow: middle + 1 }], partial)),
      ];
    }
    partial.push({ where: `${range.sheet.title} · row ${range.startRow}`, problem });
    return [];
  }
}
