/**
 * Bases (多维表格): app meta, tables, fields, record search, and the `extra` rule of advanced-permission bases.
 * Contract: shared/reference/feishu-api.md §4, and the Lark docs mirror of the same pages (get app, list tables,
 * list fields, search records, record data structure). Bitable errors are mostly HTTP 200 + code 1254xxx [V].
 *
 * [V] verified in the docs:
 *   - routes, response shapes; `fields` keyed by field NAME; attachment values `{file_token, name, size, type, url,
 *     tmp_url}`; lookup (19) and formula (20) values wrapped as `{type, value: [...]}`; empty cells are left out.
 *   - limits: 20/s on every route here; page_size max 100 (tables, fields), 500 (search); fields default 20.
 *   - scopes (any of): get app base:app:read | bitable:app | bitable:app:readonly; tables base:table:read | …;
 *     fields base:field:read | …; search base:record:retrieve | bitable:app | bitable:app:readonly.
 *   - codes: 1254000 WrongRequestJson, 1254001 WrongRequestBody, 1254002 Fail (bad page_token), 1254003
 *     WrongBaseToken, 1254004 WrongTableId, 1254005 WrongViewId, 1254011 (HTTP 400) page_size ≤ 0, 1254016
 *     InvalidSort, 1254018 InvalidFilter, 1254024 InvalidFieldNames, 1254040 BaseTokenNotFound, 1254041
 *     TableIdNotFound, 1254045 FieldNameNotFound, 1254302 (HTTP 403 on list tables) role has no permissions.
 *   - advanced-permission base, caller without manage permission: search succeeds with empty data.
 *   - media of an advanced base need `extra` (tmp-url answers 403 without it, download 400); documented form
 *     `{"bitablePerm":{"tableId":…,"attachments":{<field_id>:{<record_id>:[<token>…]}}}}`, server-generated form
 *     `{"bitablePerm":{"tableId":…,"rev":…}}` in the records' url / tmp_url. Download: 403 when the caller cannot
 *     manage an advanced base.
 *
 * [I] inferred (docs silent):
 *   - default page_size 20 for tables and search (documented only for fields).
 *   - page_size that is not an integer, or above the maximum: HTTP 400, code 99992402 "field validation failed"
 *     (the gateway's generic validation error); user_id_type other than open_id/union_id/user_id: same.
 *   - app token of the right shape (20–40 letters/digits) but unknown → 1254040; any other shape → 1254003. Table id
 *     `tbl` + 13 letters/digits but unknown → 1254041; any other shape → 1254004. Both HTTP 200.
 *   - bad page_token → 1254002 (HTTP 200) on every route; a token is bound to its route, base and table.
 *   - caller not among the base's readers → HTTP 403 + 1254302 on every route.
 *   - view_id: the sandbox has one (unnamed) view per table showing every record; any id `vew…` is that view,
 *     another shape → 1254005. Ignored when filter or sort is given (documented).
 *   - sort on an unknown field → 1254016; filter on an unknown field, or unknown operator / conjunction → 1254018;
 *     field_names not a list of ≤ 200 strings → 1254024.
 *   - filter compares cell TEXT (numbers as numbers); attachments compare by file name; 'like' / 'in' (documented
 *     as not yet supported) → 1254018.
 *   - app `revision` = the highest table revision; time_zone Asia/Shanghai; formula_type 2; advance_version v2.
 *   - url / tmp_url use the host the search was sent to; lookup / formula attachments get the searched table's extra.
 *   - `extra` `rev` must equal the table's revision; the `attachments` form must list the token under the field
 *     (attachment or lookup field) and record that show it. A refused media call answers 400 + 1061002 (download)
 *     or 403 + 1061004 (tmp-url); a caller who cannot manage the base: 403 + 1061004.
 *   - 429 (not 400) when a bitable rate limit is hit.
 */
import type { SandboxBase, SandboxBaseField, SandboxBaseRecord, SandboxBaseTable, SandboxMedia } from '../world';
import { canRead, fail, jsonBody, ok, perSecond, requireScope, type ApiContext, type ApiOutcome, type Route } from './context';

export const BITABLE_TABLES_MAX_PAGE_SIZE = 100;
export const BITABLE_FIELDS_MAX_PAGE_SIZE = 100;
export const BITABLE_SEARCH_MAX_PAGE_SIZE = 500;
export const BITABLE_DEFAULT_PAGE_SIZE = 20;
export const BITABLE_FIELD_NAMES_MAX = 200;

const APP_SCOPES = ['base:app:read', 'bitable:app', 'bitable:app:readonly'];
const TABLE_SCOPES = ['base:table:read', 'bitable:app', 'bitable:app:readonly'];
const FIELD_SCOPES = ['base:field:read', 'bitable:app', 'bitable:app:readonly'];
const SEARCH_SCOPES = ['base:record:retrieve', 'bitable:app', 'bitable:app:readonly'];

/** Field types (the API's enum). */
export const FIELD_TYPE = { text: 1, number: 2, date: 5, attachment: 17, link: 18, lookup: 19, formula: 20 } as const;

const UI_TYPES: Readonly<Record<number, string>> = {
  1: 'Text',
  2: 'Number',
  3: 'SingleSelect',
  4: 'MultiSelect',
  5: 'DateTime',
  7: 'Checkbox',
  11: 'User',
  13: 'Phone',
  15: 'Url',
  17: 'Attachment',
  18: 'SingleLink',
  19: 'Lookup',
  20: 'Formula',
  21: 'DuplexLink',
};

/** Fixtures may give a field the API's `property` object (the world type does not model it). */
export interface SandboxBaseFieldWithProperty extends SandboxBaseField {
  readonly property?: Readonly<Record<string, unknown>> | null;
}

/** An attachment as stored in a fixture cell; the server adds `url` and `tmp_url` when it answers. */
export interface BaseAttachmentValue {
  readonly file_token: string;
  readonly name: string;
  readonly size: number;
  readonly type: string;
}

/** The value an attachment cell holds for `media` (without the server-made links). */
export function attachmentValue(media: SandboxMedia): BaseAttachmentValue {
  return { file_token: media.token, name: media.fileName, size: media.bytes.length, type: media.mimeType };
}

// --- helpers -------------------------------------------------------------------------------------------------------

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isBase = (value: SandboxBase | ApiOutcome): value is SandboxBase => 'appToken' in value;

/** Bitable errors: HTTP 200 unless documented otherwise. */
const bitableError = (ctx: ApiContext, code: number, msg: string, status = 200): ApiOutcome => fail(ctx, status, code, msg);

function findBase(ctx: ApiContext, appToken: string): SandboxBase | ApiOutcome {
  const base = (ctx.world.bases ?? []).find((b) => b.appToken === appToken && b.brand === ctx.brand);
  if (!base) {
    return /^[A-Za-z0-9]{20,40}$/.test(appToken) ? bitableError(ctx, 1254040, 'BaseTokenNotFound') : bitableError(ctx, 1254003, 'WrongBaseToken');
  }
  if (!canRead(ctx.token, base.readers)) return bitableError(ctx, 1254302, 'The role has no permissions.', 403);
  return base;
}

interface Located {
  readonly base: SandboxBase;
  readonly table: SandboxBaseTable;
}

function findTable(ctx: ApiContext, appToken: string, tableId: string): Located | ApiOutcome {
  const base = findBase(ctx, appToken);
  if (!isBase(base)) return base;
  const table = base.tables.find((t) => t.tableId === tableId);
  if (!table) {
    return /^tbl[A-Za-z0-9]{13}$/.test(tableId) ? bitableError(ctx, 1254041, 'TableIdNotFound') : bitableError(ctx, 1254004, 'WrongTableId');
  }
  return { base, table };
}

const isLocated = (value: Located | ApiOutcome): value is Located => 'table' in value;

interface Paging {
  readonly size: number;
  readonly offset: number;
}

/** Reads page_size / page_token; `scope` binds page tokens to one route and container. */
function readPaging(ctx: ApiContext, scope: string, max: number): Paging | ApiOutcome {
  const raw = ctx.url.searchParams.get('page_size');
  let size = BITABLE_DEFAULT_PAGE_SIZE;
  if (raw !== null) {
    if (!/^-?\d+$/.test(raw.trim())) return fail(ctx, 400, 99992402, 'field validation failed');
    size = Number(raw);
    if (size <= 0) return fail(ctx, 400, 1254011, 'Page size must greater than 0.');
    if (size > max) return fail(ctx, 400, 99992402, 'field validation failed');
  }
  let offset = 0;
  const pageToken = ctx.url.searchParams.get('page_token');
  if (pageToken !== null && pageToken !== '') {
    const decoded = decodePageToken(pageToken);
    if (!decoded || decoded.scope !== scope) return bitableError(ctx, 1254002, 'Fail');
    offset = decoded.offset;
  }
  return { size, offset };
}

const isPaging = (value: Paging | ApiOutcome): value is Paging => 'size' in value;

function encodePageToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify([scope, offset])).toString('base64url');
}

function decodePageToken(token: string): { scope: string; offset: number } | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || !Number.isInteger(parsed[1]) || (parsed[1] as number) < 0) return null;
    return { scope: parsed[0], offset: parsed[1] as number };
  } catch {
    return null;
  }
}

/** One page of `items`, in the bitable list shape (page_token only while has_more). */
function pageOf<T>(items: readonly T[], paging: Paging, scope: string): { has_more: boolean; page_token?: string; total: number; items: T[] } | null {
  if (paging.offset > items.length) return null;
  const next = paging.offset + paging.size;
  const hasMore = next < items.length;
  return {
    has_more: hasMore,
    ...(hasMore ? { page_token: encodePageToken(scope, next) } : {}),
    total: items.length,
    items: items.slice(paging.offset, next),
  };
}

// --- cells ---------------------------------------------------------------------------------------------------------

/** The attachments a cell shows: an attachment field's list, or a lookup / formula that wraps attachments. */
function attachmentsIn(field: SandboxBaseField, cell: unknown): BaseAttachmentValue[] {
  let list: unknown = undefined;
  if (field.type === FIELD_TYPE.attachment) list = cell;
  else if ((field.type === FIELD_TYPE.lookup || field.type === FIELD_TYPE.formula) && isRecord(cell) && cell['type'] === FIELD_TYPE.attachment) list = cell['value'];
  if (!Array.isArray(list)) return [];
  return list.filter((a): a is BaseAttachmentValue => isRecord(a) && typeof a['file_token'] === 'string');
}

function isEmptyCell(cell: unknown): boolean {
  if (cell === undefined || cell === null || cell === '') return true;
  if (Array.isArray(cell)) return cell.length === 0;
  if (isRecord(cell) && 'value' in cell) return isEmptyCell(cell['value']);
  if (isRecord(cell) && 'link_record_ids' in cell) return isEmptyCell(cell['link_record_ids']);
  return false;
}

/** What filters and sorts compare: numbers as numbers, everything else as its visible text. */
function cellKey(cell: unknown): string | number {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'string' || typeof cell === 'boolean') return String(cell);
  if (Array.isArray(cell)) {
    if (cell.length === 1 && typeof cell[0] === 'number') return cell[0];
    const part = (item: unknown) =>
      isRecord(item) ? (typeof item['text'] === 'string' ? item['text'] : typeof item['name'] === 'string' ? item['name'] : '') : String(item);
    return cell.map(part).join('');
  }
  if (isRecord(cell)) {
    if ('value' in cell) return cellKey(cell['value']);
    if (Array.isArray(cell['link_record_ids'])) return (cell['link_record_ids'] as unknown[]).join(',');
    if (typeof cell['text'] === 'string') return cell['text'];
  }
  return '';
}

function attachmentLinks(ctx: ApiContext, base: SandboxBase, table: SandboxBaseTable, attachment: BaseAttachmentValue): Record<string, unknown> {
  const origin = `https://${ctx.url.host}/open-apis/drive/v1/medias`;
  const extra = base.isAdvanced ? `extra=${encodeURIComponent(JSON.stringify({ bitablePerm: { tableId: table.tableId, rev: table.revision } }))}` : '';
  const token = attachment.file_token;
  return {
    file_token: token,
    name: attachment.name,
    size: attachment.size,
    type: attachment.type,
    url: `${origin}/${token}/download${extra ? `?${extra}` : ''}`,
    tmp_url: `${origin}/batch_get_tmp_download_url?file_tokens=${token}${extra ? `&${extra}` : ''}`,
  };
}

function renderCell(ctx: ApiContext, base: SandboxBase, table: SandboxBaseTable, field: SandboxBaseField, cell: unknown): unknown {
  if (field.type === FIELD_TYPE.attachment && Array.isArray(cell)) {
    return attachmentsIn(field, cell).map((a) => attachmentLinks(ctx, base, table, a));
  }
  if ((field.type === FIELD_TYPE.lookup || field.type === FIELD_TYPE.formula) && isRecord(cell) && cell['type'] === FIELD_TYPE.attachment) {
    return { ...cell, value: attachmentsIn(field, cell).map((a) => attachmentLinks(ctx, base, table, a)) };
  }
  return cell;
}

// --- record search -------------------------------------------------------------------------------------------------

const OPERATORS = ['is', 'isNot', 'contains', 'doesNotContain', 'isEmpty', 'isNotEmpty', 'isGreater', 'isGreaterEqual', 'isLess', 'isLessEqual'];

interface Condition {
  readonly field: SandboxBaseField;
  readonly operator: string;
  readonly value: readonly string[];
}

interface SearchQuery {
  readonly fieldNames?: readonly string[];
  readonly sort: readonly { readonly field: SandboxBaseField; readonly desc: boolean }[];
  readonly filter?: { readonly conjunction: 'and' | 'or'; readonly conditions: readonly Condition[] };
  readonly automaticFields: boolean;
}

/** Validates the search body against `table`; the refusal, or the query. */
function readSearchBody(ctx: ApiContext, table: SandboxBaseTable): SearchQuery | ApiOutcome {
  const body = jsonBody(ctx);
  if (body === null) return bitableError(ctx, 1254000, 'WrongRequestJson');
  if (body !== undefined && !isRecord(body)) return bitableError(ctx, 1254001, 'WrongRequestBody');
  const input = body ?? {};
  const byName = (name: unknown) => table.fields.find((f) => f.name === name);

  let fieldNames: string[] | undefined;
  if (input['field_names'] !== undefined) {
    const names = input['field_names'];
    if (!Array.isArray(names) || names.length > BITABLE_FIELD_NAMES_MAX || !names.every((n) => typeof n === 'string')) {
      return bitableError(ctx, 1254024, 'InvalidFieldNames');
    }
    const unknown = names.find((n) => !byName(n));
    if (unknown !== undefined) return bitableError(ctx, 1254045, `FieldNameNotFound: ${unknown}`);
    fieldNames = names;
  }

  const sort: { field: SandboxBaseField; desc: boolean }[] = [];
  if (input['sort'] !== undefined) {
    if (!Array.isArray(input['sort']) || input['sort'].length > 100) return bitableError(ctx, 1254016, 'InvalidSort');
    for (const entry of input['sort'] as unknown[]) {
      const field = isRecord(entry) ? byName(entry['field_name']) : undefined;
      if (!isRecord(entry) || !field || (entry['desc'] !== undefined && typeof entry['desc'] !== 'boolean')) return bitableError(ctx, 1254016, 'InvalidSort');
      sort.push({ field, desc: entry['desc'] === true });
    }
  }

  let filter: SearchQuery['filter'];
  if (input['filter'] !== undefined && input['filter'] !== null) {
    const raw = input['filter'];
    if (!isRecord(raw) || (raw['conjunction'] !== 'and' && raw['conjunction'] !== 'or')) return bitableError(ctx, 1254018, 'InvalidFilter');
    const rawConditions = raw['conditions'] ?? [];
    if (!Array.isArray(rawConditions) || rawConditions.length > 50) return bitableError(ctx, 1254018, 'InvalidFilter');
    const conditions: Condition[] = [];
    for (const condition of rawConditions as unknown[]) {
      if (!isRecord(condition)) return bitableError(ctx, 1254018, 'InvalidFilter');
      const field = byName(condition['field_name']);
      const operator = condition['operator'];
      const value = condition['value'] ?? [];
      if (!field || typeof operator !== 'string' || !OPERATORS.includes(operator)) return bitableError(ctx, 1254018, 'InvalidFilter');
      if (!Array.isArray(value) || value.length > 10 || !value.every((v) => typeof v === 'string')) return bitableError(ctx, 1254018, 'InvalidFilter');
      conditions.push({ field, operator, value });
    }
    filter = { conjunction: raw['conjunction'], conditions };
  }

  const viewId = input['view_id'];
  if (viewId !== undefined && !filter && sort.length === 0 && (typeof viewId !== 'string' || !/^vew[A-Za-z0-9]{1,47}$/.test(viewId))) {
    return bitableError(ctx, 1254005, 'WrongViewId');
  }
  const automatic = input['automatic_fields'];
  if (automatic !== undefined && typeof automatic !== 'boolean') return bitableError(ctx, 1254001, 'WrongRequestBody');
  return { fieldNames, sort, filter, automaticFields: automatic === true };
}

const isQuery = (value: SearchQuery | ApiOutcome): value is SearchQuery => 'sort' in value;

function matches(record: SandboxBaseRecord, condition: Condition): boolean {
  const cell = record.fields[condition.field.name];
  const key = cellKey(cell);
  const target = condition.value[0] ?? '';
  const number = (v: string | number) => (typeof v === 'number' ? v : Number(v));
  switch (condition.operator) {
    case 'isEmpty':
      return isEmptyCell(cell);
    case 'isNotEmpty':
      return !isEmptyCell(cell);
    case 'is':
      return String(key) === target;
    case 'isNot':
      return String(key) !== target;
    case 'contains':
      return condition.value.some((v) => String(key).includes(v));
    case 'doesNotContain':
      return !condition.value.some((v) => String(key).includes(v));
    case 'isGreater':
      return !isEmptyCell(cell) && number(key) > Number(target);
    case 'isGreaterEqual':
      return !isEmptyCell(cell) && number(key) >= Number(target);
    case 'isLess':
      return !isEmptyCell(cell) && number(key) < Number(target);
    case 'isLessEqual':
      return !isEmptyCell(cell) && number(key) <= Number(target);
    default:
      return false;
  }
}

function compareCells(a: unknown, b: unknown): number {
  const emptyA = isEmptyCell(a);
  const emptyB = isEmptyCell(b);
  if (emptyA || emptyB) return emptyA === emptyB ? 0 : emptyA ? 1 : -1;
  const keyA = cellKey(a);
  const keyB = cellKey(b);
  if (typeof keyA === 'number' && typeof keyB === 'number') return keyA - keyB;
  const textA = String(keyA);
  const textB = String(keyB);
  return textA < textB ? -1 : textA > textB ? 1 : 0;
}

const SANDBOX_USER = { name: '张三', en_name: 'Zhang San', email: 'zhangsan@acme-demo.cn' };

function person(userIdType: string): Record<string, unknown> {
  const id = userIdType === 'user_id' ? '5d9bdxgf' : userIdType === 'union_id' ? 'on_6a1c7e2b9f0d4e3c8b5a7f1e2d3c4b5a' : 'ou_7d8a6e6df7621556ce0d21922b676706';
  return { id, ...SANDBOX_USER };
}

function renderRecord(ctx: ApiContext, located: Located, record: SandboxBaseRecord, index: number, query: SearchQuery, userIdType: string): Record<string, unknown> {
  const { base, table } = located;
  const fields: Record<string, unknown> = {};
  for (const field of table.fields) {
    if (query.fieldNames && !query.fieldNames.includes(field.name)) continue;
    const cell = record.fields[field.name];
    if (isEmptyCell(cell)) continue;
    fields[field.name] = renderCell(ctx, base, table, field, cell);
  }
  const item: Record<string, unknown> = { fields, record_id: record.recordId };
  if (query.automaticFields) {
    const created = Date.UTC(2026, 0, 5, 1, 0, 0) + index * 3_600_000;
    Object.assign(item, {
      created_by: person(userIdType),
      created_time: created,
      last_modified_by: person(userIdType),
      last_modified_time: created + 86_400_000,
    });
  }
  return item;
}

// --- routes --------------------------------------------------------------------------------------------------------

const APP = '\\/open-apis\\/bitable\\/v1\\/apps\\/([^/]+)';

export const bitableRoutes: Route[] = [
  {
    method: 'GET',
    pattern: new RegExp(`^${APP}$`),
    endpoint: 'bitable.app.get',
    limits: [perSecond(20)],
    handle(ctx) {
      const denied = requireScope(ctx, APP_SCOPES);
      if (denied) return denied;
      const base = findBase(ctx, ctx.params[0]!);
      if (!isBase(base)) return base;
      return ok(ctx, {
        app: {
          app_token: base.appToken,
          name: base.name,
          revision: Math.max(1, ...base.tables.map((t) => t.revision)),
          is_advanced: base.isAdvanced,
          time_zone: 'Asia/Shanghai',
          formula_type: 2,
          advance_version: 'v2',
        },
      });
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${APP}\\/tables$`),
    endpoint: 'bitable.tables.list',
    limits: [perSecond(20)],
    handle(ctx) {
      const denied = requireScope(ctx, TABLE_SCOPES);
      if (denied) return denied;
      const base = findBase(ctx, ctx.params[0]!);
      if (!isBase(base)) return base;
      const scope = `tables:${base.appToken}`;
      const paging = readPaging(ctx, scope, BITABLE_TABLES_MAX_PAGE_SIZE);
      if (!isPaging(paging)) return paging;
      const page = pageOf(
        base.tables.map((t) => ({ table_id: t.tableId, revision: t.revision, name: t.name })),
        paging,
        scope,
      );
      return page ? ok(ctx, page) : bitableError(ctx, 1254002, 'Fail');
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${APP}\\/tables\\/([^/]+)\\/fields$`),
    endpoint: 'bitable.fields.list',
    limits: [perSecond(20)],
    handle(ctx) {
      const denied = requireScope(ctx, FIELD_SCOPES);
      if (denied) return denied;
      const located = findTable(ctx, ctx.params[0]!, ctx.params[1]!);
      if (!isLocated(located)) return located;
      const viewId = ctx.url.searchParams.get('view_id');
      if (viewId !== null && viewId !== '' && !/^vew[A-Za-z0-9]{1,47}$/.test(viewId)) return bitableError(ctx, 1254005, 'WrongViewId');
      const scope = `fields:${located.base.appToken}:${located.table.tableId}`;
      const paging = readPaging(ctx, scope, BITABLE_FIELDS_MAX_PAGE_SIZE);
      if (!isPaging(paging)) return paging;
      const items = located.table.fields.map((field) => ({
        field_id: field.fieldId,
        field_name: field.name,
        type: field.type,
        ui_type: field.uiType ?? UI_TYPES[field.type] ?? 'Text',
        is_primary: field.isPrimary === true,
        is_hidden: false,
        property: (field as SandboxBaseFieldWithProperty).property ?? null,
      }));
      const page = pageOf(items, paging, scope);
      return page ? ok(ctx, page) : bitableError(ctx, 1254002, 'Fail');
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${APP}\\/tables\\/([^/]+)\\/records\\/search$`),
    endpoint: 'bitable.records.search',
    limits: [perSecond(20)],
    handle(ctx) {
      const denied = requireScope(ctx, SEARCH_SCOPES);
      if (denied) return denied;
      const located = findTable(ctx, ctx.params[0]!, ctx.params[1]!);
      if (!isLocated(located)) return located;
      const { base, table } = located;
      const userIdType = ctx.url.searchParams.get('user_id_type') ?? 'open_id';
      if (!['open_id', 'union_id', 'user_id'].includes(userIdType)) return fail(ctx, 400, 99992402, 'field validation failed');
      const scope = `records:${base.appToken}:${table.tableId}`;
      const paging = readPaging(ctx, scope, BITABLE_SEARCH_MAX_PAGE_SIZE);
      if (!isPaging(paging)) return paging;
      const query = readSearchBody(ctx, table);
      if (!isQuery(query)) return query;

      // Advanced permissions: without manage permission the search succeeds with empty data (documented).
      if (base.isAdvanced && !canRead(ctx.token, base.managers ?? [])) return ok(ctx, { has_more: false, total: 0, items: [] });

      let rows = table.records.map((record, index) => ({ record, index }));
      const filter = query.filter;
      if (filter && filter.conditions.length > 0) {
        rows = rows.filter(({ record }) =>
          filter.conjunction === 'and' ? filter.conditions.every((c) => matches(record, c)) : filter.conditions.some((c) => matches(record, c)),
        );
      }
      if (query.sort.length > 0) {
        rows = [...rows].sort((a, b) => {
          for (const { field, desc } of query.sort) {
            const order = compareCells(a.record.fields[field.name], b.record.fields[field.name]);
            if (order !== 0) return desc ? -order : order;
          }
          return a.index - b.index;
        });
      }
      const page = pageOf(rows, paging, scope);
      if (!page) return bitableError(ctx, 1254002, 'Fail');
      return ok(ctx, { ...page, items: page.items.map(({ record, index }) => renderRecord(ctx, located, record, index, query, userIdType)) });
    },
  },
];

// --- the `extra` rule of advanced-permission bases -------------------------------------------------------------

interface AttachmentSpot {
  readonly base: SandboxBase;
  readonly table: SandboxBaseTable;
  readonly fieldId: string;
  readonly recordId: string;
}

/** Where `token` shows in advanced-permission bases of the caller's brand (attachment, lookup and formula cells). */
function advancedSpots(ctx: ApiContext, token: string): AttachmentSpot[] {
  const spots: AttachmentSpot[] = [];
  for (const base of ctx.world.bases ?? []) {
    if (!base.isAdvanced || base.brand !== ctx.brand) continue;
    for (const table of base.tables) {
      for (const record of table.records) {
        for (const field of table.fields) {
          if (attachmentsIn(field, record.fields[field.name]).some((a) => a.file_token === token)) {
            spots.push({ base, table, fieldId: field.fieldId, recordId: record.recordId });
          }
        }
      }
    }
  }
  return spots;
}

function extraCovers(extra: Record<string, unknown>, spot: AttachmentSpot, token: string): boolean {
  if (extra['tableId'] !== spot.table.tableId) return false;
  const attachments = extra['attachments'];
  if (isRecord(attachments)) {
    const byRecord = attachments[spot.fieldId];
    const tokens = isRecord(byRecord) ? byRecord[spot.recordId] : undefined;
    if (Array.isArray(tokens) && tokens.includes(token)) return true;
  }
  return typeof extra['rev'] === 'number' && extra['rev'] === spot.table.revision;
}

/**
 * Null when `media` is not in an advanced base, or the caller may fetch it and `extra` is correct; otherwise the
 * refusal (with `status`: 403 for tmp URLs, 400 for downloads, as documented).
 */
export function checkExtraForBase(ctx: ApiContext, media: SandboxMedia, status: 400 | 403): ApiOutcome | null {
  const spots = advancedSpots(ctx, media.token);
  if (spots.length === 0) return null;
  if (!spots.some((spot) => canRead(ctx.token, spot.base.managers ?? []))) {
    return fail(ctx, 403, 1061004, 'forbidden. The caller cannot manage this advanced-permission base.');
  }
  const refuse = (why: string) =>
    status === 400 ? fail(ctx, 400, 1061002, `params error. ${why}`) : fail(ctx, 403, 1061004, `forbidden. ${why}`);
  const raw = ctx.url.searchParams.get('extra');
  if (raw === null || raw === '') return refuse('Media of an advanced-permission base need the extra parameter.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return refuse('extra is not JSON.');
  }
  const perm = isRecord(parsed) ? parsed['bitablePerm'] : undefined;
  if (!isRecord(perm)) return refuse('extra has no bitablePerm.');
  return spots.some((spot) => canRead(ctx.token, spot.base.managers ?? []) && extraCovers(perm, spot, media.token))
    ? null
    : refuse(`extra does not cover ${media.token}.`);
}
