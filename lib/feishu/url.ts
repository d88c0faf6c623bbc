import { PageTokenSchema, type PageRecognition } from '../core/page';
import { hostFamilyOf } from './hosts';

/**
 * Feishu path kinds we recognise, so an unsupported page can be named ("a wiki page") rather than ignored.
 * Only `docx` is listed today; the others are recognised for the message.
 */
const KNOWN_KINDS: Readonly<Record<string, string>> = {
  docx: 'docx',
  wiki: 'wiki',
  sheets: 'sheets',
  spreadsheets: 'sheets',
  base: 'base',
  file: 'file',
  docs: 'docs',
  doc: 'docs',
  mindnotes: 'mindnotes',
  slides: 'slides',
  drive: 'drive',
  minutes: 'minutes',
  mail: 'mail',
};

/**
 * Recognises a Feishu/Lark web page from its URL alone (the token is the path segment after the kind,
 * cut at the first `/`, `?` or `#`, as the official CLI does).
 */
export function recogniseFeishuUrl(rawUrl: string): PageRecognition {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { status: 'other' };
  }
  if (url.protocol !== 'https:') return { status: 'other' };
  const family = hostFamilyOf(url.hostname);
  if (!family) return { status: 'other' };

  const [first = '', second = ''] = url.pathname.split('/').filter(Boolean);
  const kind = KNOWN_KINDS[first.toLowerCase()];
  if (!kind) return { status: 'other' };
  if (kind !== 'docx') return { status: 'unsupported', platform: 'feishu', kind };

  const token = PageTokenSchema.safeParse(second);
  if (!token.success) return { status: 'other' };
  return {
    status: 'supported',
    page: { platform: 'feishu', brand: family.brand, host: url.hostname.toLowerCase(), kind: 'docx', token: token.data },
  };
}
