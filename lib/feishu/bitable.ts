/**
 * Attachments of a base (多维表格): the table in the URL (or every table), every record through paginated record
 * search asking only for the primary field and the fields that can hold files (attachment, lookup, formula), and
 * every attachment value however it is wrapped. Advanced-permission bases mark each attachment with the table,
 * field and record that the documented `extra` must name.
 */
import type { ZodType } from 'zod';
import type { Attachment, PartialProblem } from '../core/attachment';
import { toProblem } from '../core/problem';
import { FEISHU_ENDPOINTS, segment, type FeishuClient } from './client';
import { BitableAppSchema, BitableFieldsSchema, BitableRecordsSchema, BitableTablesSchema } from './schemas';

/** Field types (record data structure doc): 17 attachment; lookups (19) and formulas (20) may show attachments. */
const ATTACHMENT = 17;
const MAY_HOLD_FILES = new Set([ATTACHMENT, 19, 20]);
const TABLES_PAGE_SIZE = 100;
const FIELDS_PAGE_SIZE = 100;
const RECORDS_PAGE_SIZE = 500;
const MAX_PAGES = 2000;

export interface AttachmentValue {
  readonly token: string;
  readonly name: string | null;
  readonly size?: number;
  readonly mimeType?: string;
}

/** Attachment objects in a field value: a list, or a lookup/formula `{type: 17, value: [...]}`, nested any way. */
export function attachmentValues(value: unknown, depth = 0): AttachmentValue[] {
  if (depth > 6 || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((item) => attachmentValues(item, depth + 1));
  const record = value as Record<string, unknown>;
  const token = record['file_token'];
  if (typeof token === 'string' && /^[A-Za-z0-9_-]{6,128}$/.test(token)) {
    const name = typeof record['name'] === 'string' && record['name'].trim() ? record['name'].trim() : null;
    return [
      {
        token,
        name,
        ...(typeof record['size'] === 'number' && record['size'] >= 0 ? { size: Math.floor(record['size']) } : {}),
        ...(typeof record['type'] === 'string' && record['type'].includes('/') ? { mimeType: record['type'] } : {}),
      },
    ];
  }
  return 'value' in record ? attachmentValues(record['value'], depth + 1) : [];
}

/** A primary field's value as one line of text (text runs, numbers, options, people, links...). */
export function cellText(value: unknown, depth = 0): string {
  if (value === null || value === undefined || depth > 5) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    // The runs of one text (text, mention and link segments) make one line; several values (options, people) a list.
    const runs = value.every((v) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)['text'] === 'string');
    return value.map((v) => cellText(v, depth + 1)).filter(Boolean).join(depth === 0 && !runs ? ', ' : '');
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of ['text', 'name', 'value', 'link']) {
      if (key in record) {
        const text = cellText(record[key], depth + 1);
        if (text) return text;
      }
    }
  }
  return '';
}

export interface BaseScan {
  readonly title: string;
  readonly advanced: boolean;
  readonly attachments: Attachment[];
  readonly partial: PartialProblem[];
  /** Records seen, all tables together. */
  readonly records: number;
}

export interface BaseOptions {
  /** `?table=`: only this table. */
  readonly tableId?: string;
  /** Each record's files in a sub-folder named by its primary field. */
  readonly recordFolders?: boolean;
}

export async function listBase(client: FeishuClient, appToken: string, options: BaseOptions = {}): Promise<BaseScan> {
  const appPath = `bitable/v1/apps/${segment(appToken)}`;
  const [app, tables] = await Promise.all([
    client.request(FEISHU_ENDPOINTS.bitableApp, { path: appPath }, BitableAppSchema),
    allPages(client, FEISHU_ENDPOINTS.bitableTables, `${appPath}/tables`, TABLES_PAGE_SIZE, BitableTablesSchema),
  ]);
  const advanced = app.app.is_advanced === true;
  const chosen = options.tableId ? tables.filter((t) => t.table_id === options.tableId) : tables;
  if (options.tableId && chosen.length === 0) chosen.push({ table_id: options.tableId });

  const found: FoundAttachment[] = [];
  const partial: PartialProblem[] = [];
  let records = 0;
  for (const table of chosen) {
    const tableName = table.name?.trim() || table.table_id;
    try {
      const scan = await listTable(client, appPath, table.table_id, tableName, advanced, options.recordFolders ?? false);
      found.push(...scan.attachments);
      records += scan.records;
    } catch (error) {
      // One table we may not read must not hide the others; a base-wide problem still surfaces when all fail.
      if (chosen.length === 1) throw error;
      partial.push({ where: tableName, problem: toProblem(error) });
    }
  }
  // A file shown through a lookup is another table's attachment: it goes with its own table when that one is
  // listed too, and once only.
  const direct = new Set(found.filter((f) => f.direct).map((f) => f.attachment.id));
  const seen = new Set<string>();
  const attachments: Attachment[] = [];
  for (const { attachment, direct: isDirect } of found) {
    if (seen.has(attachment.id) || (!isDirect && direct.has(attachment.id))) continue;
    seen.add(attachment.id);
    attachments.push(attachment);
  }
  return { title: app.app.name?.trim() ?? '', advanced, attachments, partial, records };
}

interface FoundAttachment {
  readonly attachment: Attachment;
  /** In an attachment field of its table (not shown through a lookup or formula). */
  readonly direct: boolean;
}

async function listTable(
  client: FeishuClient,
  appPath: string,
  tableId: string,
  tableName: string,
  advanced: boolean,
  recordFolders: boolean,
): Promise<{ attachments: FoundAttachment[]; records: number }> {
  const tablePath = `${appPath}/tables/${segment(tableId)}`;
  const fields = await allPages(client, FEISHU_ENDPOINTS.bitableFields, `${tablePath}/fields`, FIELDS_PAGE_SIZE, BitableFieldsSchema);
  const primary = fields.find((f) => f.is_primary === true);
  const fileFields = fields.filter((f) => MAY_HOLD_FILES.has(f.type));
  if (fileFields.length === 0) return { attachments: [], records: 0 };

  const attachments: FoundAttachment[] = [];
  const seen = new Set<string>();
  let records = 0;
  let pageToken: string | undefined;
  const fieldNames = [...new Set([...(primary ? [primary.field_name] : []), ...fileFields.map((f) => f.field_name)])];
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await client.request(
      FEISHU_ENDPOINTS.bitableSearch,
      {
        method: 'POST',
        path: `${tablePath}/records/search`,
        query: [['page_size', String(RECORDS_PAGE_SIZE)], ...(pageToken ? [['page_token', pageToken] as const] : [])],
        // Only the fields that matter: smaller answers, and hidden fields never travel.
        body: { field_names: fieldNames, automatic_fields: false },
      },
      BitableRecordsSchema,
    );
    for (const record of answer.items ?? []) {
      records++;
      const label = (primary ? cellText(record.fields[primary.field_name]).trim() : '') || record.record_id;
      for (const field of fileFields) {
        for (const value of attachmentValues(record.fields[field.field_name])) {
          if (seen.has(value.token)) continue;
          seen.add(value.token);
          attachments.push({ direct: field.type === ATTACHMENT, attachment: {
            id: `feishu-media:${value.token}`,
            name: value.name ?? `attachment-${record.record_id}`,
            nameIsGenerated: value.name === null,
            kind: value.mimeType?.startsWith('image/') ? 'image' : 'file',
            ...(value.size !== undefined ? { size: value.size } : {}),
            ...(value.mimeType ? { mimeType: value.mimeType } : {}),
            source: {
              type: 'feishu-media',
              apiBase: client.apiBase,
              token: value.token,
              ...(advanced ? { bitable: { tableId, fieldId: field.field_id, recordId: record.record_id } } : {}),
            },
            subfolders: recordFolders ? [tableName, label] : [tableName],
            where: `${tableName} · ${label}`,
          } });
        }
      }
    }
    if (!answer.has_more || !answer.page_token || answer.page_token === pageToken) break;
    pageToken = answer.page_token;
  }
  return { attachments, records };
}

async function allPages<T>(
  client: FeishuClient,
  endpoint: (typeof FEISHU_ENDPOINTS)[keyof typeof FEISHU_ENDPOINTS],
  path: string,
  pageSize: number,
  schema: ZodType<{ items: T[] | null; has_more: boolean; page_token?: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await client.request(endpoint, { path, query: [['page_size', String(pageSize)], ...(pageToken ? [['page_token', pageToken] as const] : [])] }, schema);
    items.push(...(answer.items ?? []));
    if (!answer.has_more || !answer.page_token || answer.page_token === pageToken) break;
    pageToken = answer.page_token;
  }
  return items;
}

/**
 * The documented `extra` for media of an advanced-permission base:
 * `{"bitablePerm":{"tableId":…,"attachments":{<field_id>:{<record_id>:[<token>…]}}}}`, for one table's batch.
 */
export function bitableExtra(items: readonly { token: string; bitable: { tableId: string; fieldId: string; recordId: string } }[]): string | undefined {
  const first = items[0];
  if (!first) return undefined;
  const attachments: Record<string, Record<string, string[]>> = {};
  for (const { token, bitable } of items) {
    const byRecord = (attachments[bitable.fieldId] ??= {});
    (byRecord[bitable.recordId] ??= []).push(token);
  }
  return JSON.stringify({ bitablePerm: { tableId: first.bitable.tableId, attachments } });
}
