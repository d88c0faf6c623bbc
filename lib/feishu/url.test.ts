import { describe, expect, it } from 'vitest';
import { recogniseFeishuUrl } from './url';

const DOC = 'UXEAd6cRUoj5pexJZr0cdwaFnpd';

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
    if (result.status === 'supported') {
      expect(result.page.token).toMatch(/^(UXEAd6cRUoj5pexJZr0cdwaFnpd|doxcnAJ9VRRJqVMYZ1MyKnayXWe)$/);
      expect(result.page.host).toBe(new URL(url).hostname.toLowerCase());
    }
  });

  it.each([
    ['wiki', `https://acme.feishu.cn/wiki/${DOC}`],
    ['sheets', `https://acme.feishu.cn/sheets/${DOC}?sheet=0b12`],
    ['base', `https://acme.larksuite.com/base/${DOC}?table=tblKz5D60T4JlfcT`],
    ['file', `https://acme.feishu.cn/file/${DOC}`],
    ['docs', `https://acme.feishu.cn/docs/${DOC}`],
    ['drive', 'https://acme.feishu.cn/drive/folder/fldcnXXXXXXXXXXXXXXXX'],
  ])('names a Feishu %s page it does not list yet', (kind, url) => {
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
