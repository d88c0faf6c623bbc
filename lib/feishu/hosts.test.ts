import { describe, expect, it } from 'vitest';
import { recognisePage, supportedPagePatterns } from '../platforms';
import { BRAND_FOLDERS, FEISHU_MATCH_PATTERNS, OFFICIAL_API_BASES, hostFamilyOf } from './hosts';

describe('hostFamilyOf', () => {
  it.each<[string, string | null, string | null]>([
    ['feishu.cn', 'feishu.cn', 'feishu'],
    ['acme.feishu.cn', 'feishu.cn', 'feishu'],
    ['open.feishu.cn', 'feishu.cn', 'feishu'],
    ['ACME.FEISHU.CN', 'feishu.cn', 'feishu'],
    ['acme.feishu.cn.', 'feishu.cn', 'feishu'],
    ['acme.feishu.net', 'feishu.net', 'feishu'],
    ['bytedance.larkoffice.com', 'larkoffice.com', 'feishu'],
    ['trip.larkenterprise.com', 'larkenterprise.com', 'feishu'],
    ['acme.sg.larksuite.com', 'larksuite.com', 'lark'],
    ['evilfeishu.cn', null, null],
    ['feishu.cn.evil.example', null, null],
    ['example.com', null, null],
  ])('%s', (host, domain, brand) => {
    const family = hostFamilyOf(host);
    expect(family ? [family.domain, family.brand] : [null, null]).toEqual([domain, brand]);
  });
});

describe('host constants', () => {
  it('lists the official API bases and brand folders', () => {
    expect(OFFICIAL_API_BASES).toEqual({ feishu: 'https://open.feishu.cn', lark: 'https://open.larksuite.com' });
    expect(BRAND_FOLDERS).toEqual({ feishu: 'Feishu', lark: 'Lark' });
  });

  it('matches https pages of every family, and the listed page kinds only for the menu', () => {
    expect(FEISHU_MATCH_PATTERNS).toEqual([
      'https://*.feishu.cn/*',
      'https://*.feishu.net/*',
      'https://*.larkoffice.com/*',
      'https://*.larkenterprise.com/*',
      'https://*.larksuite.com/*',
    ]);
    expect(supportedPagePatterns()).toEqual([
      ...FEISHU_MATCH_PATTERNS.flatMap((p) => ['docx', 'wiki', 'sheets', 'base', 'file', 'mail'].map((kind) => p.replace(/\/\*$/, `/${kind}*`))),
      ...FEISHU_MATCH_PATTERNS.map((p) => p.replace('https://*.', 'https://mail.')),
      // Every Ekuaibao page: its forms show in the markup, whatever the route.
      'https://*.ekuaibao.com/*',
      'https://*.hosecloud.com/*',
    ]);
  });
});

describe('recognisePage', () => {
  it('recognises Feishu documents', () => {
    expect(recognisePage('https://acme.feishu.cn/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd')).toEqual({
      status: 'supported',
      page: { platform: 'feishu', brand: 'feishu', host: 'acme.feishu.cn', kind: 'docx', token: 'UXEAd6cRUoj5pexJZr0cdwaFnpd' },
    });
    expect(recognisePage('https://example.com/')).toEqual({ status: 'other' });
  });

  it('recognises custom hosts only when they are passed', () => {
    const url = 'https://docs.acme-private.cn/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd';
    expect(recognisePage(url)).toEqual({ status: 'other' });
    expect(recognisePage(url, [{ host: 'docs.acme-private.cn', brand: 'feishu' }])).toEqual({
      status: 'supported',
      page: { platform: 'feishu', brand: 'feishu', host: 'docs.acme-private.cn', kind: 'docx', token: 'UXEAd6cRUoj5pexJZr0cdwaFnpd' },
    });
  });
});
