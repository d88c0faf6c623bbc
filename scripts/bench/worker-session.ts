/**
 * A CDP session on the extension's service worker.
 *
 * Playwright opens CDP sessions on pages only, so a session on an ordinary page attaches to the worker target in
 * non-flat mode and talks to it through `Target.sendMessageToTarget` / `Target.receivedMessageFromTarget`. Being
 * attached (as DevTools is) keeps Chrome from stopping the worker while idle; the extension keeps it alive during a
 * job anyway. If the worker is replaced, the next call attaches to the new one.
 */
import type { CDPSession } from '@playwright/test';
import type { ExtensionBrowser } from '../../tests/e2e/harness';

const CALL_TIMEOUT_MS = 30_000;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Reply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

/** A reply of the worker target: `{ id, result }` or `{ id, error }`; events have no id and are ignored. */
function parseReply(text: string): Reply | null {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || !('id' in parsed) || typeof parsed.id !== 'number') return null;
  const error = 'error' in parsed ? JSON.stringify(parsed.error) : undefined;
  return { id: parsed.id, ...('result' in parsed ? { result: parsed.result } : {}), ...(error ? { error } : {}) };
}

export class WorkerSession {
  /** Worker targets attached to; more than one means the worker was restarted during the run. */
  readonly attachedTargets = new Set<string>();
  private sessionId: string | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(
    private readonly cdp: CDPSession,
    private readonly extensionId: string,
  ) {
    cdp.on('Target.receivedMessageFromTarget', (event) => {
      if (event.sessionId === this.sessionId) this.onMessage(event.message);
    });
    cdp.on('Target.detachedFromTarget', (event) => {
      if (event.sessionId !== this.sessionId) return;
      this.sessionId = undefined;
      for (const waiter of this.pending.values()) waiter.reject(new Error('worker target detached'));
      this.pending.clear();
    });
  }

  /** Opens the CDP session on the browser's first page, which the harness keeps open (about:blank). */
  static async open(browser: ExtensionBrowser): Promise<WorkerSession> {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    return new WorkerSession(await browser.context.newCDPSession(page), browser.extensionId);
  }

  /** Sends one CDP command to the worker (attaching first if needed) and returns its `result`. */
  async send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const sessionId = this.sessionId ?? (await this.attach());
    const id = this.nextId++;
    const answer = new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      setTimeout(() => {
        if (this.pending.delete(id)) reject(new Error(`${method}: no answer within ${CALL_TIMEOUT_MS / 1000} s`));
      }, CALL_TIMEOUT_MS);
    });
    await this.cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    return answer;
  }

  async close(): Promise<void> {
    await this.cdp.detach().catch(() => undefined);
  }

  private async attach(): Promise<string> {
    const { targetInfos } = await this.cdp.send('Target.getTargets');
    const worker = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${this.extensionId}/`));
    if (!worker) throw new Error('no service worker target (the worker is stopped)');
    const { sessionId } = await this.cdp.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });
    this.attachedTargets.add(worker.targetId);
    this.sessionId = sessionId;
    return sessionId;
  }

  private onMessage(text: string): void {
    const reply = parseReply(text);
    if (!reply) return;
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.error !== undefined) waiter.reject(new Error(reply.error));
    else waiter.resolve(reply.result);
  }
}
