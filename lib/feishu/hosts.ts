/**
 * Feishu/Lark web host families and the Open API base each brand uses by default.
 * Kept free of browser APIs: wxt.config.ts imports it at build time.
 */
export type FeishuBrand = 'feishu' | 'lark';

export interface HostFamily {
  readonly domain: string;
  readonly brand: FeishuBrand;
}

/** larkoffice.com and larkenterprise.com serve Feishu (China) tenants; only larksuite.com is Lark (international). */
export const FEISHU_HOST_FAMILIES: readonly HostFamily[] = [
  { domain: 'feishu.cn', brand: 'feishu' },
  { domain: 'feishu.net', brand: 'feishu' },
  { domain: 'larkoffice.com', brand: 'feishu' },
  { domain: 'larkenterprise.com', brand: 'feishu' },
  { domain: 'larksuite.com', brand: 'lark' },
];

export const OFFICIAL_API_BASES: Readonly<Record<FeishuBrand, string>> = {
  feishu: 'https://open.feishu.cn',
  lark: 'https://open.larksuite.com',
};

/** Folder every download of a brand goes under, e.g. `Feishu/<title>/<file>`. */
export const BRAND_FOLDERS: Readonly<Record<FeishuBrand, string>> = {
  feishu: 'Feishu',
  lark: 'Lark',
};

/** Match patterns for the content script and the host permissions (https only: Feishu serves nothing else). */
export const FEISHU_MATCH_PATTERNS: readonly string[] = FEISHU_HOST_FAMILIES.map((f) => `https://*.${f.domain}/*`);

export function hostFamilyOf(hostname: string): HostFamily | null {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return FEISHU_HOST_FAMILIES.find((f) => host === f.domain || host.endsWith(`.${f.domain}`)) ?? null;
}
