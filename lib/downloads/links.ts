/**
 * Just-in-time links: the engine asks for one item's link; the batcher resolves it together with the next
 * queued items of the same group, up to the API's batch size, so a job costs the fewest calls the limits allow
 * and no link is fetched long before it is used.
 */
import type { Attachment } from '../core/attachment';
import { toProblem, type Problem } from '../core/problem';

export interface ResolvedLink {
  readonly url: string;
  /** Extra request headers the link needs (never credentials of ours). */
  readonly headers?: readonly { readonly name: string; readonly value: string }[];
}

export type LinkResult = { readonly link: ResolvedLink } | { readonly problem: Problem };

export interface LinkResolver {
  /** Items of one group may be resolved in one call; different groups never share a call. */
  groupOf(attachment: Attachment): string;
  readonly batchSize: number;
  resolve(attachments: readonly Attachment[]): Promise<ReadonlyMap<string, LinkResult>>;
}

export class LinkBatcher {
  private readonly ready = new Map<string, LinkResult>();
  private readonly pending = new Map<string, Promise<void>>();
  /** Items holding a link they have not used yet: never asked for again alongside someone else's batch. */
  private readonly handedOut = new Set<string>();

  constructor(private readonly resolver: LinkResolver) {}

  /**
   * The link for `attachment`; `upcoming` are the attachments expected next (in order), candidates to share the
   * call. Each link is handed out once: a retry asks again and gets a fresh one.
   */
  async take(attachment: Attachment, upcoming: readonly Attachment[]): Promise<LinkResult> {
    // Everyone waiting for a batch waits on the same promise, so they go on in the order they asked.
    if (!this.ready.has(attachment.id)) await (this.pending.get(attachment.id) ?? this.startBatch(attachment, upcoming));
    const result = this.ready.get(attachment.id) ?? { problem: { kind: 'no-link' } };
    this.ready.delete(attachment.id);
    // Marked here, in the same step that hands the link out: the caller's next step comes too late.
    if ('link' in result) this.handedOut.add(attachment.id);
    return result;
  }

  /** The item has used (or given up) the link it took. */
  release(attachmentId: string): void {
    this.handedOut.delete(attachmentId);
  }

  /** Forget every refusal not yet handed out: they are asked for again (after a pause, things may have changed). */
  dropProblems(): void {
    for (const [id, result] of this.ready) if ('problem' in result) this.ready.delete(id);
  }

  /** Forget a link not used (e.g. the item was cancelled). */
  drop(attachmentId: string): void {
    this.ready.delete(attachmentId);
  }

  private startBatch(first: Attachment, upcoming: readonly Attachment[]): Promise<void> {
    const group = this.resolver.groupOf(first);
    const batch = [first];
    for (const candidate of upcoming) {
      if (batch.length >= this.resolver.batchSize) break;
      if (candidate.id === first.id || this.ready.has(candidate.id) || this.pending.has(candidate.id) || this.handedOut.has(candidate.id)) continue;
      if (this.resolver.groupOf(candidate) !== group || batch.some((b) => b.id === candidate.id)) continue;
      batch.push(candidate);
    }
    const done: Promise<void> = this.resolver
      .resolve(batch)
      .then(
        (results) => {
          for (const item of batch) this.ready.set(item.id, results.get(item.id) ?? { problem: { kind: 'no-link' } });
        },
        (error: unknown) => {
          const problem = toProblem(error);
          for (const item of batch) this.ready.set(item.id, { problem });
        },
      )
      .finally(() => {
        for (const item of batch) if (this.pending.get(item.id) === done) this.pending.delete(item.id);
      });
    for (const item of batch) this.pending.set(item.id, done);
    return done;
  }
}
