import { describe, expect, it } from 'vitest';
import { extensionForMimeType, fileNameFromContentDisposition, sniffExtension } from './content-type';

const bytes = (...parts: ReadonlyArray<string | readonly number[]>): Uint8Array =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === 'string' ? Array.from(part, (c) => c.charCodeAt(0)) : part)));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const u32be = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u32le = (n: number): number[] => u32be(n).reverse();
/** What fetch() shows for a header whose raw bytes are the UTF-8 of `text`: each byte as one latin1 character. */
const asLatin1Header = (text: string): string => Array.from(utf8(text), (b) => String.fromCharCode(b)).join('');
const ftyp = (major: string, ...compatible: string[]): Uint8Array =>
  bytes(u32be(16 + 4 * compatible.length), 'ftyp', major, [0, 0, 0, 0], ...compatible, [0, 0, 0, 0x20]);

describe('extensionForMimeType', () => {
  it.each<[string | null | undefined, string | null]>([
    ['image/png', '.png'],
    ['image/jpeg', '.jpg'],
    ['IMAGE/JPEG', '.jpg'],
    ['image/jpg', '.jpg'],
    ['image/pjpeg', '.jpg'],
    ['image/gif', '.gif'],
    ['image/webp', '.webp'],
    ['image/bmp', '.bmp'],
    ['image/tiff', '.tif'],
    ['image/x-icon', '.ico'],
    ['image/vnd.microsoft.icon', '.ico'],
    ['image/heic', '.heic'],
    ['image/heif', '.heif'],
    ['image/avif', '.avif'],
    ['image/svg+xml', '.svg'],
    ['application/pdf', '.pdf'],
    ['application/zip', '.zip'],
    ['application/x-zip-compressed', '.zip'],
    ['text/plain; charset=utf-8', '.txt'],
    ['text/html;charset=GBK', '.html'],
    ['  text/csv ; header=present', '.csv'],
    ['application/json', '.json'],
    ['audio/mpeg', '.mp3'],
    ['video/mp4', '.mp4'],
    ['application/msword', '.doc'],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', '.docx'],
    ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', '.xlsx'],
    ['application/vnd.openxmlformats-officedocument.presentationml.presentation', '.pptx'],
    ['application/vnd.ms-excel', '.xls'],
    ['application/octet-stream', null],
    ['application/octet-stream; name="a.pdf"', null],
    ['binary/octet-stream', null],
    ['application/force-download', null],
    ['application/x-msdownload', null],
    ['application/x-made-up-type', null],
    ['image/x-made-up', null],
    ['pdf', null],
    ['image/', null],
    ['/png', null],
    ['image/png/../x', null],
    ['', null],
    [null, null],
    [undefined, null],
  ])('%j -> %j', (mimeType, expected) => {
    expect(extensionForMimeType(mimeType)).toBe(expected);
  });
});

describe('sniffExtension', () => {
  it.each<[string, Uint8Array, string | null]>([
    ['PNG', bytes([0x89], 'PNG\r\n', [0x1a, 0x0a], u32be(13), 'IHDR'), '.png'],
    ['JPEG (JFIF)', bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 'JFIF', [0]), '.jpg'],
    ['JPEG (Exif)', bytes([0xff, 0xd8, 0xff, 0xe1, 0x12, 0x34], 'Exif', [0, 0]), '.jpg'],
    ['GIF87a', bytes('GIF87a', [1, 0, 1, 0]), '.gif'],
    ['GIF89a', bytes('GIF89a', [1, 0, 1, 0]), '.gif'],
    ['WebP', bytes('RIFF', u32le(1234), 'WEBPVP8 '), '.webp'],
    ['RIFF that is not WebP (WAV)', bytes('RIFF', u32le(1234), 'WAVEfmt '), null],
    ['BMP (BITMAPINFOHEADER)', bytes('BM', u32le(70), [0, 0, 0, 0], u32le(54), u32le(40), u32le(1), u32le(1)), '.bmp'],
    ['BMP (V5 header)', bytes('BM', u32le(70), [0, 0, 0, 0], u32le(138), u32le(124)), '.bmp'],
    ['text starting with BM', utf8('BMW service invoice 2024.\n'), null],
    ['TIFF little-endian', bytes('II', [0x2a, 0x00], u32le(8)), '.tif'],
    ['TIFF big-endian', bytes('MM', [0x00, 0x2a], u32be(8)), '.tif'],
    ['ICO', bytes([0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0], u32le(1128), u32le(22)), '.ico'],
    ['ICO header only', bytes([0, 0, 1, 0, 2, 0]), '.ico'],
    ['ICO with no images', bytes([0, 0, 1, 0, 0, 0, 16, 16, 0, 0, 1, 0]), null],
    ['CUR is not ICO', bytes([0, 0, 2, 0, 1, 0, 16, 16, 0, 0, 1, 0]), null],
    ['HEIC', ftyp('heic', 'mif1', 'heic'), '.heic'],
    ['HEIC via mif1 major brand', ftyp('mif1', 'mif1', 'heic'), '.heic'],
    ['HEIF', ftyp('mif1', 'mif1'), '.heif'],
    ['AVIF', ftyp('avif', 'avif', 'mif1', 'miaf'), '.avif'],
    ['AVIF via mif1 major brand', ftyp('mif1', 'avif', 'mif1', 'miaf'), '.avif'],
    ['AVIF sequence', ftyp('avis', 'avis', 'msf1'), '.avif'],
    ['MP4 is not an image', ftyp('isom', 'isom', 'mp42'), null],
    ['truncated ftyp', bytes([0, 0, 0, 0x18], 'ftyp'), null],
    ['PDF', utf8('%PDF-1.7\n%\u00e2\u00e3\n1 0 obj'), '.pdf'],
    ['ZIP (docx)', bytes('PK', [3, 4, 20, 0, 6, 0], [8, 0], '[Content_Types].xml'), '.zip'],
    ['empty ZIP', bytes('PK', [5, 6], new Array<number>(18).fill(0)), '.zip'],
    ['SVG', utf8('<svg xmlns="http://www.w3.org/2000/svg" width="10"/>'), '.svg'],
    ['SVG with BOM and white space', utf8('\uFEFF\n  \t<svg>\n</svg>'), '.svg'],
    [
      'SVG after XML declaration, comment and DOCTYPE',
      utf8(
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!-- Created with Inkscape -->\n' +
          '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg version="1.1">',
      ),
      '.svg',
    ],
    ['SVG after DOCTYPE with internal subset', utf8('<?xml version="1.0"?><!DOCTYPE svg [ <!ENTITY a "<b>"> ]><svg/>'), '.svg'],
    ['XML that is not SVG', utf8('<?xml version="1.0"?>\n<note><svg/></note>'), null],
    ['HTML', utf8('<!DOCTYPE html><html><body><svg></svg></body></html>'), null],
    ['element that only starts with svg', utf8('<svgfoo/>'), null],
    ['unterminated XML declaration', utf8('<?xml version="1.0"'), null],
    ['plain text', utf8('hello world'), null],
    ['empty', new Uint8Array(0), null],
    ['one byte', bytes([0x89]), null],
  ])('%s', (_name, input, expected) => {
    expect(sniffExtension(input)).toBe(expected);
  });

  it('reads a view into a larger buffer at its own offset', () => {
    const buffer = bytes('junk', [0x89], 'PNG\r\n', [0x1a, 0x0a]);
    expect(sniffExtension(buffer.subarray(4))).toBe('.png');
    const bmp = bytes('xx', 'BM', u32le(70), [0, 0, 0, 0], u32le(54), u32le(40));
    expect(sniffExtension(bmp.subarray(2))).toBe('.bmp');
  });
});

describe('fileNameFromContentDisposition', () => {
  it.each<[string, string | null | undefined, string | null]>([
    ['quoted filename', 'attachment; filename="report.pdf"', 'report.pdf'],
    ['filename* preferred', `attachment; filename="report.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf`, '报告.pdf'],
    ['filename* preferred when first', `attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf; filename="report.pdf"`, '报告.pdf'],
    ['filename* alone', `attachment; filename*=utf-8''%E6%8A%A5%E9%94%80%E5%8D%95%202024.xlsx`, '报销单 2024.xlsx'],
    ['filename* with language', `attachment; filename*=UTF-8'zh-CN'%E5%90%88%E5%90%8C.docx`, '合同.docx'],
    ['filename* ISO-8859-1', `attachment; filename*=iso-8859-1'en'%A3%20rates.pdf`, '£ rates.pdf'],
    ['filename* ISO-8859-1 high control range stays latin1', `attachment; filename*=ISO-8859-1''a%80b.txt`, 'a\u0080b.txt'],
    ['filename* GBK', `attachment; filename*=GBK''%B1%A8%B8%E6.pdf`, '报告.pdf'],
    ['filename* emoji', `attachment; filename*=UTF-8''%F0%9F%93%8E%20clip.png`, '📎 clip.png'],
    ['filename* quoted (non-standard)', `attachment; filename*="UTF-8''%E6%8A%A5%E5%91%8A.pdf"`, '报告.pdf'],
    ['upper-case parameter names', `ATTACHMENT; FILENAME*=UTF-8''a%20b.pdf; FILENAME="c.pdf"`, 'a b.pdf'],
    ['bad escape in filename* falls back', `attachment; filename*=UTF-8''%E6%8A%ZZ.pdf; filename="fallback.pdf"`, 'fallback.pdf'],
    ['invalid UTF-8 in filename* falls back', `attachment; filename*=UTF-8''%FF%FE.pdf; filename="fallback.pdf"`, 'fallback.pdf'],
    ['unknown charset falls back', `attachment; filename*=x-no-such-charset''abc.pdf; filename="x.pdf"`, 'x.pdf'],
    ['filename* without quotes falls back', 'attachment; filename*=report.pdf; filename="x.pdf"', 'x.pdf'],
    ['empty filename* falls back', `attachment; filename*=UTF-8''; filename="x.pdf"`, 'x.pdf'],
    ['invalid filename* alone', `attachment; filename*=UTF-8''%FF.pdf`, null],
    ['unquoted token', 'inline; filename=report.pdf', 'report.pdf'],
    ['unquoted with spaces (non-standard)', 'attachment; filename=my report.pdf', 'my report.pdf'],
    ['unquoted then more parameters', 'attachment; filename=a.pdf; size=1234', 'a.pdf'],
    ['escaped quotes', 'attachment; filename="a \\"quoted\\" name.pdf"', 'a "quoted" name.pdf'],
    ['escaped backslash', 'attachment; filename="a\\\\b.pdf"', 'a\\b.pdf'],
    ['semicolon inside quotes', 'attachment; filename="semi;colon.pdf"; size=3', 'semi;colon.pdf'],
    ['spaces around =', 'attachment; filename = "spaced.pdf"', 'spaced.pdf'],
    ['no disposition type', 'filename="only.pdf"', 'only.pdf'],
    ['other parameters first', 'attachment; creation-date="Wed, 12 Feb 1997 16:29:51 -0500"; filename="x.pdf"', 'x.pdf'],
    ['raw UTF-8 bytes seen as latin1', `attachment; filename="${asLatin1Header('报销单.xlsx')}"`, '报销单.xlsx'],
    ['raw UTF-8 bytes unquoted', `attachment; filename=${asLatin1Header('发票 01.pdf')}`, '发票 01.pdf'],
    ['real latin1 stays latin1', 'attachment; filename="caf\u00e9.txt"', 'caf\u00e9.txt'],
    ['percent-encoded UTF-8 in filename', 'attachment; filename="%E6%8A%A5%E5%91%8A.pdf"', '报告.pdf'],
    ['literal percent sign', 'attachment; filename="100% sure.pdf"', '100% sure.pdf'],
    ['percent escapes that are not UTF-8', 'attachment; filename="a%FFb.pdf"', 'a%FFb.pdf'],
    ['RFC 2047 base64', 'attachment; filename="=?UTF-8?B?5oql5ZGKLnBkZg==?="', '报告.pdf'],
    ['RFC 2047 Q encoding', 'attachment; filename="=?utf-8?Q?=E6=8A=A5=E5=91=8A_2024.pdf?="', '报告 2024.pdf'],
    ['RFC 2047 split words', 'attachment; filename="=?UTF-8?B?5oql?= =?UTF-8?B?5ZGKLnBkZg==?="', '报告.pdf'],
    ['traversal is returned raw for the sanitiser', 'attachment; filename="../../etc/passwd"', '../../etc/passwd'],
    ['unterminated quote', 'attachment; filename="unterminated.pdf', 'unterminated.pdf'],
    ['type only', 'attachment', null],
    ['inline only', 'inline', null],
    ['empty quoted filename', 'attachment; filename=""', null],
    ['blank filename', 'attachment; filename="   "', null],
    ['empty value', 'attachment; filename=', null],
    ['other parameter only', 'attachment; name="field"', null],
    ['empty header', '', null],
    ['null', null, null],
    ['undefined', undefined, null],
  ])('%s', (_name, header, expected) => {
    expect(fileNameFromContentDisposition(header)).toBe(expected);
  });

  it('reads real Unicode in filename* from a non-fetch source', () => {
    expect(fileNameFromContentDisposition(`attachment; filename*=UTF-8''报告%20终稿.pdf`)).toBe('报告 终稿.pdf');
  });
});
