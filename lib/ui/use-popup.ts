/** The popup's state: the tab it is about, that tab's state and job (kept live from storage) and download progress. */
import { browser } from '#imports';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { Problem } from '../core/problem';
import { watchTabState, type TabState } from '../core/tab-state';
import { readJob, watchJob, type Job } from '../downloads/job';
import { sendMessage } from '../messaging/protocol';
import { buildView, offersFormFinder, reportView, type PopupView, type Progress } from './popup-model';

const PROGRESS_POLL_MS = 500;

/** `?tabId=<id>` (the "open in a tab" view, and tests) or else the active tab of the popup's window. */
export async function resolveTabId(search: string): Promise<number | null> {
  const fromQuery = new URLSearchParams(search).get('tabId');
  if (fromQuery !== null) {
    const id = Number(fromQuery);
    return Number.isInteger(id) && id >= 0 ? id : null;
  }
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}

export interface PopupModel {
  readonly tabId: number | null;
  readonly view: PopupView;
  /** Mail: show this message's attachments (null: the list of messages; undefined: the one open in the page). */
  selectMessage(messageId: string | null): void;
  /** A refusal to start ("Download all" when the token is gone), shown above the list. */
  readonly startProblem: Problem | null;
  readonly busy: boolean;
  downloadAll(): Promise<void>;
  refresh(): Promise<void>;
  /** Mail: look at older messages. */
  loadMore(): Promise<void>;
  /** Ekuaibao: the page is an Ekuaibao page, so a form may be added by its code. */
  readonly formFinder: boolean;
  /** Why the last typed code was not added. */
  readonly findProblem: Problem | null;
  findForm(code: string): Promise<void>;
  /** Pause, resume, cancel or "Retry failed" of the list's job. */
  controlJob(action: 'pause' | 'resume' | 'cancel' | 'retry-failed'): Promise<void>;
  /** The job shown, for its report. */
  readonly job: Job | null;
}

/** `?jobId=<id>`: one job's report on its own (a notification opens it), whatever became of its tab. */
function reportJobId(search: string): string | null {
  return new URLSearchParams(search).get('jobId');
}

export function usePopup(search: string): PopupModel {
  const reportOf = reportJobId(search);
  const [tabId, setTabId] = useState<number | null | undefined>(undefined);
  const [state, setState] = useState<TabState | null | 'no-tab'>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [progress, setProgress] = useState<ReadonlyMap<number, Progress>>(new Map());
  const [startProblem, setStartProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [selectedMessageId, setSelectedMessageId] = useState<string | null | undefined>(undefined);
  const [findProblem, setFindProblem] = useState<Problem | null>(null);

  useEffect(() => {
    if (reportOf !== null) return;
    resolveTabId(search).then(setTabId, () => setTabId(null));
  }, [search]);

  useEffect(() => {
    if (tabId === undefined) return;
    if (tabId === null) {
      setState('no-tab');
      return;
    }
    const unwatch = watchTabState(tabId, (next) => next && setState(next));
    sendMessage('getTabState', { tabId }).then(setState, () => setState('no-tab'));
    return unwatch;
  }, [tabId]);

  const view = buildView(state, null, progress, selectedMessageId);
  const messageId = view.kind === 'ready' ? view.messageId : undefined;
  const jobId = reportOf ?? (state && state !== 'no-tab' ? state.jobId : undefined);
  useEffect(() => {
    if (!jobId) {
      setJob(null);
      return;
    }
    const unwatch = watchJob(jobId, setJob);
    void readJob(jobId).then(setJob);
    return unwatch;
  }, [jobId]);

  // Chrome reports bytes only when asked: poll the downloads still running while the popup is open.
  const runningIds = useMemo(
    () => job?.items.filter((i) => i.state === 'downloading' && i.downloadId !== undefined).map((i) => i.downloadId!) ?? [],
    [job],
  );
  useEffect(() => {
    if (runningIds.length === 0) return;
    const poll = async () => {
      const next = new Map<number, Progress>();
      for (const id of runningIds) {
        const [item] = await browser.downloads.search({ id });
        if (item) next.set(id, { received: item.bytesReceived, total: item.totalBytes });
      }
      setProgress(next);
    };
    void poll();
    const timer = setInterval(() => void poll(), PROGRESS_POLL_MS);
    return () => clearInterval(timer);
  }, [runningIds.join(',')]);

  const downloadAll = useCallback(async () => {
    if (tabId === null || tabId === undefined) return;
    setBusy(true);
    setStartProblem(null);
    try {
      const result = await sendMessage('downloadAll', { tabId, ...(messageId ? { messageId } : {}) });
      if (!result.ok) setStartProblem(result.problem);
    } catch (error) {
      setStartProblem({ kind: 'unknown', detail: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  }, [tabId, messageId]);

  const refresh = useCallback(async () => {
    if (tabId === null || tabId === undefined) return;
    setStartProblem(null);
    setState(await sendMessage('refreshTab', { tabId }).catch(() => 'no-tab' as const));
  }, [tabId]);

  const loadMore = useCallback(async () => {
    if (tabId === null || tabId === undefined) return;
    setBusy(true);
    try {
      setState(await sendMessage('mailMore', { tabId }));
    } catch (error) {
      setStartProblem({ kind: 'unknown', detail: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  }, [tabId]);

  const findForm = useCallback(
    async (code: string) => {
      if (tabId === null || tabId === undefined) return;
      setBusy(true);
      setFindProblem(null);
      try {
        const result = await sendMessage('findForm', { tabId, code });
        if (result.ok) setState(result.state);
        else setFindProblem(result.problem);
      } catch (error) {
        setFindProblem({ kind: 'unknown', detail: error instanceof Error ? error.message : String(error) });
      } finally {
        setBusy(false);
      }
    },
    [tabId],
  );

  const controlJob = useCallback(
    async (action: 'pause' | 'resume' | 'cancel' | 'retry-failed') => {
      if (!job) return;
      setBusy(true);
      try {
        await sendMessage('jobControl', { jobId: job.id, action });
      } catch (error) {
        setStartProblem({ kind: 'unknown', detail: error instanceof Error ? error.message : String(error) });
      } finally {
        setBusy(false);
      }
    },
    [job],
  );

  const shown: PopupView = reportOf !== null ? (job ? reportView(job, progress) : { kind: 'loading' }) : buildView(state, job, progress, selectedMessageId);
  return {
    tabId: tabId ?? null,
    job,
    controlJob,
    formFinder: offersFormFinder(state),
    findProblem,
    findForm,
    loadMore,
    view: shown,
    selectMessage: (id) => {
      setStartProblem(null);
      setSelectedMessageId(id);
    },
    startProblem,
    busy,
    downloadAll,
    refresh,
  };
}
