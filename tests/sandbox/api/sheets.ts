/**
 * Spreadsheets: meta (v3), sheets query (v3), values of one range / several ranges (v2), floating images (v3).
 *
 * Documented [V] (project reference §3, Lark docs mirror `GalvinGao/larksuite-docs: docs/server-api/docs/sheets/**`):
 * - scopes (any): drive:drive, drive:drive:readonly, sheets:spreadsheet, sheets:spreadsheet:readonly (values, query,
 *   float images; for the v3 spreadsheet meta the same set is [I]);
 * - v2 values answers `msg: "Success"`, `data.revision`, `data.spreadsheetToken`, `valueRange{majorDimension:'ROWS',
 *   range, revision, values}` / `valueRanges[]` + `totalCells`; "range 为空时表示查询范围没有数据" (an empty `range`
 *   means the range holds no data); the answer is capped at 10 MB; `ToString` returns plain text "except numbers";
 * - range syntax `<sheetId>!A1:B5`, `<sheetId>!A:B`, `<sheetId>!A1:B`, bare `<sheetId>` (= the largest non-empty area);
 * - v3 query / float images errors, all HTTP 400: 1310213 Permission Fail, 1310214 SpreadSheet Not Found,
 *   1310215 Sheet Id Not Found (float images). The v3 docs say 400, so the fake answers 400, not 403/404.
 *
 * [I] inferred:
 * - rate limits (sheets read limits are not documented): 20/s for spreadsheet meta, sheets query and float images,
 *   100/s for values and values_batch_get; answered 429 like other v3-era APIs;
 * - v2 error codes from the public "云文档错误码" table (not in the project reference): 90202 WrongRange (malformed
 *   or reversed range; also a range on a sheet that is not a grid, e.g. resource_type 'bitable'), 90215 SheetIdNotFound,
 *   90213 PermissionFail, 90214 SpreadSheetNotFound, 90221 TooLargeResponse, 90229 WrongURLParam (missing `ranges`,
 *   unknown `valueRenderOption` / `dateTimeRenderOption`); HTTP statuses: 403 for 90213, 404 for 90214, 400 otherwise;
 * - only the four documented range forms are accepted (a lone cell "A1" or rows "1:2" are 90202); column letters
 *   are case-insensitive and the answered `range` spells them in capitals;
 * - clipping: the parts of a range outside the grid are dropped; `range` then names the clipped area; a range with no
 *   value in it (wholly outside the grid, or only empty cells) answers `range: ""` and `values: []`; inside a range
 *   empty cells are `null` and every row has the range's full width;
 * - `ToString`: strings stay, numbers stay numbers, booleans become "true"/"false", segment arrays are joined text,
 *   objects become their `text` (an attachment: its file name), multiple values are joined with ",", a cell image
 *   (which has no text) becomes "" — either way no `fileToken` survives;
 * - `revision` is a fixed 12 for every spreadsheet; v3 meta `owner_id` a fixed open id, `url` on `sandbox.<domain>`;
 * - `grid_properties` only for resource_type 'sheet' (an embedded base has no grid); frozen counts are 0;
 * - float images have no size in the world: width 100, height 100, offsets 0 (the documented sample's values);
 *   a sheet that is not a grid has no floating images (items []).
 */
import type { SandboxSheet, SandboxSpreadsheet } from '../world';
import { BRAND_DOMAINS, canRead, fail, ok, perSecond, requireScope, type ApiContext, type ApiOutcome, type Route } from './context';
import { sendJson } from '../http-util';

export const SHEETS_SCOPES = ['drive:drive', 'drive:drive:readonly', 'sheets:spreadsheet', 'sheets:spreadsheet:readonly'];
/** Documented cap of a values answer: 10 MB. */
export const SHEETS_RESPONSE_CAP_DEFAULT = 10 * 1024 * 1024;
const REVISION = 12;
const OWNER_ID = 'ou_5ad573a6411d72b8305fda3a9c15c70e';
const RENDER_OPTIONS = ['ToString', 'FormattedValue', 'Formula', 'UnformattedValue'];

let responseCap = SHEETS_RESPONSE_CAP_DEFAULT;

/**
 * Sets the cap on values answers (bytes of the JSON body), so a test can make a big read fail without megabytes of
 * data; `undefined` restores the documented 10 MB. Module state: restore it after the test. Returns the previous cap.
 */
export function setSheetsResponseCap(bytes?: number): number {
  const previous = responseCap;
  responseCap = bytes ?? SHEETS_RESPONSE_CAP_DEFAULT;
  return previous;
}

interface BookErrors {
  readonly notFound: [status: number, code: number];
  readonly forbidden: [status: number, code: number];
}
const V3_ERRORS: BookErrors = { notFound: [400, 1310214], forbidden: [400, 1310213] };
const V2_ERRORS: BookErrors = { notFound: [404, 90214], forbidden: [403, 90213] };

type Found = { book: SandboxSpreadsheet } | { refused: ApiOutcome };

function openBook(ctx: ApiContext, token: string, errors: BookErrors): Found {
  const denied = requireScope(ctx, SHEETS_SCOPES);
  if (denied) return { refused: denied };
  const book = (ctx.world.spreadsheets ?? []).find((s) => s.token === token && s.brand === ctx.brand);
  if (!book) return { refused: fail(ctx, errors.notFound[0], errors.notFound[1], 'SpreadSheet Not Found') };
  if (!canRead(ctx.token, book.readers)) return { refused: fail(ctx, errors.forbidden[0], errors.forbidden[1], 'Permission Fail') };
  return { book };
}

const isGrid = (sheet: SandboxSheet) => (sheet.resourceType ?? 'sheet') === 'sheet';

// --- ranges ------------------------------------------------------------------------------------------------------

function columnNumber(letters: string): number {
  let n = 0;
  for (const c of letters.toUpperCase()) n = n * 26 + (c.charCodeAt(0) - 64);
  return n;
}

function columnLetters(n: number): string {
  let s = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s;
}

/** A parsed range: 1-based inclusive bounds; `endRow` undefined = to the last row; `whole` = the bare sheet id. */
interface RangeRequest {
  readonly sheetId: string;
  readonly whole: boolean;
  readonly startRow: number;
  readonly startColumn: number;
  readonly endRow?: number;
  readonly endColumn: number;
}

function parseRange(text: string): RangeRequest | null {
  const bang = text.indexOf('!');
  if (bang < 0) return /^[A-Za-z0-9]+$/.test(text) ? { sheetId: text, whole: true, startRow: 1, startColumn: 1, endColumn: 0 } : null;
  const sheetId = text.slice(0, bang);
  if (!/^[A-Za-z0-9]+$/.test(sheetId)) return null;
  const area = text.slice(bang + 1);
  let m = /^([A-Z]+)([1-9]\d*):([A-Z]+)([1-9]\d*)$/i.exec(area);
  if (m) return { sheetId, whole: false, startColumn: columnNumber(m[1]!), startRow: Number(m[2]), endColumn: columnNumber(m[3]!), endRow: Number(m[4]) };
  m = /^([A-Z]+):([A-Z]+)$/i.exec(area);
  if (m) return { sheetId, whole: false, startColumn: columnNumber(m[1]!), startRow: 1, endColumn: columnNumber(m[2]!) };
  m = /^([A-Z]+)([1-9]\d*):([A-Z]+)$/i.exec(area);
  if (m) return { sheetId, whole: false, startColumn: columnNumber(m[1]!), startRow: Number(m[2]), endColumn: columnNumber(m[3]!) };
  return null;
}

function cellAddress(address: string): { row: number; column: number } {
  const m = /^([A-Z]+)(\d+)$/.exec(address)!;
  return { column: columnNumber(m[1]!), row: Number(m[2]) };
}

const isEmpty = (value: unknown) => value === null || value === undefined || value === '';

// --- rendering ---------------------------------------------------------------------------------------------------

function toText(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((segment) => flatText(segment)).join('');
  return flatText(value);
}

function flatText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object' || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => flatText(v)).join('');
  const record = value as Record<string, unknown>;
  if (record['type'] === 'multipleValue' && Array.isArray(record['values'])) return (record['values'] as unknown[]).map((v) => flatText(v)).join(',');
  return typeof record['text'] === 'string' ? record['text'] : '';
}

interface ValueRange {
  readonly majorDimension: 'ROWS';
  readonly range: string;
  readonly revision: number;
  readonly values: unknown[][];
}

/** Reads one range of a readable spreadsheet: the value range, or the refusal's [status, code, msg]. */
function readRange(book: SandboxSpreadsheet, text: string, render: string | null): ValueRange | [number, number, string] {
  const request = parseRange(text);
  if (!request) return [400, 90202, `Wrong Range: ${text}`];
  const sheet = book.sheets.find((s) => s.sheetId === request.sheetId);
  if (!sheet) return [400, 90215, `sheetId not found: ${request.sheetId}`];
  if (!isGrid(sheet)) return [400, 90202, `Wrong Range: sheet ${sheet.sheetId} is a ${sheet.resourceType ?? ''}, not a grid`];
  if (!request.whole && ((request.endRow !== undefined && request.endRow < request.startRow) || request.endColumn < request.startColumn)) {
    return [400, 90202, `Wrong Range: ${text}`];
  }

  const filled = Object.entries(sheet.cells)
    .filter(([, v]) => !isEmpty(v))
    .map(([address]) => cellAddress(address));
  let startRow = request.startRow;
  let startColumn = request.startColumn;
  let endRow: number;
  let endColumn: number;
  if (request.whole) {
    endRow = filled.reduce((max, c) => Math.max(max, c.row), 0);
    endColumn = filled.reduce((max, c) => Math.max(max, c.column), 0);
  } else {
    endRow = Math.min(request.endRow ?? sheet.rowCount, sheet.rowCount);
    endColumn = Math.min(request.endColumn, sheet.columnCount);
  }
  startRow = Math.max(1, startRow);
  startColumn = Math.max(1, startColumn);
  const hasData = filled.some((c) => c.row >= startRow && c.row <= endRow && c.column >= startColumn && c.column <= endColumn);
  if (!hasData || startRow > endRow || startColumn > endColumn) return { majorDimension: 'ROWS', range: '', revision: REVISION, values: [] };

  const values: unknown[][] = [];
  for (let row = startRow; row <= endRow; row++) {
    const line: unknown[] = [];
    for (let column = startColumn; column <= endColumn; column++) {
      const value = sheet.cells[`${columnLetters(column)}${row}`];
      line.push(isEmpty(value) ? null : render === 'ToString' ? toText(value) : value);
    }
    values.push(line);
  }
  return {
    majorDimension: 'ROWS',
    range: `${sheet.sheetId}!${columnLetters(startColumn)}${startRow}:${columnLetters(endColumn)}${endRow}`,
    revision: REVISION,
    values,
  };
}

/** Checks the render options; null when they are fine. */
function badRenderOptions(ctx: ApiContext): ApiOutcome | null {
  const render = ctx.url.searchParams.get('valueRenderOption');
  if (render !== null && !RENDER_OPTIONS.includes(render)) return fail(ctx, 400, 90229, `Wrong URL Param: valueRenderOption=${render}`);
  const dateTime = ctx.url.searchParams.get('dateTimeRenderOption');
  if (dateTime !== null && dateTime !== 'FormattedString') return fail(ctx, 400, 90229, `Wrong URL Param: dateTimeRenderOption=${dateTime}`);
  return null;
}

/** Sends a v2 values answer (`msg: "Success"`), unless its JSON exceeds the cap. */
function sendValues(ctx: ApiContext, data: Record<string, unknown>): ApiOutcome {
  const body = { code: 0, data, msg: 'Success' };
  const size = Buffer.byteLength(JSON.stringify(body));
  if (size > responseCap) {
    return fail(ctx, 400, 90221, `Too Large Response: the data to return (${size} bytes) exceeds the limit of ${responseCap} bytes; read smaller ranges`);
  }
  sendJson(ctx.reply, 200, body);
  return { code: 0 };
}

// --- routes ------------------------------------------------------------------------------------------------------

export const sheetsRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/open-apis\/sheets\/v3\/spreadsheets\/([^/]+)$/,
    endpoint: 'sheets.spreadsheet.get',
    limits: [perSecond(20)],
    handle(ctx) {
      const found = openBook(ctx, ctx.params[0]!, V3_ERRORS);
      if ('refused' in found) return found.refused;
      const { book } = found;
      return ok(ctx, { spreadsheet: { title: book.title, owner_id: OWNER_ID, token: book.token, url: `https://sandbox.${BRAND_DOMAINS[ctx.brand]}/sheets/${book.token}` } });
    },
  },
  {
    method: 'GET',
    pattern: /^\/open-apis\/sheets\/v3\/spreadsheets\/([^/]+)\/sheets\/query$/,
    endpoint: 'sheets.sheets.query',
    limits: [perSecond(20)],
    handle(ctx) {
      const found = openBook(ctx, ctx.params[0]!, V3_ERRORS);
      if ('refused' in found) return found.refused;
      const sheets = found.book.sheets.map((sheet, index) => ({
        sheet_id: sheet.sheetId,
        title: sheet.title,
        index,
        hidden: sheet.hidden ?? false,
        ...(isGrid(sheet)
          ? { grid_properties: { frozen_row_count: 0, frozen_column_count: 0, row_count: sheet.rowCount, column_count: sheet.columnCount } }
          : {}),
        resource_type: sheet.resourceType ?? 'sheet',
      }));
      return ok(ctx, { sheets });
    },
  },
  {
    method: 'GET',
    pattern: /^\/open-apis\/sheets\/v3\/spreadsheets\/([^/]+)\/sheets\/([^/]+)\/float_images\/query$/,
    endpoint: 'sheets.float-images.query',
    limits: [perSecond(20)],
    handle(ctx) {
      const found = openBook(ctx, ctx.params[0]!, V3_ERRORS);
      if ('refused' in found) return found.refused;
      const sheet = found.book.sheets.find((s) => s.sheetId === ctx.params[1]);
      if (!sheet) return fail(ctx, 400, 1310215, 'Sheet Id Not Found');
      const items = (isGrid(sheet) ? (sheet.floatImages ?? []) : []).map((image) => ({
        float_image_id: image.floatImageId,
        float_image_token: image.token,
        range: image.range,
        width: 100,
        height: 100,
        offset_x: 0,
        offset_y: 0,
      }));
      return ok(ctx, { items });
    },
  },
  {
    method: 'GET',
    pattern: /^\/open-apis\/sheets\/v2\/spreadsheets\/([^/]+)\/values\/([^/]+)$/,
    endpoint: 'sheets.values.get',
    limits: [perSecond(100)],
    handle(ctx) {
      const found = openBook(ctx, ctx.params[0]!, V2_ERRORS);
      if ('refused' in found) return found.refused;
      const badOptions = badRenderOptions(ctx);
      if (badOptions) return badOptions;
      const valueRange = readRange(found.book, ctx.params[1]!, ctx.url.searchParams.get('valueRenderOption'));
      if (Array.isArray(valueRange)) return fail(ctx, ...valueRange);
      return sendValues(ctx, { revision: REVISION, spreadsheetToken: found.book.token, valueRange });
    },
  },
  {
    method: 'GET',
    pattern: /^\/open-apis\/sheets\/v2\/spreadsheets\/([^/]+)\/values_batch_get$/,
    endpoint: 'sheets.values.batch-get',
    limits: [perSecond(100)],
    handle(ctx) {
      const found = openBook(ctx, ctx.params[0]!, V2_ERRORS);
      if ('refused' in found) return found.refused;
      const badOptions = badRenderOptions(ctx);
      if (badOptions) return badOptions;
      const ranges = ctx.url.searchParams
        .getAll('ranges')
        .flatMap((r) => r.split(','))
        .map((r) => r.trim())
        .filter((r) => r !== '');
      if (ranges.length === 0) return fail(ctx, 400, 90229, 'Wrong URL Param: ranges is required');
      const valueRanges: ValueRange[] = [];
      for (const range of ranges) {
        const valueRange = readRange(found.book, range, ctx.url.searchParams.get('valueRenderOption'));
        if (Array.isArray(valueRange)) return fail(ctx, ...valueRange);
        valueRanges.push(valueRange);
      }
      const totalCells = valueRanges.reduce((sum, r) => sum + r.values.reduce((n, row) => n + row.length, 0), 0);
      return sendValues(ctx, { revision: REVISION, spreadsheetToken: found.book.token, totalCells, valueRanges });
    },
  },
];
