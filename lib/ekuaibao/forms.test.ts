import { describe, expect, it, vi } from 'vitest';
import { AttachmentListingSchema } from '../core/attachment';
import type { EkuaibaoPage, FormRef } from '../core/page';
import { ProblemError } from '../core/problem';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { EkuaibaoClient } from './client';
import { formAttachments, listEkuaibaoForms, scanForm, type FormScan } from './forms';
import type { FlowDetails } from './schemas';

const API = 'https://app.ekuaibao.com';
const file = (fileId: string, key: string, fileName?: string) => ({ key, fileId, ...(fileName ? { fileName } : {}) });

/** The documented detail shape (reference §2.2), with attachments in every place a form has them. */
function realisticForm(): FlowDetails {
  return {
    id: 'lrMb7AO5So2800',
    corporationId: 'djg8LshfUkfM00',
    formType: 'expense',
    state: 'approving',
    active: true,
    form: {
      code: 'B20000001',
      title: '11月差旅报销',
      submitterId: 'djg8LshfUkfM00:staff1',
      expenseMoney: { standard: '3280.00', standardSymbol: '¥' },
      attachments: [file('61sbwX3DEAgk00', 'openapi0306c2d1-7a5b-4e96-8172-60c5ee0f971e-kotlin简介.docx', 'kotlin简介.docx')],
      u_Z附件: [file('ID_3tLTuqz8w6M', 's-search-1639378172493-850.png', 's-search.png')],
      u_说明: '普通文本字段',
      details: [
        {
          feeTypeId: 'djg8LshfUkfM00:office',
          specificationId: 'djg8LshfUkfM00:office:expense:f284',
          feeTypeForm: {
            detailId: 'g8Ub7AO5So4k00',
            amount: { standard: '120.00' },
            attachments: [file('ID01i0CxWopumX', '0_1-1659521777941-740.jpg', '0_1.jpg')],
            u_Z附件: [file('ID01i0CxWopuDt', '2(2)-1659521791202-95.png', '2 (2).png')],
            invoiceForm: {
              type: 'exist',
              invoices: [{ invoiceId: '7ds8qMsl2E0000:042001900211:67083249', itemIds: ['vIQbn1VrPkvc00'], taxAmount: { standard: 0 } }],
              attachments: [file('ID_3tLTuqz8f6M', 'OffLine-1639378118926-931.jpg', 'OffLine.jpg')],
            },
          },
          feeType: { id: 'djg8LshfUkfM00:office', name: '办公', code: 'COST1' },
        },
      ],
    },
    logs: [
      { action: 'freeflow.submit', operatorId: 's1', time: 1592289361509, attachments: [] },
      { action: 'freeflow.agree', operatorId: 's2', time: 1592289461509, attachments: [file('pR4cgINHfcoY00', '1111g_200_200-1592289461509-1.png', '1111g_200_200.png')] },
    ],
  };
}

describe('scanForm', () => {
  it('finds every attachment of a realistic form, each with its place', () => {
    const scan = scanForm(realisticForm());
    expect(scan).toMatchObject({ flowId: 'lrMb7AO5So2800', code: 'B20000001', title: '11月差旅报销' });
    expect(scan.attachments.map((a) => [a.fileName, a.origin])).toEqual([
      ['kotlin简介.docx', { part: 'form' }],
      ['0_1.jpg', { part: 'line', line: 1, label: '办公' }],
      ['OffLine.jpg', { part: 'invoice', line: 1, label: '办公' }],
      ['2 (2).png', { part: 'line', line: 1, label: '办公' }],
      ['s-search.png', { part: 'field', label: 'Z附件' }],
      ['1111g_200_200.png', { part: 'approval', label: 'agree' }],
    ]);
    expect([...scan.lines]).toEqual([[1, '办公']]);
  });

  it('reads JSON-encoded fields and details, keys without fileName, and lists one file referenced twice once', () => {
    const shared = file('ID01share0000', '行程单-1732500000001-101.pdf', '行程单.pdf');
    const scan = scanForm({
      id: 'ID01odd0000001',
      form: {
        code: 'B24000001',
        attachments: JSON.stringify([shared]),
        u_补充材料: JSON.stringify([{ key: 'scan-1732500000002-7.jpg', fileId: 'ID01scan000001' }]),
        details: JSON.stringify([{ feeTypeForm: JSON.stringify({ attachments: [shared, file('ID01hotel00001', '酒店水单-1732500000003-3.pdf', '酒店水单.pdf')] }) }]),
      },
      logs: 'not a list',
    });
    expect(scan.attachments.map((a) => [a.fileId, a.fileName, a.origin])).toEqual([
      ['ID01share0000', '行程单.pdf', { part: 'form' }],
      ['ID01hotel00001', '酒店水单.pdf', { part: 'line', line: 1 }],
      ['ID01scan000001', undefined, { part: 'field', label: '补充材料' }],
    ]);
  });

  it('finds attachments in places the docs do not list, and ignores objects that only look alike', () => {
    const scan = scanForm({
      id: 'ID01deep000001',
      form: {
        code: 'B24000002',
        u_明细表: [{ row: 1, cells: { 附件: [file('ID01deep000002', 'deep-1732500000004-4.pdf', '深层.pdf')] } }],
        u_选项: [{ id: 'opt1', key: 'option-key', name: '选项' }],
        details: [{ feeType: { name: '差旅' }, feeTypeForm: { trips: [{ ticket: file('ID01deep000003', 'ticket.pdf', '车票.pdf') }] } }],
      },
    });
    expect(scan.attachments.map((a) => [a.fileName, a.origin])).toEqual([
      ['车票.pdf', { part: 'line', line: 1, label: '差旅' }],
      ['深层.pdf', { part: 'field', label: '明细表' }],
    ]);
  });

  it.each([
    ['no form at all', { id: 'x' }],
    ['a form that is a string', { id: 'x', form: 'oops' }],
    ['null everywhere', { id: 'x', form: { code: null, attachments: null, details: [null, { feeTypeForm: null }] }, logs: [null] }],
    ['a self-referencing payload (never from JSON, but the walk must end)', { id: 'x', form: ((): Record<string, unknown> => { const o: Record<string, unknown> = {}; o['self'] = o; return o; })() }],
  ])('copes with %s', (_name, details) => {
    expect(scanForm(details as FlowDetails).attachments).toEqual([]);
  });
});

describe('formAttachments', () => {
  const scanWith = (lines: number, perLine: number): FormScan => ({
    flowId: 'ID01many000001',
    code: 'B24000124',
    title: 'Q4 市场活动费用',
    lines: new Map(Array.from({ length: lines }, (_, i) => [i + 1, `费用${i + 1}`] as const)),
    attachments: Array.from({ length: lines * perLine }, (_, i) => ({
      fileId: `F${i}`,
      key: `k${i}.jpg`,
      fileName: `照片-${i}.jpg`,
      origin: { part: 'line' as const, line: Math.floor(i / perLine) + 1 },
    })),
  });

  it('puts a form\'s files in "<code> <title>", and per-line folders only when it has many lines', () => {
    expect(formAttachments(API, scanWith(3, 2)).map((a) => a.subfolders)).toEqual(Array.from({ length: 6 }, () => ['B24000124 Q4 市场活动费用']));
    const many = formAttachments(API, scanWith(12, 1));
    expect(many.map((a) => a.subfolders[1])).toEqual(Array.from({ length: 12 }, (_, i) => `${String(i + 1).padStart(2, '0')} 费用${i + 1}`));
  });

  it('describes each attachment for the engine: source, kind, size of DingPan files, origin', () => {
    const [dingPan, plain] = formAttachments(API, {
      flowId: 'ID01dp00000001',
      code: 'B24000123',
      title: '差旅',
      lines: new Map([[1, '住宿']]),
      attachments: [
        { fileId: '136634573449', key: 'DP:{"fileId":"136634437985","fileName":"酒店发票","fileSize":2985928,"fileType":"pdf","spaceId":"7215288789"}', origin: { part: 'line', line: 1, label: '住宿' } },
        { fileId: 'ID01scan000001', key: 'scan-1732500000002-7.jpg', origin: { part: 'form' } },
      ],
    });
    expect(dingPan).toMatchObject({
      name: '酒店发票.pdf',
      kind: 'file',
      size: 2985928,
      noProbe: true,
      source: { type: 'ekuaibao-attachment', apiBase: API, fileId: '136634573449' },
      origin: { form: 'B24000123', part: 'line', line: 1, label: '住宿' },
    });
    expect(plain).toMatchObject({ name: 'scan.jpg', kind: 'image', nameIsGenerated: false, origin: { form: 'B24000123', part: 'form' } });
    expect(plain).not.toHaveProperty('noProbe');
    expect(new Set([dingPan?.id, plain?.id]).size).toBe(2);
  });
});

describe('listEkuaibaoForms', () => {
  const client = new EkuaibaoClient({ apiBase: API, accessToken: async () => 'token', limiters: new RateLimiterRegistry() });
  const page = (forms: FormRef[]): EkuaibaoPage => ({ platform: 'ekuaibao', kind: 'forms', host: 'app.ekuaibao.com', forms });

  it('asks nothing when the page shows no form, and says so', async () => {
    const fetchDetails = vi.fn<(c: EkuaibaoClient, ref: FormRef) => Promise<FlowDetails>>();
    const listing = await listEkuaibaoForms(client, page([]), fetchDetails);
    expect(fetchDetails).not.toHaveBeenCalled();
    expect(listing).toMatchObject({ attachments: [], hints: ['no-forms'], folder: ['Ekuaibao'] });
  });

  it('lists several forms, names an unknown one with its reason, and lists a form named twice once', async () => {
    const details = realisticForm();
    const fetchDetails = async (_c: EkuaibaoClient, ref: FormRef): Promise<FlowDetails> => {
      if ('code' in ref && ref.code === 'B24999999') throw new ProblemError({ kind: 'not-found', platform: 'ekuaibao', status: 412, detail: '单据不存在' });
      return details;
    };
    const listing = await listEkuaibaoForms(client, page([{ flowId: 'lrMb7AO5So2800' }, { code: 'B20000001' }, { code: 'B24999999' }]), fetchDetails);
    expect(AttachmentListingSchema.parse(listing)).toEqual(listing);
    expect(listing.title).toBe('B20000001 11月差旅报销');
    expect(listing.attachments).toHaveLength(6);
    expect(listing.partial).toEqual([{ where: 'B24999999', problem: { kind: 'not-found', platform: 'ekuaibao', status: 412, detail: '单据不存在' } }]);
  });

  it('fails the page once when the credentials are refused, rather than every form', async () => {
    const refused = new ProblemError({ kind: 'token-invalid', platform: 'ekuaibao', status: 403, detail: '未授权' });
    const fetchDetails = vi.fn(async () => Promise.reject(refused));
    await expect(listEkuaibaoForms(client, page([{ code: 'B24000123' }, { code: 'B24000124' }]), fetchDetails)).rejects.toBe(refused);
    expect(fetchDetails).toHaveBeenCalledOnce();
  });

  it('titles a page of several forms by their codes', async () => {
    const fetchDetails = async (_c: EkuaibaoClient, ref: FormRef): Promise<FlowDetails> => ({ id: 'code' in ref ? `ID01${ref.code}` : ref.flowId, form: { code: 'code' in ref ? ref.code : '', title: '标题' } });
    const listing = await listEkuaibaoForms(client, page([{ code: 'B24000123' }, { code: 'B24000124' }]), fetchDetails);
    expect(listing.title).toBe('B24000123, B24000124');
  });
});
