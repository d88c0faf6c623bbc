// @vitest-environment node
/**
 * Contract tests of the fake cloud-space file download, whiteboard export and custom-app tenant tokens.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APP_EXPECT } from './fixtures/apps';
import { BOARD_IMAGES, DRIVE_FILES } from './fixtures/drive';
import { SHEET_FILES } from './fixtures/sheets';
import { ALL_SCOPES, APPS, BOARDS, createDemoWorld, DOCS, DRIVE, sandboxFetch, startSandbox, TOKENS, WIKI, type Sandbox } from './index';

/** Asymmetric matchers, typed `unknown` (vitest types them `any`). */
const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);

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

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown> & { code: number; msg?: string; data?: Record<string, unknown>; error?: { permission_violations?: { subject: string }[] } };
}

async function api(path: string, token: string = TOKENS.feishuUser, host = 'open.feishu.cn'): Promise<Answer> {
  const response = await send(`https://${host}/open-apis/${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

async function raw(path: string, headers: Record<string, string> = {}, token: string = TOKENS.feishuUser): Promise<Response> {
  return send(`https://open.feishu.cn/open-apis/${path}`, { headers: { Authorization: `Bearer ${token}`, ...headers }, redirect: 'manual' });
}

const fileDownload = (token: string) => `drive/v1/files/${token}/download`;
const boardImage = (token: string) => `board/v1/whiteboards/${token}/download_as_image`;

function expectOneRefusal(statuses: readonly { status: number; code?: number; reset: string | null }[], limit: number): void {
  const refused = statuses.filter((s) => s.status !== 200 && s.status !== 206);
  expect(statuses.length - refused.length).toBe(limit);
  expect(refused).toHaveLength(1);
  expect([refused[0]!.status, refused[0]!.code]).toEqual([429, 99991400]);
  expect(refused[0]!.reset).toBe('1');
}

async function burst(count: number, call: () => Promise<Response>) {
  const responses = await Promise.all(Array.from({ length: count }, call));
  return Promise.all(
    responses.map(async (r) => ({
      status: r.status,
      reset: r.headers.get('x-ogw-ratelimit-reset'),
      code: r.headers.get('content-type')?.startsWith('application/json') ? ((await r.json()) as { code: number }).code : undefined,
    })),
  );
}

function withDriveReaders(readers: readonly string[]) {
  const world = createDemoWorld();
  return { ...world, driveFiles: (world.driveFiles ?? []).map((f) => ({ ...f, readers })), boards: (world.boards ?? []).map((b) => ({ ...b, readers })) };
}

describe('cloud-space file download', () => {
  it('streams the file itself (no redirect) with its type and UTF-8 name', async () => {
    const response = await raw(fileDownload(DRIVE.contract));
    expect(response.status).toBe(200);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="____-2026.pdf"; filename*=UTF-8''${encodeURIComponent('采购合同-2026.pdf')}`);
    expect(response.headers.get('content-length')).toBe(String(DRIVE_FILES.contract.bytes.length));
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.equals(DRIVE_FILES.contract.bytes)).toBe(true);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(200_000);
    expect(bytes.length).toBeLessThan(300 * 1024);
    expect(sandbox.log.map((e) => e.endpoint)).toEqual(['drive.file.download']);
  });

  it('serves byte ranges with 206 and Content-Range, and 416 beyond the end', async () => {
    const size = DRIVE_FILES.contract.bytes.length;
    const head = await raw(fileDownload(DRIVE.contract), { Range: 'bytes=0-1023' });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-range')).toBe(`bytes 0-1023/${size}`);
    expect(Buffer.from(await head.arrayBuffer()).equals(DRIVE_FILES.contract.bytes.subarray(0, 1024))).toBe(true);
    const rest = await raw(fileDownload(DRIVE.contract), { Range: `bytes=${size - 100}-` });
    expect(rest.status).toBe(206);
    expect((await rest.arrayBuffer()).byteLength).toBe(100);
    const beyond = await raw(fileDownload(DRIVE.contract), { Range: `bytes=${size}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${size}`);
  });

  it('is where the wiki file node points', async () => {
    const node = (await api(`wiki/v2/spaces/get_node?token=${WIKI.file}`)).body.data?.['node'] as { obj_type: string; obj_token: string };
    expect(node).toMatchObject({ obj_type: 'file', obj_token: DRIVE.contract });
    expect((await raw(fileDownload(node.obj_token))).status).toBe(200);
  });

  it('answers 404/1061007 for an unknown token and for media tokens (not cloud-space files)', async () => {
    const mediaTokens = [createDemoWorld().files.report.token, SHEET_FILES[0]!.media.token];
    for (const token of ['DrvNoSuchFile00000000000000', DOCS.weekly, ...mediaTokens]) {
      const answer = await api(fileDownload(token));
      expect([token, answer.status, answer.body.code]).toEqual([token, 404, 1061007]);
    }
  });

  it('answers 403/1061004 for a file not shared with the caller', async () => {
    sandbox.world = withDriveReaders([TOKENS.feishuTenant]);
    const refused = await api(fileDownload(DRIVE.contract));
    expect([refused.status, refused.body.code]).toEqual([403, 1061004]);
    expect((await raw(fileDownload(DRIVE.contract), {}, TOKENS.feishuTenant)).status).toBe(200);
  });

  it('needs a drive scope', async () => {
    const answer = await api(fileDownload(DRIVE.contract), TOKENS.feishuNoMediaScope);
    expect([answer.status, answer.body.code]).toEqual([400, 99991679]);
    expect(answer.body.error?.permission_violations?.map((v) => v.subject)).toContain('drive:file:download');
  });

  it('allows 5 downloads a second', async () => {
    expectOneRefusal(await burst(6, () => raw(fileDownload(DRIVE.contract), { Range: 'bytes=0-0' })), 5);
  });
});

describe('whiteboard image', () => {
  it('answers the board as a PNG', async () => {
    const response = await raw(boardImage(BOARDS.flow));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await response.arrayBuffer());
    expect(png.equals(BOARD_IMAGES.flow.png)).toBe(true);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([BOARD_IMAGES.flow.width, BOARD_IMAGES.flow.height]);
    expect(png.subarray(-8, -4).toString('latin1')).toBe('IEND');
  });

  it('answers 404/2891001 for an unknown board and 403/2891002 for one not shared', async () => {
    const unknown = await api(boardImage('BrdNoSuchBoard0000000000000'));
    expect([unknown.status, unknown.body.code]).toEqual([404, 2891001]);
    sandbox.world = withDriveReaders([TOKENS.feishuTenant]);
    const refused = await api(boardImage(BOARDS.flow));
    expect([refused.status, refused.body.code]).toEqual([403, 2891002]);
  });

  it('needs the board scope', async () => {
    const answer = await api(boardImage(BOARDS.flow), TOKENS.feishuNoMediaScope);
    expect(answer.body.code).toBe(99991679);
    expect(answer.body.error?.permission_violations?.map((v) => v.subject)).toEqual(['board:whiteboard:node:read']);
  });

  it('allows 5 exports a second', async () => {
    expectOneRefusal(await burst(6, () => raw(boardImage(BOARDS.flow))), 5);
  });
});

describe('tenant_access_token/internal', () => {
  const issue = async (body: unknown, host = 'open.feishu.cn', headers: Record<string, string> = {}) => {
    const response = await send(`https://${host}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
  };
  const credentials = { app_id: APPS.feishu.appId, app_secret: APPS.feishu.appSecret };

  it('issues a token at the top level of the answer, without a bearer', async () => {
    const answer = await issue(credentials);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ code: 0, msg: 'ok', tenant_access_token: matching(/^t-[0-9a-f]{40}$/), expire: 7200 });
    expect(sandbox.log[0]).toMatchObject({ endpoint: 'auth.tenant-access-token', code: 0, status: 200 });
  });

  it('records the token as the app: tenant kind, its scopes, name and brand', async () => {
    const value = (await issue(credentials)).body['tenant_access_token'] as string;
    const entry = sandbox.api.state.issuedTokens.get(value)!;
    expect(entry.appId).toBe(APPS.feishu.appId);
    expect(entry.token).toEqual({ token: value, kind: 'tenant', brand: 'feishu', name: APP_EXPECT.name, scopes: ALL_SCOPES, issuedFor: APPS.feishu.appId });
    expect(entry.expiresAt - Date.now()).toBeGreaterThan((APP_EXPECT.tokenLifetimeSeconds - 5) * 1000);
  });

  it('authenticates API calls with the issued token, which reads what is shared with the app', async () => {
    const value = (await issue(credentials)).body['tenant_access_token'] as string;
    expect((await api(`docx/v1/documents/${DOCS.weekly}`, value)).body.code).toBe(0);
    expect((await api('tenant/v2/tenant/query', value)).body.code).toBe(0);
    sandbox.world = withDriveReaders([APPS.feishu.appId]);
    expect((await raw(fileDownload(DRIVE.contract), {}, value)).status).toBe(200);
    expect((await api(fileDownload(DRIVE.contract), TOKENS.feishuTenant)).body.code).toBe(1061004);
  });

  it('gives the same token back while 30 minutes or more are left, with the remaining expire', async () => {
    const first = (await issue(credentials)).body;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = (await issue(credentials)).body;
    expect(again['tenant_access_token']).toBe(first['tenant_access_token']);
    expect(again['expire']).toBeLessThan(7200);
    expect(again['expire']).toBeGreaterThanOrEqual(7195);
  });

  it('issues a new token once less than 30 minutes are left, and the old one stays valid until it expires', async () => {
    const old = (await issue(credentials)).body['tenant_access_token'] as string;
    // As if 91 minutes had passed: 29 minutes left.
    sandbox.api.state.issuedTokens.get(old)!.expiresAt = Date.now() + 29 * 60_000;
    const renewed = (await issue(credentials)).body;
    expect(renewed['tenant_access_token']).not.toBe(old);
    expect(renewed['expire']).toBe(7200);
    expect((await api(`docx/v1/documents/${DOCS.weekly}`, old)).body.code).toBe(0);
    expect((await api(`docx/v1/documents/${DOCS.weekly}`, renewed['tenant_access_token'] as string)).body.code).toBe(0);
    // The newest token is the one handed out from now on.
    expect((await issue(credentials)).body['tenant_access_token']).toBe(renewed['tenant_access_token']);
  });

  it('answers 99991677 with an expired token, and issues a fresh one', async () => {
    const old = (await issue(credentials)).body['tenant_access_token'] as string;
    sandbox.api.expireIssuedTokens();
    const refused = await api(`docx/v1/documents/${DOCS.weekly}`, old);
    expect([refused.status, refused.body.code]).toEqual([400, 99991677]);
    const fresh = (await issue(credentials)).body;
    expect(fresh['tenant_access_token']).not.toBe(old);
    expect(fresh['expire']).toBe(7200);
    expect((await api(`docx/v1/documents/${DOCS.weekly}`, fresh['tenant_access_token'] as string)).body.code).toBe(0);
  });

  it('issues tokens of the app lifetime', async () => {
    const world = createDemoWorld();
    sandbox.world = { ...world, apps: (world.apps ?? []).map((a) => ({ ...a, tokenLifetimeSeconds: 1200 })) };
    const first = (await issue(credentials)).body;
    expect(first['expire']).toBe(1200);
    // Under 30 minutes from the start: every call issues a new token.
    const second = (await issue(credentials)).body;
    expect(second['tenant_access_token']).not.toBe(first['tenant_access_token']);
  });

  it.each([
    ['no body', ''],
    ['a body that is not JSON', 'app_id=cli_x&app_secret=y'],
    ['no app_secret', { app_id: APPS.feishu.appId }],
    ['no app_id', { app_secret: APPS.feishu.appSecret }],
    ['an unknown app', { app_id: 'cli_unknown0000000000', app_secret: APPS.feishu.appSecret }],
  ])('refuses %s with 400/10003', async (_, body) => {
    const answer = await issue(body);
    expect([answer.status, answer.body['code']]).toEqual([400, 10003]);
    expect(answer.body['tenant_access_token']).toBeUndefined();
  });

  it('refuses a wrong secret with 400/10014, and the app on the other brand with 10003', async () => {
    const wrong = await issue({ ...credentials, app_secret: 'not-the-secret' });
    expect([wrong.status, wrong.body['code']]).toEqual([400, 10014]);
    expect((await issue(credentials, 'open.larksuite.com')).body['code']).toBe(10003);
    expect(sandbox.api.state.issuedTokens.size).toBe(0);
  });

  it('ignores an Authorization header, even an invalid one', async () => {
    expect((await issue(credentials, 'open.feishu.cn', { Authorization: 'Bearer u-garbage' })).body['code']).toBe(0);
  });

  it('allows 50 calls a second', async () => {
    const call = () =>
      send('https://open.feishu.cn/open-apis/auth/v3/tenant_access_token/internal', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(credentials) });
    const answers = await burst(51, call);
    expectOneRefusal(answers, 50);
  });
});
