// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { DomSightingSchema } from '../core/tab-state';
import { formsInUrl, readFormSightings, redactUrl } from './page-reading';

function page(html: string): Document {
  document.body.innerHTML = html;
  return document;
}

beforeEach(() => {
  document.body.innerHTML = '';
});

const SESSION = 'WebSessionToken-7c1f2a9b';

describe('redactUrl', () => {
  it.each([
    [`https://app.ekuaibao.com/web/app.html?accessToken=${SESSION}&corpId=abc#/bills`, 'https://app.ekuaibao.com/web/app.html?corpId=abc#/bills'],
    [`https://app.ekuaibao.com/web/app.html#/billEntryDetail?accessToken=${SESSION}&flowId=ID01kZx3mPq7Rt`, 'https://app.ekuaibao.com/web/app.html#/billEntryDetail?flowId=ID01kZx3mPq7Rt'],
    [`https://app.ekuaibao.com/applet/thirdparty.html?accessToken=${SESSION}&ekbCorpId=c1&pageType=home&provisionalToken=${SESSION}`, 'https://app.ekuaibao.com/applet/thirdparty.html?ekbCorpId=c1&pageType=home'],
    [`https://kdcloud2.ekuaibao.com/web/kdcloud.html?ticket=${SESSION}#/bills`, 'https://kdcloud2.ekuaibao.com/web/kdcloud.html#/bills'],
    [`https://dd2.hosecloud.com/web/app.html?AccessToken=${SESSION}&sessionId=${SESSION}#/home?token=${SESSION}`, 'https://dd2.hosecloud.com/web/app.html#/home'],
  ])('cuts the web session from %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
    expect(redactUrl(input)).not.toContain(SESSION);
  });

  it('keeps a URL without secrets as it is, and gives nothing for what is not a URL', () => {
    expect(redactUrl('https://app.ekuaibao.com/web/app.html#/bill/ID01kZx3mPq7Rt')).toBe('https://app.ekuaibao.com/web/app.html#/bill/ID01kZx3mPq7Rt');
    expect(redactUrl('not a url')).toBe('');
  });
});

describe('formsInUrl', () => {
  it.each([
    ['a flow id in the hash route', 'https://app.ekuaibao.com/web/app.html#/bill/ID01kZx3mPq7Rt', { codes: [], flowIds: ['ID01kZx3mPq7Rt'] }],
    ['an older flow id after a route word', 'https://app.ekuaibao.com/web/app.html#/approve/lrMb7AO5So2800', { codes: [], flowIds: ['lrMb7AO5So2800'] }],
    ['flowId in the hash query', 'https://app.ekuaibao.com/web/app.html#/billEntryDetail?flowId=ID_3sTYYdqkcsM', { codes: [], flowIds: ['ID_3sTYYdqkcsM'] }],
    ['flowId in the query', 'https://app.ekuaibao.com/applet/thirdparty.html?pageType=form&flowId=ID01v88t2v84PY', { codes: [], flowIds: ['ID01v88t2v84PY'] }],
    ['a code parameter', 'https://app.ekuaibao.com/web/app.html#/bills?code=b24000123', { codes: ['B24000123'], flowIds: [] }],
    ['a list page', 'https://app.ekuaibao.com/web/app.html?corpId=abc#/bills', { codes: [], flowIds: [] }],
    ['a route word that is no id', 'https://app.ekuaibao.com/web/app.html#/bill/new', { codes: [], flowIds: [] }],
    ['a route name alone', 'https://app.ekuaibao.com/web/app.html#/billEntryDetail', { codes: [], flowIds: [] }],
  ])('finds %s', (_name, url, expected) => {
    expect(formsInUrl(url)).toEqual(expected);
  });

  it('gives nothing for what is not a URL', () => {
    expect(formsInUrl('::')).toEqual({ codes: [], flowIds: [] });
  });
});

describe('readFormSightings', () => {
  it('reads a detail page: the code next to its 单据编号 label', () => {
    const seen = readFormSightings(
      page(`<div class="ekb-field"><span class="ekb-field__label">单据编号</span><span class="ekb-field__value">B24000123</span></div>
            <div class="ekb-field"><span class="ekb-field__label">事由</span><span class="ekb-field__value">去上海参加 2026 年会</span></div>`),
    );
    expect(seen).toEqual({ codes: ['B24000123'], flowIds: [] });
  });

  it('reads a label and its code in one text, with a tenant\'s own longer prefix', () => {
    expect(readFormSightings(page('<p>单据编号：FYBX2024000123</p><p>Form No. j24000007</p>'))).toEqual({ codes: ['FYBX2024000123', 'J24000007'], flowIds: [] });
  });

  it('reads a list page: code cells of every row, each once', () => {
    const seen = readFormSightings(
      page(`<table><thead><tr><th>标题</th><th>单据编号</th><th>金额</th></tr></thead><tbody>
        <tr><td class="bill-name">11月差旅报销-上海</td><td class="bill-code">B24000123</td><td>¥ 3,280.00</td></tr>
        <tr><td class="bill-name">Q4 市场活动费用</td><td class="bill-code">B24000124</td><td>¥ 86,400.00</td></tr>
        <tr><td class="bill-name">重复</td><td class="bill-code"> B24000123 </td><td>¥ 1.00</td></tr>
      </tbody></table>`),
    );
    expect(seen).toEqual({ codes: ['B24000123', 'B24000124'], flowIds: [] });
  });

  it('reads flow ids and codes from data attributes', () => {
    const seen = readFormSightings(page('<div data-flow-id="ID01kZx3mPq7Rt"></div><li data-flowid="lrMb7AO5So2800" data-bill-code="S24000002"></li><li data-bill-code="x"></li>'));
    expect(seen).toEqual({ codes: ['S24000002'], flowIds: ['ID01kZx3mPq7Rt', 'lrMb7AO5So2800'] });
  });

  it('takes no amounts, dates, phone numbers or words for codes', () => {
    const seen = readFormSightings(page('<p>20241203</p><p>13800138000</p><p>¥ 24000123</p><p>BB</p><p>Invoice 24000123</p><p>ABCDE12345678</p><p>事由 B24000123 出差</p>'));
    expect(seen).toEqual({ codes: [], flowIds: [] });
  });

  it('stops at 50 forms, and its answer always passes the background\'s schema', () => {
    const rows = Array.from({ length: 80 }, (_, i) => `<div class="bill-code">B24${String(i).padStart(6, '0')}</div>`).join('');
    const seen = readFormSightings(page(rows));
    expect(seen.codes).toHaveLength(50);
    expect(DomSightingSchema.safeParse({ items: [], forms: seen }).success).toBe(true);
  });

  it('ignores attribute values that are not identifiers', () => {
    expect(readFormSightings(page('<div data-flow-id="javascript:alert(1)"></div><div data-flow-id="https://evil.example/x"></div>'))).toEqual({ codes: [], flowIds: [] });
  });
});
