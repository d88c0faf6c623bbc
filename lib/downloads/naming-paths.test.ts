// @vitest-environment node
/**
 * Every hostile name of tests/sandbox/fixtures/hostile.ts, from every place the extension takes names from, all the
 * way into the `filename` the background hands to `chrome.downloads.download`:
 *   - Feishu's API: document file blocks, image captions, base attachments (and records as folders), sheet cells,
 *     Mail attachments (and the subject as a folder), listed through the real clients against the sandbox;
 *   - Content-Disposition: a document's nameless inline files (the stream host's header, read by the probe) and drive
 *     files (the drive API's header, read when the page is listed);
 *   - Ekuaibao: a form's `fileName`, the names inside storage keys, DingPan keys, form titles and fee types as folders.
 * The page's own markup is not among them: what the content script sees is only matched against the API's tokens and
 * shown, never used as a name (the hostile page's end-to-end test checks that too).
 *
 * For each name and source: the final path is the job's folder and exactly one more segment, that segment passes
 * Chromium's rules (restated independently in tests/unit/chromium-filename-rules.ts) and our byte limits, and the
 * whole run gives the same paths again.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { attachmentValue, FIELD_TYPE } from '../../tests/sandbox/api/bitable';
import { contentDisposition } from '../../tests/sandbox/http-util';
import {
  buildBlocks,
  createHostileWorld,
  demoMedia,
  HOSTILE,
  HOSTILE_NAMES,
  hostileAttachments,
  sandboxFetch,
  startSandbox,
  TOKENS,
  type Sandbox,
  type SandboxMedia,
  type SandboxWorld,
} from '../../tests/sandbox';
import { chromiumObjection, utf8Bytes } from '../../tests/unit/chromium-filename-rules';
import { chromeDownloads } from '../background/chrome-downloads';
import type { Attachment, Listing } from '../core/attachment';
import type { EkuaibaoPage, FeishuPage } from '../core/page';
import type { EkuaibaoClient } from '../ekuaibao/client';
import { listEkuaibaoForms } from '../ekuaibao/forms';
import type { FlowDetails } from '../ekuaibao/schemas';
import { FeishuClient } from '../feishu/client';
import { driveFileAttachment, probeDriveFile } from '../feishu/drive-file';
import { listFeishuPage } from '../feishu/list-page';
import { DownloadEngine, type NewJob } from './engine';
import { JobStore } from './job';
import type { LinkResolver, LinkResult } from './links';
import { FILE_NAME_LIMITS, FOLDER_NAME_LIMITS, isSafeSegment, sanitizeSegment } from './naming';
import { createProbe } from './probe';
import { RateLimiterRegistry, type EndpointLimiter, type RateLimit } from './rate-limit';

const FEISHU_API = 'https://open.feishu.cn';
const EKUAIBAO_API = 'https://app.ekuaibao.com';
const NAMES = HOSTILE_NAMES.map((n) => n.name);
const HOST = { platform: 'feishu', brand: 'feishu', host: 'acme.feishu.cn' } as const;

const IDS = {
  captions: 'HstLCaptionsOfImages2026AbCd',
  inline: 'HstLInlineFilesNoName2026Ab',
  base: 'HstLBaseHostileNames2026AbC',
  baseTable: 'tblHostileNamesAb',
  sheet: 'HstLSheetHostileNames2026Ab',
  sheetId: 'hst001',
} as const;

// --- the world: the hostile document, plus hostile names in every other Feishu surface --------------------------

const file = (kind: string, i: number, name: string, mimeType = 'application/pdf'): SandboxMedia => demoMedia('feishu', `naming-${kind}-${i}`, name, mimeType, 200 + i);

function namesWorld(): SandboxWorld {
  const world = createHostileWorld();
  const captioned = NAMES.map((name, i) => file('caption', i, name, 'image/png'));
  const inline = NAMES.map((name, i) => file('inline', i, name));
  const inBase = NAMES.map((name, i) => file('base', i, name));
  const inSheet = NAMES.map((name, i) => file('sheet', i, name));
  const inMail = NAMES.map((name, i) => file('mail', i, name));
  world.media.push(...captioned, ...inline, ...inBase, ...inSheet, ...inMail);
  world.documents.push(
    {
      id: IDS.captions,
      brand: 'feishu',
      title: 'Captions',
      blocks: buildBlocks(IDS.captions, 'Captions', captioned.map((media) => ({ type: 'image', media, caption: media.fileName }))),
      readers: 'all',
    },
    {
      id: IDS.inline,
      brand: 'feishu',
      title: 'Inline files',
      blocks: buildBlocks(IDS.inline, 'Inline files', inline.map((media, i) => ({ type: 'text', text: `file ${i}`, inlineFile: media }))),
      readers: 'all',
    },
  );
  const text = (value: string) => [{ text: value, type: 'text' }];
  return {
    ...world,
    bases: [
      ...(world.bases ?? []),
      {
        appToken: IDS.base,
        brand: 'feishu',
        name: 'Hostile base',
        isAdvanced: false,
        readers: 'all',
        tables: [
          {
            tableId: IDS.baseTable,
            // The table is a folder too.
            name: '../表格:1',
            revision: 1,
            fields: [
              { fieldId: 'fldHstName', name: '名称', type: FIELD_TYPE.text, uiType: 'Text', isPrimary: true },
              { fieldId: 'fldHstFile', name: '附件', type: FIELD_TYPE.attachment, uiType: 'Attachment' },
            ],
            // Every record is named by a hostile name (its folder) and holds a file of that name.
            records: NAMES.map((name, i) => ({ recordId: `recHst${String(i).padStart(7, '0')}`, fields: { 名称: text(name), 附件: [attachmentValue(inBase[i]!)] } })),
          },
        ],
      },
    ],
    spreadsheets: [
      ...(world.spreadsheets ?? []),
      {
        token: IDS.sheet,
        brand: 'feishu',
        title: 'Hostile sheet',
        readers: 'all',
        sheets: [
          {
            sheetId: IDS.sheetId,
            title: 'CON .. /x',
            rowCount: NAMES.length,
            columnCount: 2,
            cells: Object.fromEntries(
              inSheet.map((media, i) => [`B${i + 1}`, [{ type: 'attachment', fileToken: media.token, text: media.fileName, size: media.bytes.length, mimeType: media.mimeType }]]),
            ),
          },
        ],
      },
    ],
    // The user's mailbox holds one message, with a hostile subject (its folder) and every hostile name.
    mailboxes: [
      {
        owners: [TOKENS.feishuUser],
        address: 'zhangsan@acme-demo.cn',
        brand: 'feishu',
        messages: [
          {
            messageId: 'TWFpbEhvc3RpbGVOYW1lcw==',
            subject: '../../Re: <CON> 附件\u202E',
            from: { name: 'Mallory', address: 'mallory@evil.example' },
            internalDate: Date.UTC(2026, 10, 23, 2),
            folderId: 'INBOX',
            attachments: inMail.map((media, i) => ({ id: `HstMailAttachment${String(i).padStart(3, '0')}`, media })),
          },
        ],
      },
    ],
  };
}

// --- the sources -------------------------------------------------------------------------------------------------

let sandbox: Sandbox;

async function feishuJob(page: FeishuPage, options: { recordFolders?: boolean } = {}): Promise<NewJob[]> {
  const client = new FeishuClient({ apiBase: FEISHU_API, accessToken: async () => TOKENS.feishuUser, limiters: new RateLimiterRegistry(), fetch: sandboxFetch(sandbox), retries: 0 });
  return jobsOf(await listFeishuPage(client, page, { recordFolders: options.recordFolders ?? false, whiteboards: false, tenantToken: false }), page.kind);
}

function jobsOf(listing: Listing, key: string): NewJob[] {
  if (listing.type === 'mailbox') return listing.messages.map((m) => ({ pageKey: `${key}:${m.id}`, title: m.subject, folder: m.folder, attachments: m.attachments }));
  return [{ pageKey: key, title: listing.title, folder: listing.folder, attachments: listing.attachments }];
}

/** The drive API as the sandbox serves it (same Content-Disposition), answered in-process: it is limited to 5 calls a second. */
function driveApi(names: readonly string[]): typeof fetch {
  return async (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const index = Number(/\/drive\/v1\/files\/HstLDrive(\d{4})[A-Za-z]+\/download$/.exec(url.pathname)?.[1]);
    const name = names[index];
    if (name === undefined) return new Response('{"code":1061007,"msg":"file has been deleted."}', { status: 404, headers: { 'content-type': 'application/json' } });
    return new Response(new Uint8Array([0x25]), {
      status: 206,
      headers: { 'content-type': 'application/pdf', 'content-range': 'bytes 0-0/1234', 'content-disposition': contentDisposition(name) },
    });
  };
}

/** The in-process drive API has no rate limit to keep to. */
class UnthrottledRegistry extends RateLimiterRegistry {
  override get(key: string, _limits: readonly RateLimit[]): EndpointLimiter {
    return super.get(key, [{ limit: 10_000, intervalMs: 1000 }]);
  }
}

const driveToken = (i: number) => `HstLDrive${String(i).padStart(4, '0')}AbCdEfGhIjKl`;

async function driveFileJob(): Promise<NewJob[]> {
  const client = new FeishuClient({ apiBase: FEISHU_API, accessToken: async () => TOKENS.feishuUser, limiters: new UnthrottledRegistry(), fetch: driveApi(NAMES), retries: 0 });
  // One drive page per name, as listFeishuPage lists a `/file/<token>` page: the name comes from the download's headers.
  const jobs: NewJob[] = [];
  for (const [i] of NAMES.entries()) {
    const token = driveToken(i);
    const attachment = driveFileAttachment(client.apiBase, token, await probeDriveFile(client, token));
    jobs.push({ pageKey: `file:${token}`, title: attachment.name, folder: ['Feishu', 'Drive'], attachments: [attachment] });
  }
  return jobs;
}

const EKB_CLIENT = { apiBase: EKUAIBAO_API } as unknown as EkuaibaoClient;
const ekbPage = (count: number): EkuaibaoPage => ({ platform: 'ekuaibao', kind: 'forms', host: 'app.ekuaibao.com', forms: Array.from({ length: count }, (_, i) => ({ code: `B24${String(i).padStart(6, '0')}` })) });

/** Ekuaibao forms as `flowDetails` answers them, one per code of the page. */
async function ekuaibaoJob(forms: readonly FlowDetails[]): Promise<NewJob[]> {
  const listing = await listEkuaibaoForms(EKB_CLIENT, ekbPage(forms.length), async (_client, ref) => forms[Number('code' in ref ? ref.code.slice(3) : -1)]!);
  return jobsOf(listing, 'ekuaibao');
}

const form = (i: number, title: string, extra: Record<string, unknown>): FlowDetails => ({ id: `ID01HstForm${String(i).padStart(4, '0')}`, form: { code: `B24${String(i).padStart(6, '0')}`, title, ...extra } });
const ekbFile = (i: number, key: string, fileName?: string) => ({ fileId: `HstFile${String(i).padStart(4, '0')}`, key, ...(fileName !== undefined ? { fileName } : {}) });

const SOURCES: readonly { readonly source: string; readonly list: () => Promise<NewJob[]>; readonly count: number }[] = [
  { source: 'Feishu document: file block names', list: () => feishuJob({ ...HOST, kind: 'docx', token: HOSTILE.doc }), count: hostileAttachments().length },
  { source: 'Feishu document: image captions', list: () => feishuJob({ ...HOST, kind: 'docx', token: IDS.captions }), count: NAMES.length },
  { source: 'Content-Disposition: a document\'s inline files', list: () => feishuJob({ ...HOST, kind: 'docx', token: IDS.inline }), count: NAMES.length },
  { source: 'Content-Disposition: drive files', list: driveFileJob, count: NAMES.length },
  { source: 'Feishu base: attachment names, records as folders', list: () => feishuJob({ ...HOST, kind: 'base', token: IDS.base }, { recordFolders: true }), count: NAMES.length },
  { source: 'Feishu sheet: attachment cells', list: () => feishuJob({ ...HOST, kind: 'sheets', token: IDS.sheet }), count: NAMES.length },
  { source: 'Feishu Mail: attachment file names, the subject as a folder', list: () => feishuJob({ ...HOST, kind: 'mail' }), count: NAMES.length },
  {
    source: 'Ekuaibao: fileName',
    list: () => ekuaibaoJob([form(0, '差旅报销', { attachments: NAMES.map((name, i) => ekbFile(i, `key-${i}`, name)) })]),
    count: NAMES.length,
  },
  {
    source: 'Ekuaibao: key uploaded through the Open API',
    list: () => ekuaibaoJob([form(0, '差旅报销', { attachments: NAMES.map((name, i) => ekbFile(i, `openapi1b2c3d4e-0000-4000-8000-${String(i).padStart(12, '0')}-${name}`)) })]),
    count: NAMES.length,
  },
  {
    source: 'Ekuaibao: key uploaded in the app',
    list: () => ekuaibaoJob([form(0, '差旅报销', { attachments: NAMES.map((name, i) => ekbFile(i, `${name}-1732500000002-${i % 1000}.pdf`)) })]),
    count: NAMES.length,
  },
  {
    source: 'Ekuaibao: DingPan key',
    list: () => ekuaibaoJob([form(0, '差旅报销', { attachments: NAMES.map((name, i) => ekbFile(i, `DP:${JSON.stringify({ fileId: `dp${i}`, fileName: name, fileType: 'pdf', fileSize: 10 })}`)) })]),
    count: NAMES.length,
  },
  {
    source: 'Ekuaibao: form titles as folders',
    list: () => ekuaibaoJob(NAMES.map((name, i) => form(i, name, { attachments: [ekbFile(i, 'scan-1732500000002-1.pdf', name)] }))),
    count: NAMES.length,
  },
  {
    source: 'Ekuaibao: fee types as folders',
    list: () =>
      ekuaibaoJob([
        form(0, '差旅报销', {
          details: NAMES.map((name, i) => ({ feeType: { name }, feeTypeForm: { attachments: [ekbFile(i, `line-${i}-1732500000002-1.pdf`, name)] } })),
        }),
      ]),
    count: NAMES.length,
  },
];

// --- the engine, with the real chrome.downloads port ----------------------------------------------------------------

/** Links the sandbox serves (the stream host's page images, with Content-Disposition) or this test does. */
function linkOf(attachment: Attachment): string {
  const { source } = attachment;
  switch (source.type) {
    case 'feishu-media':
      return `https://internal-api-drive-stream.feishu.cn/space/api/box/stream/download/preview/${source.token}`;
    case 'ekuaibao-attachment':
      return `https://files.test/ekuaibao/${encodeURIComponent(source.fileId)}`;
    case 'feishu-mail':
      return `https://files.test/mail/${encodeURIComponent(source.attachmentId)}`;
    default:
      return `https://files.test/${source.type}/${source.token}`;
  }
}

const resolver: LinkResolver = {
  batchSize: 5,
  groupOf: (a) => a.source.type,
  async resolve(attachments) {
    return new Map<string, LinkResult>(attachments.map((a) => [a.id, { link: { url: linkOf(a) } }]));
  },
};

/** The probe's fetch: the sandbox for Feishu's stream host; an object store without Content-Disposition otherwise. */
function probeFetch(): typeof fetch {
  const toSandbox = sandboxFetch(sandbox);
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== 'files.test') return toSandbox(input, init);
    return new Response(new TextEncoder().encode('%PDF-1.7\n'), { status: 206, headers: { 'content-type': 'application/pdf', 'content-range': 'bytes 0-8/9' } });
  };
}

interface Saved {
  readonly attachment: Attachment;
  /** The job's folder, as the engine sanitised it. */
  readonly folder: readonly string[];
  readonly options: Browser.downloads.DownloadOptions;
}

/** Runs the jobs through the download engine and chrome.downloads (faked below the port), returning every call. */
async function saveAll(jobs: readonly NewJob[]): Promise<Saved[]> {
  fakeBrowser.reset();
  let nextId = 1;
  const calls: Browser.downloads.DownloadOptions[] = [];
  const download = vi.spyOn(fakeBrowser.downloads, 'download') as unknown as MockInstance<(options: Browser.downloads.DownloadOptions) => Promise<number>>;
  download.mockImplementation(async (options) => {
    const id = nextId++;
    calls.push(options);
    // Chrome reports the end a moment later (the engine is made below; downloads start only once it runs).
    setTimeout(() => void engine.handleDownloadChanged({ id, state: { current: 'complete' } }), 0);
    return id;
  });
  const engine = new DownloadEngine({ store: new JobStore(), downloads: chromeDownloads, resolverFor: () => resolver, probe: createProbe(probeFetch()), concurrency: 10 });
  const started = [];
  for (const job of jobs) started.push(await engine.startJob(job));
  await vi.waitFor(
    async () => {
      const all = await engine.getJobs();
      expect(all.filter((j) => j.finishedAt !== undefined)).toHaveLength(started.length);
    },
    { timeout: 20_000, interval: 20 },
  );
  const saved: Saved[] = [];
  for (const job of await engine.getJobs()) {
    for (const item of job.items) {
      expect(item.state, `${item.attachment.name}: ${JSON.stringify(item.problem)}`).toBe('done');
      const options = calls.find((c) => c.url === linkOf(item.attachment));
      expect(options, item.id).toBeDefined();
      saved.push({ attachment: item.attachment, folder: item.folder, options: options! });
    }
  }
  return saved;
}

// --- the checks ------------------------------------------------------------------------------------------------------

function expectSafeFolder(folder: readonly string[], job: NewJob, attachment: Attachment): void {
  // The job's folder is the listing's folder and the attachment's sub-folders, each made one safe segment.
  const raw = [...job.folder, ...attachment.subfolders];
  expect(folder).toHaveLength(raw.length);
  for (const [i, segment] of folder.entries()) {
    expect(segment).toBe(sanitizeSegment(raw[i]!, FOLDER_NAME_LIMITS, i === 0 ? 'Downloads' : 'Untitled'));
    expect(chromiumObjection(segment), `folder segment ${JSON.stringify(segment)}`).toBeNull();
    expect(isSafeSegment(segment, FOLDER_NAME_LIMITS)).toBe(true);
  }
}

function expectSafePath(saved: Saved): void {
  const { filename = '' } = saved.options;
  const segments = filename.split('/');
  const name = segments.at(-1) ?? '';
  const what = `${JSON.stringify(saved.attachment.name)} → ${JSON.stringify(filename)}`;
  // Exactly one segment below the job's folder, and nothing that could climb out of it or start elsewhere.
  expect(segments.slice(0, -1), what).toEqual(saved.folder);
  expect(segments, what).toHaveLength(saved.folder.length + 1);
  expect(segments, what).not.toContain('..');
  expect(segments, what).not.toContain('.');
  expect(filename, what).not.toMatch(/^[/\\]|^[A-Za-z]:|\\/);
  expect(chromiumObjection(name), what).toBeNull();
  expect(isSafeSegment(name, FILE_NAME_LIMITS), what).toBe(true);
  expect(name.length, what).toBeLessThanOrEqual(FILE_NAME_LIMITS.maxChars);
  expect(utf8Bytes(name), what).toBeLessThanOrEqual(FILE_NAME_LIMITS.maxBytes);
  // Chrome is told to keep both files on a clash, and never to ask where to save.
  expect(saved.options).toMatchObject({ conflictAction: 'uniquify', saveAs: false });
}

let sourcesRun: Map<string, { jobs: NewJob[]; saved: Saved[] }>;

beforeAll(async () => {
  sandbox = await startSandbox({ tls: false, world: namesWorld() });
  sourcesRun = new Map();
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
});

beforeEach(() => {
  sandbox.reset();
});

describe('hostile names, from every source into chrome.downloads', () => {
  it('has a table of at least 40 hostile names', () => {
    expect(HOSTILE_NAMES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(NAMES).size).toBe(NAMES.length);
  });

  it.each(SOURCES)('$source: every name becomes one safe segment in the job\'s folder', async ({ source, list, count }) => {
    const jobs = await list();
    expect(jobs.flatMap((j) => j.attachments)).toHaveLength(count);
    const saved = await saveAll(jobs);
    expect(saved).toHaveLength(count);
    for (const entry of saved) {
      const job = jobs.find((j) => j.attachments.some((a) => a.id === entry.attachment.id))!;
      expectSafeFolder(entry.folder, job, entry.attachment);
      expectSafePath(entry);
    }
    // Distinct files of one job keep distinct names, as the folder's file system compares them. (Separate jobs into
    // one folder, as drive files all go to Feishu/Drive/, may meet a name already there: Chrome's `uniquify` keeps both.)
    for (const job of jobs) {
      const keys = saved.filter((s) => job.attachments.some((a) => a.id === s.attachment.id)).map((s) => (s.options.filename ?? '').normalize('NFC').toLowerCase());
      expect(new Set(keys).size).toBe(keys.length);
    }
    sourcesRun.set(source, { jobs, saved });
  }, 30_000);

  it.each(SOURCES)('$source: the same names give the same paths every time', async ({ source, list }) => {
    const first = sourcesRun.get(source) ?? { jobs: await list(), saved: [] };
    const again = await saveAll(await list());
    const byId = (saved: readonly Saved[]) => Object.fromEntries(saved.map((s) => [s.attachment.id, s.options.filename]));
    expect(byId(again)).toEqual(byId(first.saved.length > 0 ? first.saved : await saveAll(first.jobs)));
  }, 30_000);
});

describe('a few of them, by name', () => {
  it.each<[string, string]>([
    ['../../etc/passwd', '_.._etc_passwd'],
    ['..\\..\\Windows\\win.ini', '_.._Windows_win.ini'],
    ['C:\\x', 'C__x'],
    ['CON', '_CON'],
    ['CON .txt', '_CON .txt'],
    ['invoice\u202Egpj.exe', 'invoicegpj.exe'],
    ['desktop.ini', '_desktop.ini'],
    ['invoice.pdf.lnk', 'invoice.pdf.lnk_'],
    // No name at all: a generated one, as for a nameless inline file (the stream host's header names none either).
    ['', 'attachment-01'],
    ['....', 'attachment'],
    ['\u200B\u202E\u0000\uFEFF', 'attachment'],
    ['<>:"/\\|?*', '_________'],
  ])('a file block named %j is saved as %j', async (raw, expected) => {
    const [job] = await feishuJob({ ...HOST, kind: 'docx', token: HOSTILE.doc });
    const index = hostileAttachments().findIndex((m) => m.fileName === raw);
    const attachment = job!.attachments.find((a) => a.source.type === 'feishu-media' && a.source.token === hostileAttachments()[index]!.token)!;
    const [saved] = await saveAll([{ ...job!, attachments: [attachment] }]);
    expect(saved!.options.filename).toBe(`Feishu/${sanitizeSegment(HOSTILE.title, FOLDER_NAME_LIMITS, 'Untitled')}/${expected}`);
  });
});

