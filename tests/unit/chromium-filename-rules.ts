/**
 * An independent restatement of what Chromium refuses in a `downloads.download` path component
 * (net::IsSafePortablePathComponent and base::i18n::IsFilenameLegal, including the Windows-only 8.3 '~' rule),
 * so tests of names do not only compare lib/downloads/naming.ts with itself. Null when Chromium accepts the name.
 */
export function chromiumObjection(name: string): string | null {
  if (name === '') return 'empty';
  if (/[\p{Cc}\p{Cf}"*/:<>?\\|]/u.test(name)) return 'illegal character';
  if (/\p{Cs}/u.test(name)) return 'lone surrogate';
  if (/\p{Noncharacter_Code_Point}/u.test(name)) return 'noncharacter';
  if (/^[\s.~]|[\s.~]$/u.test(name)) return 'illegal at either end';
  const firstStem = (name.split('.')[0] ?? '').toLowerCase();
  if (/^(con|prn|aux|nul|clock\$|com[0-9¹²³]|lpt[0-9¹²³])$/.test(firstStem)) return 'reserved device';
  if (/^(desktop\.ini|thumbs\.db)$/i.test(name)) return 'reserved shell file';
  const dot = name.lastIndexOf('.');
  const ext = dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
  const shellIntegrated = ['lnk', 'local', 'url', 'desktop', 'scf'].includes(ext) || /^\{.*\}$/s.test(ext);
  if (shellIntegrated) return 'shell-integrated extension';
  if (name.length <= 12 && name.includes('~') && !/[\s"\\/[\]:+|<>=;?,*]/u.test(name)) {
    const first = name.indexOf('.');
    const shortName =
      first < 0 ? name.length <= 8 : first === dot && first > 0 && first <= 8 && first + 4 >= name.length;
    if (shortName) return 'could be an 8.3 short name with ~';
  }
  return null;
}

/** UTF-8 length, as a file system counts a name. */
export const utf8Bytes = (s: string): number => new TextEncoder().encode(s).length;
