import { MessageIdSchema, PageTokenSchema, SheetIdSchema, TableIdSchema, ViewIdSchema, type FeishuPage, type PageRecognition } from '../core/page';
import { hostFamilyOf, type FeishuBrand } from './hosts';

/**
 * Feishu path kinds we recognise, so an unsupported page can be named ("a mind map") rather than ignored.
 */
const KNOWN_KINDS: Readonly<Record<string, string>> = {
  docx: 'docx',
  wiki: 'wiki',
  sheets: 'sheets',
  spreadsheets: 'sheets',
  base: 'base',
  file: 'file',
  docs: 'docs',
  doc: 'docs',
  mindnotes: 'mindnotes',
  slides: 'slides',
  drive: 'drive',
  minutes: 'minutes',
  mail: 'mail',
};

/** A web host added for a private deployment (or another brand domain): `docs.example.com` or `*.example.com`. */
export interface CustomWebHost {
  readonly host: string;
  readonly brand: FeishuBrand;
}

function brandOf(hostname: string, customHosts: readonly CustomWebHost[]): FeishuBrand | null {
  const host = hostname.toLowerCase();
  const custom = customHosts.find((c) => (c.host.startsWith('*.') ? host === c.host.slice(2) || host.endsWith(c.host.slice(1)) : host === c.host));
  return custom?.brand ?? hostFamilyOf(host)?.brand ?? null;
}

/** `?name=value` only when it is a well-formed identifier; anything else is dropped, never passed on. */
function param<T>(url: URL, name: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Recognises a Feishu/Lark web page from its URL alone: the token is the path segment after the kind, cut at the
 * first `/`, `?` or `#` (as the official CLI does); `?sheet=`, `?table=` and `?view=` are kept when well-formed.
 */
export function recogniseFeishuUrl(rawUrl: string, customHosts: readonly CustomWebHost[] = []): PageRecognition {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { status: 'other' };
  }
  if (url.protocol !== 'https:') return { status: 'other' };
  const brand = brandOf(url.hostname, customHosts);
  if (!brand) return { status: 'other' };
  const common = { platform: 'feishu', brand, host: url.hostname.toLowerCase() } as const;

  // The Mail web client lives on its own host (mail.*) or under /mail; the open message may be in the URL.
  const segments = url.pathname.split('/').filter(Boolean);
  if (url.hostname.toLowerCase().startsWith('mail.') || segments[0]?.toLowerCase() === 'mail') {
    const fromUrl = param(url, 'messageId', MessageIdSchema) ?? param(url, 'message_id', MessageIdSchema) ?? param(url, 'mid', MessageIdSchema);
    return { status: 'supported', page: { ...common, kind: 'mail', ...(fromUrl ? { messageId: fromUrl } : {}) } };
  }

  const [first = '', second = ''] = segments;
  const kind = KNOWN_KINDS[first.toLowerCase()];
  if (!kind) return { status: 'other' };
  if (kind !== 'docx' && kind !== 'wiki' && kind !== 'sheets' && kind !== 'base' && kind !== 'file') {
    return { status: 'unsupported', platform: 'feishu', kind };
  }
  const token = PageTokenSchema.safeParse(second);
  // `/wiki/settings/<space>` and other non-token segments are pages we do not list.
  if (!token.success) return kind === 'wiki' ? { status: 'unsupported', platform: 'feishu', kind: 'wiki' } : { status: 'other' };

  const sheetId = param(url, 'sheet', SheetIdSchema);
  const tableId = param(url, 'table', TableIdSchema);
  const viewId = param(url, 'view', ViewIdSchema);
  let page: FeishuPage;
  switch (kind) {
    case 'docx':
      page = { ...common, kind, token: token.data };
      break;
    case 'file':
      page = { ...common, kind, token: token.data };
      break;
    case 'sheets':
      page = { ...common, kind, token: token.data, ...(sheetId ? { sheetId } : {}) };
      break;
    case 'base':
      page = { ...common, kind, token: token.data, ...(tableId ? { tableId } : {}), ...(viewId ? { viewId } : {}) };
      break;
    case 'wiki':
      page = { ...common, kind, token: token.data, ...(sheetId ? { sheetId } : {}), ...(tableId ? { tableId } : {}), ...(viewId ? { viewId } : {}) };
      break;
  }
  return { status: 'supported', page };
}
