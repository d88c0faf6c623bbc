import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { Attachment } from '../core/attachment';
import type { Job, JobItem } from '../downloads/job';
import { notifyJobEnded, openNotifiedJob } from './job-notifications';

const attachment: Attachment = { id: 'a', name: 'a.pdf', nameIsGenerated: false, kind: 'file', source: { type: 'feishu-media', apiBase: 'https://open.feishu.cn', token: 'boxcnA' }, subfolders: [] };
const item = (id: string, state: JobItem['state']): JobItem => ({ id, attachment, folder: ['Feishu', 'Doc'], fileName: `${id}.pdf`, nameFinal: true, state, attempts: 1 });
const JOB: Job = { id: 'job-7', pageKey: 'k', title: '项目周报', createdAt: 1, finishedAt: 50, items: [item('a', 'done'), item('b', 'done'), item('c', 'failed')] };

const MESSAGES: Record<string, string> = { notify_saved: '{saved} saved.', notify_savedFailed: '{saved} saved, {failed} failed. Click to see why.', extName: 'Attachment Downloader' };

beforeEach(() => {
  fakeBrowser.reset();
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((key: string) => MESSAGES[key] ?? '');
});

describe('notifyJobEnded', () => {
  it('tells each ending once, in words, and again after a retry ends', async () => {
    const create = vi.spyOn(fakeBrowser.notifications, 'create');
    await notifyJobEnded(JOB, true);
    await notifyJobEnded(JOB, true);
    expect(create).toHaveBeenCalledOnce();
    expect(create.mock.calls[0]?.[0]).toBe('job:job-7');
    expect(create.mock.calls[0]?.[1]).toMatchObject({ type: 'basic', title: '项目周报', message: '2 saved, 1 failed. Click to see why.' });
    await notifyJobEnded({ ...JOB, finishedAt: 90, items: JOB.items.map((i) => ({ ...i, state: 'done' as const })) }, true);
    expect(create).toHaveBeenCalledTimes(2);
    expect(create.mock.calls[1]?.[1]).toMatchObject({ message: '3 saved.' });
  });

  it('stays quiet for a running or cancelled job, and when the user turned it off', async () => {
    const create = vi.spyOn(fakeBrowser.notifications, 'create');
    await notifyJobEnded({ ...JOB, finishedAt: undefined }, true);
    await notifyJobEnded({ ...JOB, cancelledAt: 40 }, true);
    await notifyJobEnded({ ...JOB, id: 'job-8' }, false);
    expect(create).not.toHaveBeenCalled();
  });
});

describe('openNotifiedJob', () => {
  it('opens the job\'s report for its notification, and nothing for others', async () => {
    const created = vi.spyOn(fakeBrowser.tabs, 'create');
    await openNotifiedJob('something-else');
    expect(created).not.toHaveBeenCalled();
    await openNotifiedJob('job:job-7');
    expect(created).toHaveBeenCalledExactlyOnceWith({ url: expect.stringMatching(/\/popup\.html\?jobId=job-7$/) as string });
  });
});
