/**
 * The one settings module: schema, defaults and storage. Imported by the background and the options page only;
 * content scripts never import it, so credentials never reach a web page's process through our code.
 */
import { storage } from '#imports';
import { z } from 'zod';
import { OFFICIAL_API_BASES, type FeishuBrand } from './feishu/hosts';

/** Accepts `https://open.feishu.cn`, with or without a trailing `/` or `/open-apis`; stores the bare origin. */
export const ApiBaseSchema = z
  .string()
  .trim()
  .min(1)
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'invalid-url' });
      return z.NEVER;
    }
    const path = url.pathname.replace(/\/+$/, '');
    if (url.protocol !== 'https:' || url.username || url.password || url.search || url.hash || (path !== '' && path !== '/open-apis')) {
      ctx.addIssue({ code: 'custom', message: 'invalid-url' });
      return z.NEVER;
    }
    return url.origin;
  });

/** A pasted user or tenant access token; a leading "Bearer " is forgiven. */
export const AccessTokenSchema = z
  .string()
  .trim()
  .transform((value) => value.replace(/^Bearer\s+/i, ''))
  .pipe(z.string().regex(/^[\x21-\x7e]{8,4096}$/, 'invalid-token'));

export const SettingsSchema = z.object({
  feishu: z.object({
    /** null: pick by page host (open.feishu.cn for Feishu pages, open.larksuite.com for Lark pages). */
    apiBase: ApiBaseSchema.nullable().catch(null),
    accessToken: AccessTokenSchema.nullable().catch(null),
  }),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = { feishu: { apiBase: null, accessToken: null } };

const settingsItem = storage.defineItem<unknown>('local:settings', { fallback: DEFAULT_SETTINGS, version: 1 });

/** Never throws: a damaged value falls back field by field to the defaults. */
export async function loadSettings(): Promise<Settings> {
  const parsed = SettingsSchema.safeParse(await settingsItem.getValue());
  return parsed.success ? parsed.data : DEFAULT_SETTINGS;
}

export async function saveSettings(settings: Settings): Promise<void> {
  await settingsItem.setValue(SettingsSchema.parse(settings));
}

export function watchSettings(callback: (settings: Settings) => void): () => void {
  return settingsItem.watch((value) => {
    const parsed = SettingsSchema.safeParse(value);
    callback(parsed.success ? parsed.data : DEFAULT_SETTINGS);
  });
}

export function feishuApiBaseFor(brand: FeishuBrand, settings: Settings): string {
  return settings.feishu.apiBase ?? OFFICIAL_API_BASES[brand];
}

export function isOfficialApiBase(origin: string): boolean {
  return Object.values(OFFICIAL_API_BASES).includes(origin);
}
