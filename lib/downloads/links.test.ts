import { describe, expect, it } from 'vitest';
import type { Attachment } from '../core/attachment';
import { ProblemError } from '../core/problem';
import { LinkBatcher, type LinkResolver, type LinkResult } from './links';

const FEISHU_API = 'https://open.feishu.cn';
const LARK_API = 'https://open.larksuite.com';

function attachment(n: number, apiBase = FEISHU_API): Attachment {
  const token = `boxcn${String(n).padStart(6, '0')}`;
  return { id: `feishu-media:${token}`, name: `file-${n}.pdf`, nameIsGenerated: false, kind: 'file', source: { type: 'feishu-media', apiBase, token }, subfolders: [] };
}

/** The identifier the link service knows an attachment by: its token, or a mail attachment's id. */
function tokenOf(attachment: Attachment): string {
  const { source } = attachment;
  return source.type === 'feishu-mail' ? source.attachmentId : source.type === 'ekuaibao-attachment' ? source.fileId : source.token;
}

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

/** A fake link service: records each call's ids and answers with a fresh, numbered link per id. */
function fakeResolver(options: { batchSize?: number; gate?: Promise<void>; fail?: Error; omit?: readonly string[] } = {}) {
  const calls: string[][] = [];
  let issued = 0;
  const resolver: LinkResolver = {
    batchSize: options.batchSize ?? 5,
    groupOf: (a) => `${a.source.type} ${a.source.apiBase}`,
    async resolve(attachments) {
      calls.push(attachments.map((a) => a.id));
      await options.gate;
      if (options.fail !== undefined) throw options.fail;
      const results = new Map<string, LinkResult>();
      for (const a of attachments) {
        if (options.omit?.includes(a.id)) continue;
        results.set(a.id, { link: { url: `https://internal-api-drive-stream.feishu.cn/x?code=${tokenOf(a)}-${++issued}` } });
      }
      return results;
    },
  };
  return { resolver, calls };
}

const urlOf = (result: LinkResult) => ('link' in result ? result.link.url : null);

describe('LinkBatcher', () => {
  it('resolves the asked item with the next upcoming items of its group, up to the batch size', async () => {
    const { resolver, calls } = fakeResolver({ batchSize: 3 });
    const batcher = new LinkBatcher(resolver);
    const items = [1, 2, 3, 4, 5].map((n) => attachment(n));
    const first = await batcher.take(items[0]!, items.slice(1));
    expect(calls).toEqual([[items[0]!.id, items[1]!.id, items[2]!.id]]);
    expect(urlOf(first)).toBe('https://internal-api-drive-stream.feishu.cn/x?code=boxcn000001-1');

    // Items 2 and 3 come from the same call; item 4 needs a new one, which takes item 5 along.
    expect(urlOf(await batcher.take(items[1]!, items.slice(2)))).toBe('https://internal-api-drive-stream.feishu.cn/x?code=boxcn000002-2');
    expect(urlOf(await batcher.take(items[2]!, items.slice(3)))).toBe('https://internal-api-drive-stream.feishu.cn/x?code=boxcn000003-3');
    expect(calls).toHaveLength(1);
    await batcher.take(items[3]!, items.slice(4));
    expect(calls).toEqual([
      [items[0]!.id, items[1]!.id, items[2]!.id],
      [items[3]!.id, items[4]!.id],
    ]);
  });

  it('never mixes groups in one call', async () => {
    const { resolver, calls } = fakeResolver();
    const batcher = new LinkBatcher(resolver);
    const feishu = [1, 2].map((n) => attachment(n));
    const lark = [3, 4].map((n) => attachment(n, LARK_API));
    await batcher.take(feishu[0]!, [lark[0]!, feishu[1]!, lark[1]!]);
    expect(calls).toEqual([[feishu[0]!.id, feishu[1]!.id]]);
    await batcher.take(lark[0]!, [lark[1]!]);
    expect(calls[1]).toEqual([lark[0]!.id, lark[1]!.id]);
  });

  it('leaves out duplicates and the asked item itself from the upcoming list', async () => {
    const { resolver, calls } = fakeResolver();
    const batcher = new LinkBatcher(resolver);
    const [a, b, c] = [1, 2, 3].map((n) => attachment(n));
    await batcher.take(a!, [a!, b!, b!, c!, a!]);
    expect(calls).toEqual([[a!.id, b!.id, c!.id]]);
  });

  it('hands each link out once: asking again gets a fresh link', async () => {
    const { resolver, calls } = fakeResolver();
    const batcher = new LinkBatcher(resolver);
    const a = attachment(1);
    const first = await batcher.take(a, []);
    const second = await batcher.take(a, []);
    expect(calls).toEqual([[a.id], [a.id]]);
    expect(urlOf(first)).not.toBe(urlOf(second));
  });

  it('does not ask again for an item whose link is waiting to be taken', async () => {
    const { resolver, calls } = fakeResolver();
    const batcher = new LinkBatcher(resolver);
    const [a, b, c] = [1, 2, 3].map((n) => attachment(n));
    await batcher.take(a!, [b!]);
    // b's link is ready: a new call for c must not include b again.
    await batcher.take(c!, [b!, c!]);
    expect(calls).toEqual([[a!.id, b!.id], [c!.id]]);
    expect(urlOf(await batcher.take(b!, []))).toBe('https://internal-api-drive-stream.feishu.cn/x?code=boxcn000002-2');
    expect(calls).toHaveLength(2);
  });

  it('makes one call for items taken together while their batch is in flight', async () => {
    const gate = deferred();
    const { resolver, calls } = fakeResolver({ gate: gate.promise });
    const batcher = new LinkBatcher(resolver);
    const items = [1, 2, 3, 4].map((n) => attachment(n));
    const taken = items.map((item, i) => batcher.take(item, items.slice(i + 1)));
    gate.release();
    const results = await Promise.all(taken);
    expect(calls).toEqual([items.map((i) => i.id)]);
    expect(results.map(urlOf)).toEqual(items.map((item, i) => `https://internal-api-drive-stream.feishu.cn/x?code=${tokenOf(item)}-${i + 1}`));
  });

  it('leaves items in flight out of a second call', async () => {
    const gate = deferred();
    const { resolver, calls } = fakeResolver({ batchSize: 2, gate: gate.promise });
    const batcher = new LinkBatcher(resolver);
    const [a, b, c, d] = [1, 2, 3, 4].map((n) => attachment(n));
    const takeA = batcher.take(a!, [b!, c!, d!]);
    const takeC = batcher.take(c!, [b!, d!]);
    gate.release();
    await Promise.all([takeA, takeC]);
    expect(calls).toEqual([
      [a!.id, b!.id],
      [c!.id, d!.id],
    ]);
  });

  it('turns a failed call into the same problem for every item of the batch', async () => {
    const gate = deferred();
    const failure = new ProblemError({ kind: 'scope-missing', scopes: ['docs:document.media:download'], code: 99991679 });
    const { resolver, calls } = fakeResolver({ gate: gate.promise, fail: failure });
    const batcher = new LinkBatcher(resolver);
    const [a, b, c] = [1, 2, 3].map((n) => attachment(n));
    const taken = [batcher.take(a!, [b!, c!]), batcher.take(b!, [c!])];
    gate.release();
    const expected = { problem: { kind: 'scope-missing', scopes: ['docs:document.media:download'], code: 99991679 } };
    expect(await Promise.all(taken)).toEqual([expected, expected]);
    // c was in the failed batch too: its problem waits for it, without another call.
    expect(await batcher.take(c!, [])).toEqual(expected);
    expect(calls).toHaveLength(1);
  });

  it('turns an unexpected error into an unknown problem', async () => {
    const { resolver } = fakeResolver({ fail: new TypeError('Failed to fetch') });
    expect(await new LinkBatcher(resolver).take(attachment(1), [])).toEqual({ problem: { kind: 'unknown', detail: 'Failed to fetch' } });
  });

  it('gives "no link" to an item the resolver did not answer for', async () => {
    const a = attachment(1);
    const b = attachment(2);
    const { resolver } = fakeResolver({ omit: [b.id] });
    const batcher = new LinkBatcher(resolver);
    expect(urlOf(await batcher.take(a, [b]))).toMatch(/boxcn000001/);
    expect(await batcher.take(b, [])).toEqual({ problem: { kind: 'no-link' } });
  });

  it('forgets a dropped link', async () => {
    const { resolver, calls } = fakeResolver();
    const batcher = new LinkBatcher(resolver);
    const [a, b] = [1, 2].map((n) => attachment(n));
    await batcher.take(a!, [b!]);
    batcher.drop(b!.id);
    await batcher.take(b!, []);
    expect(calls).toEqual([[a!.id, b!.id], [b!.id]]);
  });
});

describe('LinkBatcher: links handed out', () => {
  it('never asks again for an item that took its link and has not used it yet, even when listed as upcoming', async () => {
    const { resolver, calls } = fakeResolver({ batchSize: 3 });
    const batcher = new LinkBatcher(resolver);
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((n) => attachment(n));
    await batcher.take(a!, [b!, c!]);
    await batcher.take(b!, []);
    // d's batch is built while b still holds its link (b is "resolving" to the engine, so it is listed).
    await batcher.take(d!, [b!, c!, e!]);
    expect(calls).toEqual([[a!.id, b!.id, c!.id], [d!.id, e!.id]]);
    batcher.release(b!.id);
    await batcher.take(b!, []);
    expect(calls.at(-1)).toEqual([b!.id]);
  });
});
