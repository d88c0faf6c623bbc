import { browser, i18n } from '#imports';
import { AttachmentList } from '@/components/AttachmentList';
import { AttachmentRow, type RowTone } from '@/components/AttachmentRow';
import { FormFinder } from '@/components/FormFinder';
import { JobBar } from '@/components/JobBar';
import { MessageRow } from '@/components/MessageRow';
import { Notice } from '@/components/Notice';
import { tabListUrl } from '@/lib/core/extension-pages';
import { formatBytes } from '@/lib/ui/format';
import type { Job, JobItem } from '@/lib/downloads/job';
import type { ReadyView, RowModel } from '@/lib/ui/popup-model';
import { jobReportCsv, reportFileName } from '@/lib/ui/report-csv';
import { describeProblem, isSettingsProblem } from '@/lib/ui/problem-text';
import { usePopup } from '@/lib/ui/use-popup';
import { describeOrigin } from '@/lib/ui/where-text';

/** Wires the popup model to presentational components; also serves the "open in a tab" view (`?tabId=`). */
export function App({ search }: { search: string }) {
  const model = usePopup(search);
  const { view } = model;
  const params = new URLSearchParams(search);
  const inTab = params.has('tabId') || params.has('jobId');
  const isReport = params.has('jobId');

  const openSettings = (
    <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
      {i18n.t('popup.openSettings')}
    </button>
  );

  let body;
  switch (view.kind) {
    case 'loading':
    case 'listing':
      body = <Notice>{i18n.t('popup.loading')}</Notice>;
      break;
    case 'no-tab':
      body = <Notice tone="warning">{i18n.t('popup.noTab')}</Notice>;
      break;
    case 'not-supported':
      body = <Notice>{view.pageKind ? i18n.t('popup.kindNotSupported', { kind: pageKindName(view.pageKind) }) : i18n.t('popup.notSupported')}</Notice>;
      break;
    case 'needs-credentials':
      body = (
        <Notice tone="warning" actions={openSettings}>
          {view.platform === 'ekuaibao' ? i18n.t('popup.needsTokenEkuaibao') : i18n.t('popup.needsToken')}
        </Notice>
      );
      break;
    case 'error':
      body = (
        <>
          <Notice
            tone="error"
            actions={
              <>
                <button type="button" onClick={() => void model.refresh()}>
                  {i18n.t('popup.tryAgain')}
                </button>
                {isSettingsProblem(view.problem) && openSettings}
              </>
            }
          >
            {describeProblem(view.problem)}
          </Notice>
          {view.visible.length > 0 && (
            <>
              <p class="summary">{i18n.t('popup.visibleOnly', { count: String(view.visible.length) })}</p>
              <AttachmentList label={i18n.t('popup.listLabel')}>
                {view.visible.map((row) => (
                  <AttachmentRow key={row.id} {...rowProps(row)} />
                ))}
              </AttachmentList>
            </>
          )}
        </>
      );
      break;
    case 'mailbox':
      body = (
        <>
          {view.attachmentsHidden && <Notice tone="warning">{i18n.t('popup.mailAttachmentsHidden')}</Notice>}
          {view.messages.length === 0 ? (
            <Notice>{i18n.t('popup.mailEmpty', { count: String(view.scanned) })}</Notice>
          ) : (
            <>
              <p class="summary">{i18n.t('popup.mailChoose', { count: String(view.scanned) })}</p>
              <ul class="list" aria-label={i18n.t('popup.mailListLabel')}>
                {view.messages.map((message) => (
                  <MessageRow
                    key={message.id}
                    subject={message.subject}
                    from={message.from}
                    dateText={formatDate(message.date)}
                    countText={i18n.t('popup.mailCount', message.count)}
                    current={message.open}
                    currentLabel={i18n.t('popup.mailOpen')}
                    onSelect={() => model.selectMessage(message.id)}
                  />
                ))}
              </ul>
            </>
          )}
          {view.hasMore && (
            <div class="toolbar">
              <button type="button" disabled={model.busy} onClick={() => void model.loadMore()}>
                {i18n.t('popup.mailMore')}
              </button>
            </div>
          )}
        </>
      );
      break;
    case 'ready': {
      const { counts } = view;
      body = (
        <>
          {view.messageId && (
            <button type="button" class="back" onClick={() => model.selectMessage(null)}>
              ← {i18n.t('popup.mailBack')}
            </button>
          )}
          {view.partial.length > 0 && (
            <Notice tone="warning">
              {i18n.t('popup.partial')}
              <ul class="notice__list">
                {view.partial.map((part) => (
                  <li key={part.where}>
                    {part.where}: {describeProblem(part.problem)}
                  </li>
                ))}
              </ul>
            </Notice>
          )}
          {view.hints.includes('advanced-base-empty') && <Notice tone="warning">{i18n.t('popup.hintAdvancedBase')}</Notice>}
          {view.hints.includes('no-forms') && <Notice>{i18n.t('popup.noForms')}</Notice>}
          {model.startProblem && (
            <Notice tone="error" actions={isSettingsProblem(model.startProblem) ? openSettings : undefined}>
              {describeProblem(model.startProblem)}
            </Notice>
          )}
          {view.job?.paused && (
            <Notice
              tone={view.job.paused.problem ? 'warning' : 'info'}
              actions={view.job.paused.problem && isSettingsProblem(view.job.paused.problem) ? openSettings : undefined}
            >
              {view.job.paused.problem ? i18n.t('popup.pausedBecause', { reason: describeProblem(view.job.paused.problem) }) : i18n.t('popup.paused')}
            </Notice>
          )}
          {counts.total === 0 ? (
            view.hints.includes('no-forms') ? null : <Notice>{model.formFinder ? i18n.t('popup.emptyForms') : i18n.t('popup.empty')}</Notice>
          ) : (
            <>
              {model.job && view.job && <JobControls view={view} job={model.job} busy={model.busy} onControl={(action) => void model.controlJob(action)} />}
              <div class="toolbar">
                {!isReport && (
                <button type="button" class="primary" disabled={model.busy || view.jobRunning} onClick={() => void model.downloadAll()}>
                  {view.jobRunning
                    ? i18n.t('popup.downloading', { done: String(counts.done + counts.failed), total: String(counts.total) })
                    : view.allSaved
                      ? i18n.t('popup.downloadAgain', { count: String(counts.total) })
                      : i18n.t('popup.downloadAll', { count: String(counts.total) })}
                </button>
                )}
                {!inTab && model.tabId !== null && (
                  <button type="button" onClick={() => void browser.tabs.create({ url: tabListUrl(model.tabId!) })}>
                    {i18n.t('popup.openInTab')}
                  </button>
                )}
              </div>
              {view.dom && counts.total > 0 && (
                <p class="summary">{i18n.t('popup.domCounts', { onPage: String(view.dom.onPage), apiOnly: String(view.dom.apiOnly) })}</p>
              )}
              {(counts.done > 0 || counts.failed > 0) && (
                <p class="summary" role="status">
                  {i18n.t('popup.summary', { done: String(counts.done), total: String(counts.total) })}
                  {counts.failed > 0 && ` · ${i18n.t('popup.summaryFailed', { failed: String(counts.failed) })}`}
                  {counts.open === 0 && counts.done > 0 && ` · ${i18n.t('popup.savedTo', { folder: view.folder })}`}
                </p>
              )}
              <AttachmentList label={i18n.t('popup.listLabel')}>
                {view.rows.map((row) => (
                  <AttachmentRow key={row.id} {...rowProps(row)} />
                ))}
              </AttachmentList>
            </>
          )}
        </>
      );
      break;
    }
  }

  return (
    <main class={inTab ? 'in-tab' : undefined}>
      <header>
        <h1>{view.kind === 'ready' && view.title ? view.title : view.kind === 'mailbox' ? i18n.t('popup.mailTitle') : i18n.t('popup.title')}</h1>
        {!isReport && (view.kind === 'ready' || view.kind === 'error' || view.kind === 'mailbox') && (
          <button type="button" onClick={() => void model.refresh()} disabled={view.kind === 'ready' && view.jobRunning}>
            {i18n.t('popup.refresh')}
          </button>
        )}
      </header>
      {body}
      {model.formFinder && (
        <FormFinder
          label={i18n.t('popup.formCode')}
          buttonLabel={i18n.t('popup.find')}
          busyLabel={i18n.t('popup.finding')}
          help={i18n.t('popup.formCodeHelp')}
          placeholder="B24000123"
          busy={model.busy}
          error={model.findProblem ? describeProblem(model.findProblem) : undefined}
          onFind={(code) => void model.findForm(code)}
        />
      )}
    </main>
  );
}

/** Pause / Resume / Cancel while the job runs, "Retry failed" once it ended with failures, and its CSV report. */
function JobControls({ view, job, busy, onControl }: { view: ReadyView; job: Job; busy: boolean; onControl: (action: 'pause' | 'resume' | 'cancel' | 'retry-failed') => void }) {
  const controls = view.job!;
  const { counts } = view;
  const bytes = controls.bytes ? ` · ${formatBytes(controls.bytes.received, browser.i18n.getUILanguage())} / ${formatBytes(controls.bytes.total, browser.i18n.getUILanguage())}` : '';
  return (
    <JobBar
      progress={view.jobRunning ? controls.itemsDone : undefined}
      progressLabel={i18n.t('popup.overallProgress')}
      progressText={`${Math.round(controls.itemsDone * 100)}%${bytes}`}
    >
      {view.jobRunning && !controls.paused && (
        <button type="button" disabled={busy} onClick={() => onControl('pause')}>
          {i18n.t('popup.pause')}
        </button>
      )}
      {view.jobRunning && controls.paused && (
        <button type="button" disabled={busy} onClick={() => onControl('resume')}>
          {i18n.t('popup.resume')}
        </button>
      )}
      {view.jobRunning && (
        <button type="button" disabled={busy} onClick={() => onControl('cancel')}>
          {i18n.t('popup.cancel')}
        </button>
      )}
      {!view.jobRunning && counts.failed > 0 && (
        <button type="button" disabled={busy} onClick={() => onControl('retry-failed')}>
          {i18n.t('popup.retryFailed', { count: String(counts.failed) })}
        </button>
      )}
      {!view.jobRunning && (
        <button type="button" onClick={() => exportReport(job)}>
          {i18n.t('popup.exportReport')}
        </button>
      )}
    </JobBar>
  );
}

/** Saves the job's report as CSV through the page (a blob link): nothing leaves the browser. */
function exportReport(job: Job): void {
  const csv = jobReportCsv(job, {
    header: [i18n.t('report.name'), i18n.t('report.folder'), i18n.t('report.size'), i18n.t('report.source'), i18n.t('report.state'), i18n.t('report.reason')],
    state: (item: JobItem) => stateLabel(item.state),
    source: (item: JobItem) => (item.attachment.origin ? describeOrigin(item.attachment.origin) : (item.attachment.where ?? item.attachment.source.type)),
    reason: (item: JobItem) => (item.problem ? describeProblem(item.problem) : ''),
  });
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = reportFileName(job);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function rowProps(row: RowModel) {
  const tone: RowTone = row.state === 'done' ? 'done' : row.state === 'failed' ? 'failed' : row.state === 'ready' ? 'idle' : 'busy';
  const percent = row.progress === undefined ? '' : ` ${Math.round(row.progress * 100)}%`;
  return {
    name: row.name,
    savedAs: row.savedAs,
    kindLabel: row.kind === 'image' ? i18n.t('kind.image') : i18n.t('kind.file'),
    sizeText: row.size === undefined ? undefined : formatBytes(row.size, browser.i18n.getUILanguage()),
    stateLabel: `${stateLabel(row.state)}${percent}`,
    tone,
    progress: row.progress,
    reason: row.problem ? describeProblem(row.problem) : undefined,
    where: row.origin ? describeOrigin(row.origin) : row.where,
  };
}

function formatDate(ms: number): string {
  if (!ms) return '';
  return new Intl.DateTimeFormat(browser.i18n.getUILanguage(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}

function stateLabel(state: RowModel['state']): string {
  switch (state) {
    case 'ready':
      return i18n.t('state.ready');
    case 'queued':
      return i18n.t('state.queued');
    case 'resolving':
      return i18n.t('state.resolving');
    case 'downloading':
      return i18n.t('state.downloading');
    case 'done':
      return i18n.t('state.done');
    case 'failed':
      return i18n.t('state.failed');
  }
}

function pageKindName(kind: string): string {
  switch (kind) {
    case 'wiki':
      return i18n.t('pageKind.wiki');
    case 'sheets':
      return i18n.t('pageKind.sheets');
    case 'base':
      return i18n.t('pageKind.base');
    case 'file':
      return i18n.t('pageKind.file');
    case 'docs':
      return i18n.t('pageKind.docs');
    case 'mindnotes':
      return i18n.t('pageKind.mindnotes');
    case 'slides':
      return i18n.t('pageKind.slides');
    case 'drive':
      return i18n.t('pageKind.drive');
    case 'minutes':
      return i18n.t('pageKind.minutes');
    case 'mail':
      return i18n.t('pageKind.mail');
    default:
      return kind;
  }
}
