/**
 * The Ekuaibao (合思) part of the sandbox world: Open API apps and pasted tokens, forms (单据) in the detail API's
 * shape, and the stored files behind their attachments, plus the demo data.
 *
 * The demo tenant has two forms a client must read completely:
 *   - "travel" B24000123 (11月差旅报销-上海): 15 attachment references to 14 files, in every place the detail API
 *     puts them: the form's attachments, custom fields (one given as a JSON-encoded string), expense lines and
 *     their invoice photos, and approval logs. One file is referenced twice (form and line 2: dedupe by fileId +
 *     key), two different files are both named 发票.pdf, one has no fileName, one has a hostile name, two are
 *     DingPan (钉盘) files, and one is missing from the store (downloadurls never answers it).
 *   - "marketing" B24000124 (Q4 市场活动费用): 105 small attachments over 8 lines, more than one downloadurls call
 *     (≤ 100 items) can take.
 * `EKUAIBAO` and `EKUAIBAO_FILES` tell tests what a client must find and what the files hold.
 *
 * world.ts imports this module and this module imports world.ts: nothing here may call into world.ts at load time,
 * so file bytes are made on first use.
 */
import { createHash } from 'node:crypto';
import { fileBytes } from '../world';

// --- types -------------------------------------------------------------------------------------------------------

/** An app of the 【开放接口(新)】 product: `auth/getAccessToken` trades its key and secret for tokens. */
export interface EkuaibaoApp {
  readonly appKey: string;
  readonly appSecurity: string;
  readonly corpId: string;
  /** Lifetime of tokens from getAccessToken (documented default: 2 h). */
  readonly tokenLifetimeMs?: number;
}

/** A long-lived token a user pasted (not issued by the sandbox's auth endpoints). */
export interface EkuaibaoToken {
  readonly token: string;
  readonly corpId: string;
  readonly expired?: boolean;
}

/** A stored file, found by downloadurls through its (fileId, key) pair. `DP:` keys are DingPan files. */
export interface EkuaibaoFile {
  readonly fileId: string;
  readonly key: string;
  readonly corpId: string;
  /** The real content type (the object store sends it; the DingPan host sends application/octet-stream). */
  readonly mimeType: string;
  readonly bytes: Buffer;
}

export type EkuaibaoPlace = 'form' | 'field' | 'line' | 'invoice' | 'approval';

/** One attachment reference on a form, as the web page shows it. */
export interface EkuaibaoAttachmentRef {
  readonly fileId: string;
  readonly key: string;
  readonly fileName?: string;
  readonly place: EkuaibaoPlace;
  /** For 'field': the custom field (`u_合同附件`). */
  readonly field?: string;
  /** For 'line' and 'invoice': the expense line, 1-based. */
  readonly line?: number;
  /** For 'approval': the log's action (`freeflow.agree`). */
  readonly logAction?: string;
}

export interface EkuaibaoForm {
  readonly flowId: string;
  readonly code: string;
  readonly corpId: string;
  readonly title: string;
  /** expense (报销单), loan, requisition, ... */
  readonly formType: string;
  /** approving, paid, archived, ... */
  readonly state: string;
  /** Deleted forms answer 412 单据已删除. */
  readonly deleted?: boolean;
  /** The total in yuan, for the web page. */
  readonly amount: number;
  readonly submitterName: string;
  /** `value.form` exactly as the detail API answers it (code and title included). */
  readonly form: Readonly<Record<string, unknown>>;
  /** `value.logs` exactly as the detail API answers them. */
  readonly logs: readonly Readonly<Record<string, unknown>>[];
  /** Expense lines, in order, for the web page. */
  readonly lines: readonly { readonly detailId: string; readonly feeTypeName: string; readonly amount: number }[];
  /** Every attachment reference in `form` and `logs`, in order (duplicates included), for the web page. */
  readonly attachments: readonly EkuaibaoAttachmentRef[];
}

export interface EkuaibaoWorld {
  readonly corpName: string;
  readonly apps: readonly EkuaibaoApp[];
  readonly tokens: readonly EkuaibaoToken[];
  readonly forms: readonly EkuaibaoForm[];
  readonly files: readonly EkuaibaoFile[];
}

// --- ids ---------------------------------------------------------------------------------------------------------

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alnum(seed: string, length: number): string {
  const digest = createHash('sha256').update(seed).digest();
  return Array.from({ length }, (_, i) => ALNUM[digest[i % digest.length]! % ALNUM.length]).join('');
}

/** A newer-style id: `ID01` + 10 letters and digits (documented examples such as ID01i0CxWopumX). */
const newId = (seed: string) => `ID01${alnum(`ekb:${seed}`, 10)}`;

/** A deterministic UUID, for `openapi<uuid>-<name>` keys (files uploaded through the Open API). */
function uuid(seed: string): string {
  const hex = createHash('sha256').update(`uuid:${seed}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const CORP = 'SbxCorp8EkbQ00';
const OTHER_CORP = 'SbxOtherCrpZ00';
const WEB_SESSION = 'WEB-SESSION-ekb-sandbox-page-only-Qz7mX2';
const PAGE = 'https://app.ekuaibao.com/web/app.html';
const pageUrl = (route: string) => `${PAGE}?accessToken=${WEB_SESSION}&corpId=${CORP}#/${route}`;

const FLOWS = { travel: 'ID01sBxTrvl24A', marketing: 'ID01sBxMktQ4bC', deleted: 'ID01sBxDelt99Z' } as const;

export const EKUAIBAO = {
  /** The standalone edition's address prefix; every `*.ekuaibao.com` and `*.hosecloud.com` host serves the same. */
  apiBase: 'https://app.ekuaibao.com',
  /** The DingTalk edition's prefix (same data in the sandbox). */
  dingTalkApiBase: 'https://dd2.hosecloud.com',
  corpId: CORP,
  corpName: '示例科技有限公司',
  /** A pasted, long-lived token of the demo corporation. Tokens hold a colon: URL-encode them. */
  token: `ID_3sBxVaLiD7q:${CORP}`,
  /** A pasted token that has expired (403 未授权). */
  expiredToken: `ID_3sBxExPiRd2:${CORP}`,
  /** A valid token of another corporation: it sees none of the demo's forms or files. */
  otherCorpToken: `ID_3sBxOtHeR5k:${OTHER_CORP}`,
  otherCorpId: OTHER_CORP,
  /** The demo corporation's Open API app (appKey / appSecurity go in the JSON body of getAccessToken only). */
  app: { appKey: 'sandbox-ekb-appkey-7c41d2', appSecurity: 'sandbox_ekb_appSecurity_9f3c2a7b41d8e6f0' },
  /** The web app's own session token in page URLs: not an Open API token; it must never reach the API. */
  webSessionToken: WEB_SESSION,
  forms: {
    travel: { code: 'B24000123', flowId: FLOWS.travel, title: '11月差旅报销-上海' },
    marketing: { code: 'B24000124', flowId: FLOWS.marketing, title: 'Q4 市场活动费用' },
    /** Deleted: 412 单据已删除. */
    deleted: { code: 'B24000099', flowId: FLOWS.deleted, title: '作废的报销单' },
  },
  /** No such form: 412 单据不存在. */
  unknownCode: 'B24999999',
  pages: {
    /** "My forms": both the travel and the marketing form, codes in `td.bill-code`. */
    list: pageUrl('bills'),
    /** The travel form's detail view (单据编号 in an `.ekb-field`). */
    travelDetail: pageUrl(`bill/${FLOWS.travel}`),
    /** The home page: no form on it. */
    home: pageUrl('home'),
  },
  hosts: { objectStore: 'ekuaibao.oss-cn-hangzhou.aliyuncs.com', dingPan: 'sh-dualstack.trans.dingtalk.com' },
} as const;

// --- file specs --------------------------------------------------------------------------------------------------

const PDF = 'application/pdf';
const JPEG = 'image/jpeg';
const PNG = 'image/png';
const TEXT = 'text/plain';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface FileSpec {
  readonly seed: string;
  readonly fileId: string;
  readonly key: string;
  readonly fileName?: string;
  readonly mimeType: string;
  readonly size: number;
  readonly dingPan: boolean;
  /** Referenced by the form but not in the store. */
  readonly missing: boolean;
}

/** A file uploaded in the web or mobile app: key `<name without spaces>-<13-digit ms>-<1–3 digits>.<ext>`. */
function appFile(seed: string, fileName: string, ms: number, random: number, mimeType: string, size: number, options: { named?: boolean; missing?: boolean } = {}): FileSpec {
  const dot = fileName.lastIndexOf('.');
  const stem = fileName.slice(0, dot).replace(/\s+/g, '');
  return {
    seed,
    fileId: newId(seed),
    key: `${stem}-${ms}-${random}${fileName.slice(dot)}`,
    ...(options.named === false ? {} : { fileName }),
    mimeType,
    size,
    dingPan: false,
    missing: options.missing === true,
  };
}

/** A DingPan (钉盘) file: key `DP:` + the JSON the doc shows; ids are DingTalk's numeric ones. */
function dingPanFile(seed: string, fileId: string, dp: { fileId: string; fileName: string; fileType: string; spaceId: string }, mimeType: string, size: number): FileSpec {
  const key = `DP:${JSON.stringify({ fileId: dp.fileId, fileName: dp.fileName, fileSize: size, fileType: dp.fileType, spaceId: dp.spaceId })}`;
  return { seed, fileId, key, fileName: dp.fileName, mimeType, size, dingPan: true, missing: false };
}

const TRAVEL_FILES = {
  itinerary: appFile('travel:itinerary', '行程单.pdf', 1732500000001, 101, PDF, 41_236),
  notice: {
    seed: 'travel:notice',
    fileId: newId('travel:notice'),
    key: `openapi${uuid('travel:notice')}-会议通知.docx`,
    fileName: '会议通知.docx',
    mimeType: DOCX,
    size: 23_456,
    dingPan: false,
    missing: false,
  } satisfies FileSpec,
  contract: appFile('travel:contract', '服务合同.pdf', 1732500000003, 58, PDF, 57_344),
  // A hostile name: the key is made from the plain name, the form still says `../../说明.txt`.
  hostile: { ...appFile('travel:hostile', '说明.txt', 1732500000004, 9, TEXT, 3_210), fileName: '../../说明.txt' } satisfies FileSpec,
  scan: appFile('travel:scan', 'scan.jpg', 1732500000002, 7, JPEG, 18_765, { named: false }),
  boarding: appFile('travel:boarding', '登机牌.jpg', 1732500000005, 233, JPEG, 12_288),
  removed: appFile('travel:removed', '已删除的附件.pdf', 1732500000006, 4, PDF, 9_000, { missing: true }),
  flightInvoice: appFile('travel:flight-invoice', '发票.pdf', 1732500000007, 301, PDF, 15_872),
  folio: appFile('travel:folio', '酒店水单.pdf', 1732500000008, 12, PDF, 20_480),
  dpInvoice: dingPanFile('travel:dp-invoice', '136634573449', { fileId: '136634437985', fileName: '酒店发票', fileType: 'pdf', spaceId: '7215288789' }, PDF, 31_337),
  dpPhoto: dingPanFile('travel:dp-photo', '136634573512', { fileId: '136634438120', fileName: '128163bbba83.jpg', fileType: 'jpg', spaceId: '7215288789' }, JPEG, 27_648),
  hotelInvoice: appFile('travel:hotel-invoice', '发票.pdf', 1732500000009, 77, PDF, 14_336),
  opinion: appFile('travel:opinion', '审批意见.png', 1732500000010, 5, PNG, 8_192),
  note: appFile('travel:note', '补充说明.txt', 1732500000011, 640, TEXT, 4_096),
} as const;

const MARKETING_LINES = ['市场推广费', '场地费', '物料费', '餐饮费', '交通费', '住宿费', '礼品费', '其他'] as const;

/** 1–3 KB, varying per file. */
const smallSize = (n: number) => 1_024 + ((n * 379) % 2_048);

function marketingFiles(): { plan: FileSpec; lines: { attachments: FileSpec[]; invoices: FileSpec[] }[] } {
  let n = 0;
  const file = (name: string, mimeType: string) => {
    n++;
    return appFile(`marketing:${n}`, name, 1732600000000 + n * 1_000, (n * 37) % 1000, mimeType, smallSize(n));
  };
  const plan = file('活动方案.pdf', PDF);
  const lines = MARKETING_LINES.map((_, i) => {
    const line = i + 1;
    const attachments = [...Array.from({ length: 9 }, (_, k) => file(`现场照片-${line}-${k + 1}.jpg`, JPEG)), file(`费用清单-${line}.xlsx`, XLSX)];
    const invoices = [file(`发票-${line}.pdf`, PDF), file(`发票-${line}-2.pdf`, PDF), file(`小票-${line}.jpg`, JPEG)];
    return { attachments, invoices };
  });
  return { plan, lines };
}

const bytesCache = new Map<string, Buffer>();
function bytesOf(spec: FileSpec): Buffer {
  let bytes = bytesCache.get(spec.seed);
  if (!bytes) {
    bytes = fileBytes(`ekuaibao:${spec.seed}`, spec.mimeType, spec.size);
    bytesCache.set(spec.seed, bytes);
  }
  return bytes;
}

// --- form builder ------------------------------------------------------------------------------------------------

const money = (yuan: number) => ({
  standard: yuan.toFixed(2),
  standardUnit: '元',
  standardScale: 2,
  standardSymbol: '¥',
  standardNumCode: '156',
  standardStrCode: 'CNY',
});

const staff = (name: string) => `${CORP}:${name}`;

/** Collects the references a form makes while its JSON is written, so pages and expectations agree with it. */
class References {
  readonly list: { spec: FileSpec; ref: EkuaibaoAttachmentRef }[] = [];

  use(spec: FileSpec, where: Omit<EkuaibaoAttachmentRef, 'fileId' | 'key' | 'fileName'>): Record<string, string> {
    const ref: EkuaibaoAttachmentRef = { fileId: spec.fileId, key: spec.key, ...(spec.fileName !== undefined ? { fileName: spec.fileName } : {}), ...where };
    this.list.push({ spec, ref });
    // The API's attachment object: {key, fileId, fileName}, fileName absent when the upload had none.
    return { key: spec.key, fileId: spec.fileId, ...(spec.fileName !== undefined ? { fileName: spec.fileName } : {}) };
  }
}

interface Built {
  readonly form: EkuaibaoForm;
  readonly references: References;
}

function expenseLine(corpId: string, detailSeed: string, feeType: { id: string; name: string; code: string }, amount: number, feeTypeForm: Record<string, unknown>) {
  return {
    feeTypeId: `${corpId}:${feeType.id}`,
    feeType: { id: `${corpId}:${feeType.id}`, name: feeType.name, code: feeType.code },
    specificationId: `${corpId}:${feeType.id}:expense:v2`,
    feeTypeForm: { detailId: newId(`detail:${detailSeed}`), amount: money(amount), ...feeTypeForm },
  };
}

function travelForm(): Built {
  const f = TRAVEL_FILES;
  const r = new References();
  const { code, flowId, title } = EKUAIBAO.forms.travel;
  // References are collected in document order: the form's attachments and fields, the lines, then the logs.
  const formAttachments = [r.use(f.itinerary, { place: 'form' }), r.use(f.notice, { place: 'form' })];
  const contractField = [r.use(f.contract, { place: 'field', field: 'u_合同附件' }), r.use(f.hostile, { place: 'field', field: 'u_合同附件' })];
  const extraField = [r.use(f.scan, { place: 'field', field: 'u_补充材料' })];
  const details = [
    expenseLine(CORP, 'travel:1', { id: 'traffic:flight', name: '飞机票', code: 'JT01' }, 1280, {
      feeDate: 1732233600000,
      consumptionReasons: '上海客户拜访往返机票（交通）',
      attachments: [r.use(f.boarding, { place: 'line', line: 1 }), r.use(f.removed, { place: 'line', line: 1 })],
      invoiceForm: {
        type: 'exist',
        // A structured e-invoice: data, not a file (its files come from the INVOICE extension APIs).
        invoices: [{ invoiceId: `${CORP}:031002300111:24312000000012345678`, itemIds: [newId('invoice-item:1')], taxAmount: money(105.69), approveAmount: money(1280) }],
        attachments: [r.use(f.flightInvoice, { place: 'invoice', line: 1 })],
      },
    }),
    expenseLine(CORP, 'travel:2', { id: 'hotel', name: '住宿', code: 'ZS01' }, 2000, {
      feeDate: 1732320000000,
      consumptionReasons: '上海静安区酒店 4 晚',
      attachments: [
        r.use(f.folio, { place: 'line', line: 2 }),
        // The same reference as on the form: a client must save it once.
        r.use(f.itinerary, { place: 'line', line: 2 }),
        r.use(f.dpInvoice, { place: 'line', line: 2 }),
        r.use(f.dpPhoto, { place: 'line', line: 2 }),
      ],
      invoiceForm: { type: 'exist', invoices: [], attachments: [r.use(f.hotelInvoice, { place: 'invoice', line: 2 })] },
    }),
  ];
  const logs = [
    { action: 'freeflow.submit', operatorId: staff('zhangsan'), time: 1732500600000, attachments: [] },
    { action: 'freeflow.agree', operatorId: staff('lisi'), time: 1732587000000, attachments: [r.use(f.opinion, { place: 'approval', logAction: 'freeflow.agree' })] },
    { action: 'freeflow.comment', operatorId: staff('zhangsan'), time: 1732590600000, attachments: [r.use(f.note, { place: 'approval', logAction: 'freeflow.comment' })] },
  ];
  const form = {
    code,
    title,
    submitterId: staff('zhangsan'),
    expenseDate: 1732550400000,
    description: '11 月上海客户拜访差旅费用',
    specificationId: `${CORP}:expense:travel:v3`,
    expenseMoney: money(3280),
    payMoney: money(3280),
    attachments: formAttachments,
    u_合同附件: contractField,
    // Some endpoints send attachment arrays JSON-encoded; a client must parse such strings.
    u_补充材料: JSON.stringify(extraField),
    details,
  };
  return {
    references: r,
    form: {
      flowId,
      code,
      corpId: CORP,
      title,
      formType: 'expense',
      state: 'approving',
      amount: 3280,
      submitterName: '张三',
      form,
      logs,
      lines: details.map((d) => ({ detailId: d.feeTypeForm.detailId, feeTypeName: d.feeType.name, amount: Number(d.feeTypeForm.amount.standard) })),
      attachments: r.list.map((x) => x.ref),
    },
  };
}

function marketingForm(): Built {
  const files = marketingFiles();
  const r = new References();
  const { code, flowId, title } = EKUAIBAO.forms.marketing;
  const formAttachments = [r.use(files.plan, { place: 'form' })];
  const details = files.lines.map((line, i) =>
    expenseLine(CORP, `marketing:${i + 1}`, { id: `market:${i + 1}`, name: MARKETING_LINES[i]!, code: `SC0${i + 1}` }, 3000 + (i + 1) * 1200, {
      feeDate: 1733011200000 + i * 86_400_000,
      attachments: line.attachments.map((spec) => r.use(spec, { place: 'line', line: i + 1 })),
      invoiceForm: { type: 'exist', invoices: [], attachments: line.invoices.map((spec) => r.use(spec, { place: 'invoice', line: i + 1 })) },
    }),
  );
  const amount = details.reduce((sum, d) => sum + Number(d.feeTypeForm.amount.standard), 0);
  const form = {
    code,
    title,
    submitterId: staff('zhangsan'),
    expenseDate: 1733616000000,
    description: '第四季度华东区市场活动',
    specificationId: `${CORP}:expense:marketing:v1`,
    expenseMoney: money(amount),
    payMoney: money(amount),
    attachments: formAttachments,
    details,
  };
  return {
    references: r,
    form: {
      flowId,
      code,
      corpId: CORP,
      title,
      formType: 'expense',
      state: 'paid',
      amount,
      submitterName: '张三',
      form,
      logs: [
        { action: 'freeflow.submit', operatorId: staff('zhangsan'), time: 1733620000000, attachments: [] },
        { action: 'freeflow.agree', operatorId: staff('lisi'), time: 1733706400000, attachments: [] },
      ],
      lines: details.map((d) => ({ detailId: d.feeTypeForm.detailId, feeTypeName: d.feeType.name, amount: Number(d.feeTypeForm.amount.standard) })),
      attachments: r.list.map((x) => x.ref),
    },
  };
}

function deletedForm(): EkuaibaoForm {
  const { code, flowId, title } = EKUAIBAO.forms.deleted;
  return {
    flowId,
    code,
    corpId: CORP,
    title,
    formType: 'expense',
    state: 'draft',
    deleted: true,
    amount: 0,
    submitterName: '张三',
    form: { code, title, attachments: [], details: [] },
    logs: [],
    lines: [],
    attachments: [],
  };
}

// --- exports -----------------------------------------------------------------------------------------------------

/** What a client must find: one entry per distinct file (fileId + key) of a form, in the form's order. */
export interface ExpectedEkuaibaoFile {
  readonly formCode: string;
  readonly fileId: string;
  readonly key: string;
  /** The `fileName` the form gives (absent for a nameless upload). */
  readonly fileName?: string;
  /** Where it is first referenced. */
  readonly place: EkuaibaoPlace;
  readonly field?: string;
  readonly line?: number;
  readonly logAction?: string;
  /** How often the form references it (2: the same reference twice; save it once). */
  readonly references: number;
  readonly dingPan: boolean;
  /** Not in the store: downloadurls never answers it. */
  readonly missing: boolean;
  readonly mimeType: string;
  /** Made on first access. */
  readonly bytes: Buffer;
}

function expected(built: Built): ExpectedEkuaibaoFile[] {
  const byPair = new Map<string, { spec: FileSpec; ref: EkuaibaoAttachmentRef; count: number }>();
  for (const { spec, ref } of built.references.list) {
    const pair = `${spec.fileId}\n${spec.key}`;
    const seen = byPair.get(pair);
    if (seen) seen.count++;
    else byPair.set(pair, { spec, ref, count: 1 });
  }
  return [...byPair.values()].map(({ spec, ref, count }) => ({
    formCode: built.form.code,
    fileId: spec.fileId,
    key: spec.key,
    ...(spec.fileName !== undefined ? { fileName: spec.fileName } : {}),
    place: ref.place,
    ...(ref.field !== undefined ? { field: ref.field } : {}),
    ...(ref.line !== undefined ? { line: ref.line } : {}),
    ...(ref.logAction !== undefined ? { logAction: ref.logAction } : {}),
    references: count,
    dingPan: spec.dingPan,
    missing: spec.missing,
    mimeType: spec.mimeType,
    get bytes() {
      return bytesOf(spec);
    },
  }));
}

/** Every distinct file of the travel form (14) and the marketing form (105), travel first. */
export const EKUAIBAO_FILES: readonly ExpectedEkuaibaoFile[] = [...expected(travelForm()), ...expected(marketingForm())];

/** The demo's Ekuaibao data (fresh objects each call). */
export function createEkuaibaoWorld(): EkuaibaoWorld {
  const built = [travelForm(), marketingForm()];
  const specs = new Map<string, FileSpec>();
  for (const b of built) for (const { spec } of b.references.list) if (!spec.missing) specs.set(spec.seed, spec);
  return {
    corpName: EKUAIBAO.corpName,
    apps: [{ appKey: EKUAIBAO.app.appKey, appSecurity: EKUAIBAO.app.appSecurity, corpId: CORP }],
    tokens: [
      { token: EKUAIBAO.token, corpId: CORP },
      { token: EKUAIBAO.expiredToken, corpId: CORP, expired: true },
      { token: EKUAIBAO.otherCorpToken, corpId: OTHER_CORP },
    ],
    forms: [...built.map((b) => b.form), deletedForm()],
    files: [...specs.values()].map((spec) => ({ fileId: spec.fileId, key: spec.key, corpId: CORP, mimeType: spec.mimeType, bytes: bytesOf(spec) })),
  };
}
