// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { DomSightingSchema, type DomSighting } from '../core/tab-state';
import { readSightings } from './sightings';

const FILE = 'boxcnFileToken0000000000001';
const IMAGE = 'boxcnImageToken000000000001';
const STREAM = 'https://internal-api-drive-stream.feishu.cn/space/api/box/stream/download';

function page(html: string): Document {
  document.body.innerHTML = html;
  return document;
}

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('readSightings', () => {
  it('reads file and image blocks by their data attributes, with the names the page shows', () => {
    const seen = readSightings(
      page(`
        <div class="block docx-file-block" data-block-type="file" data-file-token="${FILE}"><span class="file-name"> 季度报告.pdf </span></div>
        <div data-file-token="boxcnFileToken0000000000002" data-file-name="预算表.xlsx"><span class="file-name">ignored.xlsx</span></div>
        <div data-file-token="boxcnFileToken0000000000003"><em data-file-name>合同 v2.docx</em></div>
        <div class="docx-image-block" data-image-token="${IMAGE}"></div>
      `),
    );
    expect(seen).toEqual<DomSighting>({
      items: [
        { token: FILE, kind: 'file', name: '季度报告.pdf' },
        { token: 'boxcnFileToken0000000000002', kind: 'file', name: '预算表.xlsx' },
        { token: 'boxcnFileToken0000000000003', kind: 'file', name: '合同 v2.docx' },
        { token: IMAGE, kind: 'image' },
      ],
    });
  });

  it('reads media tokens from the stream URLs of images and links', () => {
    const seen = readSightings(
      page(`
        <img alt="" src="${STREAM}/preview/${IMAGE}?preview_type=16">
        <img src="${STREAM}/cover/boxcnCoverToken000000000001?height=200">
        <img src="/space/api/box/stream/download/v2/cover/boxcnV2CoverToken0000000001/?fallback_source=1">
        <a href="${STREAM}/all/${FILE}?mount_point=docx_file"> 附录A.zip </a>
        <a href="https://acme.feishu.cn/docx/UXEAd6cRUoj5pexJZr0cdwaFnpd">a document, not a file</a>
        <img src="https://s3.example.com/logo.png">
      `),
    );
    expect(seen.items).toEqual([
      { token: IMAGE, kind: 'image' },
      { token: 'boxcnCoverToken000000000001', kind: 'image' },
      { token: 'boxcnV2CoverToken0000000001', kind: 'image' },
      { token: FILE, kind: 'file', name: '附录A.zip' },
    ]);
  });

  it('lists each token once, taking a name from a later sighting when the first had none', () => {
    const seen = readSightings(
      page(`
        <div data-image-token="${IMAGE}"></div>
        <div data-file-token="${FILE}"></div>
        <div data-file-token="boxcnFileToken0000000000002" data-file-name="first.pdf"></div>
        <img src="${STREAM}/preview/${IMAGE}">
        <a href="${STREAM}/all/${FILE}">named-by-the-link.pdf</a>
        <a href="${STREAM}/all/boxcnFileToken0000000000002">second.pdf</a>
      `),
    );
    expect(seen.items).toEqual([
      { token: IMAGE, kind: 'image' },
      { token: FILE, kind: 'file', name: 'named-by-the-link.pdf' },
      { token: 'boxcnFileToken0000000000002', kind: 'file', name: 'first.pdf' },
    ]);
  });

  it('stops at 500 items', () => {
    const blocks = Array.from({ length: 600 }, (_, i) => `<div data-file-token="boxcnMany${String(i).padStart(6, '0')}"></div>`).join('');
    const seen = readSightings(page(blocks));
    expect(seen.items).toHaveLength(500);
    expect(seen.items.at(-1)?.token).toBe('boxcnMany000499');
    expect(DomSightingSchema.safeParse(seen).success).toBe(true);
  });

  it('names the open mail message, by aria-current or aria-selected', () => {
    const list = (current: string) => `
      <article class="mail-item" data-message-id="TVRJek5EVTJOemc1TUE9PQ=="><h2>报价单更新</h2></article>
      <article class="mail-item" data-message-id="b3Blbk1lc3NhZ2UwMDI=" ${current}><h2>季度合同与发票</h2></article>`;
    expect(readSightings(page(list('aria-current="true"')))).toEqual({ items: [], messageId: 'b3Blbk1lc3NhZ2UwMDI=' });
    expect(readSightings(page(list('aria-selected="true"')))).toEqual({ items: [], messageId: 'b3Blbk1lc3NhZ2UwMDI=' });
    expect(readSightings(page(list('aria-selected="false"')))).toEqual({ items: [] });
    expect(readSightings(page(list('')))).toEqual({ items: [] });
  });

  it('ignores hostile or malformed values', () => {
    const seen = readSightings(
      page(`
        <div data-file-token="../../open-apis/drive"></div>
        <div data-file-token="javascript:alert(1)"></div>
        <div data-file-token="boxcn token with spaces"></div>
        <div data-file-token="abc"></div>
        <div data-file-token="${'a'.repeat(129)}"></div>
        <div data-file-token=""></div>
        <div data-image-token="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"></div>
        <img src="${STREAM}/preview/short">
        <img src="${STREAM}/preview/${'b'.repeat(65)}">
        <img src="${STREAM}/preview/boxcnHas%20Space000000000000">
        <a href="javascript:/stream/download/all/boxcnFileToken0000000000001">x</a>
        <article data-message-id="<script>alert(1)</script>" aria-current="true"></article>
      `),
    );
    // The javascript: link carries a well-formed token: it is only an identifier, matched against the API's list.
    expect(seen).toEqual({ items: [{ token: FILE, kind: 'file', name: 'x' }] });
  });

  it('cuts long names and drops blank ones', () => {
    const long = '很长的文件名'.repeat(100);
    const seen = readSightings(
      page(`
        <div data-file-token="${FILE}" data-file-name="${long}"></div>
        <div data-file-token="boxcnFileToken0000000000002" data-file-name="   "></div>
      `),
    );
    expect(seen.items[0]?.name).toBe(long.slice(0, 300));
    expect(seen.items[1]).toEqual({ token: 'boxcnFileToken0000000000002', kind: 'file' });
    expect(DomSightingSchema.safeParse(seen).success).toBe(true);
  });

  it('reads only below the given root', () => {
    page(`<section id="outside"><div data-file-token="${FILE}"></div></section><section id="inside"><div data-image-token="${IMAGE}"></div></section>`);
    expect(readSightings(document.getElementById('inside')!).items).toEqual([{ token: IMAGE, kind: 'image' }]);
  });

  it('sees nothing on an empty page', () => {
    expect(readSightings(page(''))).toEqual({ items: [] });
  });
});
