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

/**
 * A job is kept as its head (`local:job:<id>`: everything but the items, and how many chunks) and its items in
 * chunks of 100 (`local:job:<id>:items:<n>`). A write sends only the chunks that changed: a 1,000-item job otherwise
 * rewrites (and every extension page re-reads) half a megabyte for each file saved.
 */
export const ITEMS_PER_CHUNK = 100;

export function jobChunkKey(jobId: string, chunk: number): `local:job:${string}` {
  return `local:job:${jobId}:items:${chunk}`;
}

const JobHeadSchema = z.extend(z.omit(JobSchema, { items: true }), { chunks: z.int().check(z.nonnegative()) });
const ChunkSchema = z.array(JobItemSchema);

function chunksOf(items: readonly JobItem[]): JobItem[][] {
  const chunks: JobItem[][] = [];
  for (let i = 0; i < items.length; i += ITEMS_PER_CHUNK) chunks.push(items.slice(i, i + ITEMS_PER_CHUNK));
  return chunks;
}

/** A job from its stored head and chunks (or from one value, as jobs were stored before chunks); null if damaged. */
function assemble(head: unknown, chunkValues: readonly unknown[]): Job | null {
  if (typeof head === 'object' && head !== null && 'items' in head) {
    const whole = JobSchema.safeParse(head);
    return whole.success ? whole.data : null;
  }
  const parsedHead = JobHeadSchema.safeParse(head);
  if (!parsedHead.success || chunkValues.length !== parsedHead.data.chunks) return null;
  const items: JobItem[] = [];
  for (const value of chunkValues) {
    const chunk = ChunkSchema.safeParse(value);
    if (!chunk.success) return null;
    items.push(...chunk.data);
  }
  const { chunks: _count, ...rest } = parsedHead.data;
  const job = JobSchema.safeParse({ ...rest, items });
  return job.success ? job.data : null;
}

async function chunkCountOf(jobId: string): Promise<number> {
  const head = JobHeadSchema.safeParse(await storage.getItem(jobStorageKey(jobId)));
  return head.success ? head.data.chunks : 0;
}

const jobIndex = storage.defineItem<string[]>('local:job-index', { fallback: [], version: 1 });

/** Finished jobs kept for the popup and reports; older ones are forgotten. */
const KEEP_FINISHED_JOBS = 20;

/** Only the background writes jobs; writes are serialised so a later snapshot never loses to an earlier one. */
export class JobStore {
  private writes: Promise<void> = Promise.resolve();
  /** What each key holds now (as JSON), so unchanged chunks are not written again. */
  private readonly written = new Map<string, string>();

  async loadAll(): Promise<Job[]> {
    const ids = await jobIndex.getValue();
    const jobs: Job[] = [];
    for (const id of ids) {
      const job = await readJob(id);
      if (job) jobs.push(job);
    }
    return jobs.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Jobs with a write queued but not begun: a later save of the same job joins it (the write takes its state then). */
  private readonly queued = new Map<string, { job: Job; written: Promise<void> }>();

  /**
   * Resolves once a write holding this state of the job has landed. Saves that come while earlier writes run are
   * coalesced into one, and a write sends only what changed.
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
      const ids = await jobIndex.getValue();
      if (!ids.includes(job.id)) await jobIndex.setValue(await this.prune([...ids, job.id]));
      const { items, ...head } = entry.job;
      const chunks = chunksOf(items);
      const values: { key: `local:job:${string}`; value: unknown }[] = [
        { key: jobStorageKey(job.id), value: { ...head, chunks: chunks.length } },
        ...chunks.map((chunk, n) => ({ key: jobChunkKey(job.id, n), value: chunk })),
      ];
      const changed = values.flatMap(({ key, value }) => {
        const json = JSON.stringify(value);
        return this.written.get(key) === json ? [] : [{ key, value: JSON.parse(json) as unknown, json }];
      });
      if (changed.length === 0) return;
      await storage.setItems(changed.map(({ key, value }) => ({ key, value })));
      for (const { key, json } of changed) this.written.set(key, json);
    });
    this.queued.set(job.id, entry);
    this.writes = entry.written.catch(() => undefined);
    return entry.written;
  }

  private async prune(ids: string[]): Promise<string[]> {
    if (ids.length <= KEEP_FINISHED_JOBS + 5) return ids;
    const jobs = (await Promise.all(ids.map((id) => readJob(id)))).filter((j): j is Job => j !== null);
    const finished = jobs.filter((j) => j.finishedAt !== undefined).sort((a, b) => a.createdAt - b.createdAt);
    const drop = new Set(finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED_JOBS)).map((j) => j.id));
    const keys: `local:job:${string}`[] = [];
    for (const id of drop) {
      keys.push(jobStorageKey(id));
      for (let n = 0; n < (await chunkCountOf(id)); n++) keys.push(jobChunkKey(id, n));
    }
    await storage.removeItems(keys);
    for (const key of keys) this.written.delete(key);
    return ids.filter((id) => !drop.has(id));
  }
}

export async function readJob(jobId: string): Promise<Job | null> {
  const head = await storage.getItem(jobStorageKey(jobId));
  const count = JobHeadSchema.safeParse(head);
  const chunks = count.success ? await storage.getItems(Array.from({ length: count.data.chunks }, (_, n) => jobChunkKey(jobId, n))) : [];
  return assemble(head, chunks.map((c): unknown => c.value));
}

/**
 * Calls back with the job each time it changes: once per write, whatever the number of chunks it touched. Chunks come
 * with the change events; one not seen yet (a new job) is read.
 */
export function watchJob(jobId: string, callback: (job: Job | null) => void): () => void {
  let stopped = false;
  let head: unknown = undefined;
  const chunks: unknown[] = [];
  const unwatchers: (() => void)[] = [];
  let scheduled = false;
  let chain: Promise<void> = Promise.resolve();
  const watchChunks = (count: number) => {
    for (let n = unwatchers.length - 1; n < count; n++) {
      const index = n;
      unwatchers.push(
        storage.watch(jobChunkKey(jobId, index), (value) => {
          chunks[index] = value;
          emit();
        }),
      );
    }
  };
  const emit = () => {
    if (scheduled) return;
    scheduled = true;
    chain = chain.then(async () => {
      scheduled = false;
      const count = JobHeadSchema.safeParse(head);
      if (count.success) {
        chunks.length = count.data.chunks;
        watchChunks(count.data.chunks);
        const missing = Array.from({ length: count.data.chunks }, (_, n) => n).filter((n) => chunks[n] === undefined);
        const values = await storage.getItems(missing.map((n) => jobChunkKey(jobId, n)));
        missing.forEach((n, i) => {
          const value: unknown = values[i]?.value;
          chunks[n] ??= value;
        });
      }
      if (!stopped) callback(assemble(head, chunks));
    });
  };
  unwatchers.push(
    storage.watch(jobStorageKey(jobId), (value) => {
      head = value;
      emit();
    }),
  );
  void storage.getItem(jobStorageKey(jobId)).then((current) => {
    if (stopped || head !== undefined) return;
    head = current;
    const count = JobHeadSchema.safeParse(current);
    // Only to start watching its chunks: the caller reads the job itself (readJob) when it starts.
    if (count.success) watchChunks(count.data.chunks);
  });
  return () => {
    stopped = true;
    for (const unwatch of unwatchers) unwatch();
  };
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
