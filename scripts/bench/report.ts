/**
 * The benchmark's output: markdown blocks (printed as they are) and the marked sections of BENCHMARKS.md they
 * replace, one per job size plus the machine and the built sizes, so a partial run (`--sizes 100`) leaves the
 * other sizes' results in place.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { findChromium } from '../../tests/e2e/harness';
import { SAFETY_MARGIN, TMP_URL_CALLS_PER_SECOND, TOKENS_PER_TMP_URL_CALL, WALL_RATIO_TARGET, type EndpointCount, type Figures, type Spread } from './analysis';
import type { BundleSize } from './bundle';
import type { ProfileSummary } from './profile';

export interface MachineFacts {
  readonly date: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly os: string;
  readonly chromium: string;
  readonly node: string;
  readonly commit: string;
}

const MET = 'met';
const MISSED = '**MISSED**';

function run(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function gitCommit(built: boolean): string {
  const commit = run('git', ['rev-parse', '--short', 'HEAD']) + (built ? '' : ' (--no-build: the build found in .output, maybe older)');
  // What goes into the build (package.json is left out: its scripts, this one's line included, do not).
  const dirty = run('git', ['status', '--porcelain', '--', 'lib', 'entrypoints', 'components', 'locales', 'public', 'wxt.config.ts', 'package-lock.json']);
  return dirty === '' || dirty === 'unknown' ? commit : `${commit} + uncommitted changes to the extension`;
}

/** `built`: this run built the extension from the working tree (else the commit may not be what was measured). */
export function machineFacts(built: boolean): MachineFacts {
  const chromium = findChromium();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    chromium: chromium ? run(chromium, ['--version']) : 'none',
    node: process.version,
    commit: gitCommit(built),
  };
}

// --- formatting -----------------------------------------------------------------------------------------------

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const millis = (ms: number) => `${Math.round(ms)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const count = (n: number) => n.toLocaleString('en-US');
const spreadText = (s: Spread | null, unit: (ms: number) => string) => (s ? `mean ${unit(s.mean)}, p50 ${unit(s.p50)}, p95 ${unit(s.p95)}, max ${unit(s.max)}` : '—');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function boundText(e: EndpointCount, f: Figures): string {
  if (e.lowerBound === undefined) return '—';
  if (e.endpoint === 'docx.blocks.list') return `⌈${count(f.blockCount)} blocks / 500⌉ = ${e.lowerBound}`;
  if (e.endpoint === 'drive.media.tmp-url') return `⌈${count(f.size)} / ${TOKENS_PER_TMP_URL_CALL}⌉ = ${e.lowerBound}`;
  return String(e.lowerBound);
}

function endpointRow(e: EndpointCount, f: Figures): string[] {
  const total = e.beforeClick + e.afterClick;
  const measured = `${count(total)} (${count(e.beforeClick)} listing + ${count(e.afterClick)} job)`;
  const verdict = e.lowerBound === undefined ? '' : total <= e.lowerBound ? MET : `${MISSED} (+${total - e.lowerBound})`;
  return [`\`${e.endpoint}\` calls`, measured, boundText(e, f), verdict];
}

function tokenRows(f: Figures): string[][] {
  const sizes = f.tmpUrlCallSizes.map(([tokens, calls], i) => `${calls} call${calls === 1 ? '' : 's'} of ${tokens}${i === 0 ? ' tokens' : ''}`).join(', ');
  const again = f.tmpUrlTokensSent - f.tmpUrlTokensDistinct;
  return [
    ['tokens per tmp-URL call, max', `${f.maxTokensPerTmpUrlCall} (${sizes || 'no calls'})`, `≤ ${TOKENS_PER_TMP_URL_CALL}`, f.maxTokensPerTmpUrlCall <= TOKENS_PER_TMP_URL_CALL ? MET : MISSED],
    [
      '… tokens sent in tmp-URL calls',
      `${count(f.tmpUrlTokensSent)} for ${count(f.tmpUrlTokensDistinct)} different files`,
      `${count(f.size)}, each once`,
      f.tmpUrlTokensSent <= f.size ? MET : `${MISSED} (${count(again)} asked again)`,
    ],
  ];
}

function wallRows(f: Figures): string[][] {
  const calls = Math.ceil(f.size / TOKENS_PER_TMP_URL_CALL);
  const bound = `(${calls} − 1) / ${TMP_URL_CALLS_PER_SECOND} = ${seconds(f.boundMs)}; ×${SAFETY_MARGIN} = ${seconds(f.achievableMs)}`;
  const verdict = f.ratio === null ? MISSED : `ratio ${f.ratio.toFixed(2)} (target ≤ ${WALL_RATIO_TARGET}): ${f.ratio <= WALL_RATIO_TARGET ? MET : MISSED}`;
  const perCall = (1000 / TMP_URL_CALLS_PER_SECOND) * SAFETY_MARGIN;
  return [
    ['wall time, click → last file saved', f.wallMs === null ? (f.completed ? 'no file saved' : 'the job did not complete') : seconds(f.wallMs), bound, verdict],
    ['… click → first tmp-URL call', f.firstTmpUrlAfterClickMs === null ? '—' : millis(f.firstTmpUrlAfterClickMs), '', ''],
    ['… between tmp-URL calls', spreadText(f.tmpUrlIntervalMs, millis), `${millis(1000 / TMP_URL_CALLS_PER_SECOND)} (${millis(perCall)} with the margin)`, ''],
    ['… one download in Chrome (start → end)', spreadText(f.downloadMs, millis), '', ''],
    ['… a download\'s end → the next one\'s start', spreadText(f.turnaroundMs, millis), 'the extension\'s own time per file', ''],
    ['… downloads in flight, mean', f.meanInFlight === null ? '—' : f.meanInFlight.toFixed(2), '≤ 3 (the extension\'s concurrency)', ''],
  ];
}

function storedRows(f: Figures): string[][] {
  return f.largestStored.map((item) => [`… largest \`storage.${item.area}\` item after the job`, `${kb(item.jsonBytes)} (\`${item.key}\`, as JSON)`, '', '']);
}

function heapRow(f: Figures): string[] {
  if (f.heapPeakJobBytes === null) return ['SW JS heap, peak during the job', `not measured (${f.heapError ?? 'no samples'})`, '—', ''];
  const context = [
    `at the click ${f.heapAtClickBytes === null ? '—' : mb(f.heapAtClickBytes)}`,
    `whole run incl. listing ${f.heapPeakOverallBytes === null ? '—' : mb(f.heapPeakOverallBytes)}`,
    `after the job, after a forced GC ${f.heapAfterGcBytes === null ? '—' : mb(f.heapAfterGcBytes)}`,
    `${f.heapSamples} samples every ${f.heapSampleIntervalMs} ms`,
    ...(f.workerTargets > 1 ? [`worker restarted (${f.workerTargets} targets)`] : []),
  ];
  return ['SW JS heap, peak during the job', mb(f.heapPeakJobBytes), context.join('; '), ''];
}

function filesRow(f: Figures): string[] {
  const ok = f.filesOnDisk === f.filesExpected && f.filesMatching === f.filesExpected && f.unexpectedFiles.length === 0;
  const extra = f.unexpectedFiles.length > 0 ? `; ${f.unexpectedFiles.length} unexpected (${f.unexpectedFiles.slice(0, 3).join(', ')})` : '';
  return ['files on disk, sha256 equal', `${count(f.filesOnDisk)} on disk, ${count(f.filesMatching)} equal${extra}`, `${count(f.filesExpected)}`, ok ? MET : MISSED];
}

function machineLine(m: MachineFacts): string {
  return `${m.date} · commit ${m.commit} · ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGb} GB · ${m.chromium} · Node ${m.node}`;
}

export function sizeMarkdown(f: Figures, m: MachineFacts, rebuilt = false): string {
  const status = f.completed
    ? `completed: ${count(f.rowsDone)} Done, ${count(f.rowsFailed)} Failed`
    : `**DID NOT COMPLETE**: ${count(f.rowsDone + f.rowsFailed)} of ${count(f.size)} rows settled`;
  const rows = [
    ...f.endpoints.map((e) => endpointRow(e, f)),
    ...tokenRows(f),
    ['429 / 99991400 answers', String(f.rateLimited), '0', f.rateLimited === 0 ? MET : MISSED],
    ['file-host downloads (signed links)', count(f.fileHostRequests), count(f.size), ''],
    ...wallRows(f),
    ...storedRows(f),
    heapRow(f),
    filesRow(f),
  ];
  return [
    `#### N = ${count(f.size)}`,
    '',
    `${machineLine(m)}; load average ${f.loadAtClick.toFixed(2)} at the click, ${f.loadAtEnd.toFixed(2)} at the end${f.otherBrowsers > 0 ? `, **${f.otherBrowsers} other Chromium browser(s) running** (figures perturbed)` : ''}${rebuilt ? ', **the build in .output changed during the job**' : ''}. Document: ${count(f.blockCount)} blocks, listed in ${seconds(f.listingMs)}; job ${status}.`,
    '',
    table(['Figure', 'Measured', 'Lower bound / target', 'Verdict'], rows),
  ].join('\n');
}

export function bundleMarkdown(sizes: readonly BundleSize[], m: MachineFacts): string {
  const rows = sizes.map((s) => [
    s.files.length > 1 ? `${s.name}: ${s.files.map((f) => `\`${f}\``).join(' + ')}` : `\`${s.name}\``,
    kb(s.rawBytes),
    kb(s.gzipBytes),
    `< ${kb(s.targetGzipBytes)}`,
    s.gzipBytes < s.targetGzipBytes ? MET : MISSED,
  ]);
  return [`Built ${m.date}, commit ${m.commit}.`, '', table(['Built file', 'Raw', 'gzip -9', 'Target (gzip)', 'Verdict'], rows)].join('\n');
}

export function machineMarkdown(m: MachineFacts): string {
  return table(
    ['Fact', 'Value'],
    [
      ['Date of the latest run', m.date],
      ['CPUs (`nproc`)', `${m.cpus} (${m.cpuModel})`],
      ['Memory', `${m.memoryGb} GB`],
      ['OS', m.os],
      ['Chromium', m.chromium],
      ['Node', m.node],
      ['Commit', m.commit],
    ],
  );
}

/** `--profile`: for each profiled context, how busy it was and where its self time went. */
export function profileText(summaries: readonly ProfileSummary[]): string {
  return summaries
    .map((p) => {
      const head = `${p.label}: busy ${seconds(p.busyMs)} of ${seconds(p.spanMs)} (${((100 * p.busyMs) / p.spanMs).toFixed(0)}%), GC ${seconds(p.gcMs)}; ${p.file}`;
      const spots = p.hotSpots.map((h) => `    ${millis(h.selfMs).padStart(9)}  ${h.name} ${h.where}${h.snippet ? `  ‹${h.snippet}›` : ''}`);
      return [head, ...spots].join('\n');
    })
    .join('\n\n');
}

// --- BENCHMARKS.md ------------------------------------------------------------------------------------------

const begin = (key: string) => `<!-- bench:${key}:begin -->`;
const end = (key: string) => `<!-- bench:${key}:end -->`;

/** Replaces the text between the section's markers, or appends the section when the markers are missing. */
export function replaceSection(document: string, key: string, content: string): string {
  const start = document.indexOf(begin(key));
  const stop = document.indexOf(end(key));
  const block = `${begin(key)}\n${content}\n${end(key)}`;
  if (start < 0 || stop < start) return `${document.trimEnd()}\n\n${block}\n`;
  return `${document.slice(0, start)}${block}${document.slice(stop + end(key).length)}`;
}

export function updateBenchmarksFile(file: string, sections: ReadonlyMap<string, string>): void {
  let document = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  for (const [key, content] of sections) document = replaceSection(document, key, content);
  writeFileSync(file, document);
}
