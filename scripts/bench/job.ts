/**
 * One benchmark job, the way a person runs it: sandbox with the bench document, Chromium with the built extension,
 * a user token saved in the options page, the document opened, its list opened in a tab, "Download all" pressed,
 * then waiting until every row is Done or Failed. Returns what was observed; the browser and the sandbox are
 * closed whatever happens.
 */
import type { Locator, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { EXTENSION_DIR, fileSha256, launchExtensionBrowser, listFiles, type ExtensionBrowser } from '../../tests/e2e/harness';
import { openDocument, openTabList, saveFeishuSettings } from '../../tests/e2e/steps';
import { startSandbox, TOKENS, type RecordedRequest, type Sandbox } from '../../tests/sandbox';
import { createBenchWorld, type BenchDocument } from './document';
import { WorkerHeapSampler, type HeapSample } from './heap';
import { pageProfiler, saveProfile, summariseProfile, workerProfiler, type Profiler, type ProfileSummary } from './profile';
import { WorkerSession } from './worker-session';

export const HEAP_SAMPLE_INTERVAL_MS = 250;
const POLL_INTERVAL_MS = 1_000;
const PROGRESS_EVERY_MS = 10_000;
const SETTLED_ROW = /^(?:(?!Ready).)*(Done|Failed)/s;

/** What chrome.downloads reported for one download (times in ms since the epoch). */
export interface DownloadRecord {
  readonly filename: string;
  readonly state: string;
  readonly startTime: number;
  readonly endTime: number | null;
  readonly bytesReceived: number;
}

export interface SavedFile {
  /** Relative to the downloads folder, '/'-separated. */
  readonly path: string;
  readonly sha256: string;
}

/** The largest item of a storage area after the job, by the length of its JSON. */
export interface StoredItem {
  readonly area: 'local' | 'session';
  readonly key: string;
  readonly jsonBytes: number;
}

export interface HeapObservation {
  readonly atClick: HeapSample | undefined;
  readonly peakDuringJob: HeapSample | undefined;
  readonly peakOverall: HeapSample | undefined;
  readonly samplesDuringJob: number;
  /** After the job, after a forced garbage collection (not part of the peak). */
  readonly afterJobGc: HeapSample | undefined;
  /** Service worker targets seen; 2 or more means the worker restarted. */
  readonly workerTargets: number;
  readonly error: string | undefined;
}

export interface JobRun {
  readonly size: number;
  readonly document: BenchDocument;
  /** Every row ended Done or Failed before the timeout. */
  readonly completed: boolean;
  readonly rowsListed: number;
  readonly rowsDone: number;
  readonly rowsFailed: number;
  readonly openedAt: number;
  readonly listedAt: number;
  readonly clickAt: number;
  /** When the list first showed every row settled (polled once a second). */
  readonly settledSeenAt: number;
  /** The machine's 1-minute load average at the click and when all rows had settled (other work perturbs the figures). */
  readonly loadAtClick: number;
  readonly loadAtEnd: number;
  /** Most Chromium browsers (main processes) besides ours seen running before or during the job: someone else's tests. */
  readonly otherBrowsers: number;
  readonly log: readonly RecordedRequest[];
  readonly downloads: readonly DownloadRecord[];
  readonly files: readonly SavedFile[];
  readonly largestStored: readonly StoredItem[];
  readonly heap: HeapObservation;
  /** With `profileDir`: CPU profiles of the worker and the list page, click → settled. */
  readonly profiles: readonly ProfileSummary[];
}

export interface JobOptions {
  readonly timeoutMs: number;
  readonly listTimeoutMs: number;
  readonly say: (text: string) => void;
  /** Aborted (Ctrl+C): the waits stop, the browser and the sandbox are closed. */
  readonly signal: AbortSignal;
  /** Record CPU profiles of the job into this folder (they slow the job down a little). */
  readonly profileDir?: string;
}

async function settledCounts(rows: Locator): Promise<{ settled: number; failed: number }> {
  const [settled, failed] = await Promise.all([rows.filter({ hasText: SETTLED_ROW }).count(), rows.filter({ hasText: 'Failed' }).count()]);
  return { settled, failed };
}

async function waitForRows(rows: Locator, count: number, timeoutMs: number, signal: AbortSignal): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  while (Date.now() < deadline) {
    signal.throwIfAborted();
    seen = await rows.count();
    if (seen >= count) return seen;
    await sleep(250);
  }
  throw new Error(`the list showed ${seen} of ${count} rows after ${Math.round(timeoutMs / 1000)} s`);
}

/** Watches for other Chromium browsers (main processes; renderers and helpers carry `--type=`) on the machine. */
class OtherBrowsers {
  constructor(
    /** Browsers of this run among those running. */
    private readonly ours: number,
    public most = 0,
  ) {}

  check(): number {
    try {
      const lines = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n');
      const running = lines.filter((line) => /^\S*chromium(?:-browser)?\s/.test(line) && !line.includes('--type=')).length;
      this.most = Math.max(this.most, running - this.ours);
    } catch {
      // No ps: nothing to report.
    }
    return this.most;
  }
}

async function waitForSettled(rows: Locator, count: number, options: JobOptions, clickAt: number, others: OtherBrowsers): Promise<{ settled: number; failed: number; completed: boolean }> {
  let lastProgress = Date.now();
  for (;;) {
    options.signal.throwIfAborted();
    const counts = await settledCounts(rows);
    if (counts.settled >= count) return { ...counts, completed: true };
    const now = Date.now();
    if (now - clickAt > options.timeoutMs) return { ...counts, completed: false };
    if (now - lastProgress >= PROGRESS_EVERY_MS) {
      const busy = others.check() > 0 ? ` (other Chromium browsers running: ${others.most})` : '';
      options.say(`  ${counts.settled}/${count} rows settled after ${Math.round((now - clickAt) / 1000)} s${busy}`);
      lastProgress = now;
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

async function chromeDownloads(browser: ExtensionBrowser): Promise<DownloadRecord[]> {
  // limit 0: every download (the default is 1000).
  return browser.worker.evaluate(async () =>
    (await chrome.downloads.search({ limit: 0 })).map((d) => ({
      filename: d.filename,
      state: d.state ?? 'unknown',
      startTime: Date.parse(d.startTime),
      endTime: d.endTime ? Date.parse(d.endTime) : null,
      bytesReceived: d.bytesReceived,
    })),
  );
}

async function largestStored(browser: ExtensionBrowser): Promise<StoredItem[]> {
  // No named inner functions: tsx would wrap them in a `__name` helper the worker does not have.
  const areas = ['local', 'session'] as const;
  const found = await browser.worker.evaluate(
    async (names) =>
      Promise.all(
        names.map(async (area) =>
          Object.entries(await chrome.storage[area].get(null))
            .map(([key, value]) => ({ area, key, jsonBytes: JSON.stringify(value).length }))
            .sort((a, b) => b.jsonBytes - a.jsonBytes)
            .at(0),
        ),
      ),
    areas,
  );
  return found.filter((item) => item !== undefined);
}

function savedFiles(downloadsDir: string): SavedFile[] {
  return listFiles(downloadsDir).map((file) => ({ path: file, sha256: fileSha256(path.join(downloadsDir, file)) }));
}

function heapObservation(sampler: WorkerHeapSampler | undefined, clickAt: number, endAt: number, afterJobGc: HeapSample | undefined, workerTargets: number): HeapObservation {
  const duringJob = sampler?.samples.filter((s) => s.at >= clickAt && s.at <= endAt) ?? [];
  const beforeClick = sampler?.samples.filter((s) => s.at <= clickAt) ?? [];
  return {
    atClick: beforeClick.at(-1),
    peakDuringJob: sampler?.peakBetween(clickAt, endAt),
    peakOverall: sampler?.peakBetween(0, endAt),
    samplesDuringJob: duringJob.length,
    afterJobGc,
    workerTargets,
    error: sampler ? sampler.lastSampleError : 'no CDP session',
  };
}

async function openSampler(session: WorkerSession, say: (text: string) => void): Promise<WorkerHeapSampler | undefined> {
  try {
    const sampler = new WorkerHeapSampler(session);
    await sampler.sample();
    sampler.start(HEAP_SAMPLE_INTERVAL_MS);
    return sampler;
  } catch (error) {
    say(`  (no heap samples: ${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}

async function pressDownloadAll(list: Page): Promise<number> {
  const button = list.getByRole('button', { name: /^Download all/ });
  await button.waitFor({ state: 'visible' });
  const clickAt = Date.now();
  await button.click();
  return clickAt;
}

async function saveProfiles(dir: string, size: number, profilers: Readonly<Record<string, Profiler>>): Promise<ProfileSummary[]> {
  const summaries: ProfileSummary[] = [];
  for (const [label, profiler] of Object.entries(profilers)) {
    const profile = await profiler.stop();
    const file = saveProfile(dir, `n${size}-${label}`, profile);
    summaries.push(summariseProfile(label === 'worker' ? 'service worker' : 'list page (popup.html)', file, profile, EXTENSION_DIR));
  }
  return summaries;
}

interface Probes {
  readonly session: WorkerSession;
  readonly sampler: WorkerHeapSampler | undefined;
  readonly others: OtherBrowsers;
}

async function drive(sandbox: Sandbox, browser: ExtensionBrowser, document: BenchDocument, { session, sampler, others }: Probes, options: JobOptions): Promise<JobRun> {
  const size = document.files.length;
  await saveFeishuSettings(browser, { token: TOKENS.feishuUser });
  const openedAt = Date.now();
  const { tabId } = await openDocument(browser, document.url);
  const list = await openTabList(browser, tabId);
  const rows = list.getByRole('listitem');
  const rowsListed = await waitForRows(rows, size, options.listTimeoutMs, options.signal);
  const listedAt = Date.now();
  options.say(`  ${rowsListed} rows listed ${((listedAt - openedAt) / 1000).toFixed(1)} s after opening the document; pressing "Download all"`);

  const profilers = options.profileDir ? { worker: workerProfiler(session), list: pageProfiler(await browser.context.newCDPSession(list)) } : undefined;
  await Promise.all(Object.values(profilers ?? {}).map((p: Profiler) => p.start()));
  const loadAtClick = os.loadavg()[0] ?? 0;
  const clickAt = await pressDownloadAll(list);
  const outcome = await waitForSettled(rows, size, options, clickAt, others);
  const settledSeenAt = Date.now();
  const loadAtEnd = os.loadavg()[0] ?? 0;
  sampler?.stop();
  const profiles = profilers && options.profileDir ? await saveProfiles(options.profileDir, size, profilers) : [];
  const afterJobGc = await sampler?.sampleAfterGc().catch(() => undefined);
  const downloads = await chromeDownloads(browser);
  const stored = await largestStored(browser).catch(() => []);
  return {
    size,
    document,
    completed: outcome.completed,
    rowsListed,
    rowsDone: outcome.settled - outcome.failed,
    rowsFailed: outcome.failed,
    openedAt,
    listedAt,
    clickAt,
    settledSeenAt,
    loadAtClick,
    loadAtEnd,
    otherBrowsers: others.check(),
    log: [...sandbox.log],
    downloads,
    files: savedFiles(browser.downloadsDir),
    largestStored: stored,
    heap: heapObservation(sampler, clickAt, settledSeenAt, afterJobGc, session.attachedTargets.size),
    profiles,
  };
}

export async function runJob(size: number, options: JobOptions): Promise<JobRun> {
  const bench = createBenchWorld(size);
  const before = new OtherBrowsers(0);
  if (before.check() > 0) options.say(`  note: ${before.most} other Chromium browser(s) running on this machine; the figures may suffer`);
  const sandbox = await startSandbox({ world: bench.world });
  let browser: ExtensionBrowser | undefined;
  let session: WorkerSession | undefined;
  try {
    browser = await launchExtensionBrowser({ sandbox, headless: true });
    session = await WorkerSession.open(browser);
    const sampler = await openSampler(session, options.say);
    try {
      return await drive(sandbox, browser, bench.document, { session, sampler, others: new OtherBrowsers(1, before.most) }, options);
    } finally {
      sampler?.stop();
    }
  } finally {
    await session?.close();
    await browser?.close();
    await sandbox.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
