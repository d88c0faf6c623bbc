// @vitest-environment node
/**
 * Contract tests of the fake mail API: listing, message detail with field scopes, and attachment download URLs
 * (1 call a second, ≤ 20 ids, links valid two hours and usable twice).
 *
 * Time: link expiry is tested by faking `Date` only (`vi.useFakeTimers({ toFake: ['Date'] })`): the stream host
 * reads `Date.now()` when a link is used, so moving the clock 2 h ahead expires links issued before.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAIL, MAIL_ATTACHMENTS, MAIL_MESSAGE_IDS } from './fixtures/mail';
import { createDemoWorld, sandboxFetch, startSandbox, TOKENS, type Sandbox, type SandboxWorld } from './index';

/** Asymmetric matchers typed `unknown`, so object literals that hold them stay type-safe. */
const m = {
  any: (type: unknown): unknown => expect.any(type),
  stringMatching: (pattern: RegExp): unknown => expect.stringMatching(pattern),
  stringContaining: (text: string): unknown => expect.stringContaining(text),
  arrayContaining: (items: unknown[]): unknown => expect.arrayContaining(items),
};

let sandbox: Sandbox;
let send: typeof fetch;

beforeAll(async () => {
  sandbox = await startSandbox({ tls: false });
  send = sandboxFetch(sandbox);
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  sandbox.world = createDemoWorld();
  sandbox.reset();
});

afterEach(() => {
  vi.useRealTimers();
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { code: number; msg?: string; data?: Record<string, unknown>; error?: { permission_violations?: { subject: string }[] } };
}

async function api(path: string, token: string = TOKENS.feishuUser, host = 'open.feishu.cn'): Promise<Answer> {
  const response = await send(`https://${host}/open-apis/mail/v1/user_mailboxes/${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

const list = (query: string, mailbox = 'me') => `${mailbox}/messages${query}`;
const message = (id: string, query = '', mailbox = 'me') => `${mailbox}/messages/${encodeURIComponent(id)}${query}`;
const downloadUrls = (id: string, ids: readonly string[], mailbox = 'me') =>
  `${mailbox}/messages/${encodeURIComponent(id)}/attachments/download_url?${ids.map((a) => `attachment_ids=${encodeURIComponent(a)}`).join('&')}`;

interface ListData {
  items: string[];
  has_more: boolean;
  page_token?: string;
}
interface UrlsData {
  download_urls: { attachment_id: string; download_url: string }[];
  failed_ids: string[];
}

const decode = (value: unknown) => Buffer.from(value as string, 'base64url').toString('utf8');
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The demo world plus users who granted only some of the mail scopes, all owners of the demo mailbox. */
function worldWithPartialScopes(): { world: SandboxWorld; tokens: Record<'readonly' | 'body' | 'subject' | 'address' | 'bodyOnly', string> } {
  const world = createDemoWorld();
  const base = 'mail:user_mailbox.message:readonly';
  const grants = {
    readonly: [base],
    body: [base, 'mail:user_mailbox.message.body:read'],
    subject: [base, 'mail:user_mailbox.message.subject:read'],
    address: [base, 'mail:user_mailbox.message.address:read'],
    bodyOnly: ['mail:user_mailbox.message.body:read'],
  };
  const tokens = Object.fromEntries(Object.keys(grants).map((k) => [k, `u-sandbox-mail-${k}-0000000000000000`])) as Record<keyof typeof grants, string>;
  for (const [key, scopes] of Object.entries(grants)) {
    world.tokens.push({ token: tokens[key as keyof typeof grants], kind: 'user', brand: 'feishu', name: '张三', scopes });
  }
  return {
    world: { ...world, mailboxes: (world.mailboxes ?? []).map((m) => ({ ...m, owners: [...m.owners, ...Object.values(tokens)] })) },
    tokens,
  };
}

describe('list messages', () => {
  it('pages the 35 messages by 20 at most, newest first', async () => {
    const first = (await api(list('?page_size=20'))).body.data as unknown as ListData;
    expect(first.items).toEqual(MAIL_MESSAGE_IDS.slice(0, 20));
    expect(first.has_more).toBe(true);
    const second = (await api(list(`?page_size=20&page_token=${encodeURIComponent(first.page_token!)}`))).body.data as unknown as ListData;
    expect(second.items).toEqual(MAIL_MESSAGE_IDS.slice(20));
    expect([second.has_more, second.page_token]).toEqual([false, undefined]);
    expect(MAIL_MESSAGE_IDS).toHaveLength(MAIL.messageCount);
  });

  it('requires page_size', async () => {
    const answer = await api(list(''));
    expect([answer.status, answer.body.code]).toEqual([400, 1230001]);
  });

  it.each(['0', '21', '-1', '2.5', 'abc'])('refuses page_size=%s with 400/1230001', async (size) => {
    const answer = await api(list(`?page_size=${size}`));
    expect([answer.status, answer.body.code]).toEqual([400, 1230001]);
  });

  it('refuses a bad page token with 400/1230001', async () => {
    const answer = await api(list('?page_size=5&page_token=bm90LWEtdG9rZW4'));
    expect([answer.status, answer.body.code]).toEqual([400, 1230001]);
  });

  it('filters unread messages and folders', async () => {
    expect(((await api(list('?page_size=20&only_unread=true'))).body.data as unknown as ListData).items).toEqual(MAIL.unread);
    expect(((await api(list('?page_size=20&folder_id=SENT'))).body.data as unknown as ListData).items).toEqual([]);
    expect(((await api(list('?page_size=20&folder_id=INBOX'))).body.data as unknown as ListData).items).toHaveLength(20);
  });

  it('resolves `me` for user tokens only, and the owner’s address too', async () => {
    const tenant = await api(list('?page_size=5'), TOKENS.feishuTenant);
    expect([tenant.status, tenant.body.code]).toEqual([400, 1230001]);
    const tenantAddress = await api(list('?page_size=5', MAIL.address), TOKENS.feishuTenant);
    expect([tenantAddress.status, tenantAddress.body.code]).toEqual([500, 1230003]);
    expect((await api(list('?page_size=5', MAIL.address))).body.code).toBe(0);
    const foreign = await api(list('?page_size=5', 'lisi@acme-demo.cn'));
    expect([foreign.status, foreign.body.code]).toEqual([500, 1230003]);
    // A Lark user without a mailbox.
    expect((await api(list('?page_size=5'), TOKENS.larkUser, 'open.larksuite.com')).body.code).toBe(1230001);
  });

  it('needs mail:user_mailbox.message:readonly', async () => {
    const answer = await api(list('?page_size=5'), TOKENS.feishuNoMediaScope);
    expect([answer.status, answer.body.code]).toEqual([400, 99991679]);
    expect(answer.body.error?.permission_violations?.map((v) => v.subject)).toEqual(['mail:user_mailbox.message:readonly']);
  });
});

describe('message detail', () => {
  it('answers the documented fields, with base64url bodies and the attachments', async () => {
    const answer = await api(message(MAIL.inlineMessage));
    expect(answer.body.code).toBe(0);
    const detail = answer.body.data?.['message'] as Record<string, unknown>;
    expect(detail).toMatchObject({
      message_id: MAIL.inlineMessage,
      thread_id: m.any(String),
      subject: '项目启动会纪要（含现场照片）',
      head_from: { mail_address: m.stringContaining('@'), name: m.any(String) },
      to: [{ mail_address: MAIL.address, name: '张三' }],
      cc: m.any(Array),
      bcc: [],
      internal_date: m.stringMatching(/^\d{13}$/),
      message_state: 1,
      smtp_message_id: m.stringMatching(/^<.+@.+>$/),
      label_ids: m.arrayContaining(['INBOX']),
      folder_id: 'INBOX',
    });
    const expected = MAIL_ATTACHMENTS[MAIL.inlineMessage]!;
    expect(detail['attachments']).toEqual(
      expected.map((a) => ({ id: a.id, filename: a.fileName, attachment_type: 1, is_inline: a.isInline, ...(a.cid ? { cid: a.cid } : {}) })),
    );
    expect(expected.filter((a) => a.isInline)).toHaveLength(1);
    expect(decode(detail['body_html'])).toContain(`cid:${expected.find((a) => a.isInline)!.cid!}`);
    expect(decode(detail['body_plain_text'])).toContain('会议纪要.docx');
    expect(decode(detail['body_preview']).length).toBeLessThanOrEqual(100);
    expect(detail['body_html'] as string).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('dates messages newest first over the last weeks', async () => {
    const first = (await api(message(MAIL_MESSAGE_IDS[0]!))).body.data?.['message'] as { internal_date: string };
    const last = (await api(message(MAIL_MESSAGE_IDS[34]!))).body.data?.['message'] as { internal_date: string };
    const span = Number(first.internal_date) - Number(last.internal_date);
    expect(span).toBeGreaterThan(14 * 86_400_000);
    expect(span).toBeLessThan(35 * 86_400_000);
  });

  it('marks the large attachment with attachment_type 2, and lists all 23 of the big message', async () => {
    const large = (await api(message(MAIL.largeMessage))).body.data?.['message'] as { attachments: { attachment_type: number }[] };
    expect(large.attachments.map((a) => a.attachment_type)).toEqual([2]);
    const big = (await api(message(MAIL.bigMessage))).body.data?.['message'] as { subject: string; attachments: { id: string; is_inline: boolean }[] };
    expect(big.subject).toBe('季度合同与发票（23 个附件）');
    expect(big.attachments).toHaveLength(23);
    expect(big.attachments.every((a) => !a.is_inline)).toBe(true);
    expect(big.attachments.map((a) => a.id)).toContain(MAIL.failingAttachment);
  });

  it('has a message id that must be URL-encoded, and answers unknown messages with 404/1230004', async () => {
    expect(MAIL.bigMessage).toMatch(/=$/);
    const unknown = await api(message('TUlHc1NoWFhJMXgyUi9VZTNVL3h6UnlkRUdzPQ=='));
    expect([unknown.status, unknown.body.code]).toEqual([404, 1230004]);
  });

  it('honours format: plain_text_full has no HTML, metadata no bodies; others are refused', async () => {
    const plain = (await api(message(MAIL.bigMessage, '?format=plain_text_full'))).body.data?.['message'] as Record<string, unknown>;
    expect(plain['body_html']).toBeUndefined();
    expect(plain['body_plain_text']).toEqual(expect.any(String));
    const metadata = (await api(message(MAIL.bigMessage, '?format=metadata'))).body.data?.['message'] as Record<string, unknown>;
    expect([metadata['body_html'], metadata['body_plain_text']]).toEqual([undefined, undefined]);
    expect(metadata['attachments']).toHaveLength(23);
    const bad = await api(message(MAIL.bigMessage, '?format=raw'));
    expect([bad.status, bad.body.code]).toEqual([400, 1230001]);
  });

  it('leaves out the fields whose field scope is missing', async () => {
    const { world, tokens } = worldWithPartialScopes();
    sandbox.world = world;
    const get = async (token: string) => (await api(message(MAIL.inlineMessage), token)).body.data?.['message'] as Record<string, unknown>;
    const bodyFields = ['body_html', 'body_plain_text', 'body_preview', 'attachments'];
    const addressFields = ['head_from', 'to', 'cc', 'bcc'];

    const bare = await get(tokens.readonly);
    expect(bare).toMatchObject({ message_id: MAIL.inlineMessage, internal_date: m.any(String) });
    for (const key of ['subject', ...bodyFields, ...addressFields]) expect([key, bare[key]]).toEqual([key, undefined]);

    const body = await get(tokens.body);
    expect(body['attachments']).toHaveLength(3);
    expect(body['body_html']).toEqual(expect.any(String));
    expect([body['subject'], body['head_from']]).toEqual([undefined, undefined]);

    const subject = await get(tokens.subject);
    expect(subject['subject']).toBe('项目启动会纪要（含现场照片）');
    expect([subject['attachments'], subject['to']]).toEqual([undefined, undefined]);

    const address = await get(tokens.address);
    expect(address['head_from']).toEqual({ mail_address: m.any(String), name: m.any(String) });
    expect([address['subject'], address['attachments']]).toEqual([undefined, undefined]);

    const noRead = await api(message(MAIL.inlineMessage), tokens.bodyOnly);
    expect([noRead.status, noRead.body.code]).toEqual([400, 99991679]);
  });

  it('refuses the 101st detail call within a minute with 429/99991400', async () => {
    let last: Answer | undefined;
    for (let i = 0; i < 101; i++) last = await api(message(MAIL_MESSAGE_IDS[i % 35]!, '?format=metadata'));
    expect([last!.status, last!.body.code]).toEqual([429, 99991400]);
    expect(last!.headers.get('x-ogw-ratelimit-limit')).toBe('100');
    expect(Number(last!.headers.get('x-ogw-ratelimit-reset'))).toBeGreaterThan(50);
  });
});

describe('attachment download URLs', () => {
  const big = () => MAIL_ATTACHMENTS[MAIL.bigMessage]!;

  it('gives every attachment of the big message in two calls (20 + 3), the failing one in failed_ids', async () => {
    const ids = big().map((a) => a.id);
    const first = await api(downloadUrls(MAIL.bigMessage, ids.slice(0, 20)));
    expect(first.body.code).toBe(0);
    // One call a second: wait out the window (the refused call would have said so in x-ogw-ratelimit-reset).
    await wait(1100);
    const second = await api(downloadUrls(MAIL.bigMessage, ids.slice(20)));
    expect(second.body.code).toBe(0);
    const data = [first, second].map((a) => a.body.data as unknown as UrlsData);
    const urls = data.flatMap((d) => d.download_urls);
    expect(data.flatMap((d) => d.failed_ids)).toEqual([MAIL.failingAttachment]);
    expect(urls.map((u) => u.attachment_id)).toEqual(ids.filter((id) => id !== MAIL.failingAttachment));
    for (const url of urls) {
      expect(new URL(url.download_url).host).toBe('internal-api-drive-stream.feishu.cn');
      const response = await send(url.download_url);
      expect(response.status).toBe(200);
      const expected = big().find((a) => a.id === url.attachment_id)!;
      expect(Buffer.from(await response.arrayBuffer()).equals(expected.media.bytes)).toBe(true);
    }
  });

  it.each([
    ['no ids', [] as string[]],
    ['21 ids', Array.from({ length: 21 }, (_, i) => `att${i}`)],
  ])('refuses %s with 400/1230001', async (_case, ids) => {
    const answer = await api(downloadUrls(MAIL.bigMessage, ids));
    expect([answer.status, answer.body.code]).toEqual([400, 1230001]);
  });

  it('puts unknown ids into failed_ids, and answers a repeated id once', async () => {
    const known = MAIL_ATTACHMENTS[MAIL.inlineMessage]![1]!.id;
    const answer = await api(downloadUrls(MAIL.inlineMessage, [known, 'NoSuchAttachment00000000000', known]));
    const data = answer.body.data as unknown as UrlsData;
    expect(data.download_urls.map((u) => u.attachment_id)).toEqual([known]);
    expect(data.failed_ids).toEqual(['NoSuchAttachment00000000000']);
  });

  it('refuses a second call within a second with 429/99991400 and x-ogw-ratelimit-reset', async () => {
    const id = MAIL_ATTACHMENTS[MAIL.largeMessage]![0]!.id;
    expect((await api(downloadUrls(MAIL.largeMessage, [id]))).status).toBe(200);
    const refused = await api(downloadUrls(MAIL.largeMessage, [id]));
    expect([refused.status, refused.body.code]).toEqual([429, 99991400]);
    expect(refused.headers.get('x-ogw-ratelimit-limit')).toBe('1');
    expect(refused.headers.get('x-ogw-ratelimit-reset')).toBe('1');
  });

  it('gives links that work exactly twice, without Authorization', async () => {
    const expected = MAIL_ATTACHMENTS[MAIL.inlineMessage]![0]!;
    const data = (await api(downloadUrls(MAIL.inlineMessage, [expected.id]))).body.data as unknown as UrlsData;
    const link = data.download_urls[0]!.download_url;
    const first = await send(link);
    expect(first.status).toBe(200);
    expect(Buffer.from(await first.arrayBuffer()).equals(expected.media.bytes)).toBe(true);
    expect((await send(link, { headers: { Range: 'bytes=0-9' } })).status).toBe(206);
    expect((await send(link)).status).toBe(403);
  });

  it('gives links that expire after two hours', async () => {
    const expected = MAIL_ATTACHMENTS[MAIL.largeMessage]![0]!;
    const before = Date.now();
    const data = (await api(downloadUrls(MAIL.largeMessage, [expected.id]))).body.data as unknown as UrlsData;
    const after = Date.now();
    const link = data.download_urls[0]!.download_url;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(before + 2 * 3600_000 - 5_000);
    expect((await send(link, { method: 'HEAD' })).status).toBe(200);
    vi.setSystemTime(after + 2 * 3600_000 + 1_000);
    expect((await send(link)).status).toBe(403);
  });

  it('needs mail:user_mailbox.message.body:read', async () => {
    const { world, tokens } = worldWithPartialScopes();
    sandbox.world = world;
    const answer = await api(downloadUrls(MAIL.largeMessage, [MAIL_ATTACHMENTS[MAIL.largeMessage]![0]!.id]), tokens.readonly);
    expect([answer.status, answer.body.code]).toEqual([400, 99991679]);
    expect(answer.body.error?.permission_violations?.map((v) => v.subject)).toEqual(['mail:user_mailbox.message.body:read']);
  });

  it('answers an unknown message with 404/1230004', async () => {
    const answer = await api(downloadUrls('TUlHc1NoWFhJMXgyUi9VZTNVL3h6UnlkRUdzPQ==', ['YQqYbQHoQoDqXjxWKhJbo8Gicjf']));
    expect([answer.status, answer.body.code]).toEqual([404, 1230004]);
  });

  it('refuses `me` with a tenant token (400/1230001)', async () => {
    const answer = await api(downloadUrls(MAIL.largeMessage, ['x']), TOKENS.feishuTenant);
    expect([answer.status, answer.body.code]).toEqual([400, 1230001]);
  });
});
