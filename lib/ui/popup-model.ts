/** Pure view model of the popup: what to show for a tab's state, its job and Chrome's live progress. */
import type { Attachment } from '../core/attachment';
import { pageKey } from '../core/page';
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
  readonly state: 'ready' | ItemState;
  /** 0..1 while downloading, when Chrome knows the total. */
  readonly progress?: number;
  readonly problem?: Problem;
}

export interface Progress {
  readonly received: number;
  readonly total: number;
}

export type PopupView =
  | { readonly kind: 'loading' }
  | { readonly kind: 'no-tab' }
  | { readonly kind: 'not-supported'; readonly pageKind?: string }
  | { readonly kind: 'needs-credentials' }
  | { readonly kind: 'listing' }
  | { readonly kind: 'error'; readonly problem: Problem }
  | {
      readonly kind: 'ready';
      readonly title: string;
      readonly folder: string;
      readonly rows: readonly RowModel[];
      readonly counts: { readonly total: number; readonly done: number; readonly failed: number; readonly open: number };
      readonly jobRunning: boolean;
      /** A finished job saved everything already: "Download all" would save copies. */
      readonly allSaved: boolean;
    };

export function buildView(state: TabState | null | 'no-tab', job: Job | null, progress: ReadonlyMap<number, Progress>): PopupView {
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
      return { kind: 'needs-credentials' };
    case 'error':
      return { kind: 'error', problem: listing.problem };
    case 'ready':
      break;
  }

  const jobForPage = job && job.pageKey === pageKey(recognition.page) ? job : null;
  const items = new Map(jobForPage?.items.map((item) => [item.id, item]));
  const rows: RowModel[] = listing.listing.attachments.map((attachment) => {
    const item = items.get(attachment.id);
    if (!item) return { id: attachment.id, name: attachment.name, kind: attachment.kind, size: attachment.size, state: 'ready' };
    const live = item.downloadId !== undefined ? progress.get(item.downloadId) : undefined;
    return {
      id: attachment.id,
      name: attachment.name,
      savedAs: item.fileName !== attachment.name ? item.fileName : undefined,
      kind: attachment.kind,
      size: item.attachment.size ?? (live && live.total > 0 ? live.total : undefined),
      state: item.state,
      progress: item.state === 'downloading' && live && live.total > 0 ? Math.min(1, live.received / live.total) : undefined,
      problem: item.problem,
    };
  });
  const done = rows.filter((r) => r.state === 'done').length;
  const failed = rows.filter((r) => r.state === 'failed').length;
  const open = rows.filter((r) => r.state === 'queued' || r.state === 'resolving' || r.state === 'downloading').length;
  return {
    kind: 'ready',
    title: listing.listing.title,
    // Where the files really are: the job's sanitised folder, else the listing's.
    folder: (jobForPage?.items[0]?.folder ?? listing.listing.folder).join('/'),
    rows,
    counts: { total: rows.length, done, failed, open },
    jobRunning: jobForPage !== null && jobForPage.finishedAt === undefined,
    allSaved: rows.length > 0 && done === rows.length,
  };
}
