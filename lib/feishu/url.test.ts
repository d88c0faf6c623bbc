import { describe, expect, it } from 'vitest';
import { FeishuPageSchema, pageKey, type FeishuPage } from '../core/page';
import { recogniseFeishuUrl, type CustomWebHost } from './url';

const DOC = 'UXEAd6cRUoj5pexJZr0cdwaFnpd';
const SHEET = 'ShtBudget2026AbCdEfGhIjKlMn';
const BASE = 'BscInvoices2026AbCdEfGhIjKl';
const WIKI = 'WkSheetNodeBudget2026AbCdEf';
const FILE = 'DrvContractFile2026AbCdEfGh';
const MESSAGE = 'TVRJek5EVTJOemc1TUE9PQ==';
const ACME = { platform: 'feishu', brand: 'feishu', host: 'acme.feishu.cn' } as const;

/** The page of a supported URL (fails the test otherwise). */
function pageOf(url: string, customHosts: readonly CustomWebHost[] = []): FeishuPage {
  const result = recogniseFeishuUrl(url, customHosts);
  if (result.status !== 'supported' || result.page.platform !== 'feishu') throw new Error(`${url} was not recognised: ${JSON.stringify(result)}`);
  return result.page;
}

describe('recogniseFeishuUrl', () => {
  it.each([
    ['feishu.cn', `https://acme.feishu.cn/docx/${DOC}`, 'feishu'],
    ['personal space', `https://my.feishu.cn/docx/${DOC}?from=from_copylink`, 'feishu'],
    ['feishu.net', `https://acme.feishu.net/docx/${DOC}#share-123`, 'feishu'],
    ['larkoffice.com', `https://bytedance.larkoffice.com/docx/${DOC}/`, 'feishu'],
    ['larkenterprise.com', `https://trip.larkenterprise.com/docx/${DOC}`, 'feishu'],
    ['larksuite.com', `https://acme.larksuite.com/docx/${DOC}`, 'lark'],
    ['regional Lark host', `https://acme.sg.larksuite.com/docx/${DOC}?sheet=x`, 'lark'],
    ['upper-case host', `https://ACME.Feishu.CN/docx/${DOC}`, 'feishu'],
    ['old doxcn token', 'https://acme.feishu.cn/docx/doxcnAJ9VRRJqVMYZ1MyKnayXWe', 'feishu'],
  ])('recognises a docx page on %s', (_name, url, brand) => {
    const result = recogniseFeishuUrl(url);
    expect(result).toMatchObject({ status: 'supported', page: { platform: 'feishu', kind: 'docx', brand } });
    if (result.status === 'supported' && result.page.kind === 'docx') {
      expect(result.page.token).toMatch(/^(UXEAd6cRUoj5pexJZr0cdwaFnpd|doxcnAJ9VRRJqVMYZ1MyKnayXWe)$/);
      expect(result.page.host).toBe(new URL(url).hostname.toLowerCase());
    }
  });

  it.each([
    ['docs', `https://acme.feishu.cn/docs/${DOC}`],
    ['docs', `https://acme.feishu.cn/doc/${DOC}`],
    ['drive', 'https://acme.feishu.cn/drive/folder/fldcnXXXXXXXXXXXXXXXX'],
    ['mindnotes', `https://acme.feishu.cn/mindnotes/${DOC}`],
    ['slides', `https://acme.larksuite.com/slides/${DOC}`],
    ['minutes', `https://acme.feishu.cn/minutes/${DOC}`],
    ['wiki', 'https://acme.feishu.cn/wiki/settings/7301234567890123456'],
    ['wiki', 'https://acme.feishu.cn/wiki/'],
  ])('names a Feishu %s page it does not list', (kind, url) => {
    expect(recogniseFeishuUrl(url)).toEqual({ status: 'unsupported', platform: 'feishu', kind });
  });

  it.each([
    ['another site', `https://example.com/docx/${DOC}`],
    ['look-alike host', `https://feishu.cn.evil.example/docx/${DOC}`],
    ['suffix trick', `https://evilfeishu.cn/docx/${DOC}`],
    ['plain http', `http://acme.feishu.cn/docx/${DOC}`],
    ['home page', 'https://acme.feishu.cn/'],
    ['no token', 'https://acme.feishu.cn/docx/'],
    ['token with path characters', 'https://acme.feishu.cn/docx/..%2F..%2Fapi'],
    ['token too short', 'https://acme.feishu.cn/docx/abc'],
    ['not a URL', 'docx/abc'],
    ['javascript URL', 'javascript:alert(1)'],
  ])('ignores %s', (_name, url) => {
    expect(recogniseFeishuUrl(url)).toEqual({ status: 'other' });
  });
});

describe('recogniseFeishuUrl: every page kind', () => {
  it('recognises wiki nodes, keeping the sheet, table and view they open', () => {
    expect(pageOf(`https://acme.feishu.cn/wiki/${WIKI}`)).toEqual({ ...ACME, kind: 'wiki', token: WIKI });
    expect(pageOf(`https://acme.feishu.cn/wiki/${WIKI}?sheet=d4E5f6&from=from_copylink`)).toEqual({ ...ACME, kind: 'wiki', token: WIKI, sheetId: 'd4E5f6' });
    expect(pageOf(`https://acme.feishu.cn/wiki/${WIKI}?table=tblInvoicesAbCdE&view=vewAbCdEf12`)).toEqual({
      ...ACME,
      kind: 'wiki',
      token: WIKI,
      tableId: 'tblInvoicesAbCdE',
      viewId: 'vewAbCdEf12',
    });
  });

  it('recognises spreadsheets under /sheets and /spreadsheets, with the open sheet', () => {
    expect(pageOf(`https://acme.feishu.cn/sheets/${SHEET}`)).toEqual({ ...ACME, kind: 'sheets', token: SHEET });
    expect(pageOf(`https://acme.feishu.cn/sheets/${SHEET}?sheet=a1B2c3#range`)).toEqual({ ...ACME, kind: 'sheets', token: SHEET, sheetId: 'a1B2c3' });
    expect(pageOf(`https://acme.feishu.cn/spreadsheets/${SHEET}/`)).toEqual({ ...ACME, kind: 'sheets', token: SHEET });
  });

  it('recognises bases with their table and view; a sheet parameter does not belong to a base', () => {
    expect(pageOf(`https://acme.feishu.cn/base/${BASE}`)).toEqual({ ...ACME, kind: 'base', token: BASE });
    expect(pageOf(`https://acme.larksuite.com/base/${BASE}?table=tblKz5D60T4JlfcT&view=vewJHSwJVd&sheet=a1B2c3`)).toEqual({
      platform: 'feishu',
      brand: 'lark',
      host: 'acme.larksuite.com',
      kind: 'base',
      token: BASE,
      tableId: 'tblKz5D60T4JlfcT',
      viewId: 'vewJHSwJVd',
    });
  });

  it('recognises cloud-space files', () => {
    expect(pageOf(`https://acme.feishu.cn/file/${FILE}?from=from_copylink`)).toEqual({ ...ACME, kind: 'file', token: FILE });
  });

  it.each([
    ['a sheet id with a path character', `https://acme.feishu.cn/sheets/${SHEET}?sheet=a1%2F..`, {}],
    ['an empty sheet id', `https://acme.feishu.cn/sheets/${SHEET}?sheet=`, {}],
    ['a sheet id that is far too long', `https://acme.feishu.cn/sheets/${SHEET}?sheet=${'a'.repeat(33)}`, {}],
    ['a script in the sheet id', `https://acme.feishu.cn/sheets/${SHEET}?sheet=%3Cscript%3E`, {}],
  ])('drops %s', (_name, url, extra) => {
    expect(pageOf(url)).toEqual({ ...ACME, kind: 'sheets', token: SHEET, ...extra });
  });

  it.each([
    ['a table id without the tbl prefix', '?table=KzD60T4JlfcT', {}],
    ['a table id with a quote', '?table=tblKz5D60%22T4', {}],
    ['a view id without the vew prefix', '?table=tblKz5D60T4JlfcT&view=grid', { tableId: 'tblKz5D60T4JlfcT' }],
    ['a view id with a slash', '?view=vewAb%2Fcd', {}],
    ['a repeated table (the first counts)', '?table=tblFirstTable01&table=tblSecondTable2', { tableId: 'tblFirstTable01' }],
  ])('keeps only well-formed table and view ids: %s', (_name, query, extra) => {
    expect(pageOf(`https://acme.feishu.cn/base/${BASE}${query}`)).toEqual({ ...ACME, kind: 'base', token: BASE, ...extra });
  });

  it('recognises the Mail client on mail.* hosts and under /mail, with the message named in the URL', () => {
    expect(pageOf('https://mail.feishu.cn/')).toEqual({ platform: 'feishu', brand: 'feishu', host: 'mail.feishu.cn', kind: 'mail' });
    expect(pageOf('https://mail.larksuite.com/inbox')).toEqual({ platform: 'feishu', brand: 'lark', host: 'mail.larksuite.com', kind: 'mail' });
    expect(pageOf('https://acme.feishu.cn/mail')).toEqual({ ...ACME, kind: 'mail' });
    expect(pageOf('https://acme.feishu.cn/MAIL/inbox/')).toEqual({ ...ACME, kind: 'mail' });
    expect(pageOf(`https://mail.feishu.cn/?messageId=${encodeURIComponent(MESSAGE)}`)).toMatchObject({ kind: 'mail', messageId: MESSAGE });
    expect(pageOf(`https://acme.feishu.cn/mail/inbox?message_id=${encodeURIComponent(MESSAGE)}`)).toMatchObject({ kind: 'mail', messageId: MESSAGE });
    expect(pageOf('https://mail.feishu.cn/?mid=abcd-1234_x')).toMatchObject({ kind: 'mail', messageId: 'abcd-1234_x' });
  });

  it.each([
    ['too short', '?messageId=abc'],
    ['a space', '?messageId=abc%20def'],
    ['markup', '?messageId=%3Cimg%3E1234'],
    ['far too long', `?messageId=${'a'.repeat(201)}`],
  ])('drops a malformed message id: %s', (_name, query) => {
    expect(pageOf(`https://mail.feishu.cn/${query}`)).toEqual({ platform: 'feishu', brand: 'feishu', host: 'mail.feishu.cn', kind: 'mail' });
  });

  it('does not take /mail lookalikes for the Mail client', () => {
    expect(recogniseFeishuUrl('https://acme.feishu.cn/mailbox')).toEqual({ status: 'other' });
    expect(recogniseFeishuUrl('https://mail.example.com/')).toEqual({ status: 'other' });
    expect(recogniseFeishuUrl('http://mail.feishu.cn/')).toEqual({ status: 'other' });
  });

  it('gives pages that always pass the page schema', () => {
    const urls = [
      `https://acme.feishu.cn/docx/${DOC}`,
      `https://acme.feishu.cn/wiki/${WIKI}?sheet=a1B2c3&table=tblInvoicesAbCdE&view=vewAbCdEf12`,
      `https://acme.feishu.cn/sheets/${SHEET}?sheet=a1B2c3`,
      `https://acme.feishu.cn/base/${BASE}?table=tblInvoicesAbCdE`,
      `https://acme.feishu.cn/file/${FILE}`,
      `https://mail.feishu.cn/?messageId=${encodeURIComponent(MESSAGE)}`,
    ];
    for (const url of urls) expect(FeishuPageSchema.parse(pageOf(url))).toEqual(pageOf(url));
  });

  it('gives the same list key whatever sheet or message is open, another for another table', () => {
    expect(pageKey(pageOf(`https://acme.feishu.cn/sheets/${SHEET}?sheet=a1B2c3`))).toBe(pageKey(pageOf(`https://acme.feishu.cn/sheets/${SHEET}?sheet=d4E5f6`)));
    expect(pageKey(pageOf('https://mail.feishu.cn/?messageId=abcd1234'))).toBe(pageKey(pageOf('https://mail.feishu.cn/?messageId=efgh5678')));
    expect(pageKey(pageOf(`https://acme.feishu.cn/base/${BASE}?table=tblInvoicesAbCdE`))).not.toBe(pageKey(pageOf(`https://acme.feishu.cn/base/${BASE}?table=tblContractsAbCd`)));
    expect(pageKey(pageOf(`https://acme.feishu.cn/base/${BASE}?table=tblInvoicesAbCdE&view=vewAbCdEf12`))).toBe(pageKey(pageOf(`https://acme.feishu.cn/base/${BASE}?table=tblInvoicesAbCdE`)));
    expect(pageKey(pageOf(`https://acme.feishu.cn/docx/${DOC}`))).not.toBe(pageKey(pageOf(`https://other.feishu.cn/docx/${DOC}`)));
  });
});

describe('recogniseFeishuUrl: custom hosts', () => {
  const exact: CustomWebHost = { host: 'docs.acme-private.cn', brand: 'feishu' };
  const wildcard: CustomWebHost = { host: '*.corp-lark.example', brand: 'lark' };

  it('knows a custom host only when it is passed', () => {
    expect(recogniseFeishuUrl(`https://docs.acme-private.cn/docx/${DOC}`)).toEqual({ status: 'other' });
    expect(pageOf(`https://docs.acme-private.cn/docx/${DOC}`, [exact])).toEqual({ platform: 'feishu', brand: 'feishu', host: 'docs.acme-private.cn', kind: 'docx', token: DOC });
    expect(pageOf(`https://DOCS.acme-private.cn/sheets/${SHEET}?sheet=a1B2c3`, [exact])).toMatchObject({ host: 'docs.acme-private.cn', kind: 'sheets', sheetId: 'a1B2c3' });
  });

  it('matches an exact host exactly', () => {
    for (const host of ['www.acme-private.cn', 'acme-private.cn', 'xdocs.acme-private.cn', 'docs.acme-private.cn.evil.example']) {
      expect(recogniseFeishuUrl(`https://${host}/docx/${DOC}`, [exact])).toEqual({ status: 'other' });
    }
  });

  it('matches a wildcard host, its subdomains and the domain itself, with its brand', () => {
    expect(pageOf(`https://tenant.corp-lark.example/base/${BASE}`, [wildcard])).toEqual({
      platform: 'feishu',
      brand: 'lark',
      host: 'tenant.corp-lark.example',
      kind: 'base',
      token: BASE,
    });
    expect(pageOf(`https://a.b.corp-lark.example/wiki/${WIKI}`, [wildcard])).toMatchObject({ brand: 'lark', kind: 'wiki' });
    expect(pageOf(`https://corp-lark.example/file/${FILE}`, [wildcard])).toMatchObject({ brand: 'lark', kind: 'file' });
    expect(recogniseFeishuUrl(`https://evilcorp-lark.example/docx/${DOC}`, [wildcard])).toEqual({ status: 'other' });
    expect(recogniseFeishuUrl(`http://tenant.corp-lark.example/docx/${DOC}`, [wildcard])).toEqual({ status: 'other' });
  });

  it('recognises the Mail client on a custom host', () => {
    expect(pageOf('https://mail.corp-lark.example/', [wildcard])).toEqual({ platform: 'feishu', brand: 'lark', host: 'mail.corp-lark.example', kind: 'mail' });
    expect(pageOf('https://docs.acme-private.cn/mail', [exact])).toMatchObject({ kind: 'mail', host: 'docs.acme-private.cn' });
  });

  it('lets a custom host choose the brand of an official domain', () => {
    expect(pageOf(`https://acme.larksuite.com/docx/${DOC}`, [{ host: 'acme.larksuite.com', brand: 'feishu' }])).toMatchObject({ brand: 'feishu' });
  });
});
