/** A download job and its items, as kept in extension storage so that nothing is lost when the worker stops. */
import { storage } from '#imports';
import * as z from 'zod/mini';
import { AttachmentSchema } from '../core/attachment';
import { ProblemSchema } from '../core/problem';

export const ItemStateSchema = z.enum(['queued', 'resolving', 'downloading', 'done', 'failed']);
export type ItemState = z.infer<typeof ItemStateSchema>;

export const JobItemSchema = z.object({
  /** The attachment's id (unique within the job). */
  id: z.string(),
  attachment: AttachmentSchema,
  /** Sanitised folder segments below the Downloads folder. */
  folder: z.array(z.string()).check(z.minLength(1)),
  /** Sanitised, unique (within its folder) file name; may gain its extension once the file's type is known. */
  fileName: z.string().check(z.minLength(1)),
  /** False until the name no longer depends on the file's headers. */
  nameFinal: z.boolean(),
  state: ItemStateSchema,
  attempts: z.int().check(z.nonnegative()),
  downloadId: z.optional(z.int()),
  /** Where Chrome saved the file (absolute path), once known. */
  savedAs: z.optional(z.string()),
  problem: z.optional(ProblemSchema),
});
export type JobItem = z.infer<typeof JobItemSchema>;

export const JobSchema = z.object({
  id: z.string(),
  tabId: z.optional(z.int()),
  pageKey: z.string(),
  title: z.string(),
  createdAt: z.number(),
  finishedAt: z.optional(z.number()),
  /**
   * Held: by the user (no problem), or by a problem every item would hit (credentials refused, daily quota used up);
   * nothing new starts until it is resumed.
   */
  paused: z.optional(z.object({ at: z.number(), problem: z.optional(ProblemSchema) })),
  cancelledAt: z.optional(z.number()),
  items: z.array(JobItemSchema),
});
export type Job = z.infer<typeof JobSchema>;

export function jobStorageKey(jobId: string): `local:job:${string}` {
  return `local:job:${jobId}`;
}

const jobIndex = storage.defineItem<string[]>('local:job-index', { fallback: [], version: 1 });

/** Finished jobs kept for the popup and reports; older ones are forgotten. */
const KEEP_FINISHED_JOBS = 20;

/** Only the background writes jobs; writes are serialised so a later snapshot never loses to an earlier one. */
export class JobStore {
  private writes: Promise<void> = Promise.resolve();

  async loadAll(): Promise<Job[]> {
    const ids = await jobIndex.getValue();
    const values = await storage.getItems(ids.map(jobStorageKey));
    const jobs: Job[] = [];
    for (const { value } of values) {
      const parsed = JobSchema.safeParse(value);
      if (parsed.success) jobs.push(parsed.data);
    }
    return jobs.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Jobs with a write queued but not begun: a later save of the same job joins it (the write takes its state then). */
  private readonly queued = new Map<string, { job: Job; written: Promise<void> }>();

  /**
   * Resolves once a write holding this state of the job has landed. Saves that come while earlier writes run are
   * coalesced into one (a job of 1,000 items changes thousands of times; each write is the whole job).
   */
  save(job: Job): Promise<void> {
    const waiting = this.queued.get(job.id);
    if (waiting) {
      waiting.job = job;
      return waiting.written;
    }
    const entry = { job, written: Promise.resolve() };
    entry.written = this.writes.then(async () => {
      this.queued.delete(job.id);
      const snapshot = structuredClone(entry.job);
      const ids = await jobIndex.getValue();
      if (!ids.includes(snapshot.id)) await jobIndex.setValue(await this.prune([...ids, snapshot.id]));
      await storage.setItem(jobStorageKey(snapshot.id), snapshot);
    });
    this.queued.set(job.id, entry);
    this.writes = entry.written.catch(() => undefined);
    return entry.written;
  }

  private async prune(ids: string[]): Promise<string[]> {
    if (ids.length <= KEEP_FINISHED_JOBS + 5) return ids;
    const values = await storage.getItems(ids.map(jobStorageKey));
    const finished = values
      .map(({ value }) => JobSchema.safeParse(value))
      .filter((p) => p.success && p.data.finishedAt !== undefined)
      .map((p) => p.data!)
      .sort((a, b) => a.createdAt - b.createdAt);
    const drop = new Set(finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED_JOBS)).map((j) => j.id));
    await storage.removeItems([...drop].map(jobStorageKey));
    return ids.filter((id) => !drop.has(id));
  }
}

export async function readJob(jobId: string): Promise<Job | null> {
  const parsed = JobSchema.safeParse(await storage.getItem(jobStorageKey(jobId)));
  return parsed.success ? parsed.data : null;
}

export function watchJob(jobId: string, callback: (job: Job | null) => void): () => void {
  return storage.watch(jobStorageKey(jobId), (value) => {
    const parsed = JobSchema.safeParse(value);
    callback(parsed.success ? parsed.data : null);
  });
}

const IntentsSchema = z.record(z.string(), z.string());
const intentsItem = storage.defineItem<unknown>('session:download-intents', { fallback: {} });

/**
 * Downloads handed to Chrome whose id is not stored yet. A worker stopped between `downloads.download()` and saving
 * the id would otherwise start the file again (and Chrome would keep both): after a restart the link finds Chrome's
 * download. The links are signed, so they stay in session storage (memory), never on disk, and only that long.
 */
export class DownloadIntents {
  private queue: Promise<unknown> = Promise.resolve();

  record(key: string, url: string): Promise<void> {
    return this.update((all) => ({ ...all, [key]: url }));
  }

  forget(key: string): Promise<void> {
    return this.update((all) => {
      const { [key]: _gone, ...rest } = all;
      return rest;
    });
  }

  async get(key: string): Promise<string | undefined> {
    await this.queue;
    return (await this.read())[key];
  }

  private update(change: (all: Record<string, string>) => Record<string, string>): Promise<void> {
    const turn = this.queue.then(async () => intentsItem.setValue(change(await this.read())));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async read(): Promise<Record<string, string>> {
    const parsed = IntentsSchema.safeParse(await intentsItem.getValue());
    return parsed.success ? parsed.data : {};
  }
}
