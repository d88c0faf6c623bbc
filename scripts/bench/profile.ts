/**
 * `--profile`: V8 CPU profiles of the service worker and of the list page during the job, saved as .cpuprofile
 * files (open them in DevTools → Performance) and summarised: how much of the job each was busy, and the
 * functions with the most self time, with a snippet of the (minified) code where each sits.
 */
import type { CDPSession } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkerSession } from './worker-session';

const SAMPLING_INTERVAL_US = 500;

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface HotSpot {
  readonly name: string;
  readonly where: string;
  readonly selfMs: number;
  readonly snippet: string;
}

export interface ProfileSummary {
  readonly label: string;
  readonly file: string;
  readonly spanMs: number;
  /** Sampled time not idle (JS, GC, native), in ms. */
  readonly busyMs: number;
  readonly gcMs: number;
  readonly hotSpots: readonly HotSpot[];
}

/** Starts and stops V8's sampling profiler in one JS context. */
export interface Profiler {
  start(): Promise<void>;
  stop(): Promise<CpuProfile>;
}

function isProfile(value: unknown): value is CpuProfile {
  return typeof value === 'object' && value !== null && 'nodes' in value && Array.isArray(value.nodes) && 'startTime' in value && 'endTime' in value;
}

/** The service worker's profiler, through the worker session (untyped CDP: the answer is checked). */
export function workerProfiler(session: WorkerSession): Profiler {
  return {
    async start() {
      await session.send('Profiler.enable');
      await session.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
      await session.send('Profiler.start');
    },
    async stop() {
      const result = await session.send('Profiler.stop');
      const profile = typeof result === 'object' && result !== null && 'profile' in result ? result.profile : undefined;
      if (!isProfile(profile)) throw new Error('Profiler.stop answered no profile');
      return profile;
    },
  };
}

/** A page's profiler, through Playwright's (typed) CDP session on it. */
export function pageProfiler(cdp: CDPSession): Profiler {
  return {
    async start() {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
      await cdp.send('Profiler.start');
    },
    async stop() {
      return (await cdp.send('Profiler.stop')).profile;
    },
  };
}

/** Self time per node id: each sample's node gets the time until the next sample. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const self = new Map<number, number>();
  for (let i = 0; i < samples.length; i++) {
    const us = deltas[i + 1] ?? 0;
    self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + us);
  }
  return self;
}

function codeSnippet(extensionDir: string, frame: CallFrame): string {
  const match = /^chrome-extension:\/\/[^/]+\/(.+)$/.exec(frame.url);
  if (!match?.[1]) return '';
  try {
    const line = readFileSync(path.join(extensionDir, match[1]), 'utf8').split('\n')[frame.lineNumber] ?? '';
    return line.slice(Math.max(0, frame.columnNumber - 10), frame.columnNumber + 70).replace(/\s+/g, ' ');
  } catch {
    return '';
  }
}

const IDLE = new Set(['(idle)', '(root)']);

export function summariseProfile(label: string, file: string, profile: CpuProfile, extensionDir: string, top = 12): ProfileSummary {
  const self = selfTimes(profile);
  const byKey = new Map<string, HotSpot>();
  let busyUs = 0;
  let gcUs = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    const frame = node.callFrame;
    if (us === 0 || IDLE.has(frame.functionName)) continue;
    busyUs += us;
    if (frame.functionName === '(garbage collector)') gcUs += us;
    const where = frame.url ? `${frame.url.replace(/^chrome-extension:\/\/[^/]+\//, '')}:${frame.lineNumber + 1}:${frame.columnNumber + 1}` : '(native)';
    const name = frame.functionName || '(anonymous)';
    const key = `${name} ${where}`;
    const previous = byKey.get(key);
    byKey.set(key, { name, where, selfMs: (previous?.selfMs ?? 0) + us / 1000, snippet: previous?.snippet ?? codeSnippet(extensionDir, frame) });
  }
  const hotSpots = [...byKey.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  return { label, file, spanMs: (profile.endTime - profile.startTime) / 1000, busyMs: busyUs / 1000, gcMs: gcUs / 1000, hotSpots };
}

export function saveProfile(dir: string, name: string, profile: CpuProfile): string {
  const file = path.join(dir, `${name}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  return file;
}
