/**
 * The one settings module: schema, defaults and storage. Imported by the background and the options page only;
 * content scripts never import it, so credentials never reach a web page's process through our code.
 */
import { storage } from '#imports';
import { z } from 'zod';
import { DEFAULT_EKUAIBAO_API_BASE } from './ekuaibao/hosts';
import { matchesHost } from './ekuaibao/url';
import { OFFICIAL_API_BASES, type FeishuBrand } from './feishu/hosts';

/** An https origin, forgiving a trailing `/` or one of `paths` (pasted from the docs); stores the bare origin. */
function httpsOriginSchema(paths: readonly string[]) {
  return z
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
      if (url.protocol !== 'https:' || url.username || url.password || url.search || url.hash || (path !== '' && !paths.includes(path))) {
        ctx.addIssue({ code: 'custom', message: 'invalid-url' });
        return z.NEVER;
      }
      return url.origin;
    });
}

/** Accepts `https://open.feishu.cn`, with or without a trailing `/` or `/open-apis`; stores the bare origin. */
export const ApiBaseSchema = httpsOriginSchema(['/open-apis']);
/** An Ekuaibao address prefix (地址前缀) such as `https://app.ekuaibao.com`, with or without `/api/openapi`. */
export const EkuaibaoApiBaseSchema = httpsOriginSchema(['/api/openapi']);

/** A pasted user or tenant access token; a leading "Bearer " is forgiven. */
export const AccessTokenSchema = z
  .string()
  .trim()
  .transform((value) => value.replace(/^Bearer\s+/i, ''))
  .pipe(z.string().regex(/^[\x21-\x7e]{8,4096}$/, 'invalid-token'));

/** A custom app's id, as shown in the developer console ("cli_…"). */
export const AppIdSchema = z.string().trim().regex(/^cli_[A-Za-z0-9]{6,40}$/, 'invalid-app-id');
export const AppSecretSchema = z.string().trim().regex(/^[A-Za-z0-9_-]{16,128}$/, 'invalid-app-secret');

/**
 * A private deployment's (or another brand domain's) web host: `docs.example.com`, or `*.example.com` for every
 * tenant subdomain. Lower-cased; no scheme, port or path.
 */
export const WebHostSchema = z
  .string()
  .trim()
  .toLowerCase()
  .transform((value) => value.replace(/^https:\/\//, '').replace(/\/+$/, ''))
  .pipe(z.string().regex(/^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'invalid-host'));

export const CustomHostSchema = z.object({
  host: WebHostSchema,
  /** The Open API origin of that deployment. */
  apiBase: ApiBaseSchema,
  brand: z.enum(['feishu', 'lark']),
});
export type CustomHost = z.infer<typeof CustomHostSchema>;

/** An Ekuaibao app key (接入账号) or app security (接入密码): printable, no spaces. */
export const EkuaibaoAppKeySchema = z.string().trim().regex(/^[\x21-\x7e]{4,256}$/, 'invalid-app-key');
export const EkuaibaoAppSecuritySchema = z.string().trim().regex(/^[\x21-\x7e]{4,256}$/, 'invalid-app-security');

/** A private Ekuaibao deployment: its web host and its address prefix. */
export const EkuaibaoCustomHostSchema = z.object({ host: WebHostSchema, apiBase: EkuaibaoApiBaseSchema });
export type EkuaibaoCustomHost = z.infer<typeof EkuaibaoCustomHostSchema>;

/** Parallel downloads the user may choose; links are paced by the platforms' rate limits whatever the number. */
export const MAX_CONCURRENCY = 10;

const DEFAULT_DOWNLOADS: Settings['downloads'] = { concurrency: 3, notify: true };

const DEFAULT_EKUAIBAO: Settings['ekuaibao'] = {
  apiBase: DEFAULT_EKUAIBAO_API_BASE,
  authMode: 'token',
  accessToken: null,
  appKey: null,
  appSecurity: null,
  customHosts: [],
};

export const SettingsSchema = z.object({
  feishu: z.object({
    /** null: pick by page host (open.feishu.cn for Feishu pages, open.larksuite.com for Lark pages). */
    apiBase: ApiBaseSchema.nullable().catch(null),
    /**
     * Which credential the background uses: a pasted token, an app's id and secret (tenant token), or the user's
     * own token from "Sign in with Feishu" (the app's id and secret, plus the user's consent).
     */
    authMode: z.enum(['token', 'app', 'oauth']).catch('token'),
    accessToken: AccessTokenSchema.nullable().catch(null),
    appId: AppIdSchema.nullable().catch(null),
    /** Never sent to a page or shown again once saved; only to `<apiBase>/open-apis/auth/v3/...`. */
    appSecret: AppSecretSchema.nullable().catch(null),
    customHosts: z.array(CustomHostSchema).max(50).catch([]),
    /** Put each base record's files in a sub-folder named by its primary field. */
    baseRecordFolders: z.boolean().catch(false),
    /** Save whiteboards of documents as images. */
    whiteboards: z.boolean().catch(true),
  }),
  ekuaibao: z
    .object({
      /** The tenant's address prefix; tokens work only on their own. */
      apiBase: EkuaibaoApiBaseSchema.catch(DEFAULT_EKUAIBAO_API_BASE),
      /** A pasted access token, or an app key + app security the background trades for tokens. */
      authMode: z.enum(['token', 'app']).catch('token'),
      accessToken: AccessTokenSchema.nullable().catch(null),
      appKey: EkuaibaoAppKeySchema.nullable().catch(null),
      /** Never sent to a page or shown again once saved; only to `<apiBase>/api/openapi/v1/auth/getAccessToken`. */
      appSecurity: EkuaibaoAppSecuritySchema.nullable().catch(null),
      customHosts: z.array(EkuaibaoCustomHostSchema).max(50).catch([]),
    })
    // Settings saved before Ekuaibao existed have no section: the defaults then.
    .catch(() => DEFAULT_EKUAIBAO),
  downloads: z
    .object({
      concurrency: z.number().int().min(1).max(MAX_CONCURRENCY).catch(3),
      /** A system notification when a job ends ("12 saved, 1 failed"). */
      notify: z.boolean().catch(true),
    })
    .catch(() => DEFAULT_DOWNLOADS),
  /**
   * "Remember on this device": off keeps every secret (tokens, app secrets, the sign-in) in session storage, which
   * the browser forgets when it quits; only the non-secret settings stay on disk.
   */
  rememberCredentials: z.boolean().catch(true),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  feishu: {
    apiBase: null,
    authMode: 'token',
    accessToken: null,
    appId: null,
    appSecret: null,
    customHosts: [],
    baseRecordFolders: false,
    whiteboards: true,
  },
  ekuaibao: DEFAULT_EKUAIBAO,
  downloads: DEFAULT_DOWNLOADS,
  rememberCredentials: true,
};

const settingsItem = storage.defineItem<unknown>('local:settings', { fallback: DEFAULT_SETTINGS, version: 1 });

/** The secrets of the settings, kept apart in session storage when they are not to be remembered. */
const SessionSecretsSchema = z.object({
  feishuAccessToken: AccessTokenSchema.nullable().catch(null),
  feishuAppSecret: AppSecretSchema.nullable().catch(null),
  ekuaibaoAccessToken: AccessTokenSchema.nullable().catch(null),
  ekuaibaoAppSecurity: EkuaibaoAppSecuritySchema.nullable().catch(null),
});
type SessionSecrets = z.infer<typeof SessionSecretsSchema>;
// Session storage is open to the extension's own pages and worker only (Chrome's default access level).
const sessionSecretsItem = storage.defineItem<unknown>('session:settings-secrets', { fallback: null });

function secretsOf(settings: Settings): SessionSecrets {
  return {
    feishuAccessToken: settings.feishu.accessToken,
    feishuAppSecret: settings.feishu.appSecret,
    ekuaibaoAccessToken: settings.ekuaibao.accessToken,
    ekuaibaoAppSecurity: settings.ekuaibao.appSecurity,
  };
}

function withSecrets(settings: Settings, secrets: SessionSecrets): Settings {
  return {
    ...settings,
    feishu: { ...settings.feishu, accessToken: secrets.feishuAccessToken, appSecret: secrets.feishuAppSecret },
    ekuaibao: { ...settings.ekuaibao, accessToken: secrets.ekuaibaoAccessToken, appSecurity: secrets.ekuaibaoAppSecurity },
  };
}

const NO_SECRETS: SessionSecrets = { feishuAccessToken: null, feishuAppSecret: null, ekuaibaoAccessToken: null, ekuaibaoAppSecurity: null };

function parseStored(local: unknown, session: unknown): Settings {
  const parsed = SettingsSchema.safeParse(local);
  const settings = parsed.success ? parsed.data : DEFAULT_SETTINGS;
  if (settings.rememberCredentials) return settings;
  const secrets = SessionSecretsSchema.safeParse(session);
  return withSecrets(settings, secrets.success ? secrets.data : NO_SECRETS);
}

/** Never throws: a damaged value falls back field by field to the defaults. */
export async function loadSettings(): Promise<Settings> {
  const [local, session] = await Promise.all([settingsItem.getValue(), sessionSecretsItem.getValue()]);
  return parseStored(local, session);
}

/** Writes the settings; with "Remember on this device" off, their secrets go to session storage only. */
export async function saveSettings(settings: Settings): Promise<void> {
  const parsed = SettingsSchema.parse(settings);
  if (parsed.rememberCredentials) {
    await settingsItem.setValue(parsed);
    await sessionSecretsItem.removeValue();
    return;
  }
  // Session first: a watcher woken by the local write then reads the secrets already in place.
  await sessionSecretsItem.setValue(secretsOf(parsed));
  await settingsItem.setValue(withSecrets(parsed, NO_SECRETS));
}

export function watchSettings(callback: (settings: Settings) => void): () => void {
  const changed = () => void loadSettings().then(callback);
  const unwatchLocal = settingsItem.watch(changed);
  const unwatchSession = sessionSecretsItem.watch(changed);
  return () => {
    unwatchLocal();
    unwatchSession();
  };
}

/** The API base for a page: its custom host's, else the configured one, else the brand's official one. */
export function feishuApiBaseFor(brand: FeishuBrand, settings: Settings, pageHost?: string): string {
  const custom = pageHost === undefined ? undefined : customHostFor(pageHost, settings.feishu.customHosts);
  return custom?.apiBase ?? settings.feishu.apiBase ?? OFFICIAL_API_BASES[brand];
}

export function customHostFor(hostname: string, customHosts: readonly CustomHost[]): CustomHost | undefined {
  const host = hostname.toLowerCase();
  return customHosts.find((c) => (c.host.startsWith('*.') ? host === c.host.slice(2) || host.endsWith(c.host.slice(1)) : host === c.host));
}

/** API origins the background may send credentials to: the configured, custom and (without one) official ones. */
export function allowedApiBases(settings: Settings): string[] {
  const bases = settings.feishu.apiBase ? [settings.feishu.apiBase] : Object.values(OFFICIAL_API_BASES);
  return [...new Set([...bases, ...settings.feishu.customHosts.map((c) => c.apiBase)])];
}

/** Whether credentials are set for the chosen mode (signing in also needs the sign-in itself: see UserTokens). */
export function hasFeishuCredentials(settings: Settings): boolean {
  const { feishu } = settings;
  return feishu.authMode === 'token' ? feishu.accessToken !== null : feishu.appId !== null && feishu.appSecret !== null;
}

/** The API origin "Sign in with Feishu" signs in to: the configured one, else Feishu's (Lark users choose Lark's). */
export function signInApiBase(settings: Settings): string {
  return settings.feishu.apiBase ?? OFFICIAL_API_BASES.feishu;
}

export function isOfficialApiBase(origin: string): boolean {
  return Object.values(OFFICIAL_API_BASES).includes(origin);
}

/** The Ekuaibao address prefix for a page: its private deployment's, else the configured one. */
export function ekuaibaoApiBaseFor(settings: Settings, pageHost?: string): string {
  const custom = pageHost ? settings.ekuaibao.customHosts.find((c) => matchesHost(pageHost, c.host)) : undefined;
  return custom?.apiBase ?? settings.ekuaibao.apiBase;
}

/** Origins the background may send Ekuaibao credentials to: the configured and the private deployments' ones. */
export function allowedEkuaibaoApiBases(settings: Settings): string[] {
  return [...new Set([settings.ekuaibao.apiBase, ...settings.ekuaibao.customHosts.map((c) => c.apiBase)])];
}

export function hasEkuaibaoCredentials(settings: Settings): boolean {
  const { ekuaibao } = settings;
  return ekuaibao.authMode === 'app' ? ekuaibao.appKey !== null && ekuaibao.appSecurity !== null : ekuaibao.accessToken !== null;
}
