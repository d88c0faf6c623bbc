/**
 * The background's composition root: builds the services once and registers every listener synchronously,
 * as an MV3 service worker must (events that wake it are only delivered to listeners added at start-up).
 */
import { browser, type Browser } from '#imports';
import type { Attachment, Listing } from '../core/attachment';
import { tabListUrl } from '../core/extension-pages';
import { FormCodeSchema, pageKey, type PageRef } from '../core/page';
import { toProblem, type Problem } from '../core/problem';
import { DailyQuota, FEISHU_MEDIA_DAILY_LIMIT } from '../downloads/daily-quota';
import { DownloadEngine } from '../downloads/engine';
import { JobStore, type Job } from '../downloads/job';
import type { LinkResolver } from '../downloads/links';
import { createProbe } from '../downloads/probe';
import { createEkuaibaoResolver } from '../ekuaibao/download-urls';
import { listEkuaibaoForms } from '../ekuaibao/forms';
import { createBoardResolver } from '../feishu/board';
import { createDriveFileResolver } from '../feishu/drive-file';
import { listFeishuPage } from '../feishu/list-page';
import { createMailResolver, listMoreMail } from '../feishu/mail';
import { createFeishuMediaResolver } from '../feishu/media';
import { listenForMessages, type FindFormResult, type StartResult } from '../messaging/protocol';
import { recognisePage } from '../platforms';
import { loadSettings, watchSettings, type Settings } from '../settings';
import { readTabState } from '../core/tab-state';
import { showBadge } from './badge';
import { chromeDownloads } from './chrome-downloads';
import { testConnection } from './connection-test';
import { handleMenuClick } from './context-menu';
import { syncCustomHosts } from './custom-hosts';
import { EkuaibaoClients } from './ekuaibao-clients';
import { testEkuaibaoConnection } from './ekuaibao-connection-test';
import { FeishuClients } from './feishu-clients';
import { notifyJobEnded, openNotifiedJob } from './job-notifications';
import { completeSignIn, signInStatus, signOut } from './sign-in';
import { keepAliveWhileBusy } from './keep-alive';
import { pageSeenHandler } from './page-seen';
import { TabService } from './tab-service';
import { Throttle } from './throttle';

export function startBackground(): void {
  const clients = new FeishuClients();
  const ekuaibao = new EkuaibaoClients(clients.limiters);
  const clientFor = (apiBase: string) => clients.forApiBase(apiBase);
  const resolvers: Record<Attachment['source']['type'], LinkResolver> = {
    'feishu-media': createFeishuMediaResolver(clientFor, new DailyQuota('feishu-media', FEISHU_MEDIA_DAILY_LIMIT)),
    'feishu-drive-file': createDriveFileResolver(clientFor),
    'feishu-board': createBoardResolver(clientFor),
    'feishu-mail': createMailResolver(clientFor),
    'ekuaibao-attachment': createEkuaibaoResolver((apiBase) => ekuaibao.forApiBase(apiBase)),
  };
  // A big job changes thousands of times: its badge follows at most a few times a second, and its end at once.
  const badgeUpdates = new Throttle<Job>(300, (job) => {
    if (job.tabId !== undefined) void readTabState(job.tabId).then((state) => state && showBadge(state, job));
  });
  // Read synchronously by the engine before each round; kept fresh by the settings watcher below.
  let downloadSettings: Settings['downloads'] = { concurrency: 3, notify: true };
  void loadSettings().then((s) => (downloadSettings = s.downloads));
  const engine = new DownloadEngine({
    store: new JobStore(),
    downloads: chromeDownloads,
    resolverFor: (attachment) => resolvers[attachment.source.type],
    probe: createProbe(),
    concurrency: () => downloadSettings.concurrency,
    onJobChanged: (job) => {
      keepAliveWhileBusy(job);
      if (job.tabId !== undefined) badgeUpdates.schedule(job);
      if (job.finishedAt !== undefined) void notifyJobEnded(job, downloadSettings.notify);
      // Held by the day's quota: an alarm lets it go on when the platform's day turns.
      const renews = job.paused?.problem?.kind === 'daily-quota' ? Date.parse(job.paused.problem.detail ?? '') : NaN;
      if (Number.isFinite(renews)) void browser.alarms.create(QUOTA_ALARM, { when: renews + 60_000 });
    },
  });
  const tabs = new TabService({
    listPage: (page) => listPage(page, clients, ekuaibao),
    hasCredentials: (page) => (page.platform === 'ekuaibao' ? ekuaibao.hasCredentials() : clients.hasCredentials()),
    recognise: async (url) => recognise(url, await loadSettings()),
    onStateChanged: (state) => void showBadge(state),
  });

  /** "Find" in the popup: a typed form code joins the tab's list once Ekuaibao confirms the form exists. */
  async function findForm(tabId: number, typed: string): Promise<FindFormResult> {
    const code = FormCodeSchema.safeParse(typed);
    if (!code.success) return { ok: false, problem: { kind: 'invalid-form-code', platform: 'ekuaibao', detail: typed.trim().slice(0, 40) } };
    const tab = await browser.tabs.get(tabId);
    const recognition = tab.url ? recognise(tab.url, await loadSettings()) : ({ status: 'other' } as const);
    if (recognition.status !== 'supported' || recognition.page.platform !== 'ekuaibao') return { ok: false, problem: { kind: 'unsupported-page' } };
    if (!(await ekuaibao.hasCredentials())) return { ok: false, problem: { kind: 'credentials-missing', platform: 'ekuaibao' } };
    try {
      await ekuaibao.formDetails(await ekuaibao.forPage(recognition.page), { code: code.data });
    } catch (error) {
      const problem = toProblem(error);
      // Name the code, with Ekuaibao's own words (单据不存在 / 单据已删除) when it gave some.
      return { ok: false, problem: problem.kind === 'not-found' ? { ...problem, detail: problem.detail ? `${code.data}: ${problem.detail}` : code.data } : problem };
    }
    return { ok: true, state: await tabs.ensure(tabId, tab.url, { force: true, addCode: code.data, wait: true }) };
  }

  async function downloadAll(tabId: number, messageId?: string): Promise<StartResult> {
    const tab = await browser.tabs.get(tabId);
    const state = await tabs.ensure(tabId, tab.url, { wait: true });
    if (state.recognition.status !== 'supported') return { ok: false, problem: { kind: 'unsupported-page' } };
    const { listing } = state;
    if (listing.status === 'needs-credentials') return { ok: false, problem: { kind: 'credentials-missing' } };
    if (listing.status === 'error') return { ok: false, problem: listing.problem };
    if (listing.status !== 'ready') return { ok: false, problem: { kind: 'unknown', detail: 'The list is not ready yet.' } };
    const key = pageKey(state.recognition.page);
    let job;
    if (listing.listing.type === 'mailbox') {
      // A mailbox downloads one message at a time: the one chosen in the popup, else the one open in the page.
      const page = state.recognition.page;
      const wanted = messageId ?? (page.platform === 'feishu' && page.kind === 'mail' ? page.messageId : undefined) ?? state.dom?.messageId;
      const message = listing.listing.messages.find((m) => m.id === wanted);
      if (!message) return { ok: false, problem: { kind: 'unknown', detail: 'Choose a message first.' } };
      job = await engine.startJob({ tabId, pageKey: `${key}:${message.id}`, title: message.subject, folder: message.folder, attachments: message.attachments });
    } else {
      job = await engine.startJob({ tabId, pageKey: key, title: listing.listing.title, folder: listing.listing.folder, attachments: listing.listing.attachments });
    }
    await tabs.setJob(tabId, job.id);
    return { ok: true, jobId: job.id };
  }

  listenForMessages({
    pageSeen: pageSeenHandler(tabs),
    getTabState: async ({ tabId }) => tabs.ensure(tabId, (await browser.tabs.get(tabId)).url),
    refreshTab: async ({ tabId }) => tabs.ensure(tabId, (await browser.tabs.get(tabId)).url, { force: true }),
    downloadAll: ({ tabId, messageId }) => downloadAll(tabId, messageId),
    async mailMore({ tabId }) {
      const state = await tabs.ensure(tabId, (await browser.tabs.get(tabId)).url, { wait: true });
      if (state.recognition.status !== 'supported' || state.recognition.page.platform !== 'feishu' || state.recognition.page.kind !== 'mail') return state;
      const page = state.recognition.page;
      const client = await clients.forPage(page);
      const grown = await tabs.extendListing(tabId, pageKey(page), async (listing) => (listing.type === 'mailbox' ? listMoreMail(client, listing, page.brand) : listing));
      return grown ?? state;
    },
    testConnection: (request) => testConnection(request, clients),
    findForm: ({ tabId, code }) => findForm(tabId, code),
    async jobControl({ jobId, action }) {
      const controls = {
        pause: (id: string) => engine.pauseJob(id),
        resume: (id: string) => engine.resumeJob(id),
        cancel: (id: string) => engine.cancelJob(id),
        'retry-failed': (id: string) => engine.retryFailed(id),
      };
      return { ok: (await controls[action](jobId)) !== undefined };
    },
    testEkuaibaoConnection: (request) => testEkuaibaoConnection(request, ekuaibao),
    signInStatus: () => signInStatus(clients),
    async completeSignIn(request) {
      const result = await completeSignIn(request, clients);
      // Jobs held for want of a sign-in go on with it (lists that said "sign in" are made again when next asked).
      if (result.ok) void engine.resumeHeldJobs(new Set([...CREDENTIAL_PAUSES, 'scope-missing']));
      return result;
    },
    signOut: () => signOut(clients),
  });

  const onMenuClick = (info: Browser.contextMenus.OnClickData, tab?: Browser.tabs.Tab) => handleMenuClick(info, tab, { downloadAll, openList });
  browser.downloads.onChanged.addListener((delta) => void engine.handleDownloadChanged(delta));
  browser.contextMenus.onClicked.addListener((info, tab) => void onMenuClick(info, tab));
  const syncHosts = async () => {
    const settings = await loadSettings();
    await syncCustomHosts(settings.feishu.customHosts, settings.ekuaibao.customHosts).catch((error: unknown) => console.warn('custom hosts', error));
  };
  browser.runtime.onInstalled.addListener(() => void syncHosts());
  // Again at browser start: the title follows the browser's language, which may have changed since install.
  browser.runtime.onStartup.addListener(() => void syncHosts());
  watchSettings((settings) => {
    downloadSettings = settings.downloads;
    void syncHosts();
    // New credentials: tokens obtained with the old ones must not be reused.
    void clients.tenantTokens.clear();
    void ekuaibao.forget();
    // "Remember on this device" may have changed: the sign-in moves to local or session storage accordingly.
    void clients.userTokens.relocate();
    // ...and jobs that refused credentials held may go on with the new ones.
    void engine.resumeHeldJobs(CREDENTIAL_PAUSES);
  });
  browser.tabs.onRemoved.addListener((tabId) => void tabs.forget(tabId));
  browser.notifications.onClicked.addListener((id) => void openNotifiedJob(id));
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === QUOTA_ALARM) void engine.resumeHeldJobs(new Set(['daily-quota']));
  });
  void engine.resume();

  // A handle in the worker's console for support and for end-to-end tests, which cannot click a native menu.
  // Only code running inside the worker itself can reach it.
  Object.assign(globalThis, { attachmentDownloader: { onMenuClick } });
}

const QUOTA_ALARM = 'daily-quota-renewed';

/** Pauses that new settings may lift (not the daily quota: that waits for its day). */
const CREDENTIAL_PAUSES: ReadonlySet<Problem['kind']> = new Set(['credentials-missing', 'token-invalid', 'token-expired', 'app-credentials-invalid', 'sign-in-required', 'host-permission-missing']);

function recognise(url: string, settings: Settings) {
  return recognisePage(url, settings.feishu.customHosts, settings.ekuaibao.customHosts);
}

async function listPage(page: PageRef, clients: FeishuClients, ekuaibao: EkuaibaoClients): Promise<Listing> {
  if (page.platform === 'ekuaibao') {
    const client = await ekuaibao.forPage(page);
    return listEkuaibaoForms(client, page, (c, ref) => ekuaibao.formDetails(c, ref));
  }
  const { feishu } = await loadSettings();
  return listFeishuPage(await clients.forPage(page), page, {
    recordFolders: feishu.baseRecordFolders,
    whiteboards: feishu.whiteboards,
    tenantToken: await clients.usesTenantToken(),
  });
}

async function openList(tabId: number): Promise<void> {
  await browser.tabs.create({ url: tabListUrl(tabId) });
}
