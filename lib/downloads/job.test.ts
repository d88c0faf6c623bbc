import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { storage } from '#imports';
import { JobStore, jobStorageKey, readJob, watchJob, type Job } from './job';

function job(n: number, extra: Partial<Job> = {}): Job {
  return {
    id: `job-${n}`,
    tabId: 3,
    pageKey: `feishu:acme.feishu.cn:docx:Doc${n}`,
    title: `Doc ${n}`,
    createdAt: 1_000 + n,
    items: [
      {
        id: `feishu-media:boxcn${n}`,
        attachment: {
          id: `feishu-media:boxcn${n}`,
          name: 'report.pdf',
          nameIsGenerated: false,
          kind: 'file',
          source: { type: 'feishu-media', apiBase: 'https://open.feishu.cn', token: `boxcnToken${n}` },
          subfolders: [],
        },
        folder: ['Feishu', `Doc ${n}`],
        fileName: 'report.pdf',
        nameFinal: true,
        state: 'queued',
        attempts: 0,
      },
    ],
    ...extra,
  };
}

beforeEach(() => {
  fakeBrowser.reset();
});

describe('JobStore', () => {
  it('loads nothing from empty storage', async () => {
    expect(await new JobStore().loadAll()).toEqual([]);
  });

  it('loads what it saved, oldest first', async () => {
    const store = new JobStore();
    await store.save(job(2));
    await store.save(job(1));
    expect(await new JobStore().loadAll()).toEqual([job(1), job(2)]);
    expect(await readJob('job-2')).toEqual(job(2));
  });

  it('resolves a save once a write holding at least that state landed', async () => {
    const store = new JobStore();
    const live = job(1);
    const first = store.save(live);
    live.items[0]!.state = 'done';
    await first;
    // The write takes the job as it is when it begins: never older than what was saved.
    expect(['queued', 'done']).toContain((await readJob('job-1'))?.items[0]?.state);
    await store.save(live);
    expect((await readJob('job-1'))?.items[0]?.state).toBe('done');
  });

  it('coalesces saves made while a write runs into one write of the latest state (a big job changes often)', async () => {
    const store = new JobStore();
    const live = job(1);
    await store.save(live);
    const setItems = vi.spyOn(storage, 'setItems');
    const saves = (['resolving', 'downloading', 'done'] as const).map((state) => {
      live.items[0]!.state = state;
      return store.save(live);
    });
    await Promise.all(saves);
    expect(setItems).toHaveBeenCalledTimes(1);
    expect((await readJob('job-1'))?.items[0]?.state).toBe('done');
  });

  it('keeps the order of writes: the last snapshot wins', async () => {
    const store = new JobStore();
    const live = job(1);
    const states = ['resolving', 'downloading', 'done'] as const;
    const writes = states.map((state) => {
      live.items[0]!.state = state;
      return store.save(live);
    });
    await Promise.all(writes);
    expect((await readJob('job-1'))?.items[0]?.state).toBe('done');
  });

  it('skips damaged entries', async () => {
    const store = new JobStore();
    await store.save(job(1));
    await store.save(job(2));
    await fakeBrowser.storage.local.set({ [jobStorageKey('job-1').slice('local:'.length)]: { id: 'job-1', items: 'broken' } });
    expect(await new JobStore().loadAll()).toEqual([job(2)]);
    expect(await readJob('job-1')).toBeNull();
    expect(await readJob('no-such-job')).toBeNull();
  });

  it('forgets the oldest finished jobs beyond twenty when a new job starts, never an open one', async () => {
    const store = new JobStore();
    // As the engine does: a job is saved when it starts, and again when it finishes. Job 0 never finishes.
    await store.save(job(0));
    for (let n = 1; n <= 24; n++) {
      await store.save(job(n));
      await store.save(job(n, { finishedAt: 5_000 + n }));
    }
    expect(await new JobStore().loadAll()).toHaveLength(25);
    await store.save(job(25));
    const kept = await new JobStore().loadAll();
    expect(kept.map((j) => j.id)).toEqual(['job-0', ...Array.from({ length: 20 }, (_, i) => `job-${i + 5}`), 'job-25']);
    expect(kept.filter((j) => j.finishedAt !== undefined)).toHaveLength(20);
    for (let n = 1; n <= 4; n++) expect(await readJob(`job-${n}`)).toBeNull();
  });

  it('keeps up to twenty-five jobs before pruning', async () => {
    const store = new JobStore();
    for (let n = 1; n <= 25; n++) await store.save(job(n, { finishedAt: 5_000 + n }));
    expect(await new JobStore().loadAll()).toHaveLength(25);
  });
});

describe('watchJob', () => {
  it('reports each saved version, and null for a damaged one', async () => {
    const seen: (Job | null)[] = [];
    const unwatch = watchJob('job-1', (j) => seen.push(j));
    const store = new JobStore();
    await store.save(job(1));
    await store.save(job(1, { finishedAt: 9_000 }));
    await fakeBrowser.storage.local.set({ 'job:job-1': 'broken' });
    await vi.waitFor(() => expect(seen).toHaveLength(3));
    unwatch();
    expect(seen).toEqual([job(1), job(1, { finishedAt: 9_000 }), null]);
  });
});

describe('JobStore in chunks', () => {
  /** A job of `count` items, each a copy of job(1)'s item with its own id. */
  function bigJob(count: number): Job {
    const base = job(1);
    const template = base.items[0]!;
    return { ...base, items: Array.from({ length: count }, (_, i) => ({ ...template, id: `item-${i}`, fileName: `file-${i}.pdf` })) };
  }

  it('writes a head and chunks of 100 items, and after that only what changed', async () => {
    const store = new JobStore();
    const live = bigJob(250);
    await store.save(live);
    expect(Object.keys(await fakeBrowser.storage.local.get(null)).sort()).toEqual(['job-index', 'job:job-1', 'job:job-1:items:0', 'job:job-1:items:1', 'job:job-1:items:2']);
    const setItems = vi.spyOn(storage, 'setItems');
    const keysWritten = () => setItems.mock.calls.map(([entries]) => (entries as { key: string }[]).map((e) => e.key));
    live.items[120]!.state = 'done';
    await store.save(live);
    expect(keysWritten()).toEqual([['local:job:job-1:items:1']]);
    live.finishedAt = 9_000;
    await store.save(live);
    expect(keysWritten().at(-1)).toEqual(['local:job:job-1']);
    expect(await readJob('job-1')).toEqual(live);
    expect(await new JobStore().loadAll()).toEqual([live]);
  });

  it('watches a chunked job: each change once, the whole job each time', async () => {
    const store = new JobStore();
    const live = bigJob(150);
    const seen: (Job | null)[] = [];
    const unwatch = watchJob('job-1', (j) => seen.push(j));
    await store.save(live);
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    live.items[140]!.state = 'done';
    await store.save(live);
    await vi.waitFor(() => expect(seen).toHaveLength(2));
    unwatch();
    expect(seen[0]?.items).toHaveLength(150);
    expect(seen[1]?.items[140]?.state).toBe('done');
  });

  it('still reads a job stored whole, as before chunks', async () => {
    await fakeBrowser.storage.local.set({ 'job:job-7': job(7) });
    expect(await readJob('job-7')).toEqual(job(7));
  });

  it('gives null when a chunk is missing or damaged', async () => {
    const store = new JobStore();
    await store.save(bigJob(150));
    await fakeBrowser.storage.local.set({ 'job:job-1:items:1': [{ id: 1 }] });
    expect(await readJob('job-1')).toBeNull();
    await fakeBrowser.storage.local.remove('job:job-1:items:1');
    expect(await readJob('job-1')).toBeNull();
  });
});
