/**
 * Every attachment of Ekuaibao forms (单据), wherever it sits: the form's own attachments and custom attachment
 * fields, each expense line's attachments, custom fields and invoice photos, and approval-log attachments.
 * The detail payload is walked defensively (reference §2.4): any object with a string `key` and a `fileId` is an
 * attachment, arrays may arrive JSON-encoded as strings, and unexpected places are still found.
 */
import type { Attachment, AttachmentListing, FormOrigin, PartialProblem } from '../core/attachment';
import type { EkuaibaoPage, FormRef } from '../core/page';
import { ProblemError, toProblem, type Problem } from '../core/problem';
import { EKUAIBAO_ENDPOINTS, type EkuaibaoClient } from './client';
import { EKUAIBAO_FOLDER } from './hosts';
import { attachmentName, isDingPanKey, isImageName, parseDingPanKey } from './names';
import { FlowDetailsAnswerSchema, type FlowDetails } from './schemas';

/** A form with more expense lines carrying attachments than this gets one sub-folder per line. */
export const LINE_FOLDERS_FROM = 4;
const MAX_DEPTH = 12;

export interface FoundAttachment {
  readonly fileId: string;
  readonly key: string;
  readonly fileName?: string;
  readonly origin: Omit<FormOrigin, 'form'>;
}

export interface FormScan {
  readonly flowId: string;
  readonly code: string;
  readonly title: string;
  readonly attachments: readonly FoundAttachment[];
  /** Expense lines: fee type names by 1-based number. */
  readonly lines: ReadonlyMap<number, string>;
}

type Json = Record<string, unknown>;

/** Arrays and objects may come JSON-encoded (older endpoints do it); anything else is taken as it is. */
function decoded(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!(text.startsWith('[') || text.startsWith('{'))) return value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return value;
  }
}

function asObject(value: unknown): Json | undefined {
  const v = decoded(value);
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function asArray(value: unknown): unknown[] {
  const v = decoded(value);
  return Array.isArray(v) ? v : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : typeof value === 'number' ? String(value) : undefined;
}

/** `{key, fileId, fileName}`: the documented attachment object. */
function attachmentOf(value: unknown): { fileId: string; key: string; fileName?: string } | null {
  const object = asObject(value);
  if (!object) return null;
  const key = text(object['key']);
  const fileId = text(object['fileId']) ?? text(object['id']);
  if (!key || !fileId || !('fileId' in object || 'fileName' in object)) return null;
  const fileName = text(object['fileName']);
  return { fileId, key, ...(fileName ? { fileName } : {}) };
}

function fieldLabel(name: string): string {
  return name.replace(/^u_/, '');
}

export function scanForm(details: FlowDetails): FormScan {
  const form = asObject(details.form) ?? {};
  const found: FoundAttachment[] = [];
  const seen = new Set<string>();
  const visited = new Set<unknown>();
  const add = (value: unknown, origin: FoundAttachment['origin']) => {
    const attachment = attachmentOf(value);
    if (!attachment) return false;
    const id = `${attachment.fileId}\n${attachment.key}`;
    if (!seen.has(id)) {
      seen.add(id);
      found.push({ ...attachment, origin });
    }
    return true;
  };
  /** Every attachment below `value`, however nested (a custom field of objects, a table of rows…). */
  const walk = (value: unknown, origin: FoundAttachment['origin'], depth = 0) => {
    const v = decoded(value);
    if (depth > MAX_DEPTH || typeof v !== 'object' || v === null || visited.has(v)) return;
    visited.add(v);
    if (add(v, origin)) return;
    for (const child of Array.isArray(v) ? v : Object.values(v as Json)) walk(child, origin, depth + 1);
  };

  for (const item of asArray(form['attachments'])) add(item, { part: 'form' });
  const lines = new Map<number, string>();
  asArray(form['details']).forEach((detail, index) => {
    const line = index + 1;
    const detailObject = asObject(detail) ?? {};
    const feeType = text(asObject(detailObject['feeType'])?.['name']);
    if (feeType) lines.set(line, feeType);
    else lines.set(line, '');
    const feeTypeForm = asObject(detailObject['feeTypeForm']) ?? {};
    const lineOrigin = { part: 'line' as const, line, ...(feeType ? { label: feeType } : {}) };
    for (const item of asArray(feeTypeForm['attachments'])) add(item, lineOrigin);
    const invoiceForm = asObject(feeTypeForm['invoiceForm']);
    for (const item of asArray(invoiceForm?.['attachments'])) add(item, { part: 'invoice', line, ...(feeType ? { label: feeType } : {}) });
    for (const [name, value] of Object.entries(feeTypeForm)) {
      if (name !== 'attachments' && name !== 'invoiceForm') walk(value, lineOrigin);
    }
    // Anything else the line holds (an unexpected place): still the line's.
    walk(invoiceForm, { part: 'invoice', line, ...(feeType ? { label: feeType } : {}) });
    walk(detailObject, lineOrigin);
  });
  for (const [name, value] of Object.entries(form)) {
    if (name === 'attachments' || name === 'details') continue;
    walk(value, name.startsWith('u_') ? { part: 'field', label: fieldLabel(name) } : { part: 'form' });
  }
  for (const log of asArray(details.logs)) {
    const entry = asObject(log) ?? {};
    const action = text(entry['action'])?.replace(/^freeflow\./, '');
    walk(entry['attachments'], { part: 'approval', ...(action ? { label: action } : {}) });
    walk(entry, { part: 'approval', ...(action ? { label: action } : {}) });
  }

  return {
    flowId: text(details.id) ?? '',
    code: text(form['code']) ?? '',
    title: text(form['title']) ?? '',
    attachments: found,
    lines,
  };
}

/** Form details by flow id or by code (`/api/openapi/v1.1/flowDetails[/byCode]`); 412: deleted or unknown. */
export async function fetchForm(client: EkuaibaoClient, ref: FormRef): Promise<FlowDetails> {
  const answer =
    'code' in ref
      ? await client.request(EKUAIBAO_ENDPOINTS.flowDetailsByCode, { path: '/api/openapi/v1.1/flowDetails/byCode', query: [['code', ref.code]] }, FlowDetailsAnswerSchema)
      : await client.request(EKUAIBAO_ENDPOINTS.flowDetails, { path: '/api/openapi/v1.1/flowDetails', query: [['flowId', ref.flowId]] }, FlowDetailsAnswerSchema);
  return answer.value;
}

export function formFolder(scan: Pick<FormScan, 'code' | 'title' | 'flowId'>): string {
  return [scan.code || scan.flowId, scan.title].filter(Boolean).join(' ') || 'Form';
}

/** The engine's attachments for one scanned form, in its folder (and per-line folders when it has many lines). */
export function formAttachments(apiBase: string, scan: FormScan): Attachment[] {
  const linesWithFiles = new Set(scan.attachments.flatMap((a) => (a.origin.line !== undefined ? [a.origin.line] : [])));
  const lineFolders = linesWithFiles.size >= LINE_FOLDERS_FROM;
  const width = String(scan.lines.size).length < 2 ? 2 : String(scan.lines.size).length;
  const folder = formFolder(scan);
  return scan.attachments.map((found) => {
    const { name, generated } = attachmentName(found.key, found.fileName);
    const dingPan = parseDingPanKey(found.key);
    const line = found.origin.line;
    const lineFolder = lineFolders && line !== undefined ? [[String(line).padStart(width, '0'), scan.lines.get(line)].filter(Boolean).join(' ')] : [];
    return {
      id: `ekb:${scan.flowId || scan.code}:${found.fileId}:${found.key}`,
      name,
      nameIsGenerated: generated,
      kind: isImageName(name) ? 'image' : 'file',
      ...(dingPan?.fileSize !== undefined ? { size: dingPan.fileSize } : {}),
      source: { type: 'ekuaibao-attachment', apiBase, fileId: found.fileId, key: found.key },
      subfolders: [folder, ...lineFolder],
      origin: { form: scan.code || scan.flowId, ...found.origin },
      // DingPan links need headers and are named by their key: nothing to learn from their bytes.
      ...(isDingPanKey(found.key) ? { noProbe: true as const } : {}),
    };
  });
}

/** Problems that concern the credentials or the service, not one form: the whole page says it once. */
const PAGE_WIDE: ReadonlySet<Problem['kind']> = new Set(['credentials-missing', 'token-invalid', 'token-expired', 'app-credentials-invalid', 'host-permission-missing', 'network']);

/**
 * Lists the forms of an Ekuaibao page. A form that cannot be read (deleted, unknown) is named with its reason and the
 * others are still listed; a problem of the credentials or the service fails the page.
 */
export async function listEkuaibaoForms(client: EkuaibaoClient, page: EkuaibaoPage, fetchDetails = fetchForm): Promise<AttachmentListing> {
  if (page.forms.length === 0) {
    return { type: 'attachments', title: '', folder: [EKUAIBAO_FOLDER], attachments: [], partial: [], hints: ['no-forms'] };
  }
  const attachments: Attachment[] = [];
  const partial: PartialProblem[] = [];
  const listed = new Set<string>();
  const titles: string[] = [];
  for (const ref of page.forms) {
    const label = 'code' in ref ? ref.code : ref.flowId;
    let scan: FormScan;
    try {
      scan = scanForm(await fetchDetails(client, ref));
    } catch (error) {
      const problem = toProblem(error);
      if (PAGE_WIDE.has(problem.kind)) throw error instanceof ProblemError ? error : new ProblemError(problem);
      partial.push({ where: label, problem: problem.kind === 'not-found' ? { ...problem, detail: problem.detail ?? label } : problem });
      continue;
    }
    // The same form named twice (its flow id in the URL, its code in the page) is listed once.
    const identity = scan.flowId || scan.code || label;
    if (listed.has(identity)) continue;
    listed.add(identity);
    titles.push(formFolder(scan));
    attachments.push(...formAttachments(client.apiBase, scan));
  }
  return {
    type: 'attachments',
    title: titles.length === 1 ? (titles[0] ?? '') : titles.map((t) => t.split(' ')[0]).join(', '),
    folder: [EKUAIBAO_FOLDER],
    attachments,
    partial,
    hints: [],
  };
}
