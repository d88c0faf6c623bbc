import { describe, expect, it } from 'vitest';
import type { Attachment, Listing } from '../core/attachment';
import { pageKey, type FeishuPage } from '../core/page';
import type { TabState } from '../core/tab-state';
import type { Job, JobItem } from '../downloads/job';
import { buildView, type Progress } from './popup-model';

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

const LISTING: Listing = { title: '项目周报', folder: ['Feishu', '项目周报'], attachments: [report, reportCopy, photo, slash] };

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
    expect(buildView(tabState({ status: 'needs-credentials' }), null, NO_PROGRESS)).toEqual({ kind: 'needs-credentials' });
  });

  it('passes the listing problem on', () => {
    const problem = { kind: 'not-shared', code: 1770032, status: 403, host: 'open.feishu.cn' } as const;
    expect(buildView(tabState({ status: 'error', problem, at: 9 }), null, NO_PROGRESS)).toEqual({ kind: 'error', problem });
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
      allSaved: false,
    });
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
    const empty = tabState({ status: 'ready', listing: { title: '空白文档', folder: ['Feishu', '空白文档'], attachments: [] }, listedAt: 1 });
    expect(buildView(empty, null, NO_PROGRESS)).toEqual({
      kind: 'ready',
      title: '空白文档',
      folder: 'Feishu/空白文档',
      rows: [],
      counts: { total: 0, done: 0, failed: 0, open: 0 },
      jobRunning: false,
      allSaved: false,
    });
  });
});
