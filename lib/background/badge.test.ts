import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { Attachment, MailboxListing } from '../core/attachment';
import type { FeishuPage } from '../core/page';
import type { TabState } from '../core/tab-state';
import type { Job } from '../downloads/job';
import { badgeFor, showBadge } from './badge';

const BLUE = '#3370ff';
const RED = '#f54a45';
const PAGE: FeishuPage = { platform: 'feishu', brand: 'feishu', host: 'acme.feishu.cn', kind: 'docx', token: 'UXEAd6cRUoj5pexJZr0cdwaFnpd' };

function attachments(count: number): Attachment[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `feishu-media:boxcn${String(i).padStart(8, '0')}`,
    name: `file-${i}.pdf`,
    nameIsGenerated: false,
    kind: 'file',
    source: { type: 'feishu-media', apiBase: 'https://open.feishu.cn', token: `boxcn${String(i).padStart(8, '0')}` },
    subfolders: [],
  }));
}

function supported(listing: TabState['listing']): TabState {
  return { tabId: 3, recognition: { status: 'supported', page: PAGE }, listing };
}

function ready(count: number): TabState {
  return supported({
    status: 'ready',
    listing: { type: 'attachments', title: 'T', folder: ['Feishu', 'T'], attachments: attachments(count), partial: [], hints: [] },
    listedAt: 1,
  });
}

describe('badgeFor', () => {
  it.each([
    [1, '1'],
    [16, '16'],
    [999, '999'],
    [1000, '999+'],
  ])('shows the count of a ready list (%i → %s)', (count, text) => {
    expect(badgeFor(ready(count))).toEqual({ text, color: BLUE });
  });

  it('shows nothing for a document without attachments', () => {
    expect(badgeFor(ready(0))).toEqual({ text: '', color: BLUE });
  });

  it('asks for attention on errors and missing credentials', () => {
    expect(badgeFor(supported({ status: 'error', problem: { kind: 'token-expired', code: 99991677 }, at: 1 }))).toEqual({ text: '!', color: RED });
    expect(badgeFor(supported({ status: 'needs-credentials' }))).toEqual({ text: '!', color: RED });
  });

  it('shows nothing while idle or loading', () => {
    expect(badgeFor(supported({ status: 'idle' }))).toEqual({ text: '', color: BLUE });
    expect(badgeFor(supported({ status: 'loading', startedAt: 1 }))).toEqual({ text: '', color: BLUE });
  });

  it('shows nothing on pages it does not list, whatever the listing says', () => {
    const stale = ready(5);
    expect(badgeFor({ ...stale, recognition: { status: 'other' } })).toEqual({ text: '', color: BLUE });
    expect(badgeFor({ ...stale, recognition: { status: 'unsupported', platform: 'feishu', kind: 'wiki' } })).toEqual({ text: '', color: BLUE });
    expect(badgeFor({ tabId: 3, recognition: { status: 'other' }, listing: { status: 'needs-credentials' } })).toEqual({ text: '', color: BLUE });
  });
});

describe('badgeFor a mailbox', () => {
  const MAIL_PAGE: FeishuPage = { platform: 'feishu', brand: 'feishu', host: 'mail.feishu.cn', kind: 'mail' };
  const mailbox: MailboxListing = {
    type: 'mailbox',
    title: 'Mail',
    messages: [
      { id: 'msgA', subject: 'A', from: '李四', date: 2, folder: ['Feishu', 'Mail', 'A'], attachments: attachments(3) },
      { id: 'msgB', subject: 'B', from: '王芳', date: 1, folder: ['Feishu', 'Mail', 'B'], attachments: attachments(1) },
    ],
    scanned: 30,
    attachmentsHidden: false,
  };
  const mailState = (page: FeishuPage, dom?: TabState['dom']): TabState => ({
    tabId: 3,
    recognition: { status: 'supported', page },
    listing: { status: 'ready', listing: mailbox, listedAt: 1 },
    ...(dom ? { dom } : {}),
  });

  it('counts the attachments of the message open in the page (URL first, then what the page shows)', () => {
    expect(badgeFor(mailState({ ...MAIL_PAGE, messageId: 'msgA' }))).toEqual({ text: '3', color: BLUE });
    expect(badgeFor(mailState(MAIL_PAGE, { items: [], messageId: 'msgB' }))).toEqual({ text: '1', color: BLUE });
    expect(badgeFor(mailState({ ...MAIL_PAGE, messageId: 'msgA' }, { items: [], messageId: 'msgB' }))).toEqual({ text: '3', color: BLUE });
  });

  it('shows no number while no listed message is open', () => {
    expect(badgeFor(mailState(MAIL_PAGE))).toEqual({ text: '', color: BLUE });
    expect(badgeFor(mailState({ ...MAIL_PAGE, messageId: 'msgWithoutFiles' }))).toEqual({ text: '', color: BLUE });
  });
});

describe('showBadge', () => {
  beforeEach(() => {
    fakeBrowser.reset();
  });

  it('sets colour and text on the tab', async () => {
    const color = vi.spyOn(fakeBrowser.action, 'setBadgeBackgroundColor').mockResolvedValue(undefined);
    const text = vi.spyOn(fakeBrowser.action, 'setBadgeText').mockResolvedValue(undefined);
    await showBadge(ready(16));
    expect(color).toHaveBeenCalledExactlyOnceWith({ tabId: 3, color: BLUE });
    expect(text).toHaveBeenCalledExactlyOnceWith({ tabId: 3, text: '16' });
  });

  it('does not throw when the tab closed meanwhile', async () => {
    vi.spyOn(fakeBrowser.action, 'setBadgeBackgroundColor').mockRejectedValue(new Error('No tab with id: 3.'));
    const text = vi.spyOn(fakeBrowser.action, 'setBadgeText').mockResolvedValue(undefined);
    await expect(showBadge(ready(2))).resolves.toBeUndefined();
    expect(text).not.toHaveBeenCalled();
  });
});

describe('badgeFor with the tab\'s job', () => {
  const KEY = 'feishu:acme.feishu.cn:docx:UXEAd6cRUoj5pexJZr0cdwaFnpd';
  const jobOf = (states: readonly ('queued' | 'downloading' | 'done' | 'failed')[], extra: Partial<Job> = {}): Job => ({
    id: 'job-1',
    pageKey: KEY,
    title: 'T',
    createdAt: 1,
    items: states.map((state, i) => ({ id: `i${i}`, attachment: attachments(1)[0]!, folder: ['Feishu', 'T'], fileName: `f${i}.pdf`, nameFinal: true, state, attempts: 1 })),
    ...extra,
  });

  it('shows a running job\'s progress, amber while it is held', () => {
    expect(badgeFor(ready(4), jobOf(['done', 'failed', 'downloading', 'queued']))).toEqual({ text: '50%', color: BLUE });
    expect(badgeFor(ready(4), jobOf(['done', 'queued', 'queued', 'queued'], { paused: { at: 1 } }))).toEqual({ text: '25%', color: '#de7802' });
  });

  it('goes back to the count when the job ends, red when something failed', () => {
    expect(badgeFor(ready(3), jobOf(['done', 'done', 'done'], { finishedAt: 9 }))).toEqual({ text: '3', color: BLUE });
    expect(badgeFor(ready(3), jobOf(['done', 'failed', 'done'], { finishedAt: 9 }))).toEqual({ text: '3', color: RED });
  });

  it('ignores a job of another page', () => {
    expect(badgeFor(ready(3), { ...jobOf(['queued']), pageKey: 'feishu:acme.feishu.cn:docx:Other' })).toEqual({ text: '3', color: BLUE });
  });
});
