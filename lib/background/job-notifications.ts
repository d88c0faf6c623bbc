/**
 * A system notification when a job ends ("12 saved, 1 failed"); clicking it opens the job's report. Each ending is
 * told once, also across worker restarts (a retried job that ends again is a new ending).
 */
import { browser, i18n, storage } from '#imports';
import { z } from 'zod';
import { jobReportUrl } from '../core/extension-pages';
import type { Job } from '../downloads/job';

const told = storage.defineItem<unknown>('session:jobs-told', { fallback: [] });
const NOTIFICATION_PREFIX = 'job:';
const MAX_REMEMBERED = 100;

export function jobSummary(job: Job): { saved: number; failed: number } {
  return { saved: job.items.filter((i) => i.state === 'done').length, failed: job.items.filter((i) => i.state === 'failed').length };
}

export async function notifyJobEnded(job: Job, enabled: boolean): Promise<void> {
  if (job.finishedAt === undefined || job.items.length === 0) return;
  const ending = `${job.id}@${job.finishedAt}`;
  const parsed = z.array(z.string()).safeParse(await told.getValue());
  const endings = parsed.success ? parsed.data : [];
  if (endings.includes(ending)) return;
  await told.setValue([...endings, ending].slice(-MAX_REMEMBERED));
  if (!enabled || job.cancelledAt !== undefined) return;
  const { saved, failed } = jobSummary(job);
  const message = failed > 0 ? i18n.t('notify.savedFailed', { saved: String(saved), failed: String(failed) }) : i18n.t('notify.saved', { saved: String(saved) });
  await browser.notifications
    .create(`${NOTIFICATION_PREFIX}${job.id}`, { type: 'basic', iconUrl: browser.runtime.getURL('/icon/128.png'), title: job.title || i18n.t('extName'), message })
    .catch(() => undefined);
}

/** A click on a job's notification opens its report. */
export async function openNotifiedJob(notificationId: string): Promise<void> {
  if (!notificationId.startsWith(NOTIFICATION_PREFIX)) return;
  await browser.tabs.create({ url: jobReportUrl(notificationId.slice(NOTIFICATION_PREFIX.length)) });
  await browser.notifications.clear(notificationId).catch(() => false);
}
