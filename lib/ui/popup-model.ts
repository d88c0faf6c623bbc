/** Pure view model of the popup: what to show for a tab's state, its job and Chrome's live progress. */
import type { Attachment, AttachmentListing, FormOrigin, MailboxListing, PartialProblem } from '../core/attachment';
import { pageKey, type Platform } from '../core/page';
import type { Problem } from '../core/problem';
import type { TabState } from '../core/tab-state';
import type { ItemState, Job } from '../downloads/job';

export interface RowModel {
  readonly id: string;
  readonly name: string;
  /** The name the file is saved under, when it differs from `name` (duplicates, unsafe characters, added type). */
  readonly savedAs?: string;
  readonly kind: Attachment['kind'];
  readonly size?: number;
  /** Where in the page it sits ("明细 · C1800"). */
  readonly where?: string;
  /** Ekuaibao: where in the form, worded by the page. */
  readonly origin?: FormOrigin;
  readonly state: 'ready' | ItemState;
  /** 0..1 while downloading, when Chrome knows the total. */
  readonly progress?: number;
  readonly problem?: Problem;
}

export interface MessageRowModel {
  readonly id: string;
  readonly subject: string;
  readonly from: string;
  readonly date: number;
  readonly count: number;
  /** The message open in the page. */
  readonly open: boolean;
}

export interface Progress {
  readonly received: number;
  readonly total: number;
}

export interface DomCounts {
  /** Attachments of the list that the page itself shows. */
  readonly onPage: number;
  /** Attachments only the API revealed (not rendered, further down, in embedded blocks...). */
  readonly apiOnly: number;
}

export interface JobControls {
  readonly id: string;
  /** Held by the user (no problem) or by a problem every item would hit. */
  readonly paused?: { readonly problem?: Problem };
  readonly cancelled: boolean;
  /** 0..1 of the items that ended (saved or failed). */
  readonly itemsDone: number;
  /** Bytes, where Chrome knows them for every running download. */
  readonly bytes?: { readonly received: number; readonly total: number };
}

export type PopupView =
  | { readonly kind: 'loading' }
  | { readonly kind: 'no-tab' }
  | { readonly kind: 'not-supported'; readonly pageKind?: string }
  | { readonly kind: 'needs-credentials'; readonly platform: Platform }
  | { readonly kind: 'listing' }
  | {
      readonly kind: 'error';
      readonly problem: Problem;
      /** What the page shows although the API could not list it: each with the same reason. */
      readonly visible: readonly RowModel[];
    }
  | {
      readonly kind: 'mailbox';
      readonly messages: readonly MessageRowModel[];
      readonly scanned: number;
      readonly attachmentsHidden: boolean;
      /** Older messages can be looked at. */
      readonly hasMore: boolean;
    }
  | {
      readonly kind: 'ready';
      readonly title: string;
      readonly folder: string;
      readonly rows: readonly RowModel[];
      readonly counts: { readonly total: number; readonly done: number; readonly failed: number; readonly open: number };
      readonly jobRunning: boolean;
      /** The job of this list, when one was started: its controls and overall progress. */
      readonly job?: JobControls;
      /** A finished job saved everything already: "Download all" would save copies. */
      readonly allSaved: boolean;
      readonly partial: readonly PartialProblem[];
      readonly hints: AttachmentListing['hints'];
      readonly dom?: DomCounts;
      /** Set when these are one mail message's attachments (the popup offers a way back to the messages). */
      readonly messageId?: string;
    };

export function buildView(
  state: TabState | null | 'no-tab',
  job: Job | null,
  progress: ReadonlyMap<number, Progress>,
  selectedMessageId?: string | null,
): PopupView {
  if (state === 'no-tab') return { kind: 'no-tab' };
  if (state === null) return { kind: 'loading' };
  const { recognition, listing } = state;
  if (recognition.status === 'other') return { kind: 'not-supported' };
  if (recognition.status === 'unsupported') return { kind: 'not-supported', pageKind: recognition.kind };
  switch (listing.status) {
    case 'idle':
    case 'loading':
      return { kind: 'listing' };
    case 'needs-credentials':
      return { kind: 'needs-credentials', platform: recognition.page.platform };
    case 'error':
      return {
        kind: 'error',
        problem: listing.problem,
        visible: (state.dom?.items ?? []).map((item, index) => ({
          id: `dom:${item.token}`,
          name: item.name ?? `${item.kind === 'image' ? 'image' : 'attachment'}-${String(index + 1).padStart(2, '0')}`,
          kind: item.kind,
          state: 'failed',
          problem: listing.problem,
        })),
      };
    case 'ready':
      break;
  }

  const key = pageKey(recognition.page);
  if (listing.listing.type === 'mailbox') {
    const page = recognition.page;
    const open = (page.platform === 'feishu' && page.kind === 'mail' ? page.messageId : undefined) ?? state.dom?.messageId;
    const selected = listing.listing.messages.find((m) => m.id === (selectedMessageId === undefined ? open : selectedMessageId));
    if (!selected) return mailboxView(listing.listing, open);
    const attachmentsView = readyView(
      { type: 'attachments', title: selected.subject, folder: selected.folder, attachments: selected.attachments, partial: [], hints: [] },
      job && job.pageKey === `${key}:${selected.id}` ? job : null,
      progress,
      undefined,
    );
    return { ...attachmentsView, messageId: selected.id };
  }
  return readyView(listing.listing, job && job.pageKey === key ? job : null, progress, state.dom?.items.map((i) => i.token));
}

/** Whether the tab shows an Ekuaibao page: the popup then offers to add a form by its code. */
export function offersFormFinder(state: TabState | null | 'no-tab'): boolean {
  return state !== null && state !== 'no-tab' && state.recognition.status === 'supported' && state.recognition.page.platform === 'ekuaibao';
}

function mailboxView(listing: MailboxListing, open: string | undefined): PopupView {
  return {
    kind: 'mailbox',
    messages: listing.messages.map((m) => ({ id: m.id, subject: m.subject, from: m.from, date: m.date, count: m.attachments.length, open: m.id === open })),
    scanned: listing.scanned,
    attachmentsHidden: listing.attachmentsHidden,
    hasMore: listing.nextPageToken !== undefined,
  };
}

function mediaToken(attachment: Attachment): string | undefined {
  const source = attachment.source;
  return source.type === 'feishu-mail' || source.type === 'ekuaibao-attachment' ? undefined : source.token;
}

export type ReadyView = Extract<PopupView, { kind: 'ready' }>;

function readyView(listing: AttachmentListing, job: Job | null, progress: ReadonlyMap<number, Progress>, domTokens: readonly string[] | undefined): ReadyView {
  const items = new Map(job?.items.map((item) => [item.id, item]));
  const rows: RowModel[] = listing.attachments.map((attachment) => {
    const item = items.get(attachment.id);
    const base = {
      id: attachment.id,
      name: attachment.name,
      kind: attachment.kind,
      ...(attachment.where ? { where: attachment.where } : {}),
      ...(attachment.origin ? { origin: attachment.origin } : {}),
    };
    if (!item) return { ...base, size: attachment.size, state: 'ready' };
    const live = item.downloadId !== undefined ? progress.get(item.downloadId) : undefined;
    return {
      ...base,
      savedAs: item.fileName !== attachment.name ? item.fileName : undefined,
      size: item.attachment.size ?? (live && live.total > 0 ? live.total : undefined),
      state: item.state,
      progress: item.state === 'downloading' && live && live.total > 0 ? Math.min(1, live.received / live.total) : undefined,
      problem: item.problem,
    };
  });
  const done = rows.filter((r) => r.state === 'done').length;
  const failed = rows.filter((r) => r.state === 'failed').length;
  const open = rows.filter((r) => r.state === 'queued' || r.state === 'resolving' || r.state === 'downloading').length;
  const seen = domTokens && domTokens.length > 0 ? new Set(domTokens) : undefined;
  const onPage = seen ? listing.attachments.filter((a) => seen.has(mediaToken(a) ?? '')).length : 0;
  return {
    kind: 'ready',
    ...(job ? { job: jobControls(job, rows, progress) } : {}),
    title: listing.title,
    // Where the files really are: the job's sanitised root folder (what all items share), else the listing's.
    folder: (job ? commonFolder(job.items.map((i) => i.folder)) : listing.folder).join('/'),
    rows,
    counts: { total: rows.length, done, failed, open },
    jobRunning: job !== null && job.finishedAt === undefined,
    allSaved: rows.length > 0 && done === rows.length,
    partial: listing.partial,
    hints: listing.hints,
    ...(seen ? { dom: { onPage, apiOnly: rows.length - onPage } } : {}),
  };
}

function jobControls(job: Job, rows: readonly RowModel[], progress: ReadonlyMap<number, Progress>): JobControls {
  const ended = rows.filter((r) => r.state === 'done' || r.state === 'failed').length;
  let received = 0;
  let total = 0;
  let known = true;
  for (const item of job.items) {
    const size = item.attachment.size;
    const live = item.downloadId !== undefined ? progress.get(item.downloadId) : undefined;
    if (item.state === 'done') {
      if (size === undefined) known = false;
      received += size ?? 0;
      total += size ?? 0;
    } else if (item.state === 'downloading' && live && live.total > 0) {
      received += live.received;
      total += live.total;
    } else if (item.state !== 'failed') {
      if (size === undefined) known = false;
      total += size ?? 0;
    }
  }
  return {
    id: job.id,
    ...(job.paused ? { paused: job.paused.problem ? { problem: job.paused.problem } : {} } : {}),
    cancelled: job.cancelledAt !== undefined,
    itemsDone: rows.length === 0 ? 1 : ended / rows.length,
    ...(known && total > 0 ? { bytes: { received, total } } : {}),
  };
}

/** A job on its own, without the tab it came from (the report a notification opens). */
export function reportView(job: Job, progress: ReadonlyMap<number, Progress>): ReadyView {
  const listing: AttachmentListing = {
    type: 'attachments',
    title: job.title,
    folder: commonFolder(job.items.map((i) => i.folder)).length > 0 ? [...commonFolder(job.items.map((i) => i.folder))] : ['Downloads'],
    attachments: job.items.map((i) => i.attachment),
    partial: [],
    hints: [],
  };
  return readyView(listing, job, progress, undefined);
}

function commonFolder(folders: readonly (readonly string[])[]): readonly string[] {
  const [first, ...rest] = folders;
  if (!first) return [];
  let length = first.length;
  for (const folder of rest) {
    let i = 0;
    while (i < length && i < folder.length && folder[i] === first[i]) i++;
    length = i;
  }
  return first.slice(0, length);
}
