import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { DailyQuota } from './daily-quota';
import type { Clock } from './rate-limit';

function clockAt(iso: string): Clock & { set(iso: string): void } {
  let now = Date.parse(iso);
  return { now: () => now, sleep: async () => undefined, set: (next) => (now = Date.parse(next)) };
}

beforeEach(() => {
  fakeBrowser.reset();
});

describe('DailyQuota', () => {
  it('hands out what the day has left, per scope, and counts it', async () => {
    const quota = new DailyQuota('media', 10, clockAt('2026-12-03T10:00:00+08:00'));
    expect(await quota.take('https://open.feishu.cn', 4)).toBe(4);
    expect(await quota.take('https://open.feishu.cn', 8)).toBe(6);
    expect(await quota.take('https://open.feishu.cn', 1)).toBe(0);
    expect(await quota.take('https://open.larksuite.com', 5)).toBe(5);
    expect(await quota.used('https://open.feishu.cn')).toBe(10);
  });

  it('shares one count between instances (a restarted worker) and parallel callers', async () => {
    const clock = clockAt('2026-12-03T10:00:00+08:00');
    const a = new DailyQuota('media', 10, clock);
    const b = new DailyQuota('media', 10, clock);
    const granted = await Promise.all([a.take('x', 4), b.take('x', 4), a.take('x', 4)]);
    expect(granted.reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(10);
    expect(await new DailyQuota('media', 10, clock).used('x')).toBe(granted.reduce((sum, n) => sum + n, 0));
  });

  it('starts a new day at midnight Beijing time, and says when', async () => {
    const clock = clockAt('2026-12-03T23:59:00+08:00');
    const quota = new DailyQuota('media', 3, clock);
    expect(await quota.take('x', 5)).toBe(3);
    expect(new Date(quota.renewsAt()).toISOString()).toBe('2026-12-03T16:00:00.000Z');
    clock.set('2026-12-04T00:00:01+08:00');
    expect(await quota.take('x', 5)).toBe(3);
  });
});
