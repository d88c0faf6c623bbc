import { browser } from '#imports';
import type { Job } from '../downloads/job';

/**
 * While a job is open, a cheap extension call every 20 s keeps the worker from being stopped between rate-limit
 * waits (downloads themselves run in the browser and wake us through `downloads.onChanged`).
 */
let keepAlive: ReturnType<typeof setInterval> | undefined;
const openJobs = new Set<string>();
export function keepAliveWhileBusy(job: Job): void {
  // A held job waits for the user (or an alarm): it need not keep the worker awake.
  if (job.finishedAt === undefined && !job.paused) openJobs.add(job.id);
  else openJobs.delete(job.id);
  if (openJobs.size > 0 && keepAlive === undefined) {
    keepAlive = setInterval(() => void browser.runtime.getPlatformInfo(), 20_000);
  } else if (openJobs.size === 0 && keepAlive !== undefined) {
    clearInterval(keepAlive);
    keepAlive = undefined;
  }
}

