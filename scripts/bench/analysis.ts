/**
 * Turns one job's observations into the benchmark's figures, each next to its lower bound or target.
 *
 * Wall-time bound: a job of N files needs C = ⌈N/5⌉ tmp-URL calls (5 tokens a call), and the endpoint allows 5
 * calls a second. Spread evenly at that rate the first call goes at 0 s and the last at (C − 1)/5 s; the last file
 * cannot be saved before the last call's link exists, so (C − 1)/5 s is the floor (fetching 1–4 KB from a local
 * host after it is negligible). The extension counts every window 10% longer (1.1 s for 5 calls) to absorb
 * network jitter, so the best it can reach is 1.1 × that.
 */
import { sha256 } from '../../tests/e2e/harness';
import type { RecordedRequest } from '../../tests/sandbox';
import { HEAP_SAMPLE_INTERVAL_MS, type DownloadRecord, type JobRun, type StoredItem } from './job';

export const TMP_URL_ENDPOINT = 'drive.media.tmp-url';
export const BLOCKS_ENDPOINT = 'docx.blocks.list';
export const DOCUMENT_GET_ENDPOINT = 'docx.document.get';
export const TOKENS_PER_TMP_URL_CALL = 5;
export const TMP_URL_CALLS_PER_SECOND = 5;
export const BLOCKS_PAGE_SIZE = 500;
export const SAFETY_MARGIN = 1.1;
export const WALL_RATIO_TARGET = 1.2;

export interface EndpointCount {
  readonly endpoint: string;
  readonly beforeClick: number;
  readonly afterClick: number;
  /** The fewest calls the job could cost, where one is known. */
  readonly lowerBound?: number;
}

export interface Spread {
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface Figures {
  readonly size: number;
  readonly completed: boolean;
  readonly rowsDone: number;
  readonly rowsFailed: number;
  readonly blockCount: number;
  readonly listingMs: number;
  readonly loadAtClick: number;
  readonly loadAtEnd: number;
  readonly otherBrowsers: number;
  readonly endpoints: readonly EndpointCount[];
  readonly maxTokensPerTmpUrlCall: number;
  /** Tokens per tmp-URL call → how many calls had that many, most tokens first. */
  readonly tmpUrlCallSizes: readonly (readonly [tokens: number, calls: number])[];
  /** Tokens sent in all tmp-URL calls, and how many different ones: more than N means links fetched again. */
  readonly tmpUrlTokensSent: number;
  readonly tmpUrlTokensDistinct: number;
  readonly rateLimited: number;
  readonly fileHostRequests: number;
  /** Click → last file saved (chrome.downloads' endTime); null if the job did not complete or saved nothing. */
  readonly wallMs: number | null;
  readonly boundMs: number;
  readonly achievableMs: number;
  readonly ratio: number | null;
  readonly firstTmpUrlAfterClickMs: number | null;
  readonly tmpUrlIntervalMs: Spread | null;
  readonly downloadMs: Spread | null;
  /** Σ download durations / span of the downloads: how many were in flight on average. */
  readonly meanInFlight: number | null;
  /** From a download's end to the next download's start in Chrome: the extension's own time per file. */
  readonly turnaroundMs: Spread | null;
  readonly largestStored: readonly StoredItem[];
  readonly heapAtClickBytes: number | null;
  readonly heapPeakJobBytes: number | null;
  readonly heapPeakOverallBytes: number | null;
  readonly heapAfterGcBytes: number | null;
  readonly heapSamples: number;
  readonly heapSampleIntervalMs: number;
  readonly workerTargets: number;
  readonly heapError: string | undefined;
  readonly filesExpected: number;
  readonly filesOnDisk: number;
  readonly filesMatching: number;
  readonly unexpectedFiles: readonly string[];
}

export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { mean: sorted.reduce((n, v) => n + v, 0) / sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1)! };
}

/** (⌈N/5⌉ − 1)/5 s: see the module comment. */
export function wallBoundMs(size: number): number {
  const calls = Math.ceil(size / TOKENS_PER_TMP_URL_CALL);
  return (Math.max(0, calls - 1) / TMP_URL_CALLS_PER_SECOND) * 1000;
}

function lowerBoundOf(endpoint: string, run: JobRun): number | undefined {
  if (endpoint === BLOCKS_ENDPOINT) return Math.ceil(run.document.blockCount / BLOCKS_PAGE_SIZE);
  if (endpoint === DOCUMENT_GET_ENDPOINT) return 1;
  if (endpoint === TMP_URL_ENDPOINT) return Math.ceil(run.size / TOKENS_PER_TMP_URL_CALL);
  return undefined;
}

function endpointCounts(run: JobRun): EndpointCount[] {
  const names = new Set([BLOCKS_ENDPOINT, DOCUMENT_GET_ENDPOINT, TMP_URL_ENDPOINT, ...run.log.flatMap((r) => (r.endpoint ? [r.endpoint] : []))]);
  return [...names].map((endpoint) => {
    const calls = run.log.filter((r) => r.endpoint === endpoint);
    const lowerBound = lowerBoundOf(endpoint, run);
    return {
      endpoint,
      beforeClick: calls.filter((r) => r.at < run.clickAt).length,
      afterClick: calls.filter((r) => r.at >= run.clickAt).length,
      ...(lowerBound !== undefined ? { lowerBound } : {}),
    };
  });
}

const tokensOf = (r: RecordedRequest) => r.query.filter(([k]) => k === 'file_tokens').length;

function histogram(values: readonly number[]): [number, number][] {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[0] - a[0]);
}

const isFileHostDownload = (r: RecordedRequest) => r.host.startsWith('internal-api-drive-stream.') && r.path.endsWith('/authcode/');

function intervals(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

function downloadTimes(downloads: readonly DownloadRecord[]): { durations: number[]; lastEnd: number | null; meanInFlight: number | null } {
  const complete = downloads.filter((d): d is DownloadRecord & { endTime: number } => d.state === 'complete' && d.endTime !== null);
  if (complete.length === 0) return { durations: [], lastEnd: null, meanInFlight: null };
  const durations = complete.map((d) => d.endTime - d.startTime);
  const firstStart = Math.min(...complete.map((d) => d.startTime));
  const lastEnd = Math.max(...complete.map((d) => d.endTime));
  const busy = durations.reduce((n, v) => n + v, 0);
  return { durations, lastEnd, meanInFlight: lastEnd > firstStart ? busy / (lastEnd - firstStart) : null };
}

/**
 * For each download started after another one ended: the time since the latest end before its start. With the
 * slots full, a start follows an end through the extension (downloads.onChanged, job update, next link, download()).
 */
function turnarounds(downloads: readonly DownloadRecord[]): number[] {
  const ends = downloads.flatMap((d) => (d.endTime === null ? [] : [d.endTime])).sort((a, b) => a - b);
  const gaps: number[] = [];
  for (const start of downloads.map((d) => d.startTime).sort((a, b) => a - b)) {
    const before = ends.filter((e) => e <= start);
    if (before.length > 0) gaps.push(start - before[before.length - 1]!);
  }
  return gaps;
}

function fileChecks(run: JobRun): Pick<Figures, 'filesExpected' | 'filesOnDisk' | 'filesMatching' | 'unexpectedFiles'> {
  const folder = `Feishu/${run.document.title}/`;
  const expected = new Map(run.document.files.map((f) => [`${folder}${f.fileName}`, f.bytes]));
  const expectedSha = new Map<string, string>();
  for (const [name, bytes] of expected) expectedSha.set(name, sha256(bytes));
  const ours = run.files.filter((f) => expected.has(f.path));
  return {
    filesExpected: expected.size,
    filesOnDisk: ours.length,
    filesMatching: ours.filter((f) => expectedSha.get(f.path) === f.sha256).length,
    unexpectedFiles: run.files.filter((f) => !expected.has(f.path)).map((f) => f.path),
  };
}

export function analyse(run: JobRun): Figures {
  const tmpUrlCalls = run.log.filter((r) => r.endpoint === TMP_URL_ENDPOINT);
  const tmpUrlAfterClick = tmpUrlCalls.filter((r) => r.at >= run.clickAt).map((r) => r.at);
  const times = downloadTimes(run.downloads);
  // An unfinished job has no wall time: its last saved file says nothing about the last one.
  const wallMs = times.lastEnd === null || !run.completed ? null : times.lastEnd - run.clickAt;
  const boundMs = wallBoundMs(run.size);
  return {
    size: run.size,
    completed: run.completed,
    rowsDone: run.rowsDone,
    rowsFailed: run.rowsFailed,
    blockCount: run.document.blockCount,
    listingMs: run.listedAt - run.openedAt,
    loadAtClick: run.loadAtClick,
    loadAtEnd: run.loadAtEnd,
    otherBrowsers: run.otherBrowsers,
    endpoints: endpointCounts(run),
    maxTokensPerTmpUrlCall: Math.max(0, ...tmpUrlCalls.map(tokensOf)),
    tmpUrlCallSizes: histogram(tmpUrlCalls.map(tokensOf)),
    tmpUrlTokensSent: tmpUrlCalls.reduce((n, r) => n + tokensOf(r), 0),
    tmpUrlTokensDistinct: new Set(tmpUrlCalls.flatMap((r) => r.query.filter(([k]) => k === 'file_tokens').map(([, v]) => v))).size,
    rateLimited: run.log.filter((r) => r.status === 429 || r.code === 99991400).length,
    fileHostRequests: run.log.filter(isFileHostDownload).length,
    wallMs,
    boundMs,
    achievableMs: boundMs * SAFETY_MARGIN,
    ratio: wallMs === null || boundMs === 0 ? null : wallMs / boundMs,
    firstTmpUrlAfterClickMs: tmpUrlAfterClick[0] === undefined ? null : tmpUrlAfterClick[0] - run.clickAt,
    tmpUrlIntervalMs: spread(intervals(tmpUrlAfterClick)),
    downloadMs: spread(times.durations),
    meanInFlight: times.meanInFlight,
    turnaroundMs: spread(turnarounds(run.downloads)),
    largestStored: run.largestStored,
    heapAtClickBytes: run.heap.atClick?.usedBytes ?? null,
    heapPeakJobBytes: run.heap.peakDuringJob?.usedBytes ?? null,
    heapPeakOverallBytes: run.heap.peakOverall?.usedBytes ?? null,
    heapAfterGcBytes: run.heap.afterJobGc?.usedBytes ?? null,
    heapSamples: run.heap.samplesDuringJob,
    heapSampleIntervalMs: HEAP_SAMPLE_INTERVAL_MS,
    workerTargets: run.heap.workerTargets,
    heapError: run.heap.error,
    ...fileChecks(run),
  };
}
