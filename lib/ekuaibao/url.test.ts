import { describe, expect, it } from 'vitest';
import { pageKey, type PageRecognition } from '../core/page';
import { refineRecognition } from '../platforms';
import { formRefs, recogniseEkuaibaoUrl } from './url';

describe('recogniseEkuaibaoUrl', () => {
  it.each([
    ['https://app.ekuaibao.com/web/app.html?accessToken=x#/bills', 'app.ekuaibao.com', []],
    ['https://dd2.hosecloud.com/web/app.html#/bill/ID01kZx3mPq7Rt', 'dd2.hosecloud.com', [{ flowId: 'ID01kZx3mPq7Rt' }]],
    ['https://wx2.ekuaibao.com/web/weixin.html#/bills?code=B24000123', 'wx2.ekuaibao.com', [{ code: 'B24000123' }]],
    ['https://APP.EKUAIBAO.COM/web/app.html', 'app.ekuaibao.com', []],
  ])('supports %s', (url, host, forms) => {
    expect(recogniseEkuaibaoUrl(url)).toEqual<PageRecognition>({ status: 'supported', page: { platform: 'ekuaibao', kind: 'forms', host, forms } });
  });

  it.each(['http://app.ekuaibao.com/web/app.html', 'https://ekuaibao.com.evil.example/web/app.html', 'https://example.com/#/bill/ID01kZx3mPq7Rt', 'not a url'])(
    'leaves %s alone',
    (url) => {
      expect(recogniseEkuaibaoUrl(url)).toEqual({ status: 'other' });
    },
  );

  it('supports a private deployment once it is configured, wildcards included', () => {
    const url = 'https://ekb.acme-corp.cn/web/app.html#/bills';
    expect(recogniseEkuaibaoUrl(url).status).toBe('other');
    expect(recogniseEkuaibaoUrl(url, [{ host: 'ekb.acme-corp.cn' }]).status).toBe('supported');
    expect(recogniseEkuaibaoUrl(url, [{ host: '*.acme-corp.cn' }]).status).toBe('supported');
    expect(recogniseEkuaibaoUrl('https://acme-corp.cn.evil.example/', [{ host: '*.acme-corp.cn' }]).status).toBe('other');
  });
});

describe('formRefs', () => {
  it('keeps well-formed ids once each, flow ids first, and drops the rest', () => {
    expect(formRefs({ codes: ['B24000123', 'b24000123', '<script>', 'B1'], flowIds: ['ID01kZx3mPq7Rt', 'ID01kZx3mPq7Rt', 'a b'] }, { codes: ['S24000002'], flowIds: [] })).toEqual([
      { flowId: 'ID01kZx3mPq7Rt' },
      { code: 'B24000123' },
      { code: 'S24000002' },
    ]);
  });

  it('stops at 50 forms', () => {
    expect(formRefs({ codes: Array.from({ length: 70 }, (_, i) => `B${String(24000000 + i)}`), flowIds: [] })).toHaveLength(50);
  });
});

describe('refineRecognition', () => {
  const list = recogniseEkuaibaoUrl('https://app.ekuaibao.com/web/app.html#/bills');

  it('adds the forms the markup shows and the codes typed in the popup', () => {
    const refined = refineRecognition(list, { items: [], forms: { codes: ['B24000123', 'B24000124'], flowIds: [] } }, ['B24000200']);
    expect(refined).toEqual({
      status: 'supported',
      page: { platform: 'ekuaibao', kind: 'forms', host: 'app.ekuaibao.com', forms: [{ code: 'B24000123' }, { code: 'B24000124' }, { code: 'B24000200' }] },
    });
  });

  it('gives the same listing key whatever order the page shows its forms in, and another key for other forms', () => {
    const key = (codes: string[]) => {
      const refined = refineRecognition(list, { items: [], forms: { codes, flowIds: [] } });
      return refined.status === 'supported' ? pageKey(refined.page) : '';
    };
    expect(key(['B24000123', 'B24000124'])).toBe(key(['B24000124', 'B24000123']));
    expect(key(['B24000123'])).not.toBe(key(['B24000123', 'B24000124']));
  });

  it('leaves Feishu pages and unsupported pages as they are', () => {
    const feishu: PageRecognition = { status: 'supported', page: { platform: 'feishu', brand: 'feishu', host: 'acme.feishu.cn', kind: 'docx', token: 'UXEAd6cRUoj5pexJZr0cdwaFnpd' } };
    const dom = { items: [], forms: { codes: ['B24000123'], flowIds: [] } };
    expect(refineRecognition(feishu, dom, ['B24000124'])).toBe(feishu);
    expect(refineRecognition({ status: 'other' }, dom, ['B24000124'])).toEqual({ status: 'other' });
  });
});
