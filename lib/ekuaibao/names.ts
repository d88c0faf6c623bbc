/**
 * File names of Ekuaibao attachments. The form gives `fileName` for most; otherwise the storage key carries it:
 * `openapi<uuid>-<name>` (uploaded through the Open API), `<name>-<13-digit ms>-<1–3 digits>.<ext>` (uploaded in the
 * app; spaces dropped), or `DP:{"fileName","fileType",…}` for DingPan (钉盘) files, whose type is `fileType`.
 */

export interface DingPanKey {
  readonly fileId?: string;
  readonly fileName?: string;
  readonly fileSize?: number;
  readonly fileType?: string;
  readonly spaceId?: string;
}

export const DINGPAN_PREFIX = 'DP:';

export function isDingPanKey(key: string): boolean {
  return key.startsWith(DINGPAN_PREFIX);
}

/** The JSON after `DP:`, or null when it is not an object (only its well-typed fields are kept). */
export function parseDingPanKey(key: string): DingPanKey | null {
  if (!isDingPanKey(key)) return null;
  let value: unknown;
  try {
    value = JSON.parse(key.slice(DINGPAN_PREFIX.length));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const text = (field: string) => (typeof record[field] === 'string' || typeof record[field] === 'number' ? String(record[field]) : undefined);
  const size = Number(record['fileSize']);
  return {
    ...(text('fileId') ? { fileId: text('fileId') } : {}),
    ...(text('fileName') ? { fileName: text('fileName') } : {}),
    ...(Number.isSafeInteger(size) && size >= 0 && record['fileSize'] !== null && record['fileSize'] !== '' ? { fileSize: size } : {}),
    ...(text('fileType') ? { fileType: text('fileType') } : {}),
    ...(text('spaceId') ? { spaceId: text('spaceId') } : {}),
  };
}

const OPENAPI_KEY = /^openapi[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-(.+)$/i;
const APP_KEY = /^(.+?)-\d{13}-\d{1,3}(\.[A-Za-z0-9]{1,10})?$/;

/** The original name inside an ordinary key, without the generated prefix or timestamp; the key itself otherwise. */
export function nameFromKey(key: string): string {
  const base = key.split('/').pop() ?? key;
  const openapi = OPENAPI_KEY.exec(base);
  if (openapi?.[1]) return openapi[1];
  const app = APP_KEY.exec(base);
  if (app?.[1]) return `${app[1]}${app[2] ?? ''}`;
  return base;
}

/** `name` with `.type` appended unless it already ends with it (DingPan names may lack their extension). */
export function withType(name: string, fileType: string | undefined): string {
  const type = fileType?.trim().replace(/^\.+/, '').toLowerCase();
  if (!type || !/^[a-z0-9]{1,10}$/.test(type)) return name;
  return name.toLowerCase().endsWith(`.${type}`) ? name : `${name}.${type}`;
}

/**
 * The name to save an attachment under: DingPan files by the key's `fileName` with the extension of its `fileType`;
 * others by the form's `fileName`, else by the key without its generated parts.
 */
export function attachmentName(key: string, fileName: string | undefined): { name: string; generated: boolean } {
  const given = fileName?.trim();
  const dingPan = parseDingPanKey(key);
  if (isDingPanKey(key)) {
    const name = dingPan?.fileName?.trim() || given;
    return name ? { name: withType(name, dingPan?.fileType), generated: false } : { name: withType('attachment', dingPan?.fileType), generated: true };
  }
  if (given) return { name: given, generated: false };
  const fromKey = nameFromKey(key).trim();
  return fromKey ? { name: fromKey, generated: false } : { name: 'attachment', generated: true };
}

const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'gif', 'webp', 'bmp', 'heic', 'heif', 'tif', 'tiff']);

export function isImageName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && IMAGE_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}
