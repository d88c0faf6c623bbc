// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ALL_SCOPES,
  createDemoWorld,
  MAIL,
  MAIL_ATTACHMENTS,
  MAIL_MESSAGE_IDS,
  sandboxFetch,
  startSandbox,
  TOKENS,
  type Sandbox,
  type SandboxWorld,
} from '../../tests/sandbox';
import type { Attachment, MailboxListing, MailMessage } from '../core/attachment';
import { MAIL_FAILED_ID } from '../core/problem';
import type { LinkResult } from '../downloads/links';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { FeishuClient } from './client';
import { createMailResolver, fetchMailLinks, listMailbox, listMoreMail, MAIL_IDS_PER_CALL, MAIL_SCAN } from './mail';
import { problemOf } from '../../tests/unit/problem-of';

const FEISHU_API = 'https://open.feishu.cn';
const STREAM_LINK = /^https:\/\/internal-api-drive-stream\.feishu\.cn\/space\/api\/box\/stream\/download\/authcode\/\?code=[\w-]+$/;

/** The address a fetch was asked for. */
function requestUrl(input: RequestInfo | URL): string {
  return input instanceof Request ? input.url : input.toString();
}

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

function client(token: string = TOKENS.feishuUser): FeishuClient {
  return new FeishuClient({ apiBase: FEISHU_API, accessToken: async () => token, limiters: new RateLimiterRegistry(), fetch: sandboxFetch(sandbox), retries: 0 });
}


/** The demo mailbox's messages as the world holds them, newest first. */
const demoMessages = () => createDemoWorld().mailboxes![0]!.messages;

/** YYYY-MM-DD of a moment, in the local time zone (as a person sees the date). */
const localDay = (ms: number) => new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);

/** What a mailbox listing must say of the demo message `index` (newest first). */
function expectedMessage(index: number): MailMessage {
  const message = demoMessages()[index]!;
  const id = MAIL_MESSAGE_IDS[index]!;
  const attachments: Attachment[] = (MAIL_ATTACHMENTS[id] ?? [])
    .filter((a) => !a.isInline)
    .map((a) => ({
      id: `feishu-mail:${id}:${a.id}`,
      name: a.fileName,
      nameIsGenerated: false,
      kind: /\.(png|jpe?g)$/.test(a.fileName) ? 'image' : 'file',
      source: { type: 'feishu-mail', apiBase: FEISHU_API, messageId: id, attachmentId: a.id },
      subfolders: [],
      where: message.subject,
      noProbe: true,
    }));
  return {
    id,
    subject: message.subject,
    from: message.from.name,
    date: message.internalDate,
    folder: ['Feishu', 'Mail', `${localDay(message.internalDate)} ${message.subject}`],
    attachments,
  };
}

/** Indices (newest first) of the demo messages that have attachments a person asked for. */
const WITH_FILES = MAIL_MESSAGE_IDS.flatMap((id, index) => ((MAIL_ATTACHMENTS[id] ?? []).some((a) => !a.isInline) ? [index] : []));

/** The demo world plus a user of the mailbox whose grant lacks the body scope (so no attachments are shown). */
function worldWithoutBodyScope(): { world: SandboxWorld; token: string } {
  const world = createDemoWorld();
  const token = 'u-sandbox-mail-no-body-scope-00000000000000';
  world.tokens.push({ token, kind: 'user', brand: 'feishu', name: '张三', scopes: ALL_SCOPES.filter((s) => s !== 'mail:user_mailbox.message.body:read') });
  return { world: { ...world, mailboxes: (world.mailboxes ?? []).map((m) => ({ ...m, owners: [...m.owners, token] })) }, token };
}

describe('listMailbox', () => {
  it('lists the recent messages that have attachments, with subject, sender, date and folder', async () => {
    expect(MAIL_SCAN).toBe(30);
    const listing = await listMailbox(client(), { brand: 'feishu' });
    const shown = WITH_FILES.filter((i) => i < MAIL_SCAN);
    expect(listing).toEqual<MailboxListing>({
      type: 'mailbox',
      title: 'Mail',
      messages: shown.map(expectedMessage),
      scanned: MAIL_SCAN,
      nextPageToken: expect.any(String) as string,
      attachmentsHidden: false,
    });
  });

  it('leaves inline images (signatures, logos) out, keeps large attachments', async () => {
    const listing = await listMailbox(client(), { brand: 'feishu' });
    const inline = listing.messages.find((m) => m.id === MAIL.inlineMessage)!;
    expect(inline.attachments.map((a) => a.name)).toEqual(['会议纪要.docx', '参会名单.xlsx']);
    expect(listing.messages.find((m) => m.id === MAIL.largeMessage)?.attachments.map((a) => a.name)).toEqual(['项目演示录像.mp4']);
    expect(listing.messages.find((m) => m.id === MAIL.bigMessage)?.attachments).toHaveLength(23);
  });

  it('never spends a mail link on a probe: every attachment says so', async () => {
    const listing = await listMailbox(client(), { brand: 'feishu' });
    expect(listing.messages.flatMap((m) => m.attachments).every((a) => a.noProbe === true)).toBe(true);
  });

  it('pages through the list 20 at a time, then reads each message once, in the inbox', async () => {
    await listMailbox(client(), { brand: 'feishu' });
    const lists = sandbox.log.filter((e) => e.endpoint === 'mail.messages.list').map((e) => Object.fromEntries(e.query));
    expect(lists.map((q) => [q['page_size'], q['folder_id'], q['page_token'] === undefined])).toEqual([
      ['20', 'INBOX', true],
      ['10', 'INBOX', false],
    ]);
    const gets = sandbox.log.filter((e) => e.endpoint === 'mail.message.get');
    expect(gets.map((e) => decodeURIComponent(e.path.split('/').at(-1)!))).toEqual(MAIL_MESSAGE_IDS.slice(0, MAIL_SCAN));
    expect(gets.every((e) => e.path.startsWith('/open-apis/mail/v1/user_mailboxes/me/messages/'))).toBe(true);
    expect(sandbox.log.every((e) => e.code === 0)).toBe(true);
  });

  it('goes on where the last scan stopped, and says when there is nothing older', async () => {
    const first = await listMailbox(client(), { brand: 'feishu' });
    const rest = await listMailbox(client(), { brand: 'feishu', pageToken: first.nextPageToken });
    expect(rest.scanned).toBe(MAIL.messageCount - MAIL_SCAN);
    expect(rest.nextPageToken).toBeUndefined();
    expect(rest.messages).toEqual(WITH_FILES.filter((i) => i >= MAIL_SCAN).map(expectedMessage));
  });

  it('grows a listing with the older messages (listMoreMail), once each', async () => {
    const first = await listMailbox(client(), { brand: 'feishu' });
    const grown = await listMoreMail(client(), first, 'feishu');
    expect(grown.messages).toEqual(WITH_FILES.map(expectedMessage));
    expect(grown.scanned).toBe(MAIL.messageCount);
    expect(grown.nextPageToken).toBeUndefined();
    const calls = sandbox.log.length;
    expect(await listMoreMail(client(), grown, 'feishu')).toBe(grown);
    expect(sandbox.log).toHaveLength(calls);
  });

  it('scans as many messages as asked', async () => {
    const listing = await listMailbox(client(), { brand: 'feishu', scan: 5 });
    expect(listing.scanned).toBe(5);
    expect(listing.messages.map((m) => m.id)).toEqual(WITH_FILES.filter((i) => i < 5).map((i) => MAIL_MESSAGE_IDS[i]));
  });

  it('says attachments are hidden when the token lacks the body scope', async () => {
    const { world, token } = worldWithoutBodyScope();
    sandbox.world = world;
    const listing = await listMailbox(client(token), { brand: 'feishu', scan: 6 });
    expect(listing).toMatchObject({ messages: [], scanned: 6, attachmentsHidden: true });
  });

  it('puts Lark mail under the Lark folder', async () => {
    const listing = await listMailbox(client(), { brand: 'lark', scan: 1 });
    expect(listing.messages[0]?.folder[0]).toBe('Lark');
  });

  it('names what the message leaves out', async () => {
    const remote: typeof fetch = async (input) => {
      const url = new URL(requestUrl(input));
      const body = url.pathname.endsWith('/messages')
        ? { code: 0, data: { items: ['msgBare00001'], has_more: false } }
        : { code: 0, data: { message: { message_id: 'msgBare00001', attachments: [{ id: 'attBare0001' }, { id: 'attBare0002', filename: '  ', is_inline: false }, { id: 'attInline01', is_inline: true }] } } };
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    };
    const bare = new FeishuClient({ apiBase: FEISHU_API, accessToken: async () => TOKENS.feishuUser, limiters: new RateLimiterRegistry(), fetch: remote });
    const listing = await listMailbox(bare, { brand: 'feishu' });
    expect(listing.messages).toEqual([
      {
        id: 'msgBare00001',
        subject: '(no subject)',
        from: '',
        date: 0,
        folder: ['Feishu', 'Mail', '(no subject)'],
        attachments: ['attBare0001', 'attBare0002'].map((attachmentId, i) => ({
          id: `feishu-mail:msgBare00001:${attachmentId}`,
          name: `attachment-0${i + 1}`,
          nameIsGenerated: true,
          kind: 'file',
          source: { type: 'feishu-mail', apiBase: FEISHU_API, messageId: 'msgBare00001', attachmentId },
          subfolders: [],
          where: '(no subject)',
          noProbe: true,
        })),
      },
    ]);
    expect(listing.scanned).toBe(1);
    expect(listing.nextPageToken).toBeUndefined();
  });

  it('cannot read `me` with a tenant token', async () => {
    expect(await problemOf(listMailbox(client(TOKENS.feishuTenant), { brand: 'feishu' }))).toMatchObject({ code: 1230001, status: 400 });
  });
});

describe('fetchMailLinks', () => {
  const big = MAIL_ATTACHMENTS[MAIL.bigMessage]!;

  it('asks for at most 20 ids a call, turns failed_ids into "no link" problems, and the links work', async () => {
    expect(MAIL_IDS_PER_CALL).toBe(20);
    const ids = big.map((a) => a.id);
    const links = await fetchMailLinks(client(), MAIL.bigMessage, ids);
    const calls = sandbox.log.filter((e) => e.endpoint === 'mail.attachments.download-url');
    expect(calls.map((e) => e.query.filter(([k]) => k === 'attachment_ids').map(([, v]) => v))).toEqual([ids.slice(0, 20), ids.slice(20)]);
    expect(calls.every((e) => e.path === `/open-apis/mail/v1/user_mailboxes/me/messages/${encodeURIComponent(MAIL.bigMessage)}/attachments/download_url`)).toBe(true);
    expect([...links.keys()]).toEqual(ids);
    expect(links.get(MAIL.failingAttachment)).toEqual({ problem: { kind: 'no-link', host: 'open.feishu.cn', detail: MAIL_FAILED_ID } });

    const download = sandboxFetch(sandbox);
    for (const attachment of big.filter((a) => !a.alwaysFails)) {
      const result = links.get(attachment.id);
      expect(result && 'link' in result && Object.keys(result.link)).toEqual(['url']);
      if (!result || !('link' in result)) continue;
      expect(result.link.url).toMatch(STREAM_LINK);
      const response = await download(result.link.url, { credentials: 'omit' });
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(attachment.media.bytes)).toBe(true);
    }
  });

  it('gives "no link" for an id the answer leaves out', async () => {
    const [first] = MAIL_ATTACHMENTS[MAIL_MESSAGE_IDS[0]!]!;
    const links = await fetchMailLinks(client(), MAIL_MESSAGE_IDS[0]!, [first!.id, 'attUnknown000000000000001']);
    expect(links.get(first!.id)).toMatchObject({ link: { url: expect.stringMatching(STREAM_LINK) as string } });
    expect(links.get('attUnknown000000000000001')).toEqual({ problem: { kind: 'no-link', host: 'open.feishu.cn', detail: MAIL_FAILED_ID } });
  });

  it('passes a call-wide problem on', async () => {
    const [first] = MAIL_ATTACHMENTS[MAIL_MESSAGE_IDS[0]!]!;
    expect(await problemOf(fetchMailLinks(client(TOKENS.feishuNoMediaScope), MAIL_MESSAGE_IDS[0]!, [first!.id]))).toMatchObject({ kind: 'scope-missing' });
  });
});

describe('createMailResolver', () => {
  it('groups attachments by message, so one call never mixes messages', () => {
    const resolver = createMailResolver(async () => client());
    const of = (messageId: string, attachmentId: string): Attachment => ({
      id: `feishu-mail:${messageId}:${attachmentId}`,
      name: 'x',
      nameIsGenerated: false,
      kind: 'file',
      source: { type: 'feishu-mail', apiBase: FEISHU_API, messageId, attachmentId },
      subfolders: [],
      noProbe: true,
    });
    expect(resolver.batchSize).toBe(20);
    expect(resolver.groupOf(of('msgA', 'att1'))).toBe(resolver.groupOf(of('msgA', 'att2')));
    expect(resolver.groupOf(of('msgA', 'att1'))).not.toBe(resolver.groupOf(of('msgB', 'att1')));
  });

  it('resolves a message\'s attachments by attachment id, with the client of their API base', async () => {
    const listing = await listMailbox(client(), { brand: 'feishu', scan: 7 });
    const message = listing.messages.find((m) => m.id === MAIL.inlineMessage)!;
    sandbox.log.length = 0;
    const clientFor = vi.fn(async () => client());
    const results = await createMailResolver(clientFor).resolve(message.attachments);
    expect(clientFor).toHaveBeenCalledExactlyOnceWith(FEISHU_API);
    expect([...results.keys()]).toEqual(message.attachments.map((a) => a.id));
    const urls = [...results.values()].map((r: LinkResult) => ('link' in r ? r.link.url : null));
    for (const url of urls) expect(url).toMatch(STREAM_LINK);
    expect(sandbox.log.filter((e) => e.endpoint === 'mail.attachments.download-url')).toHaveLength(1);
  });

  it('asks for nothing when given nothing', async () => {
    const clientFor = vi.fn(async () => client());
    expect((await createMailResolver(clientFor).resolve([])).size).toBe(0);
    expect(clientFor).not.toHaveBeenCalled();
  });
});
