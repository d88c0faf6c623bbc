// @vitest-environment node
/**
 * Contract tests of the fake Feishu/Lark Open API: it must enforce the documented rules, or tests that pass
 * against it would prove nothing about the real service.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDemoWorld, createHostileWorld, DOCS, EVIL_DOMAIN, EVIL_HOSTS, FAKE_PAGE_TOKENS, HOSTILE, hostileMedia, sandboxFetch, startSandbox, TOKENS, type Sandbox } from './index';

let sandbox: Sandbox;
let send: typeof fetch;
const files = createDemoWorld().files;

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

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { code: number; msg?: string; data?: Record<string, unknown>; error?: { log_id?: string; permission_violations?: { type: string; subject: string }[] } };
}

async function api(path: string, token: string | null = TOKENS.feishuUser, host = 'open.feishu.cn'): Promise<Answer> {
  const response = await send(`https://${host}/open-apis/${path}`, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

const blocks = (query = '', document: string = DOCS.weekly) => `docx/v1/documents/${document}/blocks${query}`;
const tmpUrls = (tokens: readonly string[]) => `drive/v1/medias/batch_get_tmp_download_url?${tokens.map((t) => `file_tokens=${t}`).join('&')}`;

async function tmpLink(token: string): Promise<string> {
  const answer = await api(tmpUrls([token]));
  const urls = answer.body.data?.['tmp_download_urls'] as { file_token: string; tmp_download_url: string }[];
  return urls[0]!.tmp_download_url;
}

describe('authentication', () => {
  it('refuses a request without a token (99991661)', async () => {
    const answer = await api(`docx/v1/documents/${DOCS.weekly}`, null);
    expect([answer.status, answer.body.code]).toEqual([400, 99991661]);
    expect(answer.body.error?.log_id).toMatch(/^\d{10}[0-9A-F]{16}$/);
  });

  it('tells user and tenant tokens apart when refusing unknown ones', async () => {
    expect((await api(`docx/v1/documents/${DOCS.weekly}`, 'u-unknown-000000000000')).body.code).toBe(99991668);
    expect((await api(`docx/v1/documents/${DOCS.weekly}`, 't-unknown-000000000000')).body.code).toBe(99991663);
  });

  it('refuses an expired token (99991677)', async () => {
    const answer = await api(`docx/v1/documents/${DOCS.weekly}`, TOKENS.feishuExpired);
    expect([answer.status, answer.body.code]).toEqual([400, 99991677]);
  });

  it('keeps the brands apart', async () => {
    expect((await api(`docx/v1/documents/${DOCS.lark}`, TOKENS.feishuUser, 'open.larksuite.com')).body.code).toBe(99991668);
    expect((await api(`docx/v1/documents/${DOCS.lark}`, TOKENS.larkUser, 'open.larksuite.com')).body.code).toBe(0);
    expect((await api(`docx/v1/documents/${DOCS.lark}`, TOKENS.feishuUser)).status).toBe(404);
  });

  it('names the missing scopes in permission_violations', async () => {
    const answer = await api(tmpUrls([files.report.token]), TOKENS.feishuNoMediaScope);
    expect([answer.status, answer.body.code]).toEqual([400, 99991679]);
    const subjects = answer.body.error?.permission_violations?.map((v) => v.subject);
    expect(subjects).toContain('docs:document.media:download');
    expect(subjects).toContain('drive:drive:readonly');
    expect(answer.body.error?.permission_violations?.every((v) => v.type === 'action_scope_required')).toBe(true);
    expect(answer.body.msg).toContain('[bitable:app, ');
  });
});

describe('docx', () => {
  it('serves a document and refuses one not shared with the user (403/1770032)', async () => {
    const document = await api(`docx/v1/documents/${DOCS.weekly}`);
    expect(document.body.data).toEqual({ document: { document_id: DOCS.weekly, revision_id: 42, title: '项目周报 2026-W47' } });
    const refused = await api(`docx/v1/documents/${DOCS.private}`);
    expect([refused.status, refused.body.code]).toEqual([403, 1770032]);
    expect((await api(`docx/v1/documents/${DOCS.private}`, TOKENS.feishuTenant)).body.code).toBe(0);
  });

  it('answers 404/1770002 for an unknown document and 404 for an unknown route', async () => {
    const unknown = await api('docx/v1/documents/NoSuchDocument0000000000000');
    expect([unknown.status, unknown.body.code]).toEqual([404, 1770002]);
    expect((await api('docx/v2/whatever')).status).toBe(404);
  });

  it('pages blocks by 500 at most, with opaque page tokens', async () => {
    const total = sandbox.world.documents.find((d) => d.id === DOCS.weekly)!.blocks.length;
    const seen: unknown[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const answer = await api(blocks(`?page_size=500${pageToken ? `&page_token=${pageToken}` : ''}`));
      expect(answer.body.code).toBe(0);
      const data = answer.body.data as { items: unknown[]; has_more: boolean; page_token?: string };
      seen.push(...data.items);
      expect(data.items.length).toBeLessThanOrEqual(500);
      pageToken = data.has_more ? data.page_token : undefined;
      if (data.has_more) expect(data.page_token).toEqual(expect.any(String));
      else expect(data.page_token).toBeUndefined();
      pages++;
    } while (pageToken);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(total);
    expect(seen).toEqual(sandbox.world.documents.find((d) => d.id === DOCS.weekly)!.blocks);
  });

  it.each(['501', '0', '-1', '2.5', 'abc'])('refuses page_size=%s with 400/1770001', async (size) => {
    const answer = await api(blocks(`?page_size=${size}`));
    expect([answer.status, answer.body.code]).toEqual([400, 1770001]);
  });

  it('defaults to the largest page without page_size', async () => {
    const data = (await api(blocks())).body.data as { items: unknown[]; has_more: boolean };
    expect(data.items).toHaveLength(500);
    expect(data.has_more).toBe(true);
  });

  it('refuses a bad page token with 1770022, including one of another document', async () => {
    const garbage = await api(blocks('?page_size=5&page_token=not-a-token'));
    expect([garbage.status, garbage.body.code]).toEqual([400, 1770022]);
    const first = (await api(blocks('?page_size=2'))).body.data as { page_token: string };
    const foreign = await api(blocks(`?page_size=2&page_token=${first.page_token}`, DOCS.empty));
    expect(foreign.body.code).toBe(1770022);
  });

  it('refuses the sixth docx call within a second with 400/99991400 and a reset, per endpoint', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 6; i++) answers.push(await api(`docx/v1/documents/${DOCS.weekly}`));
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const sixth = answers[5]!;
    expect([sixth.status, sixth.body.code]).toEqual([400, 99991400]);
    expect(sixth.headers.get('x-ogw-ratelimit-limit')).toBe('5');
    expect(sixth.headers.get('x-ogw-ratelimit-reset')).toBe('1');
    // Another endpoint has its own window.
    expect((await api(blocks('?page_size=1'))).status).toBe(200);
    // Once the reset has passed, calls are accepted again.
    await new Promise((resolve) => setTimeout(resolve, 1000 * Number(sixth.headers.get('x-ogw-ratelimit-reset'))));
    expect((await api(`docx/v1/documents/${DOCS.weekly}`)).status).toBe(200);
  });

  it('counts refused calls out of the window (the gateway counts arrivals it let through)', async () => {
    for (let i = 0; i < 5; i++) await api(`docx/v1/documents/${DOCS.weekly}`);
    for (let i = 0; i < 3; i++) expect((await api(`docx/v1/documents/${DOCS.weekly}`)).body.code).toBe(99991400);
    expect(sandbox.log.map((e) => e.code)).toEqual([0, 0, 0, 0, 0, 99991400, 99991400, 99991400]);
  });
});

describe('media', () => {
  it('gives up to five links a call and refuses six tokens with 400/1061002', async () => {
    const six = [files.report, files.photo, files.budget, files.minutesA, files.diagram, files.contract].map((m) => m.token);
    const refused = await api(tmpUrls(six));
    expect([refused.status, refused.body.code]).toEqual([400, 1061002]);
    const ok = await api(tmpUrls(six.slice(0, 5)));
    expect(ok.body.code).toBe(0);
    const urls = ok.body.data?.['tmp_download_urls'] as { file_token: string; tmp_download_url: string }[];
    expect(urls.map((u) => u.file_token)).toEqual(six.slice(0, 5));
  });

  it('refuses a call without tokens', async () => {
    const answer = await api('drive/v1/medias/batch_get_tmp_download_url');
    expect([answer.status, answer.body.code]).toEqual([400, 1061002]);
  });

  it('leaves unknown tokens out of the answer and refuses a batch with an unreadable one (403/1061004)', async () => {
    const partial = await api(tmpUrls([files.report.token, 'boxcnUnknown00000000000000']));
    expect((partial.body.data?.['tmp_download_urls'] as unknown[]).length).toBe(1);
    const refused = await api(tmpUrls([files.report.token, files.privateFile.token]));
    expect([refused.status, refused.body.code]).toEqual([403, 1061004]);
  });

  it('answers more than five link calls a second with 429/99991400', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 6; i++) answers.push(await api(tmpUrls([files.report.token])));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers[5]!.body.code).toBe(99991400);
    expect(answers[5]!.headers.get('x-ogw-ratelimit-reset')).toBe('1');
  });

  it('serves a link only without Authorization, and counts the attempt', async () => {
    const link = await tmpLink(files.report.token);
    expect(new URL(link).host).toBe('internal-api-drive-stream.feishu.cn');
    const withAuth = await send(link, { headers: { Authorization: `Bearer ${TOKENS.feishuUser}` } });
    expect(withAuth.status).toBe(400);
    expect(await withAuth.text()).toBe('a signed link must not carry an Authorization header');
    const plain = await send(link);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/pdf');
    expect(plain.headers.get('content-length')).toBe(String(files.report.bytes.length));
    expect(plain.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await plain.arrayBuffer()).equals(files.report.bytes)).toBe(true);
    expect(sandbox.log.filter((e) => e.host === 'internal-api-drive-stream.feishu.cn').map((e) => e.status)).toEqual([400, 200]);
  });

  it('refuses an unknown link code with 403', async () => {
    const answer = await send('https://internal-api-drive-stream.feishu.cn/space/api/box/stream/download/authcode/?code=forged');
    expect(answer.status).toBe(403);
  });

  it('serves byte ranges with 206 and Content-Range, and 416 beyond the end', async () => {
    const link = await tmpLink(files.photo.token);
    const size = files.photo.bytes.length;
    const head = await send(link, { headers: { Range: 'bytes=0-63' } });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-range')).toBe(`bytes 0-63/${size}`);
    expect(Buffer.from(await head.arrayBuffer()).equals(files.photo.bytes.subarray(0, 64))).toBe(true);

    const tail = await send(link, { headers: { Range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes ${size - 10}-${size - 1}/${size}`);

    const open = await send(link, { headers: { Range: `bytes=${size - 5}-` } });
    expect(open.status).toBe(206);
    expect((await open.arrayBuffer()).byteLength).toBe(5);

    const beyond = await send(link, { headers: { Range: `bytes=${size}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${size}`);
  });

  it('names the file in Content-Disposition, with an ASCII fallback and the UTF-8 name', async () => {
    const link = await tmpLink(files.report.token);
    const response = await send(link, { headers: { Range: 'bytes=0-0' } });
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="____.pdf"; filename*=UTF-8''${encodeURIComponent('季度报告.pdf')}`);
    const contract = await send(await tmpLink(files.contract.token), { method: 'HEAD' });
    expect(contract.status).toBe(200);
    expect(contract.headers.get('content-disposition')).toBe(`attachment; filename="__ v2 (final).docx"; filename*=UTF-8''%E5%90%88%E5%90%8C%20v2%20(final).docx`);
  });

  it('downloads media through the API with the token too', async () => {
    const response = await send(`https://open.feishu.cn/open-apis/drive/v1/medias/${files.budget.token}/download`, { headers: { Authorization: `Bearer ${TOKENS.feishuUser}` } });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(files.budget.bytes)).toBe(true);
  });
});

describe('the server', () => {
  it('logs every request with its endpoint, status, code, query and headers', async () => {
    await api(blocks('?page_size=2'));
    expect(sandbox.log).toHaveLength(1);
    expect(sandbox.log[0]).toMatchObject({
      host: 'open.feishu.cn',
      method: 'GET',
      path: `/open-apis/docx/v1/documents/${DOCS.weekly}/blocks`,
      query: [['page_size', '2']],
      status: 200,
      endpoint: 'docx.blocks.list',
      code: 0,
      headers: { authorization: `Bearer ${TOKENS.feishuUser}` },
    });
  });

  it('serves document pages for every host family and nothing else', async () => {
    for (const host of ['acme.feishu.cn', 'acme.feishu.net', 'acme.larkoffice.com', 'acme.larkenterprise.com']) {
      const page = await send(`https://${host}/docx/${DOCS.weekly}`);
      expect([host, page.status]).toEqual([host, 200]);
      expect(await page.text()).toContain('项目周报 2026-W47');
    }
    expect((await send(`https://acme.larksuite.com/docx/${DOCS.lark}`)).status).toBe(200);
    expect((await send('https://example.com/')).status).toBe(421);
  });

  it('forgets its log and rate windows on reset', async () => {
    for (let i = 0; i < 5; i++) await api(`docx/v1/documents/${DOCS.weekly}`);
    sandbox.reset();
    expect(sandbox.log).toEqual([]);
    expect((await api(`docx/v1/documents/${DOCS.weekly}`)).status).toBe(200);
  });
});

describe('the hostile page and the evil hosts it names', () => {
  it('resolves every evil host here, refuses it and logs who asked', async () => {
    expect(sandbox.hostResolverRules).toContain(`MAP ${EVIL_DOMAIN} 127.0.0.1:${sandbox.port}`);
    expect(sandbox.hostResolverRules).toContain(`MAP *.${EVIL_DOMAIN} 127.0.0.1:${sandbox.port}`);
    expect(EVIL_HOSTS.every((host) => host === EVIL_DOMAIN || host.endsWith(`.${EVIL_DOMAIN}`))).toBe(true);
    const response = await send(`https://open.feishu.cn.${EVIL_DOMAIN}/open-apis/authen/v1/user_info`, { headers: { Authorization: 'Bearer x' } });
    expect(response.status).toBe(403);
    expect(sandbox.log.map((r) => [r.host, r.path, r.status])).toEqual([[`open.feishu.cn.${EVIL_DOMAIN}`, '/open-apis/authen/v1/user_info', 403]]);
  });

  it('serves the hostile document with its trap and a policy that keeps the page itself off the evil hosts', async () => {
    sandbox.world = createHostileWorld();
    const response = await send(`https://acme.feishu.cn/docx/${HOSTILE.doc}`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("img-src 'self' https://internal-api-drive-stream.feishu.cn");
    for (const trap of [`<base href="https://${EVIL_DOMAIN}/">`, 'window.globalConfig', FAKE_PAGE_TOKENS.user, 'data-file-token="../../x"', `https://open.feishu.cn.${EVIL_DOMAIN}`]) {
      expect(html).toContain(trap);
    }
    // Its real file blocks are there too, one per hostile name.
    expect(html.match(/data-block-type="file" data-file-token="[A-Za-z0-9]{27}"/g)).toHaveLength(hostileMedia().files.length);
  });
});
