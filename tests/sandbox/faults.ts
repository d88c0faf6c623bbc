/**
 * Fault injection for the Feishu side of the sandbox (Open API gateway and drive stream host), for end-to-end tests
 * of a download engine that must lose nothing. Everything is opt-in: with nothing armed the sandbox answers exactly as
 * without this module. `sandbox.faults` is the handle; `sandbox.reset()` (and `faults.reset()`) disarms everything.
 *
 * Targets are the endpoint ids the gateway logs in `RecordedRequest.endpoint` ('docx.blocks.list',
 * 'drive.media.tmp-url', 'mail.attachments.download-url', …), for every brand and API host (custom hosts included),
 * or `'stream'` (STREAM_TARGET) for the drive stream host. Every faulted request is marked in the log
 * (`RecordedRequest.fault`), and every rate-limit refusal, injected or the gateway's own, carries the reset it
 * answered (`RecordedRequest.rateLimitReset`, seconds).
 *
 * Where faults strike in the gateway, in this order (one fault at most per call):
 *   route found → bearer token checked (a call refused for its token is answered as always and uses up nothing)
 *   → injected rate limit → dropped connection → the route's own rate limits → injected server error → the route.
 * So injected refusals and drops are not counted in the route's real windows (the gateway never let them through),
 * while a call answered with an injected server error was let through and counts, as on the real service.
 *
 * - `rateLimitBurst(endpoint, count, resetSeconds)`: the next `count` calls are refused exactly like the gateway's
 *   limit: the route's status (400 for docx routes, 429 for the others), `{ code: 99991400, msg: 'request trigger
 *   frequency limit', error: { log_id } }`, `x-ogw-ratelimit-limit: <the route's first (tightest) limit>` and
 *   `x-ogw-ratelimit-reset: <resetSeconds>`. Each of these refusals (re)opens a window until its arrival +
 *   `resetSeconds`: once the burst is used up, calls inside the window are still refused the same way, with the
 *   seconds left rounded up (≥ 1) in `x-ogw-ratelimit-reset`. A patient client (waits the reset each time) sees
 *   exactly `count` refusals; an impatient one sees more.
 * - `serverErrors(endpoint, count)`: the next `count` calls that get past the route's own limits fail, alternately:
 *   the 1st, 3rd, … with HTTP 500 and Feishu's envelope `{ code: 1061045, msg: 'internal error', error: { log_id } }`
 *   (1061045 is Drive's "internal error, retry later"; used for every endpoint but the OAuth token endpoint, which
 *   answers its own 500 `{ code: 20050, error: 'server_error', error_description }`), the 2nd, 4th, … with a bare
 *   `502 Bad Gateway` HTML page (`content-type: text/html`, no JSON, no code) as a front proxy sends it.
 * - `dropConnections(target, count)`: for an endpoint, the next `count` calls get no answer at all:
 *   `request.socket.destroy()` (logged with `status: 0`); nothing is done for them (no link issued). Chromium resends
 *   a request once by itself when a *reused* keep-alive connection closes before any byte of the answer, so one drop
 *   may never reach the extension (seen: 1 drop → the page's fetch gets 200; 2 drops → "Failed to fetch"); each
 *   attempt uses up one drop and is logged. For `'stream'`, the next `count` GETs of a signed link that would be
 *   served with a body (200 or 206, ranged probes included) get their headers (full `content-length`) and the first
 *   half of the body, then the TCP connection is reset (logged with the status sent); the link's use is spent, as a
 *   real host would count it. In Chromium a download so cut is interrupted with NETWORK_FAILED at exactly half the
 *   bytes and not resumed by itself. (A plain close would not do: Chromium takes it for
 *   SERVER_CONTENT_LENGTH_MISMATCH and silently resumes with `Range`, up to 5 times.) Requests answered otherwise
 *   (403, 416, HEAD, page previews) use up nothing.
 * - `expireStreamLinks()`: every signed stream link issued so far (tmp-URL and Mail links) stops working at once:
 *   `403 link expired, used up or invalid` (text/plain), as for links past their lifetime (Chromium:
 *   SERVER_FORBIDDEN); links issued afterwards work.
 * - `failMedia(token)`: the stream host answers every signed link of that media with `500 internal server error`
 *   (text/plain; Chromium: SERVER_FAILED) and spends no use, until `healMedia(token)`. Only the stream host:
 *   `drive.media.download` on the API still serves it, and links that are invalid anyway get their 403 first.
 *
 * Time: windows read `Date.now()` when a call arrives (as the log's `at` does), so a test may fake `Date` alone
 * (`vi.useFakeTimers({ toFake: ['Date'] })`) to move through them. The gateway's own windows keep real time.
 */

/** Why a request was answered the way it was, when a fault decided it. */
export type FaultKind = 'rate-limit' | 'server-error' | 'dropped' | 'expired' | 'failing-media';

/** The `dropConnections` target that means the drive stream host (no endpoint id is spelled so). */
export const STREAM_TARGET = 'stream';

/** The internal-error code answered in the envelope of injected 500s. */
export const INJECTED_ERROR_CODE = 1061045;

/** What the gateway must do to one call, when a fault decides it. */
export type GatewayFault =
  | { readonly kind: 'rate-limit'; readonly resetSeconds: number }
  | { readonly kind: 'dropped' }
  | { readonly kind: 'server-error'; readonly variant: 'envelope' | 'gateway' };

interface RateBurst {
  left: number;
  resetSeconds: number;
  /** Until when calls are refused even with the burst used up (0: no window open yet). */
  windowEndsAt: number;
}

interface ErrorRun {
  left: number;
  /** Errors answered so far in this run: even → 500 envelope, odd → 502 page. */
  answered: number;
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
}

export class SandboxFaults {
  private readonly bursts = new Map<string, RateBurst>();
  private readonly errors = new Map<string, ErrorRun>();
  private readonly drops = new Map<string, number>();
  private readonly expiredCodes = new Set<string>();
  private readonly failing = new Set<string>();

  constructor(
    /** The codes of the stream links issued so far (the gateway's state, which its own reset replaces). */
    private readonly issuedLinkCodes: () => Iterable<string>,
    // Read at each call, not captured, so that a faked `Date` moves the windows as it moves the log's `at`.
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The next `count` calls to `endpoint` are rate limited, each opening a `resetSeconds` window (adds to an armed burst). */
  rateLimitBurst(endpoint: string, count: number, resetSeconds: number): void {
    checkCount(count);
    if (!Number.isInteger(resetSeconds) || resetSeconds < 1) throw new RangeError(`resetSeconds must be a whole number ≥ 1, got ${resetSeconds}`);
    const burst = this.bursts.get(endpoint);
    if (burst) {
      burst.left += count;
      burst.resetSeconds = resetSeconds;
    } else {
      this.bursts.set(endpoint, { left: count, resetSeconds, windowEndsAt: 0 });
    }
  }

  /** The next `count` calls to `endpoint` that pass its rate limits fail: 500 envelope and 502 page alternately. */
  serverErrors(endpoint: string, count: number): void {
    checkCount(count);
    const run = this.errors.get(endpoint);
    if (run) run.left += count;
    else this.errors.set(endpoint, { left: count, answered: 0 });
  }

  /** The next `count` requests to `target` (an endpoint id, or 'stream') lose their connection (see the header). */
  dropConnections(target: string, count: number): void {
    checkCount(count);
    this.drops.set(target, (this.drops.get(target) ?? 0) + count);
  }

  /** Every stream link issued so far answers 403 from now on. */
  expireStreamLinks(): void {
    for (const code of this.issuedLinkCodes()) this.expiredCodes.add(code);
  }

  /** Signed links of this media token answer 500 until `healMedia`. */
  failMedia(token: string): void {
    this.failing.add(token);
  }

  healMedia(token: string): void {
    this.failing.delete(token);
  }

  /** Disarms everything (links expired by `expireStreamLinks` are forgotten too: the gateway's reset forgets them all). */
  reset(): void {
    this.bursts.clear();
    this.errors.clear();
    this.drops.clear();
    this.expiredCodes.clear();
    this.failing.clear();
  }

  // --- consulted by the gateway and the stream host -------------------------------------------------------------

  /** Before the route's own limits: an injected rate-limit refusal or a dropped connection, if one is due. */
  beforeLimits(endpoint: string): GatewayFault | null {
    const burst = this.bursts.get(endpoint);
    if (burst) {
      const now = this.now();
      if (burst.left > 0) {
        burst.left--;
        burst.windowEndsAt = Math.max(burst.windowEndsAt, now + burst.resetSeconds * 1000);
        return { kind: 'rate-limit', resetSeconds: burst.resetSeconds };
      }
      if (now < burst.windowEndsAt) return { kind: 'rate-limit', resetSeconds: Math.max(1, Math.ceil((burst.windowEndsAt - now) / 1000)) };
      this.bursts.delete(endpoint);
    }
    return this.takeDrop(endpoint) ? { kind: 'dropped' } : null;
  }

  /** After the route's own limits let the call through: an injected server error, if one is due. */
  afterLimits(endpoint: string): GatewayFault | null {
    const run = this.errors.get(endpoint);
    if (!run || run.left === 0) return null;
    run.left--;
    const variant = run.answered++ % 2 === 0 ? 'envelope' : 'gateway';
    if (run.left === 0) this.errors.delete(endpoint);
    return { kind: 'server-error', variant };
  }

  /** Whether `expireStreamLinks` killed the link with this code. */
  linkExpired(code: string): boolean {
    return this.expiredCodes.has(code);
  }

  /** Whether `failMedia` made this media fail. */
  mediaFailing(token: string): boolean {
    return this.failing.has(token);
  }

  /** Uses up one drop of `target`, if one is armed. */
  takeDrop(target: string): boolean {
    const left = this.drops.get(target) ?? 0;
    if (left === 0) return false;
    if (left === 1) this.drops.delete(target);
    else this.drops.set(target, left - 1);
    return true;
  }
}
