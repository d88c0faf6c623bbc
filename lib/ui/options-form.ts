/** Pure validation of the options page's forms: what to save, or which field is wrong. */
import { DEFAULT_EKUAIBAO_API_BASE, isEkuaibaoWebHost } from '../ekuaibao/hosts';
import {
  AccessTokenSchema,
  ApiBaseSchema,
  AppIdSchema,
  AppSecretSchema,
  CustomHostSchema,
  EkuaibaoApiBaseSchema,
  EkuaibaoAppKeySchema,
  EkuaibaoAppSecuritySchema,
  EkuaibaoCustomHostSchema,
  isOfficialApiBase,
  type CustomHost,
  type EkuaibaoCustomHost,
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
  /** "Remember on this device" (applies to every credential, Ekuaibao's too). */
  readonly rememberCredentials: boolean;
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
  // Tenant tokens and signing in both need the app's ID and secret.
  if (values.authMode !== 'token') {
    if (!appId) return { ok: false, field: 'appId' };
    if (!appSecret) return { ok: false, field: 'appSecret' };
  }
  return {
    ok: true,
    settings: {
      ...current,
      rememberCredentials: values.rememberCredentials,
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

export interface EkuaibaoFormValues {
  readonly apiBase: string;
  readonly authMode: Settings['ekuaibao']['authMode'];
  /** Empty keeps the saved token. */
  readonly accessToken: string;
  readonly appKey: string;
  /** Empty keeps the saved app security (which is never shown again). */
  readonly appSecurity: string;
}

export type EkuaibaoField = 'ekuaibaoApiBase' | 'ekuaibaoAccessToken' | 'ekuaibaoAppKey' | 'ekuaibaoAppSecurity';

export type EkuaibaoFormResult =
  | { readonly ok: true; readonly ekuaibao: Settings['ekuaibao']; readonly needsPermissionFor: string | null }
  | { readonly ok: false; readonly field: EkuaibaoField };

/** The Ekuaibao section: what to save, or which field is wrong. The API base is required (it has a default). */
export function parseEkuaibaoForm(values: EkuaibaoFormValues, current: Settings): EkuaibaoFormResult {
  const apiBase = EkuaibaoApiBaseSchema.safeParse(values.apiBase.trim() === '' ? DEFAULT_EKUAIBAO_API_BASE : values.apiBase);
  if (!apiBase.success) return { ok: false, field: 'ekuaibaoApiBase' };
  let accessToken = current.ekuaibao.accessToken;
  if (values.accessToken.trim() !== '') {
    const parsed = AccessTokenSchema.safeParse(values.accessToken);
    if (!parsed.success) return { ok: false, field: 'ekuaibaoAccessToken' };
    accessToken = parsed.data;
  }
  let appKey: string | null = null;
  if (values.appKey.trim() !== '') {
    const parsed = EkuaibaoAppKeySchema.safeParse(values.appKey);
    if (!parsed.success) return { ok: false, field: 'ekuaibaoAppKey' };
    appKey = parsed.data;
  }
  // The saved security belongs to the saved key: a new key without a new security has none.
  let appSecurity = appKey === current.ekuaibao.appKey || appKey === null ? current.ekuaibao.appSecurity : null;
  if (values.appSecurity.trim() !== '') {
    const parsed = EkuaibaoAppSecuritySchema.safeParse(values.appSecurity);
    if (!parsed.success) return { ok: false, field: 'ekuaibaoAppSecurity' };
    appSecurity = parsed.data;
  }
  if (values.authMode === 'app') {
    if (!appKey) return { ok: false, field: 'ekuaibaoAppKey' };
    if (!appSecurity) return { ok: false, field: 'ekuaibaoAppSecurity' };
  }
  return {
    ok: true,
    ekuaibao: { ...current.ekuaibao, apiBase: apiBase.data, authMode: values.authMode, accessToken, appKey, appSecurity: appKey ? appSecurity : null },
    needsPermissionFor: isEkuaibaoWebHost(new URL(apiBase.data).hostname) ? null : apiBase.data,
  };
}

export type EkuaibaoHostResult =
  | { readonly ok: true; readonly host: EkuaibaoCustomHost; readonly origins: string[] }
  | { readonly ok: false; readonly field: 'host' | 'apiBase' };

/** A private Ekuaibao deployment's web host with its address prefix, and the origins to ask permission for. */
export function parseEkuaibaoHost(values: { host: string; apiBase: string }): EkuaibaoHostResult {
  const parsed = EkuaibaoCustomHostSchema.safeParse(values);
  if (!parsed.success) return { ok: false, field: parsed.error.issues.some((i) => i.path[0] === 'host') ? 'host' : 'apiBase' };
  const apiOrigin = `${parsed.data.apiBase}/*`;
  const origins = [`https://${parsed.data.host}/*`, ...(isEkuaibaoWebHost(new URL(parsed.data.apiBase).hostname) ? [] : [apiOrigin])];
  return { ok: true, host: parsed.data, origins };
}
