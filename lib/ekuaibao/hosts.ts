/**
 * Ekuaibao (易快报 / 合思 Hosecloud) web hosts and API address prefixes.
 * Kept free of browser APIs: wxt.config.ts imports it at build time.
 */

/** The web app's domains: the standalone app, the DingTalk, WeCom, Yunzhijia and Feishu editions. */
export const EKUAIBAO_DOMAINS: readonly string[] = ['ekuaibao.com', 'hosecloud.com'];

/** The documented default address prefix (合思独立版). */
export const DEFAULT_EKUAIBAO_API_BASE = 'https://app.ekuaibao.com';

/** Documented address prefixes (地址前缀) per edition, offered as presets in the options page. */
export const EKUAIBAO_API_BASES: readonly { readonly apiBase: string; readonly edition: string }[] = [
  { apiBase: 'https://app.ekuaibao.com', edition: '合思独立版' },
  { apiBase: 'https://dd2.hosecloud.com', edition: '钉钉' },
  { apiBase: 'https://wx2.ekuaibao.com', edition: '企业微信' },
  { apiBase: 'https://kdcloud2.ekuaibao.com', edition: '云之家' },
  { apiBase: 'https://ddenterprise.ekuaibao.com', edition: '钉钉企业自建应用' },
  { apiBase: 'https://feishu.ekuaibao.com', edition: '飞书' },
];

/** Folder every Ekuaibao download goes under: `Ekuaibao/<form code> <title>/<file>`. */
export const EKUAIBAO_FOLDER = 'Ekuaibao';

export const EKUAIBAO_MATCH_PATTERNS: readonly string[] = EKUAIBAO_DOMAINS.map((d) => `https://*.${d}/*`);

/**
 * Whether `hostname` is on Ekuaibao's domains (custom hosts aside). Every such page is taken as the web app's: its
 * routes are not public, and a page without forms costs nothing (no call is made until a form shows).
 */
export function isEkuaibaoWebHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return EKUAIBAO_DOMAINS.some((d) => host === d || host.endsWith(`.${d}`));
}
