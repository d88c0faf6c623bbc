/** Runs `run` at once, then at most once per `ms` per id (e.g. per job) with the latest value: the last one always. */
export class Throttle<T extends { id: string }> {
  private readonly waiting = new Map<string, { latest: T; again: boolean }>();

  constructor(
    private readonly ms: number,
    private readonly run: (value: T) => void,
  ) {}

  schedule(value: T): void {
    const entry = this.waiting.get(value.id);
    if (entry) {
      entry.latest = value;
      entry.again = true;
      return;
    }
    this.run(value);
    const fresh = { latest: value, again: false };
    this.waiting.set(value.id, fresh);
    setTimeout(() => {
      this.waiting.delete(value.id);
      if (fresh.again) this.schedule(fresh.latest);
    }, this.ms);
  }
}
