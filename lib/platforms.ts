/** Every platform the extension understands, behind one recogniser: Feishu/Lark and Ekuaibao. */
import type { PageRecognition } from './core/page';
import type { DomSighting } from './core/tab-state';
import { EKUAIBAO_DOMAINS } from './ekuaibao/hosts';
import { formRefs, recogniseEkuaibaoUrl, type EkuaibaoWebHost } from './ekuaibao/url';
import { FEISHU_HOST_FAMILIES } from './feishu/hosts';
import { recogniseFeishuUrl, type CustomWebHost } from './feishu/url';

export function recognisePage(url: string, customHosts: readonly CustomWebHost[] = [], ekuaibaoHosts: readonly EkuaibaoWebHost[] = []): PageRecognition {
  const feishu = recogniseFeishuUrl(url, customHosts);
  return feishu.status === 'other' ? recogniseEkuaibaoUrl(url, ekuaibaoHosts) : feishu;
}

/**
 * An Ekuaibao page with the forms its markup shows and the codes typed for it in the popup; other pages as they are.
 * (Forms named by the URL come first: they are the page's own.)
 */
export function refineRecognition(recognition: PageRecognition, dom: DomSighting | undefined, typedCodes: readonly string[] = []): PageRecognition {
  if (recognition.status !== 'supported' || recognition.page.platform !== 'ekuaibao') return recognition;
  const { page } = recognition;
  const fromUrl = {
    codes: page.forms.flatMap((f) => ('code' in f ? [f.code] : [])),
    flowIds: page.forms.flatMap((f) => ('flowId' in f ? [f.flowId] : [])),
  };
  return { status: 'supported', page: { ...page, forms: formRefs(fromUrl, dom?.forms, { codes: [...typedCodes], flowIds: [] }) } };
}

/** Path prefixes of the Feishu pages we list (the Mail client is matched by its host or `/mail`). */
const LISTED_PATHS = ['docx', 'wiki', 'sheets', 'base', 'file', 'mail'];

/** Page URL patterns on which "Download all attachments" makes sense (context-menu `documentUrlPatterns`). */
export function supportedPagePatterns(customHosts: readonly CustomWebHost[] = [], ekuaibaoHosts: readonly EkuaibaoWebHost[] = []): string[] {
  const hosts = [...FEISHU_HOST_FAMILIES.map((f) => `*.${f.domain}`), ...customHosts.map((c) => c.host)];
  return [
    ...hosts.flatMap((host) => LISTED_PATHS.map((path) => `https://${host}/${path}*`)),
    ...FEISHU_HOST_FAMILIES.map((f) => `https://mail.${f.domain}/*`),
    ...[...EKUAIBAO_DOMAINS.map((d) => `*.${d}`), ...ekuaibaoHosts.map((c) => c.host)].map((host) => `https://${host}/*`),
  ];
}
