/**
 * The download engine every platform goes through: a persistent job queue that resolves links just in time,
 * names files safely, hands them to chrome.downloads with bounded concurrency, and ends every item either saved
 * or failed with a reason.
 */
import type { Attachment } from '../core/attachment';
import { toProblem, type Problem } from '../core/problem';
import { extensionForMimeType } from './content-type';
import { isRetryableInterrupt } from './interrupts';
import { DownloadIntents, type Job, type JobItem, type JobStore } from './job';
import { LinkBatcher, type LinkResolver, type ResolvedLink } from './links';
import { FILE_NAME_LIMITS, FOLDER_NAME_LIMITS, NameRegistry, sanitizeSegment, splitExtension, joinPath } from './naming';
import type { Probe, ProbeResult } from './probe';

export interface DownloadRequest {
  readonly url: string;
  readonly filename: string;
  readonly headers?: readonly { readonly name: string; readonly value: string }[];
}

export interface DownloadSnapshot {
  readonly id: number;
  readonly state: string;
  readonly error?: string;
  readonly filename?: string;
  /** Chrome can continue this interrupted download where it stopped (the server supports ranges). */
  readonly canResume?: boolean;
  readonly paused?: boolean;
}

export interface DownloadDelta {
  readonly id: number;
  readonly state?: { readonly current?: string };
  readonly error?: { readonly current?: string };
  readonly filename?: { readonly current?: string };
}

/** What the engine needs of chrome.downloads; the background passes the real API, tests a fake. */
export interface DownloadsPort {
  start(request: DownloadRequest): Promise<number>;
  search(id: number): Promise<DownloadSnapshot | undefined>;
  /** Forgets a download that will not complete: its partial file and its entry in the browser's list. */
  discard(id: number): Promise<void>;
  /** Holds a running download / lets a held one go on. */
  pause(id: number): Promise<void>;
  resume(id: number): Promise<void>;
  /** The newest download of `url` Chrome knows (one we started but had no time to record). */
  findByUrl(url: string): Promise<DownloadSnapshot | undefined>;
}

export interface NewJob {
  readonly tabId?: number;
  readonly pageKey: string;
  readonly title: string;
  /** Raw root folder segments, e.g. ['Feishu', '<title>']; sanitised here. */
  readonly folder: readonly string[];
  readonly attachments: readonly Attachment[];
}

export interface EngineOptions {
  readonly store: JobStore;
  /** Downloads started but not recorded yet (session storage by default). */
  readonly intents?: DownloadIntents;
  readonly downloads: DownloadsPort;
  readonly resolverFor: (attachment: Attachment) => LinkResolver;
  readonly probe: Probe;
  /** Parallel downloads; read before each round, so a changed setting applies to running jobs. */
  readonly concurrency?: number | (() => number);
  /** Attempts per item before a retryable failure is final. */
  readonly maxAttempts?: number;
  readonly onJobChanged?: (job: Job) => void;
  readonly newId?: () => string;
  readonly now?: () => number;
}

const UNKNOWN_TYPE: ProbeResult = { contentType: null, fileName: null, sniffedExtension: null, size: null };
/**
 * Problems every item of the job would hit alike (the credentials were refused, the day's quota is used up): the
 * job pauses with the problem instead of failing every row, and goes on once it is solved.
 */
const PAUSES_THE_JOB: ReadonlySet<Problem['kind']> = new Set(['credentials-missing', 'token-invalid', 'token-expired', 'app-credentials-invalid', 'sign-in-required', 'host-permission-missing', 'daily-quota']);
/** A signed-in user's missing grant is theirs to give in Settings (re-consent), like a credential: the job waits. */
function pausesTheJob(problem: Problem): boolean {
  return PAUSES_THE_JOB.has(problem.kind) || problem.remedy === 'consent';
}
const ACTIVE: ReadonlySet<JobItem['state']> = new Set(['resolving', 'downloading']);
const OPEN: ReadonlySet<JobItem['state']> = new Set(['queued', 'resolving', 'downloading']);

export class DownloadEngine {
  private jobs: Job[] = [];
  private readonly registries = new Map<string, NameRegistry>();
  private readonly batchers = new Map<LinkResolver, LinkBatcher>();
  /** Chrome may report a download's end before `download()` resolved with its id. */
  private readonly earlyDeltas = new Map<number, DownloadDelta[]>();
  private readonly loaded: Promise<void>;
  private pumping = false;
  private pumpAgain = false;
  private readonly intents: DownloadIntents;

  constructor(private readonly options: EngineOptions) {
    this.intents = options.intents ?? new DownloadIntents();
    // Nothing (no pump, no Chrome event) touches a job before it is reconciled with what Chrome did meanwhile:
    // an item picked up before that could be put back in the queue and started twice.
    this.loaded = this.load().then(() => this.reconcile());
  }

  /** Jobs as loaded from storage at start-up, then kept in memory (the background is the only writer). */
  private async load(): Promise<void> {
    this.jobs = await this.options.store.loadAll();
    for (const job of this.jobs) this.registries.set(job.id, registryFor(job));
  }

  async getJobs(): Promise<readonly Job[]> {
    await this.loaded;
    return this.jobs;
  }

  /** The open job for a page, if one is running: "Download all" twice must not save everything twice. */
  async findOpenJob(pageKey: string): Promise<Job | undefined> {
    await this.loaded;
    return this.jobs.find((j) => j.pageKey === pageKey && j.finishedAt === undefined);
  }

  async startJob(input: NewJob): Promise<Job> {
    await this.loaded;
    const open = this.jobs.find((j) => j.pageKey === input.pageKey && j.finishedAt === undefined);
    if (open) return open;

    const now = this.options.now?.() ?? Date.now();
    const id = this.options.newId?.() ?? `${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const root = input.folder.map((segment, i) => sanitizeSegment(segment, FOLDER_NAME_LIMITS, i === 0 ? 'Downloads' : 'Untitled'));
    const registry = new NameRegistry();
    const seen = new Set<string>();
    const items: JobItem[] = [];
    for (const attachment of input.attachments) {
      if (seen.has(attachment.id)) continue;
      seen.add(attachment.id);
      const folder = [...root, ...attachment.subfolders.map((s) => sanitizeSegment(s, FOLDER_NAME_LIMITS, 'Untitled'))];
      const wanted = sanitizeSegment(attachment.name, FILE_NAME_LIMITS, attachment.kind === 'image' ? 'image' : 'attachment');
      items.push({
        id: attachment.id,
        attachment,
        folder,
        fileName: registry.claim(folder.join('/'), wanted),
        nameFinal: !needsProbe(attachment),
        state: 'queued',
        attempts: 0,
      });
    }
    const job: Job = { id, tabId: input.tabId, pageKey: input.pageKey, title: input.title, createdAt: now, items };
    if (items.length === 0) job.finishedAt = now;
    this.jobs.push(job);
    this.registries.set(job.id, registry);
    await this.persist(job);
    void this.pump();
    return job;
  }

  /** After the worker restarts: jobs go on where they were (see `reconcile`). */
  async resume(): Promise<void> {
    await this.loaded;
    void this.pump();
  }

  /** Re-attaches downloads Chrome kept running or started unrecorded, settles those that ended meanwhile. */
  private async reconcile(): Promise<void> {
    for (const job of this.jobs) {
      if (job.finishedAt !== undefined) continue;
      for (const item of job.items) {
        // Handed to Chrome just before the worker stopped, its id not saved: find the download by its link.
        if ((item.state === 'resolving' || item.state === 'downloading') && item.downloadId === undefined) {
          const url = await this.intents.get(intentKey(job, item));
          const found = url ? await this.options.downloads.findByUrl(url).catch(() => undefined) : undefined;
          if (found) {
            item.downloadId = found.id;
            item.state = 'downloading';
          }
          await this.intents.forget(intentKey(job, item));
        }
        if (item.state === 'resolving') item.state = 'queued';
        if (item.state === 'downloading' && item.downloadId !== undefined) {
          const snapshot = await this.options.downloads.search(item.downloadId);
          if (!snapshot) this.requeueOrFail(item, { kind: 'download-interrupted', detail: 'DOWNLOAD_LOST' });
          else this.applyDownloadState(item, snapshot.state, snapshot.error, snapshot.filename);
        } else if (item.state === 'downloading') {
          item.state = 'queued';
        }
      }
      this.settle(job);
      await this.persist(job);
    }
  }

  async handleDownloadChanged(delta: DownloadDelta): Promise<void> {
    await this.loaded;
    const found = this.findByDownloadId(delta.id);
    if (!found) {
      // Possibly ours, started a moment ago: keep it until the id is recorded (bounded: Chrome ids are few).
      const list = this.earlyDeltas.get(delta.id) ?? [];
      list.push(delta);
      this.earlyDeltas.set(delta.id, list);
      if (this.earlyDeltas.size > 200) this.earlyDeltas.delete(this.earlyDeltas.keys().next().value!);
      return;
    }
    const { job, item } = found;
    this.applyDownloadState(item, delta.state?.current, delta.error?.current, delta.filename?.current);
    this.settle(job);
    await this.persist(job);
    void this.pump();
  }

  private applyDownloadState(item: JobItem, state: string | undefined, error: string | undefined, filename: string | undefined): void {
    if (filename) item.savedAs = filename;
    if (state === 'complete') {
      item.state = 'done';
      item.problem = undefined;
    } else if (state === 'interrupted') {
      const downloadId = item.downloadId;
      if (downloadId !== undefined) void this.options.downloads.discard(downloadId).catch(() => undefined);
      this.requeueOrFail(item, { kind: 'download-interrupted', detail: error ?? 'UNKNOWN' });
    }
  }


  private requeueOrFail(item: JobItem, problem: Problem): void {
    item.downloadId = undefined;
    item.savedAs = undefined;
    const retryable =
      problem.kind === 'download-interrupted'
        ? isRetryableInterrupt(problem.detail) || problem.detail === 'DOWNLOAD_LOST'
        : problem.kind === 'link-expired' || problem.kind === 'network';
    if (retryable && item.attempts < (this.options.maxAttempts ?? 3)) {
      item.state = 'queued';
    } else {
      item.state = 'failed';
      item.problem = problem;
    }
  }

  private findByDownloadId(downloadId: number): { job: Job; item: JobItem } | undefined {
    for (const job of this.jobs) {
      const item = job.items.find((i) => i.downloadId === downloadId && i.state === 'downloading');
      if (item) return { job, item };
    }
    return undefined;
  }

  /** Fills free slots with queued items, oldest job first. Re-entrant calls coalesce into one more round. */
  async pump(): Promise<void> {
    await this.loaded;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        const concurrency = this.concurrency();
        let active = this.jobs.reduce((n, j) => n + j.items.filter((i) => ACTIVE.has(i.state)).length, 0);
        for (const job of this.jobs) {
          if (job.paused || job.finishedAt !== undefined || job.cancelledAt !== undefined) continue;
          for (const item of job.items) {
            if (active >= concurrency) break;
            if (item.state !== 'queued') continue;
            item.state = 'resolving';
            item.attempts++;
            active++;
            void this.process(job, item);
          }
        }
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private concurrency(): number {
    const value = typeof this.options.concurrency === 'function' ? this.options.concurrency() : this.options.concurrency;
    return value !== undefined && Number.isInteger(value) && value >= 1 ? value : 3;
  }

  private async process(job: Job, item: JobItem): Promise<void> {
    // Items picked together share this write (the store coalesces), and then go on in the order they were picked.
    await this.persist(job);
    const batcher = this.batcherFor(this.options.resolverFor(item.attachment));
    try {
      // Candidates to share the call: items waiting, and items started alongside this one (the batcher leaves out
      // those that already hold a link).
      const upcoming = this.jobs.flatMap((j) => j.items.filter((i) => i !== item && (i.state === 'queued' || i.state === 'resolving')).map((i) => i.attachment));
      const result = await batcher.take(item.attachment, upcoming);
      if (job.cancelledAt !== undefined) {
        // Cancelled while its link was being asked for: the link goes unused.
        this.finishCancelled(item);
      } else if ('problem' in result && pausesTheJob(result.problem)) {
        // Not this item's fault: it waits, unspent, until the problem is solved.
        item.state = 'queued';
        item.attempts = Math.max(0, item.attempts - 1);
        job.paused ??= { at: this.now(), problem: result.problem };
      } else if ('problem' in result) {
        this.requeueOrFail(item, result.problem);
      } else {
        if (!item.nameFinal) await this.finaliseName(job, item, result.link);
        // Written before Chrome starts it: a worker stopped before the id is saved must not start it twice.
        await this.intents.record(intentKey(job, item), result.link.url);
        const downloadId = await this.options.downloads.start({
          url: result.link.url,
          filename: joinPath([...item.folder, item.fileName]),
          headers: result.link.headers,
        });
        item.downloadId = downloadId;
        item.state = 'downloading';
        for (const delta of this.earlyDeltas.get(downloadId) ?? []) {
          this.applyDownloadState(item, delta.state?.current, delta.error?.current, delta.filename?.current);
        }
        this.earlyDeltas.delete(downloadId);
      }
    } catch (error) {
      this.requeueOrFail(item, toProblem(error));
    } finally {
      batcher.release(item.id);
    }
    this.settle(job);
    const written = this.persist(job);
    void this.pump();
    // The intent goes once the download's id is safely stored (until then it is how a restart finds the download).
    await written;
    await this.intents.forget(intentKey(job, item));
  }

  /** Adds the real extension (and, for unnamed files, the real name) learnt from the file's first bytes. */
  private async finaliseName(job: Job, item: JobItem, link: ResolvedLink): Promise<void> {
    const probe = await this.options.probe(link).catch((error: unknown) => {
      // A link the server refused is a link problem (the item is retried with a fresh one). A probe that could
      // not even be sent (e.g. a host we may not read) must not cost the file: save it with what we know.
      if (toProblem(error).kind === 'network') return UNKNOWN_TYPE;
      throw error;
    });
    const { attachment } = item;
    const typeExtension = extensionForMimeType(probe.contentType) ?? probe.sniffedExtension;
    let wanted: string;
    if (attachment.kind === 'image') {
      // An image name (generated or a caption) is all stem: its type comes from the bytes, `.bin` when unknowable.
      const extension = typeExtension ?? extensionForMimeType(attachment.mimeType) ?? '.bin';
      wanted = attachment.name.toLowerCase().endsWith(extension) ? attachment.name : `${attachment.name}${extension}`;
    } else {
      const base = attachment.nameIsGenerated && probe.fileName ? probe.fileName : attachment.name;
      wanted = splitExtension(base).ext || !typeExtension ? base : `${base}${typeExtension}`;
    }
    const registry = this.registries.get(job.id) ?? registryFor(job);
    const folderKey = item.folder.join('/');
    registry.release(folderKey, item.fileName);
    item.fileName = registry.claim(folderKey, sanitizeSegment(wanted, FILE_NAME_LIMITS, 'attachment'));
    item.nameFinal = true;
    if (probe.size !== null && attachment.size === undefined) item.attachment = { ...attachment, size: probe.size };
  }

  private batcherFor(resolver: LinkResolver): LinkBatcher {
    let batcher = this.batchers.get(resolver);
    if (!batcher) {
      batcher = new LinkBatcher(resolver);
      this.batchers.set(resolver, batcher);
    }
    return batcher;
  }

  private settle(job: Job): void {
    if (job.finishedAt === undefined && job.items.every((i) => !OPEN.has(i.state))) {
      job.finishedAt = this.now();
      job.paused = undefined;
    }
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private findJob(jobId: string): Job | undefined {
    return this.jobs.find((j) => j.id === jobId);
  }

  /** The user holds the job: nothing new starts, and Chrome holds the downloads it runs. */
  async pauseJob(jobId: string): Promise<Job | undefined> {
    await this.loaded;
    const job = this.findJob(jobId);
    if (!job || job.finishedAt !== undefined) return job;
    job.paused = { at: this.now() };
    for (const item of job.items) {
      if (item.state === 'downloading' && item.downloadId !== undefined) await this.options.downloads.pause(item.downloadId).catch(() => undefined);
    }
    await this.persist(job);
    return job;
  }

  /** Lets a held job go on: by the user, or once what held it (credentials, quota) may be solved. */
  async resumeJob(jobId: string): Promise<Job | undefined> {
    await this.loaded;
    const job = this.findJob(jobId);
    if (!job?.paused) return job;
    job.paused = undefined;
    // Refusals that came with the batch which paused the job are stale now (new credentials, a new grant).
    for (const batcher of this.batchers.values()) batcher.dropProblems();
    for (const item of job.items) {
      if (item.state === 'downloading' && item.downloadId !== undefined) await this.options.downloads.resume(item.downloadId).catch(() => undefined);
    }
    await this.persist(job);
    void this.pump();
    return job;
  }

  /** Resumes every job a problem held (not those the user paused): settings changed, or the quota renewed. */
  async resumeHeldJobs(kinds: ReadonlySet<Problem['kind']> = PAUSES_THE_JOB): Promise<void> {
    await this.loaded;
    for (const job of this.jobs) {
      if (job.paused?.problem && kinds.has(job.paused.problem.kind)) await this.resumeJob(job.id);
    }
  }

  /** Stops the job: what is not saved yet is listed as cancelled, partial files are removed. */
  async cancelJob(jobId: string): Promise<Job | undefined> {
    await this.loaded;
    const job = this.findJob(jobId);
    if (!job || job.finishedAt !== undefined) return job;
    job.cancelledAt = this.now();
    job.paused = undefined;
    // Marked first: Chrome's word on the downloads we discard next must find nothing of ours to retry.
    const running: number[] = [];
    for (const item of job.items) {
      if (item.state === 'downloading' && item.downloadId !== undefined) running.push(item.downloadId);
      // An item resolving now is finished when its link arrives (see process).
      if (item.state === 'queued' || item.state === 'downloading') this.finishCancelled(item);
    }
    for (const id of running) await this.options.downloads.discard(id).catch(() => undefined);
    this.settle(job);
    await this.persist(job);
    return job;
  }

  /** Queues the failed items of a finished job again, each with a fresh budget of attempts; the rest stays done. */
  async retryFailed(jobId: string): Promise<Job | undefined> {
    await this.loaded;
    const job = this.findJob(jobId);
    if (!job || job.finishedAt === undefined || !job.items.some((i) => i.state === 'failed')) return job;
    for (const item of job.items) {
      if (item.state !== 'failed') continue;
      item.state = 'queued';
      item.attempts = 0;
      item.problem = undefined;
    }
    job.finishedAt = undefined;
    job.cancelledAt = undefined;
    job.paused = undefined;
    await this.persist(job);
    void this.pump();
    return job;
  }

  private finishCancelled(item: JobItem): void {
    item.state = 'failed';
    item.problem = { kind: 'cancelled' };
    item.downloadId = undefined;
    item.savedAs = undefined;
  }

  private async persist(job: Job): Promise<void> {
    this.options.onJobChanged?.(job);
    await this.options.store.save(job);
  }
}

function needsProbe(attachment: Attachment): boolean {
  // A link that may be used only a few times (mail) is never spent on learning the type: saved with the name it has.
  if (attachment.noProbe) return false;
  return attachment.nameIsGenerated || splitExtension(attachment.name).ext === '';
}

function intentKey(job: Job, item: JobItem): string {
  return `${job.id}\n${item.id}`;
}

function registryFor(job: Job): NameRegistry {
  return new NameRegistry(job.items.map((i) => [i.folder.join('/'), i.fileName] as const));
}
