/** Pure validation of the options form: what to save, or which field is wrong. */
import { AccessTokenSchema, ApiBaseSchema, isOfficialApiBase, type Settings } from '../settings';

export interface OptionsFormValues {
  readonly apiBase: string;
  /** Empty keeps the saved token. */
  readonly accessToken: string;
}

export type OptionsFormResult =
  | { readonly ok: true; readonly settings: Settings; readonly needsPermissionFor: string | null }
  | { readonly ok: false; readonly field: 'apiBase' | 'accessToken' };

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
  return {
    ok: true,
    settings: { ...current, feishu: { apiBase, accessToken } },
    needsPermissionFor: apiBase && !isOfficialApiBase(apiBase) ? apiBase : null,
  };
}

/** The last characters of a token, enough to recognise it, too few to use it. */
export function tokenSuffix(token: string): string {
  return `…${token.slice(-4)}`;
}
