import { describe, expect, it } from 'vitest';
import type { Attachment, Listing } from '../core/attachment';
import { pageKey, type FeishuPage } from '../core/page';
import type { TabState } from '../core/tab-state';
import type { Job, JobItem } from '../downloads/job';
import { buildView, offersFormFinder, reportView, type Progress } from './popup-model';

const API = 'https://open.feishu.cn';
const PAGE: FeishuPage = { platform: 'feishu', brand: 'feishu', host: 'acme.feishu.cn', kind: 'docx', token: 'UXEAd6cRUoj5pexJZr0cdwaFnpd' };
const OTHER_PAGE: FeishuPage = { ...PAGE, token: 'Wq3sKpQ7mBz8XcN2vLr5TtYh9Ud' };

function attachment(token: string, name: string, extra: Partial<Attachment> = {}): Attachment {
  return {
    id: `feishu-media:${token}`,
    name,
    nameIsGenerated: false,
    kind: 'file',
    source: { type: 'feishu-media', apiBase: API, token },
    subfolders: [],
    ...extra,
  };
}

const report = attachment('boxcnReport000001', 'report.pdf', { size: 182_345 });
const reportCopy = attachment('boxcnReport000002', 'report.pdf');
const photo = attachment('boxcnPhoto0000001', 'image-01', { kind: 'image', nameIsGenerated: true });
const slash = attachment('boxcnSlash0000001', 'a/b');

const LISTING: Listing = { type: 'attachments', title: '项目周报', folder: ['Feishu', '项目周报'], attachments: [report, reportCopy, photo, slash], partial: [], hints: [] };

function tabState(listing: TabState['listing'], page: FeishuPage = PAGE): TabState {
  return { tabId: 7, recognition: { status: 'supported', page }, listing, jobId: 'job-1' };
}

const READY = tabState({ status: 'ready', listing: LISTING, listedAt: 1000 });

function item(source: Attachment, fileName: string, state: JobItem['state'], extra: Partial<JobItem> = {}): JobItem {
  return { id: source.id, attachment: source, folder: ['Feishu', '项目周报'], fileName, nameFinal: true, state, attempts: 1, ...extra };
}

function job(items: JobItem[], extra: Partial<Job> = {}): Job {
  return { id: 'job-1', tabId: 7, pageKey: pageKey(PAGE), title: '项目周报', createdAt: 1000, items, ...extra };
}

const NO_PROGRESS: ReadonlyMap<number, Progress> = new Map();

describe('buildView', () => {
  it('has a view for a closed tab and for a state not read yet', () => {
    expect(buildView('no-tab', null, NO_PROGRESS)).toEqual({ kind: 'no-tab' });
    expect(buildView(null, null, NO_PROGRESS)).toEqual({ kind: 'loading' });
  });

  it('says "not supported" for other sites, naming a known Feishu page kind', () => {
    expect(buildView({ tabId: 7, recognition: { status: 'other' }, listing: { status: 'idle' } }, null, NO_PROGRESS)).toEqual({ kind: 'not-supported' });
    expect(
      buildView({ tabId: 7, recognition: { status: 'unsupported', platform: 'feishu', kind: 'wiki' }, listing: { status: 'idle' } }, null, NO_PROGRESS),
    ).toEqual({ kind: 'not-supported', pageKind: 'wiki' });
  });

  it('shows "listing" while idle or loading', () => {
    expect(buildView(tabState({ status: 'idle' }), null, NO_PROGRESS)).toEqual({ kind: 'listing' });
    expect(buildView(tabState({ status: 'loading', startedAt: 5 }), null, NO_PROGRESS)).toEqual({ kind: 'listing' });
  });

  it('asks for credentials', () => {
    expect(buildView(tabState({ status: 'needs-credentials' }), null, NO_PROGRESS)).toEqual({ kind: 'needs-credentials', platform: 'feishu' });
  });

  it('passes the listing problem on', () => {
    const problem = { kind: 'not-shared', code: 1770032, status: 403, host: 'open.feishu.cn' } as const;
    expect(buildView(tabState({ status: 'error', problem, at: 9 }), null, NO_PROGRESS)).toEqual({ kind: 'error', problem, visible: [] });
  });

  it('lists every attachment as ready before any job', () => {
    expect(buildView(READY, null, NO_PROGRESS)).toEqual({
      kind: 'ready',
      title: '项目周报',
      folder: 'Feishu/项目周报',
      rows: [
        { id: report.id, name: 'report.pdf', kind: 'file', size: 182_345, state: 'ready' },
        { id: reportCopy.id, name: 'report.pdf', kind: 'file', size: undefined, state: 'ready' },
        { id: photo.id, name: 'image-01', kind: 'image', size: undefined, state: 'ready' },
        { id: slash.id, name: 'a/b', kind: 'file', size: undefined, state: 'ready' },
      ],
      counts: { total: 4, done: 0, failed: 0, open: 0 },
      jobRunning: false,
      allSaved: false,
      partial: [],
      hints: [],
    });
  });

  it('merges the job into the rows: saved names, states, problems, sizes and live progress', () => {
    const problem = { kind: 'download-interrupted', detail: 'FILE_NO_SPACE' } as const;
    const running = job([
      item(report, 'report.pdf', 'done', { downloadId: 1, savedAs: '/home/me/Downloads/Feishu/项目周报/report.pdf' }),
      item(reportCopy, 'report (2).pdf', 'downloading', { downloadId: 2 }),
      item({ ...photo, size: 345_678 }, 'image-01.png', 'resolving'),
      item(slash, 'a_b', 'failed', { problem }),
    ]);
    const progress = new Map<number, Progress>([
      [1, { received: 182_345, total: 182_345 }],
      [2, { received: 25, total: 100 }],
    ]);
    expect(buildView(READY, running, progress)).toEqual({
      kind: 'ready',
      title: '项目周报',
      folder: 'Feishu/项目周报',
      rows: [
        { id: report.id, name: 'report.pdf', savedAs: undefined, kind: 'file', size: 182_345, state: 'done', progress: undefined, problem: undefined },
        { id: reportCopy.id, name: 'report.pdf', savedAs: 'report (2).pdf', kind: 'file', size: 100, state: 'downloading', progress: 0.25, problem: undefined },
        { id: photo.id, name: 'image-01', savedAs: 'image-01.png', kind: 'image', size: 345_678, state: 'resolving', progress: undefined, problem: undefined },
        { id: slash.id, name: 'a/b', savedAs: 'a_b', kind: 'file', size: undefined, state: 'failed', progress: undefined, problem },
      ],
      counts: { total: 4, done: 1, failed: 1, open: 2 },
      jobRunning: true,
      // Half the items ended; bytes: the saved file, the running one as Chrome reports it, the known size to come.
      job: { id: 'job-1', cancelled: false, itemsDone: 0.5, bytes: { received: 182_370, total: 528_123 } },
      allSaved: false,
      partial: [],
      hints: [],
    });
  });

  it('gives no byte total while a file to come has no known size, and says why a job is held', () => {
    const held = { ...job([item(report, 'report.pdf', 'done'), item(reportCopy, 'report (2).pdf', 'queued')]), paused: { at: 5, problem: { kind: 'token-expired' as const } } };
    const view = buildView(READY, held, new Map());
    expect(view.kind === 'ready' && view.job).toEqual({ id: 'job-1', cancelled: false, itemsDone: 0.25, paused: { problem: { kind: 'token-expired' } } });
  });

  it('shows no progress or size while Chrome does not know the total', () => {
    const running = job([item(reportCopy, 'report (2).pdf', 'downloading', { downloadId: 2 })]);
    const view = buildView(READY, running, new Map([[2, { received: 4096, total: 0 }]]));
    expect(view.kind === 'ready' && view.rows[1]).toEqual({
      id: reportCopy.id,
      name: 'report.pdf',
      savedAs: 'report (2).pdf',
      kind: 'file',
      size: undefined,
      state: 'downloading',
      progress: undefined,
      problem: undefined,
    });
  });

  it('caps progress at 1 when Chrome received more than announced', () => {
    const running = job([item(reportCopy, 'report (2).pdf', 'downloading', { downloadId: 2 })]);
    const view = buildView(READY, running, new Map([[2, { received: 150, total: 100 }]]));
    expect(view.kind === 'ready' && view.rows[1]?.progress).toBe(1);
  });

  it('ignores progress of a download that is not running any more', () => {
    const finished = job([item(reportCopy, 'report (2).pdf', 'done', { downloadId: 2 })], { finishedAt: 2000 });
    const view = buildView(READY, finished, new Map([[2, { received: 50, total: 100 }]]));
    expect(view.kind === 'ready' && view.rows[1]).toMatchObject({ state: 'done', progress: undefined, size: 100 });
    expect(view.kind === 'ready' && view.jobRunning).toBe(false);
  });

  it('counts a finished job', () => {
    const finished = job(
      [
        item(report, 'report.pdf', 'done'),
        item(reportCopy, 'report (2).pdf', 'done'),
        item(photo, 'image-01.png', 'done'),
        item(slash, 'a_b', 'failed', { problem: { kind: 'no-link' } }),
      ],
      { finishedAt: 5000 },
    );
    const view = buildView(READY, finished, NO_PROGRESS);
    expect(view.kind === 'ready' && view.counts).toEqual({ total: 4, done: 3, failed: 1, open: 0 });
    expect(view.kind === 'ready' && view.jobRunning).toBe(false);
    expect(view.kind === 'ready' && view.allSaved).toBe(false);
  });

  it('says when a finished job saved everything (another "Download all" would save copies)', () => {
    const saved = job(
      [item(report, 'report.pdf', 'done'), item(reportCopy, 'report (2).pdf', 'done'), item(photo, 'image-01.png', 'done'), item(slash, 'a_b', 'done')],
      { finishedAt: 5000 },
    );
    const view = buildView(READY, saved, NO_PROGRESS);
    expect(view.kind === 'ready' && [view.allSaved, view.jobRunning, view.counts]).toEqual([true, false, { total: 4, done: 4, failed: 0, open: 0 }]);
  });

  it('shows the folder the job really saves to', () => {
    const running = job([item(report, 'report.pdf', 'queued', { folder: ['Feishu', '项目周报_ 第一版'] })]);
    const view = buildView(READY, running, NO_PROGRESS);
    expect(view.kind === 'ready' && view.folder).toBe('Feishu/项目周报_ 第一版');
  });

  it('ignores a job of another page', () => {
    const elsewhere = job([item(report, 'report.pdf', 'downloading', { downloadId: 1 })], { pageKey: pageKey(OTHER_PAGE) });
    expect(buildView(READY, elsewhere, new Map([[1, { received: 1, total: 2 }]]))).toEqual(buildView(READY, null, NO_PROGRESS));
  });

  it('shows rows of the listing only, even when the job has others', () => {
    const extra = attachment('boxcnGone00000001', 'removed.pdf');
    const running = job([item(report, 'report.pdf', 'queued', { attempts: 0 }), item(extra, 'removed.pdf', 'queued', { attempts: 0 })]);
    const view = buildView(READY, running, NO_PROGRESS);
    expect(view.kind === 'ready' && view.rows.map((r) => [r.name, r.state])).toEqual([
      ['report.pdf', 'queued'],
      ['report.pdf', 'ready'],
      ['image-01', 'ready'],
      ['a/b', 'ready'],
    ]);
    expect(view.kind === 'ready' && view.counts).toEqual({ total: 4, done: 0, failed: 0, open: 1 });
  });

  it('shows an empty document as ready with no rows', () => {
    const empty = tabState({ status: 'ready', listing: { type: 'attachments', title: '空白文档', folder: ['Feishu', '空白文档'], attachments: [], partial: [], hints: [] }, listedAt: 1 });
    expect(buildView(empty, null, NO_PROGRESS)).toEqual({
      kind: 'ready',
      title: '空白文档',
      folder: 'Feishu/空白文档',
      rows: [],
      counts: { total: 0, done: 0, failed: 0, open: 0 },
      jobRunning: false,
      allSaved: false,
      partial: [],
      hints: [],
    });
  });
});

describe('buildView for a mailbox', () => {
  const MAIL_PAGE: FeishuPage = { platform: 'feishu', brand: 'feishu', host: 'mail.feishu.cn', kind: 'mail' };
  const mailAttachment = (messageId: string, attachmentId: string, name: string): Attachment => ({
    id: `feishu-mail:${messageId}:${attachmentId}`,
    name,
    nameIsGenerated: false,
    kind: 'file',
    source: { type: 'feishu-mail', apiBase: API, messageId, attachmentId },
    subfolders: [],
    where: messageId,
    noProbe: true,
  });
  const quote = [mailAttachment('msgQuote', 'att1', '报价单-2026-11.xlsx')];
  const contracts = [mailAttachment('msgContracts', 'att1', '合同-华东区-01.pdf'), mailAttachment('msgContracts', 'att2', '发票-2026Q3-01.pdf')];
  const mailbox: Listing = {
    type: 'mailbox',
    title: 'Mail',
    messages: [
      { id: 'msgQuote', subject: '报价单更新（11 月）', from: '李四', date: 2000, folder: ['Feishu', 'Mail', '2026-11-23 报价单更新（11 月）'], attachments: quote },
      { id: 'msgContracts', subject: '季度合同与发票', from: '王芳（财务部）', date: 1000, folder: ['Feishu', 'Mail', '2026-11-22 季度合同与发票'], attachments: contracts },
    ],
    scanned: 30,
    nextPageToken: 'next-30',
    attachmentsHidden: false,
  };
  const mailState = (page: FeishuPage = MAIL_PAGE, listing: Listing = mailbox, dom?: TabState['dom']): TabState => ({
    tabId: 7,
    recognition: { status: 'supported', page },
    listing: { status: 'ready', listing, listedAt: 1 },
    ...(dom ? { dom } : {}),
  });
  const mailKey = pageKey(MAIL_PAGE);

  it('lists the messages with their attachment counts while none is open', () => {
    expect(buildView(mailState(), null, NO_PROGRESS)).toEqual({
      kind: 'mailbox',
      messages: [
        { id: 'msgQuote', subject: '报价单更新（11 月）', from: '李四', date: 2000, count: 1, open: false },
        { id: 'msgContracts', subject: '季度合同与发票', from: '王芳（财务部）', date: 1000, count: 2, open: false },
      ],
      scanned: 30,
      attachmentsHidden: false,
      hasMore: true,
    });
  });

  it('says when older messages cannot be looked at and when attachments are hidden', () => {
    const last: Listing = { type: 'mailbox', title: 'Mail', messages: [], scanned: 30, attachmentsHidden: true };
    expect(buildView(mailState(MAIL_PAGE, last), null, NO_PROGRESS)).toEqual({ kind: 'mailbox', messages: [], scanned: 30, attachmentsHidden: true, hasMore: false });
  });

  it('shows the attachments of the message open in the page (URL, else what the page shows)', () => {
    const fromUrl = buildView(mailState({ ...MAIL_PAGE, messageId: 'msgContracts' }), null, NO_PROGRESS);
    expect(fromUrl).toMatchObject({ kind: 'ready', title: '季度合同与发票', folder: 'Feishu/Mail/2026-11-22 季度合同与发票', messageId: 'msgContracts' });
    expect(fromUrl.kind === 'ready' && fromUrl.rows.map((r) => r.name)).toEqual(['合同-华东区-01.pdf', '发票-2026Q3-01.pdf']);
    const fromDom = buildView(mailState(MAIL_PAGE, mailbox, { items: [], messageId: 'msgQuote' }), null, NO_PROGRESS);
    expect(fromDom).toMatchObject({ kind: 'ready', title: '报价单更新（11 月）', messageId: 'msgQuote', partial: [], hints: [] });
  });

  it('marks the open message in the list when the popup goes back to the messages', () => {
    const view = buildView(mailState({ ...MAIL_PAGE, messageId: 'msgContracts' }), null, NO_PROGRESS, null);
    expect(view.kind === 'mailbox' && view.messages.map((m) => [m.id, m.open])).toEqual([
      ['msgQuote', false],
      ['msgContracts', true],
    ]);
  });

  it('shows the message chosen in the popup over the one open in the page', () => {
    const view = buildView(mailState({ ...MAIL_PAGE, messageId: 'msgContracts' }), null, NO_PROGRESS, 'msgQuote');
    expect(view).toMatchObject({ kind: 'ready', messageId: 'msgQuote', rows: [{ name: '报价单-2026-11.xlsx', state: 'ready' }] });
  });

  it('falls back to the list when the chosen message is not listed (any more)', () => {
    expect(buildView(mailState({ ...MAIL_PAGE, messageId: 'msgGone' }), null, NO_PROGRESS).kind).toBe('mailbox');
    expect(buildView(mailState(), null, NO_PROGRESS, 'msgGone').kind).toBe('mailbox');
  });

  it('merges the job of that message only', () => {
    const messageJob = job([item(contracts[0]!, '合同-华东区-01.pdf', 'done'), item(contracts[1]!, '发票-2026Q3-01.pdf', 'downloading', { downloadId: 3 })], {
      pageKey: `${mailKey}:msgContracts`,
    });
    const view = buildView(mailState(), messageJob, new Map([[3, { received: 1, total: 4 }]]), 'msgContracts');
    expect(view.kind === 'ready' && view.rows.map((r) => [r.name, r.state, r.progress])).toEqual([
      ['合同-华东区-01.pdf', 'done', undefined],
      ['发票-2026Q3-01.pdf', 'downloading', 0.25],
    ]);
    expect(view.kind === 'ready' && view.jobRunning).toBe(true);
    // Another message of the same mailbox does not show that job.
    const other = buildView(mailState(), messageJob, NO_PROGRESS, 'msgQuote');
    expect(other.kind === 'ready' && [other.rows.map((r) => r.state), other.jobRunning]).toEqual([['ready'], false]);
  });
});

describe('buildView: partial lists, hints and what the page shows', () => {
  const withMore: Listing = {
    type: 'attachments',
    title: '项目周报',
    folder: ['Feishu', '项目周报'],
    attachments: [report, reportCopy, photo, slash],
    partial: [{ where: 'Embedded sheet 1', problem: { kind: 'not-shared', code: 1310213 } }],
    hints: ['advanced-base-empty'],
  };

  it('passes the parts that could not be listed and the hints on', () => {
    const view = buildView(tabState({ status: 'ready', listing: withMore, listedAt: 1 }), null, NO_PROGRESS);
    expect(view.kind === 'ready' && [view.partial, view.hints]).toEqual([withMore.partial, ['advanced-base-empty']]);
  });

  it('counts the attachments the page shows and those only the API revealed', () => {
    const dom = { items: [{ token: 'boxcnReport000001', kind: 'file' as const }, { token: 'boxcnPhoto0000001', kind: 'image' as const }, { token: 'boxcnNotListed001', kind: 'file' as const }] };
    const view = buildView({ ...tabState({ status: 'ready', listing: withMore, listedAt: 1 }), dom }, null, NO_PROGRESS);
    expect(view.kind === 'ready' && view.dom).toEqual({ onPage: 2, apiOnly: 2 });
  });

  it('gives no page counts when the page showed nothing', () => {
    const view = buildView({ ...tabState({ status: 'ready', listing: withMore, listedAt: 1 }), dom: { items: [] } }, null, NO_PROGRESS);
    expect(view.kind === 'ready' && 'dom' in view).toBe(false);
  });

  it('shows what the page shows as failed rows, with the reason, when the API could not list it', () => {
    const problem = { kind: 'not-shared', code: 1770032, status: 403, host: 'open.feishu.cn' } as const;
    const dom = {
      items: [
        { token: 'boxcnReport000001', kind: 'file' as const, name: 'report.pdf' },
        { token: 'boxcnPhoto0000001', kind: 'image' as const },
        { token: 'boxcnNoName000001', kind: 'file' as const },
      ],
    };
    expect(buildView({ ...tabState({ status: 'error', problem, at: 9 }), dom }, null, NO_PROGRESS)).toEqual({
      kind: 'error',
      problem,
      visible: [
        { id: 'dom:boxcnReport000001', name: 'report.pdf', kind: 'file', state: 'failed', problem },
        { id: 'dom:boxcnPhoto0000001', name: 'image-02', kind: 'image', state: 'failed', problem },
        { id: 'dom:boxcnNoName000001', name: 'attachment-03', kind: 'file', state: 'failed', problem },
      ],
    });
  });
});

describe('Ekuaibao pages', () => {
  const EKB: TabState['recognition'] = { status: 'supported', page: { platform: 'ekuaibao', kind: 'forms', host: 'app.ekuaibao.com', forms: [{ code: 'B24000123' }] } };
  const invoice: Attachment = {
    id: 'ekb:ID01:F1:k1.pdf',
    name: '发票.pdf',
    nameIsGenerated: false,
    kind: 'file',
    source: { type: 'ekuaibao-attachment', apiBase: 'https://app.ekuaibao.com', fileId: 'F1', key: 'k1.pdf' },
    subfolders: ['B24000123 差旅'],
    origin: { form: 'B24000123', part: 'invoice', line: 1 },
  };
  const state = (listing: TabState['listing']): TabState => ({ tabId: 7, recognition: EKB, listing });

  it('asks for the Ekuaibao credentials, and offers the form finder', () => {
    const needs = state({ status: 'needs-credentials' });
    expect(buildView(needs, null, NO_PROGRESS)).toEqual({ kind: 'needs-credentials', platform: 'ekuaibao' });
    expect(offersFormFinder(needs)).toBe(true);
    expect(offersFormFinder(READY)).toBe(false);
    expect(offersFormFinder('no-tab')).toBe(false);
    expect(offersFormFinder(null)).toBe(false);
  });

  it('passes where each attachment sits in its form on to the row', () => {
    const view = buildView(state({ status: 'ready', listing: { type: 'attachments', title: 'B24000123 差旅', folder: ['Ekuaibao'], attachments: [invoice], partial: [], hints: [] }, listedAt: 1 }), null, NO_PROGRESS);
    expect(view).toMatchObject({ kind: 'ready', rows: [{ name: '发票.pdf', origin: { form: 'B24000123', part: 'invoice', line: 1 }, state: 'ready' }] });
  });

  it('says when no form was recognised', () => {
    const view = buildView(state({ status: 'ready', listing: { type: 'attachments', title: '', folder: ['Ekuaibao'], attachments: [], partial: [], hints: ['no-forms'] }, listedAt: 1 }), null, NO_PROGRESS);
    expect(view).toMatchObject({ kind: 'ready', hints: ['no-forms'], counts: { total: 0 } });
  });
});

describe('reportView', () => {
  it('shows a job on its own, whatever became of its tab: its items, states and folder', () => {
    const ended = { ...job([item(report, 'report.pdf', 'done'), item(slash, 'a_b', 'failed', { problem: { kind: 'no-link' } })]), finishedAt: 99 };
    const view = reportView(ended, new Map());
    expect(view).toMatchObject({
      kind: 'ready',
      title: ended.title,
      folder: 'Feishu/项目周报',
      counts: { total: 2, done: 1, failed: 1, open: 0 },
      jobRunning: false,
      job: { id: 'job-1', itemsDone: 1 },
    });
    expect(view.rows.map((r) => [r.name, r.state])).toEqual([
      ['report.pdf', 'done'],
      ['a/b', 'failed'],
    ]);
  });
});
