/**
 * Per-endpoint rate limiting shared by every job and tab.
 *
 * Hand-written rather than p-throttle/bottleneck: we need several windows per endpoint at once (e.g. 50/s and
 * 1000/min), a server-driven pause (`x-ogw-ratelimit-reset` after a 429) that holds back calls already waiting,
 * and an injectable clock for tests; the libraries give one window and no pause.
 */
export interface RateLimit {
  readonly limit: number;
  readonly intervalMs: number;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * Headroom on every window: the server counts arrivals, we count departures, and network jitter can bunch
 * arrivals up, so each window is treated as 10% (at least 50 ms) longer than documented.
 */
export function withSafetyMargin(limit: RateLimit): RateLimit {
  return { limit: limit.limit, intervalMs: limit.intervalMs + Math.max(50, Math.ceil(limit.intervalMs * 0.1)) };
}

export class EndpointLimiter {
  private readonly windows: { limit: RateLimit; sent: number[] }[];
  private blockedUntil = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    limits: readonly RateLimit[],
    private readonly clock: Clock = realClock,
  ) {
    this.windows = limits.map((limit) => ({ limit: withSafetyMargin(limit), sent: [] }));
  }

  /** Resolves when one more call may be sent now; callers are served in order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Holds every call (waiting or future) until `epochMs`, e.g. after a 429 with `x-ogw-ratelimit-reset`. */
  pauseUntil(epochMs: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, epochMs);
  }

  get pausedUntil(): number {
    return this.blockedUntil;
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const readyAt = Math.max(this.blockedUntil, ...this.windows.map((w) => this.windowReadyAt(w, now)));
      if (readyAt <= now) {
        for (const w of this.windows) w.sent.push(now);
        return;
      }
      await this.clock.sleep(readyAt - now);
    }
  }

  private windowReadyAt(window: { limit: RateLimit; sent: number[] }, now: number): number {
    const { limit, intervalMs } = window.limit;
    while (window.sent.length > 0 && window.sent[0]! <= now - intervalMs) window.sent.shift();
    if (window.sent.length < limit) return now;
    return window.sent[window.sent.length - limit]! + intervalMs;
  }
}

/** One limiter per key (API origin + endpoint), created on first use. */
export class RateLimiterRegistry {
  private readonly limiters = new Map<string, EndpointLimiter>();

  constructor(private readonly clock: Clock = realClock) {}

  get(key: string, limits: readonly RateLimit[]): EndpointLimiter {
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new EndpointLimiter(limits, this.clock);
      this.limiters.set(key, limiter);
    }
    return limiter;
  }
}
