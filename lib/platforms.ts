/** Every platform the extension understands, behind one recogniser (Ekuaibao joins here later). */
import type { PageRecognition } from './core/page';
import { FEISHU_HOST_FAMILIES } from './feishu/hosts';
import { recogniseFeishuUrl, type CustomWebHost } from './feishu/url';

export function recognisePage(url: string, customHosts: readonly CustomWebHost[] = []): PageRecognition {
  return recogniseFeishuUrl(url, customHosts);
}

/** Path prefixes of the pages we list (the Mail client is matched by its host or `/mail`). */
const LISTED_PATHS = ['docx', 'wiki', 'sheets', 'base', 'file', 'mail'];

/** Page URL patterns on which "Download all attachments" makes sense (context-menu `documentUrlPatterns`). */
export function supportedPagePatterns(customHosts: readonly CustomWebHost[] = []): string[] {
  const hosts = [...FEISHU_HOST_FAMILIES.map((f) => `*.${f.domain}`), ...customHosts.map((c) => c.host)];
  return [
    ...hosts.flatMap((host) => LISTED_PATHS.map((path) => `https://${host}/${path}*`)),
    ...FEISHU_HOST_FAMILIES.map((f) => `https://mail.${f.domain}/*`),
  ];
}
