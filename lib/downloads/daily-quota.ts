/**
 * Daily quotas (Feishu: media downloads 10,000 a day, documented), counted per API origin and per day of the
 * platform's own clock (Beijing time), kept in local storage so that restarts and parallel jobs share one count.
 * What the day has left is handed out; the rest waits for the next day.
 */
import { storage } from '#imports';
import { z } from 'zod';
import { realClock, type Clock } from './rate-limit';

/** Feishu counts its days in China Standard Time (UTC+8, no daylight saving). */
const PLATFORM_OFFSET_MS = 8 * 3600_000;

const StateSchema = z.object({ day: z.string(), counts: z.record(z.string(), z.number().int().nonnegative()) });
type State = z.infer<typeof StateSchema>;

/** One queue per quota in this context: reads and writes of a count never interleave. */
const queues = new Map<string, Promise<unknown>>();

export class DailyQuota {
  private readonly item;

  constructor(
    readonly name: string,
    readonly limit: number,
    private readonly clock: Clock = realClock,
  ) {
    this.item = storage.defineItem<unknown>(`local:quota:${name}`, { fallback: null });
  }

  /** How many of `wanted` may go today for `scope` (the rest must wait); those are counted as used. */
  take(scope: string, wanted: number): Promise<number> {
    const turn = (queues.get(this.name) ?? Promise.resolve()).then(async () => {
      const state = await this.today();
      const used = state.counts[scope] ?? 0;
      const granted = Math.max(0, Math.min(wanted, this.limit - used));
      if (granted > 0) {
        state.counts[scope] = used + granted;
        await this.item.setValue(state);
      }
      return granted;
    });
    queues.set(this.name, turn.catch(() => undefined));
    return turn;
  }

  async used(scope: string): Promise<number> {
    return (await this.today()).counts[scope] ?? 0;
  }

  /** When the next day begins on the platform's clock (epoch ms). */
  renewsAt(): number {
    const local = this.clock.now() + PLATFORM_OFFSET_MS;
    return Math.floor(local / 86_400_000 + 1) * 86_400_000 - PLATFORM_OFFSET_MS;
  }

  private dayKey(): string {
    return new Date(this.clock.now() + PLATFORM_OFFSET_MS).toISOString().slice(0, 10);
  }

  private async today(): Promise<State> {
    const parsed = StateSchema.safeParse(await this.item.getValue());
    const day = this.dayKey();
    return parsed.success && parsed.data.day === day ? parsed.data : { day, counts: {} };
  }
}

/** Documented: `drive/v1/medias/:token/download` 10,000 a day; every media link we use is one such download. */
export const FEISHU_MEDIA_DAILY_LIMIT = 10_000;
