import mime from 'mime/lite';

/**
 * Helpers to pick a downloaded file's extension when the API gave no name or no extension (docx images have
 * no name), and to read the name a server suggests in Content-Disposition.
 */

/** Types that say nothing about the content, so they must not decide the extension. */
const UNINFORMATIVE_TYPES: ReadonlySet<string> = new Set([
  'application/octet-stream',
  'binary/octet-stream',
  'application/binary',
  'application/unknown',
  'application/download',
  'application/force-download',
  'application/x-download',
  'application/x-msdownload',
]);

// mime/lite only knows the standard (non-vendor, non-x-) types; office attachments and a few common
// aliases would otherwise get no extension, and mime prefers odd ones for some (audio/mpeg -> .mpga).
const EXTENSION_OVERRIDES: Readonly<Record<string, string>> = {
  'image/jpg': 'jpg',
  'image/pjpeg': 'jpg',
  'image/x-icon': 'ico',
  'image/vnd.microsoft.icon': 'ico',
  'image/x-ms-bmp': 'bmp',
  'audio/mpeg': 'mp3',
  'application/x-zip-compressed': 'zip',
  'application/vnd.rar': 'rar',
  'application/x-rar-compressed': 'rar',
  'application/x-7z-compressed': '7z',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
};

const MIME_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;
const SAFE_EXTENSION = /^[a-z0-9]{1,10}$/;

/**
 * 'image/png' -> '.png', 'image/jpeg' -> '.jpg' (prefer .jpg), 'application/pdf' -> '.pdf', parameters like
 * '; charset=' ignored, unknown or 'application/octet-stream' -> null. The table is mime/lite plus EXTENSION_OVERRIDES.
 */
export function extensionForMimeType(mimeType: string | null | undefined): string | null {
  if (typeof mimeType !== 'string') return null;
  const type = (mimeType.split(';', 1)[0] ?? '').trim().toLowerCase();
  if (!MIME_TYPE.test(type) || UNINFORMATIVE_TYPES.has(type)) return null;
  const ext = EXTENSION_OVERRIDES[type] ?? mime.getExtension(type);
  return ext !== null && SAFE_EXTENSION.test(ext) ? `.${ext}` : null;
}

const ascii = (text: string): readonly number[] => Array.from(text, (c) => c.charCodeAt(0));

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const GIF87 = ascii('GIF87a');
const GIF89 = ascii('GIF89a');
const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');
const BMP = ascii('BM');
const TIFF_LE = [0x49, 0x49, 0x2a, 0x00];
const TIFF_BE = [0x4d, 0x4d, 0x00, 0x2a];
const ICO = [0x00, 0x00, 0x01, 0x00];
const FTYP = ascii('ftyp');
const PDF = ascii('%PDF-');
const ZIP_SIGNATURES = [
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
  [0x50, 0x4b, 0x07, 0x08],
];
/** BITMAPCOREHEADER .. BITMAPV5HEADER sizes; "BM" alone is too common at the start of text. */
const BMP_DIB_HEADER_SIZES: ReadonlySet<number> = new Set([12, 16, 40, 52, 56, 64, 108, 124]);
const AVIF_BRANDS: ReadonlySet<string> = new Set(['avif', 'avis']);
const HEIC_BRANDS: ReadonlySet<string> = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
const HEIF_BRANDS: ReadonlySet<string> = new Set(['mif1', 'msf1', 'mif2', 'heif']);
/** How much of the start is read when looking for an SVG root element. */
const SVG_SNIFF_BYTES = 4096;

/**
 * Magic-byte sniffing of the first bytes for png, jpeg, gif, webp, bmp, tiff, ico, heic/heif/avif (ftyp brands), pdf,
 * zip, svg (text starting with optional BOM/whitespace and `<svg` or `<?xml ... <svg`). Returns e.g. '.png' or null.
 */
export function sniffExtension(bytes: Uint8Array): string | null {
  const at = (signature: readonly number[], offset = 0): boolean =>
    bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);

  if (at(PNG)) return '.png';
  if (at(JPEG)) return '.jpg';
  if (at(GIF87) || at(GIF89)) return '.gif';
  if (at(RIFF) && at(WEBP, 8)) return '.webp';
  if (at(BMP) && bytes.length >= 18 && BMP_DIB_HEADER_SIZES.has(readUint32LE(bytes, 14))) return '.bmp';
  if (at(TIFF_LE) || at(TIFF_BE)) return '.tif';
  if (at(ICO) && looksLikeIcoDirectory(bytes)) return '.ico';
  if (at(FTYP, 4)) return heifFamilyExtension(bytes);
  if (at(PDF)) return '.pdf';
  if (ZIP_SIGNATURES.some((signature) => at(signature))) return '.zip';
  if (looksLikeSvg(bytes)) return '.svg';
  return null;
}

function readUint32LE(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

function looksLikeIcoDirectory(bytes: Uint8Array): boolean {
  if (bytes.length < 6) return false;
  const count = (bytes[4] ?? 0) | ((bytes[5] ?? 0) << 8);
  if (count === 0) return false;
  // First directory entry: reserved byte 0, colour planes 0 or 1.
  if (bytes.length >= 12) return bytes[9] === 0 && bytes[11] === 0 && (bytes[10] ?? 0) <= 1;
  return true;
}

function heifFamilyExtension(bytes: Uint8Array): string | null {
  const brandAt = (offset: number): string => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (bytes.length < 12) return null;
  const boxSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, false);
  const brands = [brandAt(8)];
  for (let offset = 16; offset + 4 <= Math.min(boxSize, bytes.length); offset += 4) brands.push(brandAt(offset));
  const major = brands[0] ?? '';
  const isImage = AVIF_BRANDS.has(major) || HEIC_BRANDS.has(major) || HEIF_BRANDS.has(major);
  if (!isImage) return null;
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return '.avif';
  if (brands.some((brand) => HEIC_BRANDS.has(brand))) return '.heic';
  return '.heif';
}

function looksLikeSvg(bytes: Uint8Array): boolean {
  let text = new TextDecoder('utf-8').decode(bytes.subarray(0, SVG_SNIFF_BYTES));
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let pos = 0;
  for (;;) {
    while (pos < text.length && /\s/.test(text[pos] ?? '')) pos += 1;
    const rest = text.slice(pos);
    const skipTo = (terminator: string): boolean => {
      const end = text.indexOf(terminator, pos);
      if (end < 0) return false;
      pos = end + terminator.length;
      return true;
    };
    if (rest.startsWith('<?')) {
      if (!skipTo('?>')) return false;
    } else if (rest.startsWith('<!--')) {
      if (!skipTo('-->')) return false;
    } else if (/^<!doctype/i.test(rest)) {
      // A DOCTYPE may carry an internal subset in [...].
      const bracket = rest.indexOf('[');
      const close = rest.indexOf('>');
      if (close < 0) return false;
      if (bracket >= 0 && bracket < close) {
        if (!skipTo(']')) return false;
      }
      if (!skipTo('>')) return false;
    } else {
      return /^<svg[\s>/:]/i.test(rest);
    }
  }
}

/**
 * RFC 6266 / RFC 5987 Content-Disposition parsing: prefers filename* (UTF-8''percent-encoded, also ISO-8859-1 and
 * other charsets TextDecoder knows), falls back to filename="..." (with backslash escapes) or unquoted token; returns
 * null when absent or unparsable. Also handles the common non-standard forms in filename: raw UTF-8 bytes (header
 * strings decoded as latin1 by fetch: re-decoded as UTF-8 when that yields valid UTF-8), percent-encoded UTF-8 and
 * RFC 2047 encoded words, as Chromium does. The result is raw: pass it through sanitizeSegment.
 */
export function fileNameFromContentDisposition(header: string | null | undefined): string | null {
  if (typeof header !== 'string' || header.trim() === '') return null;
  const params = parseParameters(header);
  const extended = params.find((p) => p.name === 'filename*');
  if (extended) {
    const name = decodeExtendedValue(extended.value);
    if (name !== null && name.trim() !== '') return name;
  }
  const plain = params.find((p) => p.name === 'filename');
  if (plain) {
    const name = decodePlainValue(plain.value);
    if (name.trim() !== '') return name;
  }
  return null;
}

interface Parameter {
  readonly name: string;
  readonly value: string;
}

/**
 * Splits `type; name=value; name="quoted; value"` into parameters. Bare tokens (the disposition type) are skipped,
 * so a header without a type still yields its parameters. Lenient on purpose: unquoted values run to the next ';'
 * (servers send spaces unquoted) and an unterminated quote runs to the end.
 */
function parseParameters(header: string): Parameter[] {
  const params: Parameter[] = [];
  const n = header.length;
  let pos = 0;
  while (pos < n) {
    const nameStart = pos;
    while (pos < n && header[pos] !== '=' && header[pos] !== ';') pos += 1;
    const name = header.slice(nameStart, pos).trim().toLowerCase();
    if (pos >= n || header[pos] === ';') {
      pos += 1;
      continue;
    }
    pos += 1;
    while (pos < n && (header[pos] === ' ' || header[pos] === '\t')) pos += 1;
    let value = '';
    if (header[pos] === '"') {
      pos += 1;
      while (pos < n && header[pos] !== '"') {
        if (header[pos] === '\\' && pos + 1 < n) pos += 1;
        value += header[pos];
        pos += 1;
      }
      while (pos < n && header[pos] !== ';') pos += 1;
    } else {
      const valueStart = pos;
      while (pos < n && header[pos] !== ';') pos += 1;
      value = header.slice(valueStart, pos).trim();
    }
    pos += 1;
    if (name !== '') params.push({ name, value });
  }
  return params;
}

/** RFC 5987 `charset'language'percent-encoded`; null when malformed or not decodable. */
function decodeExtendedValue(value: string): string | null {
  const match = /^([^']*)'[^']*'(.*)$/s.exec(value.trim());
  if (!match) return null;
  const charset = (match[1] ?? '').trim().toLowerCase();
  const encoded = match[2] ?? '';
  if (!isByteString(encoded)) {
    // Not header bytes (the string came from somewhere other than fetch): only UTF-8 escapes can be undone.
    if (charset !== 'utf-8' && charset !== 'utf8') return null;
    try {
      return decodeURIComponent(encoded);
    } catch {
      return null;
    }
  }
  const bytes = percentDecode(encoded);
  if (bytes === null) return null;
  return decodeBytes(bytes, charset === '' ? 'utf-8' : charset);
}

function decodePlainValue(value: string): string {
  const encodedWords = decodeEncodedWords(value);
  if (encodedWords !== null) return encodedWords;
  if (/^[\x20-\x7e]*$/.test(value)) {
    // Some servers percent-encode UTF-8 here; Chromium decodes it when every escape is well formed.
    if (/%[0-9a-f]{2}/i.test(value)) {
      const bytes = percentDecode(value);
      const decoded = bytes === null ? null : decodeBytes(bytes, 'utf-8');
      if (decoded !== null) return decoded;
    }
    return value;
  }
  if (isByteString(value)) {
    // fetch() exposes header bytes as latin1; a server sending raw UTF-8 shows up as mojibake.
    const decoded = decodeBytes(Uint8Array.from(value, (c) => c.charCodeAt(0)), 'utf-8');
    if (decoded !== null) return decoded;
  }
  return value;
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bq])\?([^?\s]*)\?=/gi;

/** RFC 2047 `=?charset?B|Q?...?=`, which several mail-minded servers use; null when the value has none or one fails. */
function decodeEncodedWords(value: string): string | null {
  if (!/^\s*=\?/.test(value)) return null;
  let failed = false;
  const decoded = value
    // White space between adjacent encoded words is not part of the text.
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(ENCODED_WORD, (_word, charset: string, encoding: string, text: string) => {
      const bytes = encoding.toLowerCase() === 'b' ? base64Decode(text) : quotedPrintableDecode(text);
      const result = bytes === null ? null : decodeBytes(bytes, charset.toLowerCase());
      if (result === null) failed = true;
      return result ?? '';
    });
  return failed ? null : decoded;
}

function base64Decode(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function quotedPrintableDecode(text: string): Uint8Array | null {
  return percentDecode(text.replaceAll('_', ' ').replaceAll('%', '%25').replace(/=([0-9a-f]{2})/gi, '%$1'));
}

/** Percent-decodes a latin1/ASCII string to bytes; null on a malformed escape. */
function percentDecode(text: string): Uint8Array | null {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/i.test(hex)) return null;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c <= 0xff) {
      bytes.push(c);
    } else {
      return null;
    }
  }
  return Uint8Array.from(bytes);
}

const LATIN1_LABELS: ReadonlySet<string> = new Set(['iso-8859-1', 'iso8859-1', 'iso_8859-1', 'latin1', 'l1']);

/** Strict decode in the named charset; null on invalid bytes or an unknown charset. */
function decodeBytes(bytes: Uint8Array, charset: string): string | null {
  // TextDecoder maps these labels to windows-1252, which differs in 0x80-0x9F; RFC 5987 means real ISO-8859-1.
  if (LATIN1_LABELS.has(charset)) return Array.from(bytes, (b) => String.fromCharCode(b)).join('');
  try {
    return new TextDecoder(charset, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function isByteString(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}
