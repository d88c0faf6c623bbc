/**
 * Checks over the sandbox's request log that tests share.
 *
 * `callsBeforeReset(log)`: the calls a client made to an endpoint before a previous rate-limit refusal of that
 * endpoint allowed it. A refusal R (any entry with `rateLimitReset`: the gateway's own limits and injected bursts)
 * forbids calls to the same endpoint on the same host until `R.at + R.rateLimitReset × 1000`. A later call C breaks it
 * when
 *
 *     R.at + concurrentMs  <  C.at  <  R.at + R.rateLimitReset × 1000 − toleranceMs
 *
 * - `concurrentMs` (default 150): calls arriving up to 150 ms after the refusal arrived were in flight before the
 *   client could have read it (several workers start together), so they are not held against it. Only their own
 *   refusals, if they got one, start new waits.
 * - `toleranceMs` (default 50): `at` is taken when a request arrives, not when its answer leaves, and clients time
 *   their wait from their own clock (a timer may start from when the call was sent); 50 ms absorbs that.
 *
 * A call is listed once even if it breaks several refusals; the result is in log order.
 */
import type { RecordedRequest } from './server';

export interface ResetRuleOptions {
  readonly concurrentMs?: number;
  readonly toleranceMs?: number;
}

export const CONCURRENT_MS = 150;
export const RESET_TOLERANCE_MS = 50;

export function callsBeforeReset(log: readonly RecordedRequest[], options: ResetRuleOptions = {}): RecordedRequest[] {
  const concurrentMs = options.concurrentMs ?? CONCURRENT_MS;
  const toleranceMs = options.toleranceMs ?? RESET_TOLERANCE_MS;
  /** Per host and endpoint: the refusals seen so far, as [arrival, allowed again at]. */
  const refusals = new Map<string, [number, number][]>();
  const early: RecordedRequest[] = [];
  for (const call of log) {
    if (call.endpoint === undefined) continue;
    const key = `${call.host} ${call.endpoint}`;
    let previous = refusals.get(key);
    if (previous?.some(([refusedAt, allowedAt]) => call.at > refusedAt + concurrentMs && call.at < allowedAt - toleranceMs)) early.push(call);
    if (call.rateLimitReset === undefined) continue;
    if (!previous) refusals.set(key, (previous = []));
    previous.push([call.at, call.at + call.rateLimitReset * 1000]);
  }
  return early;
}
