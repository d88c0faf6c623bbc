/**
 * Samples the service worker's JS heap with `Runtime.getHeapUsage` (V8's used heap of the worker's isolate,
 * garbage not yet collected included). `performance.memory` does not exist in service workers and the worker
 * target has no `Performance` domain, so this goes through a CDP session on the worker (see worker-session.ts).
 */
import type { WorkerSession } from './worker-session';

export interface HeapSample {
  readonly at: number;
  readonly usedBytes: number;
}

function usedSizeOf(result: unknown): number {
  if (typeof result === 'object' && result !== null && 'usedSize' in result && typeof result.usedSize === 'number') return result.usedSize;
  throw new Error(`unexpected Runtime.getHeapUsage answer: ${JSON.stringify(result)}`);
}

export class WorkerHeapSampler {
  readonly samples: HeapSample[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  private lastError: string | undefined;

  constructor(private readonly session: WorkerSession) {}

  /** One sample now; throws if the worker cannot be reached. */
  async sample(): Promise<HeapSample> {
    const sample = { at: Date.now(), usedBytes: usedSizeOf(await this.session.send('Runtime.getHeapUsage')) };
    this.samples.push(sample);
    return sample;
  }

  /** A sample after a full garbage collection (kept apart from the others): what the worker still holds. */
  async sampleAfterGc(): Promise<HeapSample> {
    await this.session.send('HeapProfiler.collectGarbage');
    return { at: Date.now(), usedBytes: usedSizeOf(await this.session.send('Runtime.getHeapUsage')) };
  }

  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => void this.tick(), intervalMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The largest sample taken in [from, to]. */
  peakBetween(from: number, to: number): HeapSample | undefined {
    return this.samples.filter((s) => s.at >= from && s.at <= to).reduce<HeapSample | undefined>((max, s) => (max && max.usedBytes >= s.usedBytes ? max : s), undefined);
  }

  get lastSampleError(): string | undefined {
    return this.lastError;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.sample();
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  }
}
