import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { Attachment } from '../core/attachment';
import { ProblemError, type Problem } from '../core/problem';
import { DownloadEngine, type DownloadRequest, type DownloadSnapshot, type DownloadsPort, type EngineOptions, type NewJob } from './engine';
import { DownloadIntents, JobStore, readJob, type Job, type JobItem } from './job';
import type { LinkResolver, LinkResult, ResolvedLink } from './links';
import type { Probe, ProbeResult } from './probe';

const FEISHU_API = 'https://open.feishu.cn';
const DOWNLOADS_DIR = '/home/me/Downloads';
const ROOT = 'Feishu/项目周报 2026-W47';
const PAGE_KEY = 'feishu:acme.feishu.cn:docx:UXEAd6cRUoj5pexJZr0cdwaFnpd';

// --- fakes of what lies outside the engine: Chrome's downloads, the link service, the probe -----------------------

/** chrome.downloads as the engine sees it: ids, states, and `onChanged` deltas the test sends when it chooses. */
class FakeDownloads implements DownloadsPort {
  engine?: DownloadEngine;
  readonly started: { id: number; request: DownloadRequest }[] = [];
  readonly discarded: number[] = [];
  readonly snapshots = new Map<number, DownloadSnapshot>();
  running = 0;
  maxRunning = 0;
  private nextId: number;

  constructor(
    private readonly behaviour: {
      /** Completes every download on its own, a moment after it started. */
      autoComplete?: boolean;
      /** Chrome creates the download, but the worker stops before `start()` resolves: it never does. */
      hangStart?: boolean;
      /** Reports these deltas for a download before `start()` resolves (as Chrome may). */
      earlyDeltas?: (id: number, request: DownloadRequest) => Parameters<DownloadEngine['handleDownloadChanged']>[0][];
      firstId?: number;
    } = {},
  ) {
    this.nextId = behaviour.firstId ?? 1;
  }

  async start(request: DownloadRequest): Promise<number> {
    const id = this.nextId++;
    this.started.push({ id, request });
    this.snapshots.set(id, { id, state: 'in_progress' });
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    for (const delta of this.behaviour.earlyDeltas?.(id, request) ?? []) {
      if (delta.state?.current && delta.state.current !== 'in_progress') this.running--;
      await this.engine!.handleDownloadChanged(delta);
    }
    if (this.behaviour.autoComplete) setTimeout(() => void this.complete(id), 1);
    if (this.behaviour.hangStart) await new Promise(() => undefined);
    return id;
  }

  async findByUrl(url: string): Promise<DownloadSnapshot | undefined> {
    const newest = [...this.started].reverse().find((s) => s.request.url === url);
    return newest ? this.snapshots.get(newest.id) : undefined;
  }

  async search(id: number): Promise<DownloadSnapshot | undefined> {
    return this.snapshots.get(id);
  }

  async discard(id: number): Promise<void> {
    this.discarded.push(id);
    this.snapshots.delete(id);
  }

  readonly paused: number[] = [];
  readonly resumed: number[] = [];

  async pause(id: number): Promise<void> {
    this.paused.push(id);
    const snapshot = this.snapshots.get(id);
    if (snapshot) this.snapshots.set(id, { ...snapshot, paused: true });
  }

  async resume(id: number): Promise<void> {
    this.resumed.push(id);
    const snapshot = this.snapshots.get(id);
    if (snapshot?.state === 'interrupted') this.running++;
    if (snapshot) this.snapshots.set(id, { id, state: 'in_progress', paused: false });
  }

  /** Chrome's `canResume`: set on an interrupted download the server would continue with a range. */
  async interruptResumable(id: number, reason: string): Promise<void> {
    this.running--;
    this.snapshots.set(id, { id, state: 'interrupted', error: reason, canResume: true });
    await this.engine!.handleDownloadChanged({ id, state: { current: 'interrupted' }, error: { current: reason } });
  }

  /** The same browser seen by a restarted worker: its downloads go on, their events reach the new engine. */
  unhang(): void {
    this.behaviour.hangStart = false;
  }

  requestOf(id: number): DownloadRequest {
    return this.started.find((s) => s.id === id)!.request;
  }

  async complete(id: number): Promise<void> {
    const filename = `${DOWNLOADS_DIR}/${this.requestOf(id).filename}`;
    this.running--;
    this.snapshots.set(id, { id, state: 'complete', filename });
    await this.engine!.handleDownloadChanged({ id, filename: { current: filename } });
    await this.engine!.handleDownloadChanged({ id, state: { current: 'complete' } });
  }

  async interrupt(id: number, reason: string): Promise<void> {
    this.running--;
    this.snapshots.set(id, { id, state: 'interrupted', error: reason });
    await this.engine!.handleDownloadChanged({ id, state: { current: 'interrupted' }, error: { current: reason } });
  }
}

/** The link service: a fresh link per request, or the problem the test set for a token. */
function fakeResolver(options: { problems?: Record<string, Problem[]>; batchSize?: number; hang?: ReadonlySet<string>; slow?: ReadonlySet<string> } = {}) {
  const calls: string[][] = [];
  const issued = new Map<string, number>();
  const resolver: LinkResolver = {
    batchSize: options.batchSize ?? 5,
    // A token whose call never returns is asked for on its own: it holds up no other item's link.
    groupOf: (a) => `${a.source.type} ${a.source.apiBase}${options.hang?.has(tokenOf(a)) ? ' hanging' : ''}`,
    async resolve(attachments) {
      calls.push(attachments.map((a) => tokenOf(a)));
      if (attachments.some((a) => options.hang?.has(tokenOf(a)))) await new Promise(() => undefined);
      if (attachments.some((a) => options.slow?.has(tokenOf(a)))) await new Promise((resolve) => setTimeout(resolve, 300));
      const results = new Map<string, LinkResult>();
      for (const a of attachments) {
        const problem = options.problems?.[tokenOf(a)]?.shift();
        if (problem) {
          results.set(a.id, { problem });
          continue;
        }
        const n = (issued.get(tokenOf(a)) ?? 0) + 1;
        issued.set(tokenOf(a), n);
        results.set(a.id, { link: { url: linkFor(tokenOf(a), n) } });
      }
      return results;
    },
  };
  return { resolver, calls };
}

/** The identifier the link service knows an attachment by: its token, or a mail attachment's id. */
function tokenOf(attachment: Attachment): string {
  const { source } = attachment;
  return source.type === 'feishu-mail' ? source.attachmentId : source.type === 'ekuaibao-attachment' ? source.fileId : source.token;
}

function linkFor(token: string, n: number): string {
  return `https://internal-api-drive-stream.feishu.cn/space/api/box/stream/download/authcode/?code=${token}-${n}`;
}

const NOTHING_KNOWN: ProbeResult = { contentType: null, fileName: null, sniffedExtension: null, size: null };

/** What the file's first bytes and headers would say, by token. */
function fakeProbe(byToken: Record<string, Partial<ProbeResult>> = {}) {
  return vi.fn<Probe>(async (link: ResolvedLink) => {
    const token = /code=([^-]+)-/.exec(link.url)?.[1] ?? '';
    return { ...NOTHING_KNOWN, ...byToken[token] };
  });
}

function attachment(token: string, name: string, extra: Partial<Attachment> = {}): Attachment {
  return { id: `feishu-media:${token}`, name, nameIsGenerated: false, kind: 'file', source: { type: 'feishu-media', apiBase: FEISHU_API, token }, subfolders: [], ...extra };
}

function newJob(attachments: Attachment[], extra: Partial<NewJob> = {}): NewJob {
  return { tabId: 3, pageKey: PAGE_KEY, title: '项目周报 2026-W47', folder: ['Feishu', '项目周报 2026-W47'], attachments, ...extra };
}

interface Setup {
  engine: DownloadEngine;
  downloads: FakeDownloads;
  resolver: ReturnType<typeof fakeResolver>;
  probe: ReturnType<typeof fakeProbe>;
  snapshots: Job[];
}

function setup(
  options: {
    downloads?: FakeDownloads;
    resolver?: ReturnType<typeof fakeResolver>;
    probe?: ReturnType<typeof fakeProbe>;
    engine?: Partial<EngineOptions>;
  } = {},
): Setup {
  const downloads = options.downloads ?? new FakeDownloads({ autoComplete: true });
  const resolver = options.resolver ?? fakeResolver();
  const probe = options.probe ?? fakeProbe();
  const snapshots: Job[] = [];
  let ids = 0;
  let clock = 1_000;
  const engine = new DownloadEngine({
    store: new JobStore(),
    downloads,
    resolverFor: () => resolver.resolver,
    probe,
    onJobChanged: (job) => snapshots.push(structuredClone(job)),
    newId: () => `job-${++ids}`,
    now: () => (clock += 10),
    ...options.engine,
  });
  downloads.engine = engine;
  return { engine, downloads, resolver, probe, snapshots };
}

async function finished(engine: DownloadEngine, jobId: string): Promise<Job> {
  // Whether the job ends, not how fast: a loaded 2-core machine needs more than vi.waitFor's default second for 100 items.
  await vi.waitFor(
    async () => {
      const job = (await engine.getJobs()).find((j) => j.id === jobId);
      expect(job?.finishedAt).toBeDefined();
    },
    { timeout: 15_000 },
  );
  return (await engine.getJobs()).find((j) => j.id === jobId)!;
}

/** Waits until the store holds `predicate`-satisfying job (the engine's writes are asynchronous). */
async function stored(jobId: string, predicate: (job: Job) => boolean): Promise<Job> {
  let found: Job | null = null;
  await vi.waitFor(async () => {
    found = await readJob(jobId);
    expect(found && predicate(found)).toBe(true);
  });
  return found!;
}

const summary = (items: readonly JobItem[]) => items.map((i) => [i.fileName, i.state]);

beforeEach(() => {
  fakeBrowser.reset();
});

describe('DownloadEngine', () => {
  it('saves every item under the listing\'s folder with safe, unique names', async () => {
    const { engine, downloads } = setup();
    const job = await engine.startJob(
      newJob([
        attachment('boxcnReportA', 'report.pdf'),
        attachment('boxcnReportB', 'report.pdf'),
        attachment('boxcnReportC', 'REPORT.pdf'),
        attachment('boxcnTraversal', '../x.bin'),
        attachment('boxcnSlash', 'a/b.bin'),
        attachment('boxcnReserved', 'CON.txt'),
        attachment('boxcnControl', '报销\u0007单\u200b据\u202e.pdf'),
        attachment('boxcnSub', 'report.pdf', { subfolders: ['附件: 第一批?'] }),
      ]),
    );
    const done = await finished(engine, job.id);
    expect(summary(done.items)).toEqual([
      ['report.pdf', 'done'],
      ['report (2).pdf', 'done'],
      ['REPORT (3).pdf', 'done'],
      ['_x.bin', 'done'],
      ['a_b.bin', 'done'],
      ['_CON.txt', 'done'],
      ['报销 单据.pdf', 'done'],
      ['report.pdf', 'done'],
    ]);
    expect(downloads.started.map((s) => s.request.filename).sort()).toEqual(
      [
        `${ROOT}/report.pdf`,
        `${ROOT}/report (2).pdf`,
        `${ROOT}/REPORT (3).pdf`,
        `${ROOT}/_x.bin`,
        `${ROOT}/a_b.bin`,
        `${ROOT}/_CON.txt`,
        `${ROOT}/报销 单据.pdf`,
        `${ROOT}/附件_ 第一批_/report.pdf`,
      ].sort(),
    );
    // Each download got its own fresh link, and Chrome's final path is recorded.
    expect(new Set(downloads.started.map((s) => s.request.url)).size).toBe(8);
    expect(done.items[1]).toMatchObject({ savedAs: `${DOWNLOADS_DIR}/${ROOT}/report (2).pdf`, attempts: 1, problem: undefined });
    expect(done.items.every((i) => i.nameFinal)).toBe(true);
  });

  it('skips an attachment listed twice', async () => {
    const { engine, downloads } = setup();
    const report = attachment('boxcnReportA', 'report.pdf');
    const job = await engine.startJob(newJob([report, report]));
    expect(job.items).toHaveLength(1);
    await finished(engine, job.id);
    expect(downloads.started).toHaveLength(1);
  });

  it('sanitises the folder segments, with fallbacks for empty ones', async () => {
    const { engine, downloads } = setup();
    const job = await engine.startJob(newJob([attachment('boxcnReportA', 'report.pdf')], { folder: ['', 'a/b: c?'] }));
    await finished(engine, job.id);
    expect(downloads.started[0]?.request.filename).toBe('Downloads/a_b_ c_/report.pdf');
  });

  it('never runs more items at once than its concurrency', async () => {
    const downloads = new FakeDownloads();
    const { engine, snapshots } = setup({ downloads, engine: { concurrency: 2 } });
    const attachments = Array.from({ length: 9 }, (_, i) => attachment(`boxcnFile${i}`, `file-${i}.pdf`));
    const job = await engine.startJob(newJob(attachments));
    for (let completed = 0; completed < 9; completed++) {
      await vi.waitFor(() => expect(downloads.running).toBe(Math.min(2, 9 - completed)));
      const running = downloads.started.filter((s) => downloads.snapshots.get(s.id)?.state === 'in_progress');
      await downloads.complete(running[0]!.id);
    }
    const done = await finished(engine, job.id);
    expect(done.items.every((i) => i.state === 'done')).toBe(true);
    expect(downloads.maxRunning).toBe(2);
    const active = (j: Job) => j.items.filter((i) => i.state === 'resolving' || i.state === 'downloading').length;
    expect(Math.max(...snapshots.map(active))).toBe(2);
  });

  it('resolves links in batches of one group, each link used once', async () => {
    const { engine, downloads, resolver } = setup({ engine: { concurrency: 3 } });
    const attachments = Array.from({ length: 16 }, (_, i) => attachment(`boxcnFile${String(i).padStart(2, '0')}`, `file-${i}.pdf`));
    const job = await engine.startJob(newJob(attachments));
    await finished(engine, job.id);
    expect(resolver.calls.flat().sort()).toEqual(attachments.map((a) => tokenOf(a)).sort());
    expect(resolver.calls.every((call) => call.length <= 5)).toBe(true);
    expect(resolver.calls.length).toBeLessThan(16);
    expect(downloads.started.map((s) => s.request.url).sort()).toEqual(attachments.map((a) => linkFor(tokenOf(a), 1)).sort());
  });

  it('passes the link\'s own headers to Chrome', async () => {
    const resolver: LinkResolver = {
      batchSize: 1,
      groupOf: () => 'g',
      resolve: async (attachments) => new Map(attachments.map((a) => [a.id, { link: { url: linkFor(tokenOf(a), 1), headers: [{ name: 'X-Range-Hint', value: 'none' }] } }])),
    };
    const { engine, downloads } = setup({ engine: { resolverFor: () => resolver } });
    const job = await engine.startJob(newJob([attachment('boxcnReportA', 'report.pdf')]));
    await finished(engine, job.id);
    expect(downloads.started[0]?.request).toEqual({
      url: linkFor('boxcnReportA', 1),
      filename: `${ROOT}/report.pdf`,
      headers: [{ name: 'X-Range-Hint', value: 'none' }],
    });
  });

  it('gives images the type their bytes or headers reveal', async () => {
    const probe = fakeProbe({
      boxcnPng: { contentType: 'image/png', size: 345_678 },
      boxcnJpeg: { contentType: 'application/octet-stream', sniffedExtension: '.jpg' },
      boxcnCaptioned: { contentType: 'image/jpeg; charset=binary' },
      boxcnAlready: { contentType: 'image/png' },
    });
    const { engine, downloads } = setup({ probe });
    const image = (token: string, name: string, extra: Partial<Attachment> = {}) => attachment(token, name, { kind: 'image', nameIsGenerated: true, ...extra });
    const job = await engine.startJob(
      newJob([
        image('boxcnPng', 'image-01'),
        image('boxcnJpeg', 'image-02'),
        image('boxcnCaptioned', '系统流程图'),
        image('boxcnUnknown', 'image-04'),
        image('boxcnGif', 'image-05', { mimeType: 'image/gif' }),
        image('boxcnAlready', 'scan.PNG'),
      ]),
    );
    // Before the probe, generated names are placeholders without a type.
    expect(job.items.map((i) => [i.fileName, i.nameFinal])).toEqual([
      ['image-01', false],
      ['image-02', false],
      ['系统流程图', false],
      ['image-04', false],
      ['image-05', false],
      ['scan.PNG', false],
    ]);
    const done = await finished(engine, job.id);
    expect(summary(done.items)).toEqual([
      ['image-01.png', 'done'],
      ['image-02.jpg', 'done'],
      ['系统流程图.jpg', 'done'],
      ['image-04.bin', 'done'],
      ['image-05.gif', 'done'],
      ['scan.PNG', 'done'],
    ]);
    expect(downloads.started.map((s) => s.request.filename).sort()).toEqual(
      ['image-01.png', 'image-02.jpg', '系统流程图.jpg', 'image-04.bin', 'image-05.gif', 'scan.PNG'].map((n) => `${ROOT}/${n}`).sort(),
    );
    expect(done.items[0]?.attachment.size).toBe(345_678);
    expect(probe).toHaveBeenCalledTimes(6);
  });

  it('never spends a link that may be used only a few times on a probe (mail), saving with the names it has', async () => {
    const probe = fakeProbe({ att00001: { contentType: 'text/plain', fileName: 'README.txt' } });
    const { engine, downloads } = setup({ probe });
    const mail = (attachmentId: string, name: string, extra: Partial<Attachment> = {}): Attachment => ({
      id: `feishu-mail:msg0001:${attachmentId}`,
      name,
      nameIsGenerated: false,
      kind: 'file',
      source: { type: 'feishu-mail', apiBase: FEISHU_API, messageId: 'msg0001', attachmentId },
      subfolders: [],
      noProbe: true,
      ...extra,
    });
    const job = await engine.startJob(
      newJob([mail('att00001', 'README'), mail('att00002', 'attachment-02', { nameIsGenerated: true }), mail('att00003', 'photo', { kind: 'image' })]),
    );
    expect(job.items.map((i) => i.nameFinal)).toEqual([true, true, true]);
    const done = await finished(engine, job.id);
    expect(summary(done.items)).toEqual([
      ['README', 'done'],
      ['attachment-02', 'done'],
      ['photo', 'done'],
    ]);
    expect(probe).not.toHaveBeenCalled();
    expect(downloads.started.map((s) => s.request.url).sort()).toEqual(['att00001', 'att00002', 'att00003'].map((id) => linkFor(id, 1)));
  });

  it('names unnamed files after their Content-Disposition, or adds the type to the placeholder', async () => {
    const probe = fakeProbe({
      boxcnAppendix: { contentType: 'application/zip', fileName: '附录A.zip' },
      boxcnClash: { contentType: 'application/pdf', fileName: 'report.pdf' },
      boxcnNoName: { contentType: 'application/pdf' },
      boxcnReadme: { contentType: 'text/plain; charset=utf-8' },
      boxcnOpaque: { contentType: 'application/octet-stream' },
    });
    const { engine, downloads } = setup({ probe });
    const unnamed = (token: string, name: string) => attachment(token, name, { nameIsGenerated: true });
    const job = await engine.startJob(
      newJob([
        attachment('boxcnReport', 'report.pdf'),
        unnamed('boxcnAppendix', 'attachment-01'),
        unnamed('boxcnClash', 'attachment-02'),
        unnamed('boxcnNoName', 'attachment-03'),
        attachment('boxcnReadme', 'README'),
        unnamed('boxcnOpaque', 'attachment-04'),
      ]),
    );
    const done = await finished(engine, job.id);
    expect(summary(done.items)).toEqual([
      ['report.pdf', 'done'],
      ['附录A.zip', 'done'],
      ['report (2).pdf', 'done'],
      ['attachment-03.pdf', 'done'],
      ['README.txt', 'done'],
      ['attachment-04', 'done'],
    ]);
    // A named file with an extension is saved as it is: no probe.
    expect(probe).toHaveBeenCalledTimes(5);
    expect(downloads.started.map((s) => s.request.filename)).toContain(`${ROOT}/附录A.zip`);
  });

  it('frees a placeholder name once the real one is known', async () => {
    const probe = fakeProbe({ boxcnA: { fileName: 'real.pdf' }, boxcnB: { fileName: 'attachment-01' } });
    const { engine } = setup({ probe, engine: { concurrency: 1 } });
    const job = await engine.startJob(
      newJob([attachment('boxcnA', 'attachment-01', { nameIsGenerated: true }), attachment('boxcnB', 'attachment-02', { nameIsGenerated: true })]),
    );
    const done = await finished(engine, job.id);
    expect(summary(done.items)).toEqual([
      ['real.pdf', 'done'],
      ['attachment-01', 'done'],
    ]);
  });

  it('retries a download interrupted for a retryable reason with a fresh link', async () => {
    const downloads = new FakeDownloads();
    const { engine, resolver } = setup({ downloads });
    const job = await engine.startJob(newJob([attachment('boxcnReport', 'report.pdf')]));
    await vi.waitFor(() => expect(downloads.started).toHaveLength(1));
    await downloads.interrupt(1, 'NETWORK_FAILED');
    await vi.waitFor(() => expect(downloads.started).toHaveLength(2));
    expect(downloads.discarded).toEqual([1]);
    expect(downloads.started.map((s) => s.request)).toEqual([
      { url: linkFor('boxcnReport', 1), filename: `${ROOT}/report.pdf`, headers: undefined },
      { url: linkFor('boxcnReport', 2), filename: `${ROOT}/report.pdf`, headers: undefined },
    ]);
    expect(resolver.calls).toEqual([['boxcnReport'], ['boxcnReport']]);
    await downloads.complete(2);
    const done = await finished(engine, job.id);
    expect(done.items[0]).toMatchObject({ state: 'done', attempts: 2, downloadId: 2, problem: undefined, savedAs: `${DOWNLOADS_DIR}/${ROOT}/report.pdf` });
  });

  it('fails a download interrupted for a reason a retry cannot fix', async () => {
    const downloads = new FakeDownloads();
    const { engine } = setup({ downloads });
    const job = await engine.startJob(newJob([attachment('boxcnReport', 'report.pdf'), attachment('boxcnBudget', 'budget.xlsx')]));
    await vi.waitFor(() => expect(downloads.started).toHaveLength(2));
    await downloads.interrupt(1, 'FILE_NO_SPACE');
    await downloads.complete(2);
    const done = await finished(engine, job.id);
    expect(done.items.map((i) => [i.state, i.problem])).toEqual([
      ['failed', { kind: 'download-interrupted', detail: 'FILE_NO_SPACE' }],
      ['done', undefined],
    ]);
    expect(downloads.started).toHaveLength(2);
    expect(downloads.discarded).toEqual([1]);
  });

  it('gives up after the last attempt of a retryable interruption', async () => {
    const downloads = new FakeDownloads();
    const { engine } = setup({ downloads, engine: { maxAttempts: 3 } });
    const job = await engine.startJob(newJob([attachment('boxcnReport', 'report.pdf')]));
    for (let attempt = 1; attempt <= 3; attempt++) {
      await vi.waitFor(() => expect(downloads.started).toHaveLength(attempt));
      await downloads.interrupt(attempt, 'SERVER_FAILED');
    }
    const done = await finished(engine, job.id);
    expect(done.items[0]).toMatchObject({ state: 'failed', attempts: 3, problem: { kind: 'download-interrupted', detail: 'SERVER_FAILED' }, downloadId: undefined });
    expect(downloads.started).toHaveLength(3);
  });

  it('fails an item with the resolver\'s problem, and saves the others', async () => {
    const notShared: Problem = { kind: 'not-shared', code: 1061004, status: 403, host: 'open.feishu.cn', detail: 'forbidden.' };
    const resolver = fakeResolver({ problems: { boxcnPrivate: [notShared] } });
    const { engine, downloads } = setup({ resolver });
    const job = await engine.startJob(newJob([attachment('boxcnReport', 'report.pdf'), attachment('boxcnPrivate', '内部资料.pdf'), attachment('boxcnBudget', 'budget.xlsx')]));
    const done = await finished(engine, job.id);
    expect(done.items.map((i) => [i.fileName, i.state, i.problem, i.attempts])).toEqual([
      ['report.pdf', 'done', undefined, 1],
      ['内部资料.pdf', 'failed', notShared, 1],
      ['budget.xlsx', 'done', undefined, 1],
    ]);
    expect(downloads.started.map((s) => s.request.filename).sort()).toEqual([`${ROOT}/budget.xlsx`, `${ROOT}/report.pdf`]);
  });

  it('asks again for a link that expired before it was used, up to the attempt limit', async () => {
    const expired: Problem = { kind: 'link-expired', host: 'internal-api-drive-stream.feishu.cn', status: 403 };
    const resolver = fakeResolver({ problems: { boxcnFlaky: [expired], boxcnGone: [expired, expired, expired] } });
    const { engine } = setup({ resolver, engine: { maxAttempts: 3 } });
    const job = await engine.startJob(newJob([attachment('boxcnFlaky', 'flaky.pdf'), attachment('boxcnGone', 'gone.pdf')]));
    const done = await finished(engine, job.id);
    expect(done.items.map((i) => [i.state, i.attempts, i.problem])).toEqual([
      ['done', 2, undefined],
      ['failed', 3, expired],
    ]);
  });

  it('does not ask again for a link the platform decided not to give', async () => {
    const noLink: Problem = { kind: 'no-link', host: 'open.feishu.cn', detail: 'mail-failed-id' };
    const resolver = fakeResolver({ problems: { boxcnRefused: [noLink] } });
    const { engine } = setup({ resolver, engine: { maxAttempts: 3 } });
    const job = await engine.startJob(newJob([attachment('boxcnRefused', 'refused.pdf'), attachment('boxcnFine', 'fine.pdf')]));
    const done = await finished(engine, job.id);
    expect(done.items.map((i) => [i.state, i.attempts, i.problem])).toEqual([
      ['failed', 1, noLink],
      ['done', 1, undefined],
    ]);
    expect(resolver.calls.flat().filter((t) => t === 'boxcnRefused')).toHaveLength(1);
  });

  it('fails an item whose probe failed with the probe\'s problem', async () => {
    const probe = vi.fn<Probe>(async () => Promise.reject(new Error('socket hang up')));
    const { engine, downloads } = setup({ probe, engine: { maxAttempts: 2 } });
    const job = await engine.startJob(newJob([attachment('boxcnImage', 'image-01', { kind: 'image', nameIsGenerated: true })]));
    const done = await finished(engine, job.id);
    expect(done.items[0]).toMatchObject({ state: 'failed', problem: { kind: 'unknown', detail: 'socket hang up' } });
    expect(downloads.started).toEqual([]);
  });

  it('still saves an item whose probe could not be sent, with the name it has', async () => {
    const probe = vi.fn<Probe>(async () => Promise.reject(new ProblemError({ kind: 'network', host: 'files.example', detail: 'Failed to fetch' })));
    const { engine, downloads } = setup({ probe });
    const job = await engine.startJob(
      newJob([attachment('boxcnImage', 'image-01', { kind: 'image', nameIsGenerated: true }), attachment('boxcnReadme', 'README')]),
    );
    const done = await finished(engine, job.id);
    expect(summary(done.items)).toEqual([
      ['image-01.bin', 'done'],
      ['README', 'done'],
    ]);
    expect(downloads.started.map((s) => s.request.filename)).toEqual([`${ROOT}/image-01.bin`, `${ROOT}/README`]);
  });

  it('retries with a fresh link an item whose probe the server refused', async () => {
    let refusals = 1;
    const probe = vi.fn<Probe>(async () => {
      // What the probe says of a link the stream host refused (403): it expired, ask for another.
      if (refusals-- > 0) throw new ProblemError({ kind: 'link-expired', host: 'internal-api-drive-stream.feishu.cn', status: 403 });
      return { ...NOTHING_KNOWN, contentType: 'image/png' };
    });
    const { engine, resolver } = setup({ probe });
    const job = await engine.startJob(newJob([attachment('boxcnImage', 'image-01', { kind: 'image', nameIsGenerated: true })]));
    const done = await finished(engine, job.id);
    expect(summary(done.items)).toEqual([['image-01.png', 'done']]);
    expect(resolver.calls).toEqual([['boxcnImage'], ['boxcnImage']]);
  });

  it('fails an item Chrome refuses to start', async () => {
    const downloads = new FakeDownloads({ autoComplete: true });
    vi.spyOn(downloads, 'start').mockRejectedValueOnce(new Error('Invalid filename'));
    const { engine } = setup({ downloads });
    const job = await engine.startJob(newJob([attachment('boxcnReport', 'report.pdf')]));
    const done = await finished(engine, job.id);
    expect(done.items[0]).toMatchObject({ state: 'failed', problem: { kind: 'unknown', detail: 'Invalid filename' } });
  });

  it('returns the open job when the same page is started twice, and a new one once it finished', async () => {
    const downloads = new FakeDownloads();
    const { engine } = setup({ downloads });
    const attachments = [attachment('boxcnReport', 'report.pdf')];
    const first = await engine.startJob(newJob(attachments));
    const again = await engine.startJob(newJob([...attachments, attachment('boxcnBudget', 'budget.xlsx')]));
    expect(again).toBe(first);
    expect(again.items).toHaveLength(1);
    expect(await engine.findOpenJob(PAGE_KEY)).toBe(first);
    await vi.waitFor(() => expect(downloads.started).toHaveLength(1));
    await downloads.complete(1);
    await finished(engine, first.id);
    expect(await engine.findOpenJob(PAGE_KEY)).toBeUndefined();

    const next = await engine.startJob(newJob(attachments));
    expect(next.id).not.toBe(first.id);
    expect((await engine.getJobs()).map((j) => j.id)).toEqual([first.id, next.id]);
  });

  it('runs jobs of different pages side by side', async () => {
    const { engine } = setup();
    const a = await engine.startJob(newJob([attachment('boxcnReport', 'report.pdf')]));
    const b = await engine.startJob(newJob([attachment('boxcnReport', 'report.pdf')], { pageKey: 'feishu:acme.feishu.cn:docx:Wq3sKpQ7mBz8XcN2vLr5TtYh9Ud' }));
    expect(b.id).not.toBe(a.id);
    await finished(engine, a.id);
    await finished(engine, b.id);
  });

  it('keeps a completion Chrome reports before start() resolved', async () => {
    const downloads = new FakeDownloads({
      earlyDeltas: (id, request) => [
        { id, filename: { current: `${DOWNLOADS_DIR}/${request.filename}` } },
        { id, state: { current: 'complete' } },
      ],
    });
    const { engine } = setup({ downloads });
    const job = await engine.startJob(newJob([attachment('boxcnReport', 'report.pdf')]));
    const done = await finished(engine, job.id);
    expect(done.items[0]).toMatchObject({ state: 'done', downloadId: 1, savedAs: `${DOWNLOADS_DIR}/${ROOT}/report.pdf` });
  });

  it('keeps an interruption Chrome reports before start() resolved', async () => {
    const downloads = new FakeDownloads({ earlyDeltas: (id) => [{ id, state: { current: 'interrupted' }, error: { current: 'FILE_ACCESS_DENIED' } }] });
    const { engine } = setup({ downloads });
    const job = await engine.startJob(newJob([attachment('boxcnReport', 'report.pdf')]));
    const done = await finished(engine, job.id);
    expect(done.items[0]).toMatchObject({ state: 'failed', problem: { kind: 'download-interrupted', detail: 'FILE_ACCESS_DENIED' } });
    expect(downloads.discarded).toEqual([1]);
  });

  it('ignores changes of downloads that are not its own', async () => {
    const { engine, snapshots } = setup();
    await engine.handleDownloadChanged({ id: 999, state: { current: 'complete' } });
    expect(snapshots).toEqual([]);
    expect(await engine.getJobs()).toEqual([]);
  });

  it('finishes a job once every item is done or failed, and not before', async () => {
    const downloads = new FakeDownloads();
    const resolver = fakeResolver({ problems: { boxcnPrivate: [{ kind: 'not-shared', code: 1061004 }] } });
    const { engine, snapshots } = setup({ downloads, resolver });
    const job = await engine.startJob(newJob([attachment('boxcnReport', 'report.pdf'), attachment('boxcnPrivate', 'p.pdf')]));
    await vi.waitFor(() => expect(downloads.started).toHaveLength(1));
    await vi.waitFor(async () => expect((await engine.getJobs())[0]?.items[1]?.state).toBe('failed'));
    expect((await engine.getJobs())[0]?.finishedAt).toBeUndefined();
    await downloads.complete(1);
    const done = await finished(engine, job.id);
    expect(done.finishedAt).toBeGreaterThan(done.createdAt);
    expect(snapshots.filter((s) => s.finishedAt !== undefined).length).toBeGreaterThanOrEqual(1);
    expect(snapshots.findIndex((s) => s.finishedAt !== undefined)).toBe(snapshots.length - 1);
  });

  it('finishes a job without attachments at once', async () => {
    const { engine } = setup();
    const job = await engine.startJob(newJob([]));
    expect(job.finishedAt).toBe(job.createdAt);
    expect(await readJob(job.id)).toEqual(job);
  });

  it('keeps its jobs in storage, where a new engine finds them', async () => {
    const { engine } = setup();
    const job = await engine.startJob(newJob([attachment('boxcnReport', 'report.pdf'), attachment('boxcnBudget', 'budget.xlsx')]));
    const done = await finished(engine, job.id);
    const saved = await stored(job.id, (j) => j.finishedAt !== undefined);
    expect(saved).toEqual(done);

    const restarted = setup();
    expect(await restarted.engine.getJobs()).toEqual([done]);
    expect(await restarted.engine.findOpenJob(PAGE_KEY)).toBeUndefined();
  });

  it('picks up after a worker restart: settles downloads that ended meanwhile, keeps running ones, redoes lost ones', async () => {
    const hang = new Set(['boxcnStuck']);
    const before = setup({ downloads: new FakeDownloads(), resolver: fakeResolver({ hang }), engine: { concurrency: 5 } });
    const job = await before.engine.startJob(
      newJob([
        attachment('boxcnDone', 'done.pdf'),
        attachment('boxcnRunning', 'running.pdf'),
        attachment('boxcnLost', 'lost.pdf'),
        attachment('boxcnBroken', 'broken.pdf'),
        attachment('boxcnStuck', 'stuck.pdf'),
        attachment('boxcnLater', 'later.pdf'),
      ]),
    );
    // The worker stops with four downloads running, one link being resolved and one item queued.
    const persisted = await stored(job.id, (j) => j.items.filter((i) => i.state === 'downloading').length === 4);
    expect(persisted.items.map((i) => [i.fileName, i.state, i.downloadId])).toEqual([
      ['done.pdf', 'downloading', 1],
      ['running.pdf', 'downloading', 2],
      ['lost.pdf', 'downloading', 3],
      ['broken.pdf', 'downloading', 4],
      ['stuck.pdf', 'resolving', undefined],
      ['later.pdf', 'queued', undefined],
    ]);

    // Meanwhile Chrome finished one, kept one running, forgot one and had one interrupted.
    const downloads = new FakeDownloads({ firstId: 10 });
    downloads.snapshots.set(1, { id: 1, state: 'complete', filename: `${DOWNLOADS_DIR}/${ROOT}/done.pdf` });
    downloads.snapshots.set(2, { id: 2, state: 'in_progress' });
    downloads.snapshots.set(4, { id: 4, state: 'interrupted', error: 'FILE_NO_SPACE' });
    const after = setup({ downloads, engine: { concurrency: 5 } });
    await after.engine.resume();

    await vi.waitFor(() => expect(downloads.started).toHaveLength(3));
    expect(downloads.started.map((s) => s.request.filename).sort()).toEqual([`${ROOT}/later.pdf`, `${ROOT}/lost.pdf`, `${ROOT}/stuck.pdf`]);
    expect(downloads.discarded).toEqual([4]);
    for (const { id } of downloads.started) await downloads.complete(id);
    // The download that kept running ends after the restart, and is still recognised.
    await after.engine.handleDownloadChanged({ id: 2, filename: { current: `${DOWNLOADS_DIR}/${ROOT}/running.pdf` } });
    await after.engine.handleDownloadChanged({ id: 2, state: { current: 'complete' } });

    const done = await finished(after.engine, job.id);
    expect(done.items.map((i) => [i.fileName, i.state, i.savedAs ?? null, i.problem ?? null])).toEqual([
      ['done.pdf', 'done', `${DOWNLOADS_DIR}/${ROOT}/done.pdf`, null],
      ['running.pdf', 'done', `${DOWNLOADS_DIR}/${ROOT}/running.pdf`, null],
      ['lost.pdf', 'done', `${DOWNLOADS_DIR}/${ROOT}/lost.pdf`, null],
      ['broken.pdf', 'failed', null, { kind: 'download-interrupted', detail: 'FILE_NO_SPACE' }],
      ['stuck.pdf', 'done', `${DOWNLOADS_DIR}/${ROOT}/stuck.pdf`, null],
      ['later.pdf', 'done', `${DOWNLOADS_DIR}/${ROOT}/later.pdf`, null],
    ]);
    expect(await stored(job.id, (j) => j.finishedAt !== undefined)).toEqual(done);
  });

  it('keeps names unique across a restart', async () => {
    const before = setup({ downloads: new FakeDownloads(), resolver: fakeResolver({ hang: new Set(['boxcnB']) }) });
    const job = await before.engine.startJob(newJob([attachment('boxcnA', 'report.pdf'), attachment('boxcnB', 'attachment-01', { nameIsGenerated: true })]));
    await stored(job.id, (j) => j.items[0]?.state === 'downloading' && j.items[1]?.state === 'resolving');
    // Not reached before the restart: the worker stopped while item B's link was being resolved.
    const probe = fakeProbe({ boxcnB: { contentType: 'application/pdf', fileName: 'report.pdf' } });
    const downloads = new FakeDownloads({ firstId: 10, autoComplete: true });
    downloads.snapshots.set(1, { id: 1, state: 'in_progress' });
    const after = setup({ downloads, probe });
    await after.engine.resume();
    await vi.waitFor(() => expect(downloads.started).toHaveLength(1));
    expect(downloads.started[0]?.request.filename).toBe(`${ROOT}/report (2).pdf`);
  });
});

describe('DownloadEngine: control and faults', () => {
  const jobOf = async (engine: DownloadEngine, id: string) => (await engine.getJobs()).find((j) => j.id === id)!;
  const states = (job: Job) => job.items.map((i) => i.state);

  it('pauses: nothing new starts and Chrome holds what runs; resumes where it was', async () => {
    const downloads = new FakeDownloads();
    const { engine } = setup({ downloads, engine: { concurrency: 2 } });
    const job = await engine.startJob(newJob(['boxcnA', 'boxcnB', 'boxcnC', 'boxcnD'].map((t) => attachment(t, `${t}.pdf`))));
    await vi.waitFor(() => expect(downloads.started).toHaveLength(2));
    await engine.pauseJob(job.id);
    expect(downloads.paused).toEqual([1, 2]);
    await downloads.complete(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(downloads.started).toHaveLength(2);
    expect((await jobOf(engine, job.id)).paused).toEqual({ at: expect.any(Number) as number });

    await engine.resumeJob(job.id);
    expect(downloads.resumed).toEqual([2]);
    await vi.waitFor(() => expect(downloads.started).toHaveLength(3));
    for (const id of [2, 3]) await downloads.complete(id);
    await vi.waitFor(() => expect(downloads.started).toHaveLength(4));
    await downloads.complete(4);
    const done = await finished(engine, job.id);
    expect(states(done)).toEqual(['done', 'done', 'done', 'done']);
    expect(done.paused).toBeUndefined();
  });

  it('cancels: running downloads are discarded, every unsaved item is listed as cancelled, saved ones stay', async () => {
    const downloads = new FakeDownloads();
    const { engine } = setup({ downloads, engine: { concurrency: 2 } });
    const job = await engine.startJob(newJob(['boxcnA', 'boxcnB', 'boxcnC'].map((t) => attachment(t, `${t}.pdf`))));
    await vi.waitFor(() => expect(downloads.started).toHaveLength(2));
    await downloads.complete(1);
    await vi.waitFor(() => expect(downloads.started).toHaveLength(3));
    const cancelled = await engine.cancelJob(job.id);
    expect(downloads.discarded).toEqual([2, 3]);
    expect(cancelled?.finishedAt).toBeDefined();
    expect(cancelled?.items.map((i) => [i.state, i.problem])).toEqual([
      ['done', undefined],
      ['failed', { kind: 'cancelled' }],
      ['failed', { kind: 'cancelled' }],
    ]);
    // Chrome's later word on a discarded download changes nothing.
    await downloads.interrupt(2, 'USER_CANCELED');
    expect(states(await jobOf(engine, job.id))).toEqual(['done', 'failed', 'failed']);
  });

  it('"Retry failed" queues only the failed items again, each with fresh attempts, in the same job', async () => {
    const resolver = fakeResolver({ problems: { boxcnB: [{ kind: 'no-link' }] } });
    const { engine, downloads } = setup({ resolver });
    const job = await engine.startJob(newJob(['boxcnA', 'boxcnB', 'boxcnC'].map((t) => attachment(t, `${t}.pdf`))));
    const first = await finished(engine, job.id);
    expect(states(first)).toEqual(['done', 'failed', 'done']);
    expect(downloads.started).toHaveLength(2);

    const retried = await engine.retryFailed(job.id);
    expect(retried?.finishedAt).toBeUndefined();
    const done = await finished(engine, job.id);
    expect(done.items.map((i) => [i.state, i.attempts])).toEqual([
      ['done', 1],
      ['done', 1],
      ['done', 1],
    ]);
    expect(downloads.started.map((s) => s.request.filename)).toEqual([`${ROOT}/boxcnA.pdf`, `${ROOT}/boxcnC.pdf`, `${ROOT}/boxcnB.pdf`]);
  });

  it('pauses the job instead of failing every row when the credentials are refused, and goes on once they are fixed', async () => {
    const refused: Problem = { kind: 'token-expired', code: 99991677 };
    const resolver = fakeResolver({ problems: { boxcnA: [refused], boxcnB: [refused] } });
    const { engine, downloads } = setup({ resolver, engine: { concurrency: 2 } });
    const job = await engine.startJob(newJob(['boxcnA', 'boxcnB', 'boxcnC'].map((t) => attachment(t, `${t}.pdf`))));
    await vi.waitFor(async () => expect((await jobOf(engine, job.id)).paused).toBeDefined());
    await new Promise((resolve) => setTimeout(resolve, 20));
    const held = await jobOf(engine, job.id);
    expect(held.paused?.problem).toEqual(refused);
    expect(held.items.map((i) => [i.state, i.attempts, i.problem])).toEqual([
      ['queued', 0, undefined],
      ['queued', 0, undefined],
      ['queued', 0, undefined],
    ]);
    expect(downloads.started).toHaveLength(0);

    // A new token is saved: the background resumes what credentials held.
    await engine.resumeHeldJobs();
    const done = await finished(engine, job.id);
    expect(states(done)).toEqual(['done', 'done', 'done']);
  });

  it('asks again, after resuming, for the links a refused batch left unused (they were refused with the old grant)', async () => {
    // A signed-in user had not granted a scope: the whole batch was refused, one item paused the job.
    const refused: Problem = { kind: 'scope-missing', code: 99991679, scopes: ['docs:document.media:download'], remedy: 'consent' };
    const resolver = fakeResolver({ problems: { boxcnA: [refused], boxcnB: [refused], boxcnC: [refused] } });
    const { engine, downloads } = setup({ resolver, engine: { concurrency: 1 } });
    const job = await engine.startJob(newJob(['boxcnA', 'boxcnB', 'boxcnC'].map((t) => attachment(t, `${t}.pdf`))));
    await vi.waitFor(async () => expect((await jobOf(engine, job.id)).paused?.problem).toEqual(refused));
    expect(resolver.calls).toEqual([['boxcnA', 'boxcnB', 'boxcnC']]);

    // The user grants it: the refusals kept for B and C are stale, and are not handed out.
    await engine.resumeHeldJobs(new Set(['scope-missing']));
    const done = await finished(engine, job.id);
    expect(states(done)).toEqual(['done', 'done', 'done']);
    expect(done.paused).toBeUndefined();
    expect(downloads.started).toHaveLength(3);
  });

  it('does not resume a job the user paused when credentials change', async () => {
    const downloads = new FakeDownloads();
    const { engine } = setup({ downloads });
    const job = await engine.startJob(newJob([attachment('boxcnA', 'a.pdf'), attachment('boxcnB', 'b.pdf')]));
    await engine.pauseJob(job.id);
    await engine.resumeHeldJobs();
    expect((await jobOf(engine, job.id)).paused).toBeDefined();
  });

  it('restarts a dropped download with a fresh link even when Chrome could resume it (a resumed download loses its name)', async () => {
    const downloads = new FakeDownloads();
    const { engine, resolver } = setup({ downloads });
    const job = await engine.startJob(newJob([attachment('boxcnA', 'a.pdf')]));
    await vi.waitFor(() => expect(downloads.started).toHaveLength(1));
    await downloads.interruptResumable(1, 'NETWORK_FAILED');
    await vi.waitFor(() => expect(downloads.started).toHaveLength(2));
    expect(downloads.resumed).toEqual([]);
    expect(downloads.discarded).toEqual([1]);
    expect(resolver.calls).toEqual([['boxcnA'], ['boxcnA']]);
    await downloads.complete(2);
    expect((await finished(engine, job.id)).items[0]).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('never starts a file twice when the worker stopped between starting its download and saving the id', async () => {
    const downloads = new FakeDownloads({ hangStart: true });
    const before = setup({ downloads });
    const job = await before.engine.startJob(newJob([attachment('boxcnA', 'a.pdf'), attachment('boxcnB', 'b.pdf')]));
    await vi.waitFor(() => expect(downloads.started).toHaveLength(2));
    // The worker stops here: the stored job still says "resolving" for both, without download ids.
    await vi.waitFor(async () => expect((await readJob(job.id))?.items.map((i) => i.state)).toEqual(['resolving', 'resolving']));
    downloads.unhang();
    const after = setup({ downloads });
    await after.engine.resume();
    const resumed = (await after.engine.getJobs()).find((j) => j.id === job.id)!;
    expect(resumed.items.map((i) => [i.state, i.downloadId])).toEqual([
      ['downloading', 1],
      ['downloading', 2],
    ]);
    await downloads.complete(1);
    await downloads.complete(2);
    const done = await finished(after.engine, job.id);
    expect(done.items.map((i) => i.state)).toEqual(['done', 'done']);
    expect(downloads.started).toHaveLength(2);
  });

  it('reconciles a restarted job before anything runs: no item is picked up, put back and started twice', async () => {
    // The stopped worker left one item "resolving" (its start not recorded) and three "queued" (picked, not saved).
    const downloads = new FakeDownloads({ hangStart: true });
    const before = setup({ downloads, engine: { concurrency: 4 } });
    const job = await before.engine.startJob(newJob(['boxcnA', 'boxcnB', 'boxcnC', 'boxcnD'].map((t) => attachment(t, `${t}.pdf`))));
    await vi.waitFor(() => expect(downloads.started).toHaveLength(4));
    const stored = (await readJob(job.id))!;
    stored.items.forEach((i, n) => (i.state = n === 0 ? 'resolving' : 'queued'));
    await new JobStore().save(stored);
    await new DownloadIntents().forget(`${job.id}\n${stored.items[0]!.id}`);
    // Chrome lost the first worker's downloads (a browser restart): every item must start again, once.
    downloads.started.length = 0;
    downloads.snapshots.clear();
    downloads.unhang();
    const slowIntents = new DownloadIntents();
    const get = slowIntents.get.bind(slowIntents);
    vi.spyOn(slowIntents, 'get').mockImplementation(async (key) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return get(key);
    });
    // B's link takes its time (it is still "resolving" while the new worker looks at the job).
    const resolver = fakeResolver({ slow: new Set(['boxcnB']) });
    const after = setup({ downloads, resolver, engine: { concurrency: 5, intents: slowIntents } });
    // Another page's job starts while the new worker reconciles: it pumps the queue.
    const other = after.engine.startJob(newJob([attachment('boxcnE', 'e.pdf')], { pageKey: 'other-page' }));
    await after.engine.resume();
    await other;
    await vi.waitFor(() => expect(downloads.started).toHaveLength(5));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(downloads.started.map((s) => s.request.filename).sort()).toEqual([...['boxcnA', 'boxcnB', 'boxcnC', 'boxcnD'].map((t) => `${ROOT}/${t}.pdf`), `${ROOT}/e.pdf`]);
    expect((await after.engine.getJobs()).flatMap((j) => j.items).filter((i) => i.state === 'failed')).toEqual([]);
    // Each link was asked for once: no item was taken up twice.
    const asked = resolver.calls.flat();
    expect(asked.length).toBe(new Set(asked).size);
  });

  it('asks for each link once, in full batches, however many items run at once', async () => {
    const { engine, resolver } = setup({ engine: { concurrency: 3 } });
    const tokens = Array.from({ length: 100 }, (_, i) => `boxcn${String(i).padStart(3, '0')}`);
    const job = await engine.startJob(newJob(tokens.map((t) => attachment(t, `${t}.pdf`))));
    await finished(engine, job.id);
    expect(resolver.calls.flat().sort()).toEqual([...tokens].sort());
    expect(resolver.calls).toHaveLength(20);
  });

  it('reads its concurrency before every round, so a changed setting applies to a running job', async () => {
    let concurrency = 1;
    const downloads = new FakeDownloads();
    const { engine } = setup({ downloads, engine: { concurrency: () => concurrency } });
    await engine.startJob(newJob(['boxcnA', 'boxcnB', 'boxcnC', 'boxcnD'].map((t) => attachment(t, `${t}.pdf`))));
    await vi.waitFor(() => expect(downloads.started).toHaveLength(1));
    concurrency = 3;
    await downloads.complete(1);
    await vi.waitFor(() => expect(downloads.started).toHaveLength(4));
    expect(downloads.maxRunning).toBe(3);
  });
});
