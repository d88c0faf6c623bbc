import { describe, expect, it } from 'vitest';
import { attachmentName, isImageName, nameFromKey, parseDingPanKey, withType } from './names';

const DP = (fields: Record<string, unknown>) => `DP:${JSON.stringify(fields)}`;

describe('nameFromKey', () => {
  it.each([
    ['openapi0306c2d1-7a5b-4e96-8172-60c5ee0f971e-kotlin简介.docx', 'kotlin简介.docx'],
    ['2(2)-1659521791202-95.png', '2(2).png'],
    ['s-search-1639378172493-850.png', 's-search.png'],
    ['无发票号码-1611919507409-253.jpg', '无发票号码.jpg'],
    ['scan-1732500000002-7', 'scan'],
    ['data3-1558577344090-553.txt', 'data3.txt'],
    ['folder/sub/plain-name.pdf', 'plain-name.pdf'],
    ['503cedde-9c1b-4a8e-a1b2-8f0c5e7d6a40=.pdf', '503cedde-9c1b-4a8e-a1b2-8f0c5e7d6a40=.pdf'],
    ['name-123-4.pdf', 'name-123-4.pdf'],
  ])('%s → %s', (key, name) => {
    expect(nameFromKey(key)).toBe(name);
  });
});

describe('parseDingPanKey', () => {
  it('reads the documented fields', () => {
    expect(parseDingPanKey(DP({ fileId: '136634437985', fileName: '128163bbba83.jpg', fileSize: 2985928, fileType: 'jpg', spaceId: '7215288789' }))).toEqual({
      fileId: '136634437985',
      fileName: '128163bbba83.jpg',
      fileSize: 2985928,
      fileType: 'jpg',
      spaceId: '7215288789',
    });
  });

  it.each([
    ['not DingPan', 'openapi-x.pdf', null],
    ['not JSON', 'DP:{oops', null],
    ['an array', 'DP:[1,2]', null],
    ['odd field types', DP({ fileId: 136634437985, fileName: ['x'], fileSize: '12', fileType: null }), { fileId: '136634437985', fileSize: 12 }],
    ['a negative size', DP({ fileName: 'a', fileSize: -1 }), { fileName: 'a' }],
  ])('copes with %s', (_name, key, expected) => {
    expect(parseDingPanKey(key)).toEqual(expected);
  });
});

describe('withType', () => {
  it.each([
    ['酒店发票', 'pdf', '酒店发票.pdf'],
    ['128163bbba83.jpg', 'jpg', '128163bbba83.jpg'],
    ['Scan.JPG', 'jpg', 'Scan.JPG'],
    ['report', '.PDF', 'report.pdf'],
    ['report', undefined, 'report'],
    ['report', '../x', 'report'],
    ['report', 'a very long type', 'report'],
  ])('%s + %s → %s', (name, type, expected) => {
    expect(withType(name, type)).toBe(expected);
  });
});

describe('attachmentName', () => {
  it.each([
    ['the form\'s fileName', '行程单-1732500000001-101.pdf', '行程单.pdf', { name: '行程单.pdf', generated: false }],
    ['the key when fileName is missing', 'scan-1732500000002-7.jpg', undefined, { name: 'scan.jpg', generated: false }],
    ['the key when fileName is blank', 'openapi0306c2d1-7a5b-4e96-8172-60c5ee0f971e-会议通知.docx', '  ', { name: '会议通知.docx', generated: false }],
    ['a DingPan fileName with the extension of its fileType', DP({ fileName: '酒店发票', fileType: 'pdf' }), '别的名字.doc', { name: '酒店发票.pdf', generated: false }],
    ['a DingPan file already named with its type', DP({ fileName: '128163bbba83.jpg', fileType: 'jpg' }), undefined, { name: '128163bbba83.jpg', generated: false }],
    ['a DingPan key without a name', DP({ fileType: 'png' }), undefined, { name: 'attachment.png', generated: true }],
    ['a DingPan key that is not JSON, by the form\'s name', 'DP:broken', '合同.pdf', { name: '合同.pdf', generated: false }],
    ['hostile names as they are (the engine sanitises them)', 'k', '../../说明.txt', { name: '../../说明.txt', generated: false }],
  ])('uses %s', (_name, key, fileName, expected) => {
    expect(attachmentName(key, fileName)).toEqual(expected);
  });
});

describe('isImageName', () => {
  it.each([
    ['a.JPG', true],
    ['a.heic', true],
    ['a.pdf', false],
    ['jpg', false],
    ['.png', false],
  ])('%s → %s', (name, expected) => {
    expect(isImageName(name)).toBe(expected);
  });
});
