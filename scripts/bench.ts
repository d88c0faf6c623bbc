/**
 * `npm run bench [-- --sizes 100,1000] [--no-build] [--no-write] [--profile]`: measures the built extension against
 * the sandbox (which enforces Feishu's documented limits) on documents of N file attachments, prints the figures as
 * markdown and writes them into the marked sections of BENCHMARKS.md (see there for what each figure means).
 *
 * Exits non-zero only when a job did not complete (or could not run); missed targets are marked MISSED.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXTENSION_DIR, findChromium } from '../tests/e2e/harness';
import { analyse, type Figures } from './bench/analysis';
import { buildFingerprint, measureBundles } from './bench/bundle';
import { runJob } from './bench/job';
import type { ProfileSummary } from './bench/profile';
import { bundleMarkdown, machineFacts, machineMarkdown, profileText, sizeMarkdown, updateBenchmarksFile } from './bench/report';

const DEFAULT_SIZES = [100, 1000];
const BENCHMARKS_FILE = path.resolve('BENCHMARKS.md');

interface Options {
  readonly sizes: readonly number[];
  readonly build: boolean;
  readonly write: boolean;
  /** CPU profiles of the worker and the list page (slower: the figures are not written). */
  readonly profile: boolean;
}

function parseSizes(value: string | undefined): number[] {
  const sizes = (value ?? '').split(',').map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes wants positive integers, e.g. --sizes 100,1000 (got "${value}")`);
  return sizes;
}

function parseArgs(argv: readonly string[]): Options {
  let sizes = DEFAULT_SIZES;
  let build = true;
  let write = true;
  let profile = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--no-build') build = false;
    else if (arg === '--no-write') write = false;
    else if (arg === '--profile') profile = true;
    else if (arg === '--sizes') sizes = parseSizes(argv[++i]);
    else if (arg.startsWith('--sizes=')) sizes = parseSizes(arg.slice('--sizes='.length));
    else throw new Error(`unknown argument ${arg} (use --sizes 100,1000, --no-build, --no-write, --profile)`);
  }
  return { sizes, build, write: write && !profile, profile };
}

function step(text: string): void {
  console.log(`\n▶ ${text}`);
}

/** Generous: listing pages come at 5 a second, files at best at 25 a second. */
function timeoutsFor(size: number): { listTimeoutMs: number; timeoutMs: number } {
  return { listTimeoutMs: 120_000 + size * 100, timeoutMs: 120_000 + size * 1_200 };
}

async function benchSize(size: number, signal: AbortSignal, profileDir: string | undefined): Promise<{ figures: Figures; profiles: readonly ProfileSummary[] } | null> {
  step(`N = ${size}: sandbox, Chromium (headless) with the extension, "Download all"`);
  try {
    const run = await runJob(size, { ...timeoutsFor(size), say: (text) => console.log(text), signal, ...(profileDir ? { profileDir } : {}) });
    return { figures: analyse(run), profiles: run.profiles };
  } catch (error) {
    console.error(`  the N = ${size} job could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return null;
  }
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  if (!findChromium()) throw new Error('No Chromium: install Debian\'s "chromium" package or set CHROMIUM_PATH');
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort(new Error('interrupted (Ctrl+C)')));

  if (options.build) {
    step('Building the extension (npm run build)');
    execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
  }
  const machine = machineFacts(options.build);
  const sections = new Map<string, string>([
    ['machine', machineMarkdown(machine)],
    ['sizes', bundleMarkdown(measureBundles(EXTENSION_DIR), machine)],
  ]);

  const build = buildFingerprint(EXTENSION_DIR);
  const profileDir = options.profile ? mkdtempSync(path.join(tmpdir(), 'ad-bench-profiles-')) : undefined;
  const profiles: ProfileSummary[] = [];
  let incomplete = 0;
  for (const size of options.sizes) {
    if (abort.signal.aborted) break;
    const result = await benchSize(size, abort.signal, profileDir);
    const rebuilt = buildFingerprint(EXTENSION_DIR) !== build;
    if (rebuilt) console.error(`  ${path.relative(process.cwd(), EXTENSION_DIR)} was rebuilt during the N = ${size} job (another npm run build?): its figures may mix two builds`);
    if (!result?.figures.completed) incomplete++;
    if (result) sections.set(`n=${size}`, sizeMarkdown(result.figures, machine, rebuilt));
    profiles.push(...(result?.profiles ?? []));
  }

  step('Results');
  for (const content of sections.values()) console.log(`\n${content}`);
  if (profiles.length > 0) {
    step('CPU profiles, click → settled (--profile: these figures are not written to BENCHMARKS.md)');
    console.log(profileText(profiles));
  }
  if (options.write && !abort.signal.aborted) {
    updateBenchmarksFile(BENCHMARKS_FILE, sections);
    console.log(`\nWritten into ${path.relative(process.cwd(), BENCHMARKS_FILE)} (sections: ${[...sections.keys()].join(', ')}).`);
  }
  if (incomplete > 0) console.error(`\n${incomplete} job(s) did not complete.`);
  return incomplete > 0 || abort.signal.aborted ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
