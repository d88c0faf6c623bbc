/**
 * Turns untrusted attachment names (API fields, page DOM, HTTP headers) into path components for
 * `chrome.downloads.download({ filename })`.
 *
 * A component must pass Chromium's `net::IsSafePortablePathComponent` (otherwise the download fails
 * with "Invalid filename") and be usable on Windows, macOS and Linux. The Chromium checks mirrored here
 * live in base/i18n/file_util_icu.cc (IsFilenameLegal) and net/base/filename_util*.cc.
 */

export interface SegmentLimits {
  readonly maxBytes: number;
  readonly maxChars: number;
}

// Linux allows 255 bytes per component; Chrome adds ".crdownload" while downloading and " (1)" when
// uniquifying, and Windows' MAX_PATH also counts the Downloads folder and every parent segment.
export const FILE_NAME_LIMITS: SegmentLimits = Object.freeze({ maxBytes: 180, maxChars: 120 });
export const FOLDER_NAME_LIMITS: SegmentLimits = Object.freeze({ maxBytes: 120, maxChars: 60 });

/** Used when both the name and the caller's fallback sanitise to nothing. */
const LAST_RESORT = '_';

/** Bounded so a rule interaction we did not foresee falls back instead of looping. */
const MAX_PASSES = 8;

/** Longest tail after the last dot that truncation keeps as the extension. */
const MAX_KEPT_EXTENSION_CHARS = 16;

const CONTROL_OR_LINE_SEPARATOR = /[\p{Cc}\u2028\u2029]/gu;
// Format characters (zero-width, bidi overrides, BOM, soft hyphen...), lone surrogates (\p{Cs} only
// matches unpaired halves in a `u` regex) and noncharacters are all refused by IsFilenameLegal.
const INVISIBLE_OR_INVALID = /[\p{Cf}\p{Cs}\p{Noncharacter_Code_Point}]/gu;
const RESERVED_PUNCTUATION = /[<>:"/\\|?*]/g;
const WHITESPACE_RUN = /\s+/gu;
// Chromium refuses white space, '.' and '~' at either end; a leading dot also hides the file.
const LEADING_JUNK = /^[\s.~]+/u;
const TRAILING_JUNK = /[\s.~]+$/u;

// Windows device names, checked on the part before the first dot (Windows ignores trailing spaces
// there). COM0/LPT0, the superscript digits and CONIN$/CONOUT$ go beyond Chromium's own list.
const RESERVED_DEVICE =
  /^(?:con|prn|aux|nul|clock\$|conin\$|conout\$|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])$/i;
// Chromium's IsReservedNameOnWindows also refuses these Explorer files by exact name.
const RESERVED_SHELL_FILE = /^(?:desktop\.ini|thumbs\.db)$/i;
const SHELL_INTEGRATED_EXTENSIONS: ReadonlySet<string> = new Set(['lnk', 'local', 'url', 'desktop', 'scf']);
const CLSID_LIKE = /^\{.*\}$/su;

// Characters that cannot appear in an 8.3 short name; a name containing any of them is never one.
const NOT_IN_SHORT_NAME = /[\s"\\/[\]:+|<>=;?,*]/u;

const KEPT_EXTENSION_TAIL = new RegExp(`^[^\\s.]{1,${MAX_KEPT_EXTENSION_CHARS}}$`, 'u');
const SPLIT_EXTENSION_TAIL = /^[A-Za-z0-9]{1,10}$/;

/**
 * Safe single path component; never empty (returns `fallback` sanitised when nothing is left).
 * Keeps the extension when truncating.
 */
export function sanitizeSegment(raw: string, limits: SegmentLimits, fallback: string): string {
  assertLimits(limits);
  return sanitizeToFixedPoint(raw, limits) || sanitizeToFixedPoint(fallback, limits) || LAST_RESORT;
}

/**
 * `stem` and `ext` (ext includes the dot, lower-cased NOT applied; ext only if 1-10 chars of [A-Za-z0-9] after the
 * last dot and the stem is non-empty).
 */
export function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot > 0 && SPLIT_EXTENSION_TAIL.test(name.slice(dot + 1))) {
    return { stem: name.slice(0, dot), ext: name.slice(dot) };
  }
  return { stem: name, ext: '' };
}

/**
 * Joins sanitised segments with '/', e.g. ['Feishu', '报销 单', 'a.pdf'] -> 'Feishu/报销 单/a.pdf'.
 * Throws if any segment is not already safe (defence in depth).
 */
export function joinPath(segments: readonly string[]): string {
  if (segments.length === 0) throw new Error('joinPath: no path segments');
  segments.forEach((segment, index) => {
    if (!isSafeSegment(segment)) {
      throw new Error(`joinPath: segment ${index} is not a safe path component: ${JSON.stringify(segment)}`);
    }
  });
  return segments.join('/');
}

/**
 * True when `sanitizeSegment(s, ...)` would leave s unchanged and s is non-empty: used by joinPath.
 * Checked against FILE_NAME_LIMITS unless other limits are given.
 */
export function isSafeSegment(segment: string, limits: SegmentLimits = FILE_NAME_LIMITS): boolean {
  return typeof segment === 'string' && segment !== '' && sanitizeSegment(segment, limits, LAST_RESORT) === segment;
}

/**
 * Case-insensitive registry of names already used in a folder (compare with NFC + toLowerCase), so two attachments
 * called "report.pdf" become "report.pdf" and "report (2).pdf", "Report.PDF" also collides. The suffix is inserted
 * before the extension and the result still respects FILE_NAME_LIMITS (truncate the stem further if needed).
 *
 * Names are sanitised (FILE_NAME_LIMITS) before use, which leaves already-safe names unchanged. Folder keys are
 * compared the same way as names, since "Feishu" and "feishu" are one folder on Windows and macOS.
 */
export class NameRegistry {
  readonly #used = new Map<string, Set<string>>();

  constructor(initial?: Iterable<readonly [folderKey: string, fileName: string]>) {
    for (const [folderKey, fileName] of initial ?? []) {
      this.#folder(folderKey).add(comparisonKey(safeFileName(fileName)));
    }
  }

  /** Returns the unique name actually claimed. */
  claim(folderKey: string, fileName: string): string {
    const used = this.#folder(folderKey);
    const name = safeFileName(fileName);
    for (let n = 1; ; n += 1) {
      const candidate = n === 1 ? name : withCounter(name, n);
      const key = comparisonKey(candidate);
      if (!used.has(key)) {
        used.add(key);
        return candidate;
      }
    }
  }

  release(folderKey: string, fileName: string): void {
    const folder = comparisonKey(folderKey);
    const used = this.#used.get(folder);
    if (!used) return;
    used.delete(comparisonKey(safeFileName(fileName)));
    if (used.size === 0) this.#used.delete(folder);
  }

  has(folderKey: string, fileName: string): boolean {
    return this.#used.get(comparisonKey(folderKey))?.has(comparisonKey(safeFileName(fileName))) ?? false;
  }

  #folder(folderKey: string): Set<string> {
    const folder = comparisonKey(folderKey);
    let used = this.#used.get(folder);
    if (!used) {
      used = new Set();
      this.#used.set(folder, used);
    }
    return used;
  }
}

function safeFileName(fileName: string): string {
  return sanitizeSegment(fileName, FILE_NAME_LIMITS, LAST_RESORT);
}

function comparisonKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}

/** `report.pdf`, 2 -> `report (2).pdf`, shortening the stem so the result stays within FILE_NAME_LIMITS. */
function withCounter(name: string, n: number): string {
  const suffix = ` (${n})`;
  const ext = keptExtension(name);
  if (ext !== '') {
    const stem = fitStem(name.slice(0, -ext.length), suffix + ext, FILE_NAME_LIMITS);
    if (stem !== '') return sanitizeSegment(stem + suffix + ext, FILE_NAME_LIMITS, LAST_RESORT);
  }
  const stem = fitStem(name, suffix, FILE_NAME_LIMITS);
  return sanitizeSegment((stem === '' ? LAST_RESORT : stem) + suffix, FILE_NAME_LIMITS, LAST_RESORT);
}

function fitStem(stem: string, tail: string, limits: SegmentLimits): string {
  const budget = { maxChars: limits.maxChars - tail.length, maxBytes: limits.maxBytes - utf8Length(tail) };
  if (budget.maxChars < 1 || budget.maxBytes < 1) return '';
  return stripTrailing(cutToFit(stem, budget));
}

function assertLimits(limits: SegmentLimits): void {
  const usable = (n: number): boolean => Number.isInteger(n) && n >= 1;
  if (!usable(limits.maxBytes) || !usable(limits.maxChars)) {
    throw new RangeError(`Invalid segment limits: ${JSON.stringify(limits)}`);
  }
}

/**
 * Applies the rules until the name stops changing, so every result is a fixed point and isSafeSegment holds for it
 * by construction. Returns '' when nothing is left (or, defensively, when the rules do not settle).
 */
function sanitizeToFixedPoint(raw: string, limits: SegmentLimits): string {
  let current = typeof raw === 'string' ? raw : '';
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    const next = sanitizePass(current, limits);
    if (next === current) return next;
    current = next;
  }
  return '';
}

function sanitizePass(input: string, limits: SegmentLimits): string {
  let s = input
    .normalize('NFC')
    .replace(CONTROL_OR_LINE_SEPARATOR, ' ')
    .replace(INVISIBLE_OR_INVALID, '')
    // Removing a format character can leave a base letter next to its combining mark.
    .normalize('NFC')
    .replace(RESERVED_PUNCTUATION, '_')
    .replace(WHITESPACE_RUN, ' ')
    .replace(LEADING_JUNK, '')
    .replace(TRAILING_JUNK, '');
  if (s === '') return '';
  s = escapeReservedName(s);
  s = escapeShellIntegratedExtension(s);
  s = truncate(s, limits);
  return escapeTildeInShortName(s);
}

function escapeReservedName(s: string): string {
  const firstStem = s.split('.', 1)[0] ?? '';
  if (RESERVED_DEVICE.test(firstStem.trimEnd()) || RESERVED_SHELL_FILE.test(s)) return `_${s}`;
  return s;
}

function hasShellIntegratedExtension(s: string): boolean {
  const dot = s.lastIndexOf('.');
  if (dot < 0) return false;
  const ext = s.slice(dot + 1);
  return SHELL_INTEGRATED_EXTENSIONS.has(ext.toLowerCase()) || CLSID_LIKE.test(ext);
}

function escapeShellIntegratedExtension(s: string): string {
  return hasShellIntegratedExtension(s) ? `${s}_` : s;
}

/**
 * On Windows Chromium refuses a name that could be an 8.3 short name and contains '~' (CVE-2014-9390), e.g.
 * "PROGRA~1.TXT"; its own sanitiser replaces the '~' there, and so do we, on every platform.
 */
function escapeTildeInShortName(s: string): string {
  if (s.length > 12 || !s.includes('~') || NOT_IN_SHORT_NAME.test(s)) return s;
  const firstDot = s.indexOf('.');
  const couldBeShortName =
    firstDot < 0
      ? s.length <= 8
      : firstDot === s.lastIndexOf('.') && firstDot > 0 && firstDot <= 8 && firstDot + 4 >= s.length;
  return couldBeShortName ? s.replaceAll('~', '_') : s;
}

/** The extension truncation keeps: the tail after the last dot when short and space-free, plus a preceding `.tar`. */
function keptExtension(s: string): string {
  const dot = s.lastIndexOf('.');
  if (dot <= 0 || !KEPT_EXTENSION_TAIL.test(s.slice(dot + 1))) return '';
  const tarStart = dot - '.tar'.length;
  const isTar = tarStart > 0 && s.slice(tarStart, dot).toLowerCase() === '.tar';
  if (isTar && codePointLength(s.slice(tarStart)) <= MAX_KEPT_EXTENSION_CHARS + 1) return s.slice(tarStart);
  return s.slice(dot);
}

function truncate(s: string, limits: SegmentLimits): string {
  if (fits(s, limits)) return s;
  const ext = keptExtension(s);
  // Keep the extension only while it leaves at least half of the budget to the stem.
  if (ext !== '' && ext.length * 2 <= limits.maxChars && utf8Length(ext) * 2 <= limits.maxBytes) {
    const stem = fitStem(s.slice(0, -ext.length), ext, limits);
    if (stem !== '') return stem + ext;
  }
  let cut = stripTrailing(cutToFit(s, limits));
  // Cutting can expose a shell-integrated extension (a long CLSID-like tail losing its trailing '_'), and
  // re-appending '_' would overflow again, so cut past it instead.
  while (cut !== '' && hasShellIntegratedExtension(cut)) cut = stripTrailing(dropLastCodePoint(cut));
  return cut;
}

function stripTrailing(s: string): string {
  return s.replace(TRAILING_JUNK, '');
}

function fits(s: string, limits: SegmentLimits): boolean {
  return s.length <= limits.maxChars && utf8Length(s) <= limits.maxBytes;
}

/** Longest prefix of whole code points within both limits. */
function cutToFit(s: string, limits: SegmentLimits): string {
  let chars = 0;
  let bytes = 0;
  let end = 0;
  for (const cp of s) {
    const nextChars = chars + cp.length;
    const nextBytes = bytes + utf8Length(cp);
    if (nextChars > limits.maxChars || nextBytes > limits.maxBytes) break;
    chars = nextChars;
    bytes = nextBytes;
    end += cp.length;
  }
  return s.slice(0, end);
}

function dropLastCodePoint(s: string): string {
  const last = Array.from(s).pop() ?? '';
  return s.slice(0, s.length - last.length);
}

function codePointLength(s: string): number {
  return Array.from(s).length;
}

/** UTF-8 length; lone surrogates count as 3 bytes (they would become U+FFFD). */
function utf8Length(s: string): number {
  let bytes = 0;
  for (const cp of s) {
    const code = cp.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
