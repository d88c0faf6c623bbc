import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Throttle } from './throttle';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Throttle', () => {
  it('runs at once, then once per window with the latest value, and always the last one', () => {
    const seen: number[] = [];
    const throttle = new Throttle<{ id: string; n: number }>(300, (v) => seen.push(v.n));
    throttle.schedule({ id: 'a', n: 1 });
    throttle.schedule({ id: 'a', n: 2 });
    throttle.schedule({ id: 'a', n: 3 });
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(300);
    expect(seen).toEqual([1, 3]);
    vi.advanceTimersByTime(300);
    expect(seen).toEqual([1, 3]);
  });

  it('keeps ids apart, and runs again for the same (mutated) object', () => {
    const seen: string[] = [];
    const job = { id: 'a', state: 'running' };
    const throttle = new Throttle<{ id: string; state: string }>(100, (v) => seen.push(`${v.id}:${v.state}`));
    throttle.schedule(job);
    throttle.schedule({ id: 'b', state: 'x' });
    job.state = 'finished';
    throttle.schedule(job);
    vi.advanceTimersByTime(100);
    expect(seen).toEqual(['a:running', 'b:x', 'a:finished']);
  });
});
