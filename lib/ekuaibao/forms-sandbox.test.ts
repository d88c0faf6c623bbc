// @vitest-environment node
/**
 * Listing Ekuaibao forms against the sandbox's form details: the demo's travel and marketing forms must yield exactly
 * the files `EKUAIBAO_FILES` names, each in its place, whether the page named them by code or by flow id; deleted and
 * unknown forms are named with their reason; a refused token fails the page. The listing's attachments then resolve,
 * through the engine's resolver, to the files' exact bytes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDemoWorld, EKUAIBAO, EKUAIBAO_FILES, sandboxFetch, startSandbox, type ExpectedEkuaibaoFile, type Sandbox } from '../../tests/sandbox';
import { AttachmentListingSchema, type Attachment, type AttachmentListing, type FormOrigin } from '../core/attachment';
import type { EkuaibaoPage, FormRef } from '../core/page';
import type { LinkResult } from '../downloads/links';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { EkuaibaoClient } from './client';
import { createEkuaibaoResolver } from './download-urls';
import { listEkuaibaoForms } from './forms';
import { problemOf } from '../../tests/unit/problem-of';

const { travel, marketing, deleted } = EKUAIBAO.forms;
const byCode: readonly FormRef[] = [{ code: travel.code }, { code: marketing.code }];
const byFlowId: readonly FormRef[] = [{ flowId: travel.flowId }, { flowId: marketing.flowId }];

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ tls: false });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  sandbox.world = createDemoWorld();
  sandbox.reset();
});

function client(token: string = EKUAIBAO.token): EkuaibaoClient {
  return new EkuaibaoClient({ apiBase: EKUAIBAO.apiBase, accessToken: async () => token, limiters: new RateLimiterRegistry(), fetch: sandboxFetch(sandbox), retries: 0 });
}

const page = (forms: readonly FormRef[]): EkuaibaoPage => ({ platform: 'ekuaibao', kind: 'forms', host: 'app.ekuaibao.com', forms: [...forms] });
const list = (forms: readonly FormRef[], token?: string) => listEkuaibaoForms(client(token), page(forms));


const pair = (item: { fileId: string; key: string }) => `${item.fileId}\n${item.key}`;
const pairOf = (attachment: Attachment) => {
  if (attachment.source.type !== 'ekuaibao-attachment') throw new Error(`not an Ekuaibao attachment: ${attachment.id}`);
  return pair(attachment.source);
};

/** Where the demo says a file is first referenced, worded as the listing's origin (lines' fee types aside). */
function expectedOrigin(file: ExpectedEkuaibaoFile): Partial<FormOrigin> {
  const origin = { form: file.formCode, part: file.place, ...(file.line !== undefined ? { line: file.line } : {}) };
  if (file.place === 'field') return { ...origin, label: (file.field ?? '').replace(/^u_/, '') };
  if (file.place === 'approval') return { ...origin, label: (file.logAction ?? '').replace(/^freeflow\./, '') };
  return origin;
}

/** The fee type of an expense line, as the sandbox's form has it. */
function feeTypeOf(code: string, line: number): string {
  const form = sandbox.world.ekuaibao?.forms.find((f) => f.code === code);
  const feeType = form?.lines[line - 1]?.feeTypeName;
  if (!feeType) throw new Error(`no line ${line} in ${code}`);
  return feeType;
}

/** Each listed attachment by its (fileId, key) pair; fails on a pair listed twice. */
function byPair(listing: AttachmentListing): Map<string, Attachment> {
  const map = new Map(listing.attachments.map((a) => [pairOf(a), a]));
  expect(map.size).toBe(listing.attachments.length);
  return map;
}

describe('listEkuaibaoForms against the sandbox', () => {
  it('finds exactly the 119 files of the travel and marketing forms by their codes, each once', async () => {
    const listing = await list(byCode);
    expect(AttachmentListingSchema.parse(listing)).toEqual(listing);
    expect(listing).toMatchObject({ type: 'attachments', title: `${travel.code}, ${marketing.code}`, folder: ['Ekuaibao'], partial: [], hints: [] });
    expect([...byPair(listing).keys()].sort()).toEqual(EKUAIBAO_FILES.map(pair).sort());
    expect(new Set(listing.attachments.map((a) => a.id)).size).toBe(119);
    expect(sandbox.log.map((e) => [e.endpoint, e.status])).toEqual([
      ['ekb.flow-details.by-code', 200],
      ['ekb.flow-details.by-code', 200],
    ]);
  });

  it('puts each file where the form has it: form, custom field, expense line, invoice, approval', async () => {
    const listed = byPair(await list(byCode));
    for (const file of EKUAIBAO_FILES) {
      const origin = listed.get(pair(file))?.origin;
      expect([file.fileName, origin]).toEqual([file.fileName, expect.objectContaining(expectedOrigin(file))]);
    }
    // Expense lines are labelled with their fee type.
    const hotelInvoice = EKUAIBAO_FILES.find((f) => f.place === 'invoice' && f.line === 2 && f.formCode === travel.code)!;
    expect(listed.get(pair(hotelInvoice))?.origin).toEqual({ form: travel.code, part: 'invoice', line: 2, label: '住宿' });
  });

  it('finds the same files, described the same, when the page names the forms by flow id', async () => {
    const [fromCodes, fromFlowIds] = [await list(byCode), await list(byFlowId)];
    expect(fromFlowIds.attachments).toEqual(fromCodes.attachments);
    expect(fromFlowIds.title).toBe(fromCodes.title);
    expect(sandbox.log.filter((e) => e.endpoint === 'ekb.flow-details').map((e) => new Map(e.query).get('flowId'))).toEqual([travel.flowId, marketing.flowId]);
  });

  it('lists a form named both by flow id and by code once', async () => {
    const listing = await list([{ flowId: travel.flowId }, { code: travel.code }, { code: marketing.code }, { flowId: marketing.flowId }]);
    expect(listing.attachments).toHaveLength(119);
    expect(listing.title).toBe(`${travel.code}, ${marketing.code}`);
  });

  it('names the files as the form does, the nameless upload from its key, DingPan files from theirs with their size', async () => {
    const listed = byPair(await list(byCode));
    for (const file of EKUAIBAO_FILES) {
      const attachment = listed.get(pair(file))!;
      if (file.dingPan) {
        expect(attachment).toMatchObject({ size: file.bytes.length, noProbe: true });
        // The key's fileType completes a DingPan name that lacks it.
        expect(attachment.name).toBe(file.fileName === '酒店发票' ? '酒店发票.pdf' : file.fileName);
      } else if (file.fileName !== undefined) {
        expect(attachment.name).toBe(file.fileName);
      } else {
        expect(attachment).toMatchObject({ name: 'scan.jpg', nameIsGenerated: false, kind: 'image' });
      }
    }
  });

  it('keeps a form in its folder, and the marketing form (8 lines with files) in one folder per line', async () => {
    const listed = byPair(await list(byCode));
    for (const file of EKUAIBAO_FILES) {
      const { subfolders } = listed.get(pair(file))!;
      if (file.formCode === travel.code) expect(subfolders).toEqual([`${travel.code} ${travel.title}`]);
      else if (file.line === undefined) expect(subfolders).toEqual([`${marketing.code} ${marketing.title}`]);
      else expect(subfolders).toEqual([`${marketing.code} ${marketing.title}`, `0${file.line} ${feeTypeOf(marketing.code, file.line)}`]);
    }
  });

  it('titles a page of one form by its code and title', async () => {
    const listing = await list([{ code: travel.code }]);
    expect(listing.title).toBe(`${travel.code} ${travel.title}`);
    expect(listing.attachments).toHaveLength(EKUAIBAO_FILES.filter((f) => f.formCode === travel.code).length);
  });

  it('names deleted and unknown forms with their reason, and still lists the others', async () => {
    const listing = await list([{ code: deleted.code }, { code: travel.code }, { code: EKUAIBAO.unknownCode }, { flowId: deleted.flowId }, { code: marketing.code }]);
    expect(listing.attachments).toHaveLength(119);
    expect(listing.partial).toEqual([
      { where: deleted.code, problem: { kind: 'not-found', platform: 'ekuaibao', status: 412, host: 'app.ekuaibao.com', detail: '单据已删除' } },
      { where: EKUAIBAO.unknownCode, problem: { kind: 'not-found', platform: 'ekuaibao', status: 412, host: 'app.ekuaibao.com', detail: '单据不存在' } },
      { where: deleted.flowId, problem: { kind: 'not-found', platform: 'ekuaibao', status: 412, host: 'app.ekuaibao.com', detail: '单据已删除' } },
    ]);
  });

  it("finds nothing of the demo with another corporation's token: every form not-found", async () => {
    const listing = await list(byCode, EKUAIBAO.otherCorpToken);
    expect(listing.attachments).toEqual([]);
    expect(listing.partial.map((p) => [p.where, p.problem.kind])).toEqual([
      [travel.code, 'not-found'],
      [marketing.code, 'not-found'],
    ]);
  });

  it('fails the page with token-invalid for an expired token, after the first refusal', async () => {
    expect(await problemOf(list(byCode, EKUAIBAO.expiredToken))).toMatchObject({ kind: 'token-invalid', platform: 'ekuaibao', status: 403 });
    expect(sandbox.log.map((e) => e.status)).toEqual([403]);
  });

  it('asks nothing for a page without forms', async () => {
    expect(await list([])).toMatchObject({ attachments: [], partial: [], hints: ['no-forms'] });
    expect(sandbox.log).toEqual([]);
  });

  it("resolves the listing's attachments to the files' exact bytes in 2 downloadurls calls", async () => {
    const listing = await list(byCode);
    const resolver = createEkuaibaoResolver(async () => client());
    const results = new Map<string, LinkResult>();
    for (let i = 0; i < listing.attachments.length; i += resolver.batchSize) {
      for (const [id, result] of await resolver.resolve(listing.attachments.slice(i, i + resolver.batchSize))) results.set(id, result);
    }
    expect(sandbox.log.filter((e) => e.endpoint === 'ekb.downloadurls').map((e) => e.items)).toEqual([100, 19]);
    const listed = byPair(listing);
    for (const file of EKUAIBAO_FILES) {
      const result = results.get(listed.get(pair(file))!.id);
      if (file.missing) {
        expect(result).toMatchObject({ problem: { kind: 'no-link' } });
        continue;
      }
      if (!result || !('link' in result)) throw new Error(`no link for ${file.fileName ?? file.key}`);
      const response = await sandboxFetch(sandbox)(result.link.url, { headers: (result.link.headers ?? []).map((h): [string, string] => [h.name, h.value]) });
      expect(Buffer.from(await response.arrayBuffer()).equals(file.bytes)).toBe(true);
    }
  });
});
