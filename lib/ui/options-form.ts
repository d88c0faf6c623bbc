/** Pure validation of the options page's forms: what to save, or which field is wrong. */
import {
  AccessTokenSchema,
  ApiBaseSchema,
  AppIdSchema,
  AppSecretSchema,
  CustomHostSchema,
  isOfficialApiBase,
  type CustomHost,
  type Settings,
} from '../settings';

export interface OptionsFormValues {
  readonly apiBase: string;
  readonly authMode: Settings['feishu']['authMode'];
  /** Empty keeps the saved token. */
  readonly accessToken: string;
  readonly appId: string;
  /** Empty keeps the saved secret (which is never shown again). */
  readonly appSecret: string;
  readonly baseRecordFolders: boolean;
  readonly whiteboards: boolean;
}

export type OptionsField = 'apiBase' | 'accessToken' | 'appId' | 'appSecret';

export type OptionsFormResult =
  | { readonly ok: true; readonly settings: Settings; readonly needsPermissionFor: string | null }
  | { readonly ok: false; readonly field: OptionsField };

export function parseOptionsForm(values: OptionsFormValues, current: Settings): OptionsFormResult {
  let apiBase: string | null = null;
  if (values.apiBase.trim() !== '') {
    const parsed = ApiBaseSchema.safeParse(values.apiBase);
    if (!parsed.success) return { ok: false, field: 'apiBase' };
    apiBase = parsed.data;
  }
  let accessToken = current.feishu.accessToken;
  if (values.accessToken.trim() !== '') {
    const parsed = AccessTokenSchema.safeParse(values.accessToken);
    if (!parsed.success) return { ok: false, field: 'accessToken' };
    accessToken = parsed.data;
  }
  let appId: string | null = null;
  if (values.appId.trim() !== '') {
    const parsed = AppIdSchema.safeParse(values.appId);
    if (!parsed.success) return { ok: false, field: 'appId' };
    appId = parsed.data;
  }
  let appSecret = appId === current.feishu.appId || appId === null ? current.feishu.appSecret : null;
  if (values.appSecret.trim() !== '') {
    const parsed = AppSecretSchema.safeParse(values.appSecret);
    if (!parsed.success) return { ok: false, field: 'appSecret' };
    appSecret = parsed.data;
  }
  if (values.authMode === 'app') {
    if (!appId) return { ok: false, field: 'appId' };
    if (!appSecret) return { ok: false, field: 'appSecret' };
  }
  return {
    ok: true,
    settings: {
      ...current,
      feishu: {
        ...current.feishu,
        apiBase,
        authMode: values.authMode,
        accessToken,
        appId,
        appSecret: appId ? appSecret : null,
        baseRecordFolders: values.baseRecordFolders,
        whiteboards: values.whiteboards,
      },
    },
    needsPermissionFor: apiBase && !isOfficialApiBase(apiBase) ? apiBase : null,
  };
}

export type CustomHostResult = { readonly ok: true; readonly host: CustomHost; readonly origins: string[] } | { readonly ok: false; readonly field: 'host' | 'apiBase' };

/** A custom web host with its API base, and the origins to ask permission for (the pages and the API). */
export function parseCustomHost(values: { host: string; apiBase: string; brand: CustomHost['brand'] }): CustomHostResult {
  const parsed = CustomHostSchema.safeParse(values);
  if (!parsed.success) return { ok: false, field: parsed.error.issues.some((i) => i.path[0] === 'host') ? 'host' : 'apiBase' };
  const origins = [`https://${parsed.data.host}/*`, ...(isOfficialApiBase(parsed.data.apiBase) ? [] : [`${parsed.data.apiBase}/*`])];
  return { ok: true, host: parsed.data, origins };
}

/** The last characters of a token, enough to recognise it, too few to use it. */
export function tokenSuffix(token: string): string {
  return `…${token.slice(-4)}`;
}
