/** Sliding one-window-per-key rate counting, as a gateway does it: arrivals within the last `windowMs`. */
export class RateWindows {
  private readonly hits = new Map<string, number[]>();

  /** Records a request at `now` and returns 0, or the ms until one would be allowed (the request is then refused). */
  hit(key: string, limit: number, windowMs: number, now: number): number {
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - windowMs);
    if (recent.length >= limit) {
      this.hits.set(key, recent);
      return recent[recent.length - limit]! + windowMs - now;
    }
    recent.push(now);
    this.hits.set(key, recent);
    return 0;
  }

  reset(): void {
    this.hits.clear();
  }
}
