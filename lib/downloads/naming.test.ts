import { describe, expect, it } from 'vitest';
import {
  FILE_NAME_LIMITS,
  FOLDER_NAME_LIMITS,
  NameRegistry,
  isSafeSegment,
  joinPath,
  sanitizeSegment,
  splitExtension,
  type SegmentLimits,
} from './naming';
import { chromiumObjection, utf8Bytes } from '../../tests/unit/chromium-filename-rules';

const CLSID = '{20D04FE0-3AEA-1069-A2D8-08002B30309D}';

function expectSafe(output: string, limits: SegmentLimits): void {
  expect(chromiumObjection(output)).toBeNull();
  expect(isSafeSegment(output, limits)).toBe(true);
  expect(sanitizeSegment(output, limits, 'other')).toBe(output);
  expect(output.length).toBeLessThanOrEqual(limits.maxChars);
  expect(utf8Bytes(output)).toBeLessThanOrEqual(limits.maxBytes);
}

interface Case {
  readonly name: string;
  readonly input: string;
  readonly expected: string;
  readonly limits?: SegmentLimits;
  readonly fallback?: string;
}

const CASES: readonly Case[] = [
  // Path traversal and separators
  { name: 'parent directory', input: '..', expected: 'download' },
  { name: 'current directory', input: '.', expected: 'download' },
  { name: 'parent then name', input: '../x', expected: '_x' },
  { name: 'deep traversal', input: '../../etc/passwd', expected: '_.._etc_passwd' },
  { name: 'forward slash', input: 'a/b', expected: 'a_b' },
  { name: 'backslash', input: 'a\\b', expected: 'a_b' },
  { name: 'absolute POSIX path', input: '/etc/passwd', expected: '_etc_passwd' },
  { name: 'absolute Windows path', input: 'C:\\Windows\\System32\\evil.dll', expected: 'C__Windows_System32_evil.dll' },
  { name: 'UNC path', input: '\\\\server\\share\\x.txt', expected: '__server_share_x.txt' },
  { name: 'NTFS alternate stream', input: 'a.txt:Zone.Identifier', expected: 'a.txt_Zone.Identifier' },

  // Windows reserved names, any case, with and without extensions
  { name: 'CON', input: 'CON', expected: '_CON' },
  { name: 'con.txt', input: 'con.txt', expected: '_con.txt' },
  { name: 'reserved stem before the first dot', input: 'con.tar.gz', expected: '_con.tar.gz' },
  { name: 'Lpt1', input: 'Lpt1', expected: '_Lpt1' },
  { name: 'nUl.pdf', input: 'nUl.pdf', expected: '_nUl.pdf' },
  { name: 'PRN', input: 'prn', expected: '_prn' },
  { name: 'AUX with trailing space in the stem', input: 'AUX .txt', expected: '_AUX .txt' },
  { name: 'COM9.log', input: 'COM9.log', expected: '_COM9.log' },
  { name: 'com0', input: 'com0', expected: '_com0' },
  { name: 'superscript port', input: 'LPT¹.txt', expected: '_LPT¹.txt' },
  { name: 'superscript COM', input: 'com²', expected: '_com²' },
  { name: 'CLOCK$', input: 'CLOCK$.txt', expected: '_CLOCK$.txt' },
  { name: 'reserved after trailing dots go', input: 'NUL...', expected: '_NUL' },
  { name: 'desktop.ini', input: 'Desktop.INI', expected: '_Desktop.INI' },
  { name: 'thumbs.db', input: 'thumbs.db', expected: '_thumbs.db' },
  { name: 'not reserved: console.log', input: 'console.log', expected: 'console.log' },
  { name: 'not reserved: com10', input: 'com10.txt', expected: 'com10.txt' },
  { name: 'not reserved: CONTRACT', input: 'CONTRACT.pdf', expected: 'CONTRACT.pdf' },
  { name: 'not reserved: later word', input: 'my con.txt', expected: 'my con.txt' },

  // Shell-integrated extensions
  { name: '.lnk', input: 'shortcut.lnk', expected: 'shortcut.lnk_' },
  { name: '.LOCAL in upper case', input: 'app.exe.LOCAL', expected: 'app.exe.LOCAL_' },
  { name: '.url', input: 'site.url', expected: 'site.url_' },
  { name: '.desktop', input: 'app.desktop', expected: 'app.desktop_' },
  { name: '.scf', input: 'explorer.scf', expected: 'explorer.scf_' },
  { name: 'CLSID extension', input: `folder.${CLSID}`, expected: `folder.${CLSID}_` },
  { name: 'shell extension not last', input: 'link.lnk.pdf', expected: 'link.lnk.pdf' },
  { name: 'hidden file turning into .local', input: '.env.local', expected: 'env.local_' },

  // Control, bidi, zero-width and other invisible characters
  { name: 'right-to-left override', input: 'invoice\u202Efdp.exe', expected: 'invoicefdp.exe' },
  { name: 'zero-width space/joiners, word joiner', input: 'a\u200B\u200C\u200Db\u2060c.txt', expected: 'abc.txt' },
  { name: 'byte order mark', input: '\uFEFFbom.txt', expected: 'bom.txt' },
  { name: 'soft hyphen', input: 'soft\u00ADhyphen.txt', expected: 'softhyphen.txt' },
  { name: 'LRM, RLM and isolates', input: 'ltr\u200E\u200Frtl\u2066\u2067\u2068\u2069.txt', expected: 'ltrrtl.txt' },
  { name: 'embeddings and pop', input: '\u202Aa\u202Bb\u202Cc\u202D.txt', expected: 'abc.txt' },
  { name: 'line breaks', input: 'line1\nline2\r\n.txt', expected: 'line1 line2 .txt' },
  { name: 'tab, NUL, DEL, NEL', input: 'tab\tand\u0000nul\u007F\u0085.txt', expected: 'tab and nul .txt' },
  { name: 'line and paragraph separators', input: 'para\u2028graph\u2029end.txt', expected: 'para graph end.txt' },
  { name: 'lone surrogates', input: 'x\uD800y\uDFFFz.txt', expected: 'xyz.txt' },
  { name: 'noncharacters', input: 'a\uFDD0b\uFFFEc\u{1FFFF}\u{10FFFF}.txt', expected: 'abc.txt' },

  // Unicode normalisation and white space
  { name: 'decomposed accent becomes NFC', input: 'Cafe\u0301.txt', expected: 'Caf\u00E9.txt' },
  { name: 'accent exposed by removing a format character', input: 'e\u200B\u0301.txt', expected: '\u00E9.txt' },
  { name: 'ideographic space and NBSP collapse', input: 'a\u3000\u00A0  b.pdf', expected: 'a b.pdf' },
  { name: 'outer and inner runs of spaces', input: '  spaced   name  .pdf  ', expected: 'spaced name .pdf' },

  // Trailing dots and spaces
  { name: 'trailing dots', input: 'report.pdf...', expected: 'report.pdf' },
  { name: 'trailing dot-space mix', input: 'report. . .', expected: 'report' },
  { name: 'space then dot', input: 'name .', expected: 'name' },

  // Empty, blank, only dots, becomes empty
  { name: 'empty', input: '', expected: 'download' },
  { name: 'spaces only', input: '   ', expected: 'download' },
  { name: 'white space only', input: '\u3000\t\n\u00A0', expected: 'download' },
  { name: 'dots only', input: '....', expected: 'download' },
  { name: 'invisible only', input: '\u200B\u202E\uFEFF', expected: 'download' },
  { name: 'dots, spaces and tildes only', input: '. .~ .~', expected: 'download' },
  { name: 'fallback is sanitised too', input: '..', fallback: 'CON', expected: '_CON' },
  { name: 'fallback that is empty as well', input: '', fallback: '...', expected: '_' },

  // Tilde
  { name: 'leading tilde', input: '~x', expected: 'x' },
  { name: 'Office lock file', input: '~$budget.xlsx', expected: '$budget.xlsx' },
  { name: 'trailing tilde', input: 'backup~', expected: 'backup' },
  { name: '8.3 short name', input: 'PROGRA~1', expected: 'PROGRA_1' },
  { name: '8.3 short name with extension', input: 'a~b.pdf', expected: 'a_b.pdf' },
  { name: 'tilde in a long name is fine', input: 'report~v2-final.pdf', expected: 'report~v2-final.pdf' },
  { name: 'tilde in a name with a space is fine', input: 'a~b c.pdf', expected: 'a~b c.pdf' },

  // Hidden names and punctuation
  { name: 'hidden file', input: '.bashrc', expected: 'bashrc' },
  { name: 'question mark', input: 'what?.pdf', expected: 'what_.pdf' },
  { name: 'markup', input: '<script>alert(1)</script>.html', expected: '_script_alert(1)__script_.html' },
  { name: 'all reserved punctuation', input: 'a|b*c"d:e.txt', expected: 'a_b_c_d_e.txt' },

  // Characters that must be kept
  { name: 'full-width colon kept', input: '报销：单.pdf', expected: '报销：单.pdf' },
  { name: 'full-width punctuation kept', input: '？＊＜＞｜＂／＼.txt', expected: '？＊＜＞｜＂／＼.txt' },
  { name: 'mixed script unchanged', input: '合同 v2 (final).pdf', expected: '合同 v2 (final).pdf' },
  { name: 'Latin accents and dash unchanged', input: 'Résumé – José.docx', expected: 'Résumé – José.docx' },
  { name: 'Arabic unchanged', input: 'تقرير مالي.pdf', expected: 'تقرير مالي.pdf' },
  { name: 'Cyrillic unchanged', input: 'Отчёт 2024.xlsx', expected: 'Отчёт 2024.xlsx' },
  { name: 'emoji unchanged', input: '📎 附件 #1 & more [draft].png', expected: '📎 附件 #1 & more [draft].png' },

  // Truncation
  { name: '300 CJK characters, no extension', input: '中'.repeat(300), expected: '中'.repeat(60) },
  { name: '300 CJK characters keep .pdf', input: `${'中'.repeat(300)}.pdf`, expected: `${'中'.repeat(58)}.pdf` },
  { name: 'long ASCII keeps .docx', input: `${'a'.repeat(300)}.docx`, expected: `${'a'.repeat(115)}.docx` },
  { name: 'long name keeps .tar.gz', input: `${'a'.repeat(300)}.tar.gz`, expected: `${'a'.repeat(113)}.tar.gz` },
  { name: 'emoji at the byte cut point', input: `${'😀'.repeat(100)}.png`, expected: `${'😀'.repeat(44)}.png` },
  {
    name: 'emoji at the UTF-16 cut point',
    input: `a${'😀'.repeat(10)}`,
    limits: { maxBytes: 1000, maxChars: 10 },
    expected: `a${'😀'.repeat(4)}`,
  },
  { name: 'supplementary CJK', input: '𠀀'.repeat(100), expected: '𠀀'.repeat(45) },
  { name: 'mixed widths at a byte cut', input: `ab${'中'.repeat(100)}`, limits: { maxBytes: 10, maxChars: 100 }, expected: 'ab中中' },
  { name: 'folder limits', input: '项目'.repeat(50), limits: FOLDER_NAME_LIMITS, expected: '项目'.repeat(20) },
  { name: 'cut stem loses its trailing space', input: `${'x'.repeat(115)} ${'y'.repeat(20)}.pdf`, expected: `${'x'.repeat(115)}.pdf` },
  { name: 'overlong extension is not kept', input: `${'a'.repeat(200)}.thisisaverylongextension`, expected: 'a'.repeat(120) },
  { name: 'long name with a shell extension', input: `${'x'.repeat(200)}.lnk`, expected: `${'x'.repeat(115)}.lnk_` },
  {
    name: 'long name with a CLSID extension',
    input: `${'x'.repeat(100)}.${CLSID}`,
    expected: `${'x'.repeat(100)}.${CLSID.slice(0, 19)}`,
  },
  { name: 'long reserved name', input: `CON.${'a'.repeat(300)}`, expected: `_CON.${'a'.repeat(115)}` },
];

describe('sanitizeSegment', () => {
  it('has the documented limits', () => {
    expect(FILE_NAME_LIMITS).toEqual({ maxBytes: 180, maxChars: 120 });
    expect(FOLDER_NAME_LIMITS).toEqual({ maxBytes: 120, maxChars: 60 });
  });

  const knownBad = ['', '..', 'a/b', 'a:b', 'a\u200Bb', ' a', 'a.', '~a', 'a~', 'Con.txt', 'lpt¹', 'thumbs.db', 'x.Lnk'];
  it.each([...knownBad, `x.${CLSID}`, 'AB~1.TXT'])('the Chromium oracle itself objects to %j', (name) => {
    expect(chromiumObjection(name)).not.toBeNull();
  });

  it('covers a large hostile table', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('$name', ({ input, expected, limits = FILE_NAME_LIMITS, fallback = 'download' }) => {
    const output = sanitizeSegment(input, limits, fallback);
    expect(output).toBe(expected);
    expectSafe(output, limits);
  });

  it('keeps every row safe under folder limits too', () => {
    for (const { input } of CASES) expectSafe(sanitizeSegment(input, FOLDER_NAME_LIMITS, 'folder'), FOLDER_NAME_LIMITS);
  });

  it('stays safe on random hostile input', () => {
    const alphabet = [
      'a', 'Z', '0', ' ', '.', '~', '_', '-', '(', '中', '：', '😀', '𠀀', 'é', 'e\u0301', '\u0301', '\u3000', '\u00A0',
      '\t', '\n', '\u0000', '\u007F', '\u200B', '\u200D', '\u202E', '\u2066', '\uFEFF', '\u00AD', '\u2028', '\uD800',
      '\uDFFF', '\uFDD0', '\uFFFF', '<', '>', ':', '"', '/', '\\', '|', '?', '*', 'CON', 'lpt1', '.lnk', '.url', '.{x}',
      '.pdf', '.tar.gz', '~1', 'desktop.ini',
    ];
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 3000; i += 1) {
      const length = random(i % 10 === 0 ? 200 : 12);
      const input = Array.from({ length }, () => alphabet[random(alphabet.length)] ?? '').join('');
      const limits = i % 3 === 0 ? FOLDER_NAME_LIMITS : FILE_NAME_LIMITS;
      expectSafe(sanitizeSegment(input, limits, 'x'), limits);
    }
  });

  it('rejects unusable limits', () => {
    expect(() => sanitizeSegment('a', { maxBytes: 0, maxChars: 10 }, 'x')).toThrow(RangeError);
    expect(() => sanitizeSegment('a', { maxBytes: 10, maxChars: Number.NaN }, 'x')).toThrow(RangeError);
  });
});

describe('isSafeSegment', () => {
  it.each([
    ['a.pdf', true],
    ['合同 v2 (final).pdf', true],
    ['_CON.txt', true],
    ['', false],
    ['..', false],
    ['a/b', false],
    ['CON', false],
    ['x.lnk', false],
    ['a ', false],
    [' a', false],
    ['.hidden', false],
    ['a\u202Eb', false],
    ['~x', false],
    ['PROGRA~1', false],
    ['Cafe\u0301', false],
    ['x'.repeat(121), false],
  ])('%j -> %s', (segment, safe) => {
    expect(isSafeSegment(segment)).toBe(safe);
  });

  it('uses the given limits', () => {
    expect(isSafeSegment('x'.repeat(100))).toBe(true);
    expect(isSafeSegment('x'.repeat(100), FOLDER_NAME_LIMITS)).toBe(false);
  });
});

describe('splitExtension', () => {
  it.each([
    ['report.pdf', 'report', '.pdf'],
    ['archive.tar.gz', 'archive.tar', '.gz'],
    ['photo.JPEG', 'photo', '.JPEG'],
    ['a..pdf', 'a.', '.pdf'],
    ['x.abcdefghij', 'x', '.abcdefghij'],
    ['x.abcdefghijk', 'x.abcdefghijk', ''],
    ['README', 'README', ''],
    ['.bashrc', '.bashrc', ''],
    ['a.', 'a.', ''],
    ['v1.2 final', 'v1.2 final', ''],
    ['报告.文档', '报告.文档', ''],
    ['a.b_c', 'a.b_c', ''],
    ['x.lnk_', 'x.lnk_', ''],
    ['', '', ''],
  ])('%j -> %j + %j', (name, stem, ext) => {
    expect(splitExtension(name)).toEqual({ stem, ext });
  });
});

describe('joinPath', () => {
  it('joins safe segments with /', () => {
    expect(joinPath(['Feishu', '报销 单', 'a.pdf'])).toBe('Feishu/报销 单/a.pdf');
    expect(joinPath(['a.pdf'])).toBe('a.pdf');
  });

  it.each([
    ['no segments', []],
    ['parent directory', ['..', 'a.pdf']],
    ['separator inside a segment', ['a/b', 'c.pdf']],
    ['empty segment', ['', 'a.pdf']],
    ['reserved name', ['Feishu', 'CON']],
    ['shell extension', ['x.lnk']],
    ['trailing space', ['folder ', 'a.pdf']],
    ['hidden', ['.git', 'config']],
    ['bidi override', ['a\u202Eb.pdf']],
    ['too long', ['x'.repeat(121)]],
  ])('throws on %s', (_name, segments) => {
    expect(() => joinPath(segments)).toThrow(/joinPath/);
  });

  it('accepts whatever sanitizeSegment produced', () => {
    const segments = [
      sanitizeSegment('../Feishu:工作区', FOLDER_NAME_LIMITS, 'folder'),
      sanitizeSegment('报销\u3000单 ', FOLDER_NAME_LIMITS, 'folder'),
      sanitizeSegment(`${'中'.repeat(300)}.pdf`, FILE_NAME_LIMITS, 'file'),
    ];
    expect(joinPath(segments)).toBe(`_Feishu_工作区/报销 单/${'中'.repeat(58)}.pdf`);
  });
});

describe('NameRegistry', () => {
  it('suffixes duplicates before the extension, counting up', () => {
    const registry = new NameRegistry();
    expect(registry.claim('f', 'report.pdf')).toBe('report.pdf');
    expect(registry.claim('f', 'report.pdf')).toBe('report (2).pdf');
    expect(registry.claim('f', 'report.pdf')).toBe('report (3).pdf');
  });

  it('collides case-insensitively and after NFC', () => {
    const registry = new NameRegistry();
    expect(registry.claim('f', 'report.pdf')).toBe('report.pdf');
    expect(registry.claim('f', 'Report.PDF')).toBe('Report (2).PDF');
    expect(registry.claim('f', 'Caf\u00E9.txt')).toBe('Caf\u00E9.txt');
    expect(registry.claim('f', 'CAFE\u0301.TXT')).toBe('CAF\u00C9 (2).TXT');
  });

  it('keeps folders apart, comparing folder keys the same way', () => {
    const registry = new NameRegistry();
    expect(registry.claim('Feishu/a', 'x.pdf')).toBe('x.pdf');
    expect(registry.claim('Feishu/b', 'x.pdf')).toBe('x.pdf');
    expect(registry.claim('feishu/A', 'x.pdf')).toBe('x (2).pdf');
  });

  it('skips numbers already taken', () => {
    const registry = new NameRegistry();
    registry.claim('f', 'a (2).pdf');
    expect(registry.claim('f', 'a.pdf')).toBe('a.pdf');
    expect(registry.claim('f', 'a.pdf')).toBe('a (3).pdf');
  });

  it('releases names', () => {
    const registry = new NameRegistry();
    registry.claim('f', 'a.pdf');
    expect(registry.claim('f', 'a.pdf')).toBe('a (2).pdf');
    expect(registry.has('f', 'A.PDF')).toBe(true);
    registry.release('f', 'a.pdf');
    expect(registry.has('f', 'a.pdf')).toBe(false);
    expect(registry.has('f', 'a (2).pdf')).toBe(true);
    expect(registry.claim('f', 'a.pdf')).toBe('a.pdf');
    registry.release('nowhere', 'a.pdf');
    registry.release('f', 'never.pdf');
    expect(registry.has('f', 'a.pdf')).toBe(true);
  });

  it('starts from initial names', () => {
    const registry = new NameRegistry([
      ['f', 'report.pdf'],
      ['f', 'report (2).pdf'],
    ]);
    expect(registry.has('f', 'REPORT.pdf')).toBe(true);
    expect(registry.claim('f', 'report.pdf')).toBe('report (3).pdf');
  });

  it('handles names without or with compound extensions', () => {
    const registry = new NameRegistry();
    registry.claim('f', 'README');
    registry.claim('f', 'backup.tar.gz');
    expect(registry.claim('f', 'README')).toBe('README (2)');
    expect(registry.claim('f', 'backup.tar.gz')).toBe('backup (2).tar.gz');
  });

  it('sanitises what it is given', () => {
    const registry = new NameRegistry();
    expect(registry.claim('f', '../CON.txt')).toBe('_CON.txt');
    expect(registry.claim('f', 'x.lnk')).toBe('x.lnk_');
    expect(registry.claim('f', 'x.lnk')).toBe('x (2).lnk_');
    expect(registry.claim('f', '')).toBe('_');
  });

  it('keeps long names within FILE_NAME_LIMITS after the suffix', () => {
    const registry = new NameRegistry();
    const cjk = `${'中'.repeat(300)}.pdf`;
    const ascii = 'a'.repeat(300);
    expect(registry.claim('f', cjk)).toBe(`${'中'.repeat(58)}.pdf`);
    expect(registry.claim('f', cjk)).toBe(`${'中'.repeat(57)} (2).pdf`);
    expect(registry.claim('f', ascii)).toBe('a'.repeat(120));
    expect(registry.claim('f', ascii)).toBe(`${'a'.repeat(116)} (2)`);
    const emoji = `${'😀'.repeat(100)}.png`;
    const claimed = [registry.claim('f', emoji), registry.claim('f', emoji), registry.claim('f', emoji)];
    expect(claimed[1]).toBe(`${'😀'.repeat(43)} (2).png`);
    for (const name of [...claimed, registry.claim('f', cjk), registry.claim('f', ascii)]) {
      expectSafe(name, FILE_NAME_LIMITS);
    }
  });

  it('gives unique, safe names for many duplicates', () => {
    const registry = new NameRegistry();
    const seen = new Set<string>();
    for (let i = 0; i < 120; i += 1) {
      const name = registry.claim('f', i % 2 === 0 ? 'Scan.JPG' : 'scan.jpg');
      expectSafe(name, FILE_NAME_LIMITS);
      seen.add(name.toLowerCase());
    }
    expect(seen.size).toBe(120);
    expect(registry.has('f', 'scan (120).jpg')).toBe(true);
  });
});
