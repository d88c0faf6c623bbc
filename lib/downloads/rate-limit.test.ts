import { describe, expect, it } from 'vitest';
import { EndpointLimiter, type Clock } from './rate-limit';

/** A virtual clock: sleeping advances time instantly, so tests are exact and fast. */
function virtualClock(): Clock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

async function sendTimes(limiter: EndpointLimiter, clock: { now(): number }, count: number): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: count }, () => limiter.acquire().then(() => times.push(clock.now()))),
  );
  return times;
}

function maxInAnyWindow(times: number[], windowMs: number): number {
  return Math.max(...times.map((start) => times.filter((t) => t >= start && t < start + windowMs).length));
}

describe('EndpointLimiter', () => {
  it('never lets more than the limit through in any sliding window', async () => {
    const clock = virtualClock();
    const limiter = new EndpointLimiter([{ limit: 5, intervalMs: 1000 }], clock);
    const times = await sendTimes(limiter, clock, 23);
    expect(times).toHaveLength(23);
    expect(maxInAnyWindow(times, 1000)).toBeLessThanOrEqual(5);
    // The first five go at once; no idle beyond the safety margin (1100 ms per 5 calls).
    expect(times.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(times.at(-1)).toBe(4 * 1100);
  });

  it('honours several windows at once', async () => {
    const clock = virtualClock();
    const limiter = new EndpointLimiter(
      [
        { limit: 3, intervalMs: 1000 },
        { limit: 5, intervalMs: 60_000 },
      ],
      clock,
    );
    const times = await sendTimes(limiter, clock, 7);
    expect(maxInAnyWindow(times, 1000)).toBeLessThanOrEqual(3);
    expect(maxInAnyWindow(times, 60_000)).toBeLessThanOrEqual(5);
    expect(times[5]).toBeGreaterThanOrEqual(66_000);
  });

  it('holds waiting and future calls until a server-given reset', async () => {
    const clock = virtualClock();
    const limiter = new EndpointLimiter([{ limit: 100, intervalMs: 1000 }], clock);
    await limiter.acquire();
    limiter.pauseUntil(3000);
    const times = await sendTimes(limiter, clock, 3);
    expect(times.every((t) => t >= 3000)).toBe(true);
    limiter.pauseUntil(1000); // an earlier reset never shortens a pause
    expect(limiter.pausedUntil).toBe(3000);
  });

  it('serves callers in order', async () => {
    const clock = virtualClock();
    const limiter = new EndpointLimiter([{ limit: 1, intervalMs: 1000 }], clock);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => limiter.acquire().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
  });
});
