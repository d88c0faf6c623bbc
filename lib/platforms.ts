/** Every platform the extension understands, behind one recogniser (Ekuaibao joins here later). */
import type { PageRecognition } from './core/page';
import { FEISHU_HOST_FAMILIES } from './feishu/hosts';
import { recogniseFeishuUrl } from './feishu/url';

export function recognisePage(url: string): PageRecognition {
  return recogniseFeishuUrl(url);
}

/** Page URL patterns on which "Download all attachments" makes sense (context-menu `documentUrlPatterns`). */
export const SUPPORTED_PAGE_PATTERNS: readonly string[] = FEISHU_HOST_FAMILIES.map((f) => `https://*.${f.domain}/docx/*`);
