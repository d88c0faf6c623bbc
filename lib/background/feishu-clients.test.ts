// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { z } from 'zod';
import { createDemoWorld, DOCS, sandboxFetch, startSandbox, TOKENS, type Sandbox } from '../../tests/sandbox';
import type { FeishuPage } from '../core/page';
import { ProblemError, type Problem } from '../core/problem';
import { FEISHU_ENDPOINTS } from '../feishu/client';
import { listDocxAttachments } from '../feishu/docx';
import { saveSettings } from '../settings';
import { FeishuClients } from './feishu-clients';

const CUSTOM = 'https://feishu.corp.example';
const feishuPage: FeishuPage = { platform: 'feishu', brand: 'feishu', host: 'acme.feishu.cn', kind: 'docx', token: DOCS.weekly };
const larkPage: FeishuPage = { platform: 'feishu', brand: 'lark', host: 'acme.larksuite.com', kind: 'docx', token: DOCS.lark };

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ tls: false });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  fakeBrowser.reset();
  sandbox.world = createDemoWorld();
  sandbox.reset();
});

async function problemOf(promise: Promise<unknown>): Promise<Problem> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemError) return error.problem;
    throw error;
  }
  throw new Error('expected a ProblemError');
}

/** Whether the user granted the optional host permission of the private deployment. */
function hostPermission(granted: boolean): MockInstance<(permissions: Browser.permissions.Permissions) => Promise<boolean>> {
  // The typings end with the callback overload, the one vitest's spy types pick; the extension uses the promise form.
  const spy = vi.spyOn(fakeBrowser.permissions, 'contains') as unknown as MockInstance<(permissions: Browser.permissions.Permissions) => Promise<boolean>>;
  return spy.mockResolvedValue(granted);
}

describe('FeishuClients', () => {
  it('knows whether a token is saved', async () => {
    const clients = new FeishuClients();
    expect(await clients.hasCredentials()).toBe(false);
    await saveSettings({ feishu: { apiBase: null, accessToken: TOKENS.feishuUser } });
    expect(await clients.hasCredentials()).toBe(true);
  });

  it('picks the official API of the page\'s brand when none is configured', async () => {
    await saveSettings({ feishu: { apiBase: null, accessToken: TOKENS.feishuUser } });
    const clients = new FeishuClients();
    expect((await clients.forPage(feishuPage)).apiBase).toBe('https://open.feishu.cn');
    expect((await clients.forPage(larkPage)).apiBase).toBe('https://open.larksuite.com');
  });

  it('lists a page with the saved token against the sandbox', async () => {
    await saveSettings({ feishu: { apiBase: null, accessToken: TOKENS.feishuUser } });
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    const listing = await listDocxAttachments(await clients.forPage(feishuPage), feishuPage);
    expect(listing.attachments).toHaveLength(16);
    expect(sandbox.log.every((e) => e.headers['authorization'] === `Bearer ${TOKENS.feishuUser}`)).toBe(true);
  });

  it('reads the token at call time, so a new token applies to existing clients', async () => {
    await saveSettings({ feishu: { apiBase: null, accessToken: TOKENS.feishuExpired } });
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    const client = await clients.forPage(feishuPage);
    expect(await problemOf(listDocxAttachments(client, feishuPage))).toMatchObject({ kind: 'token-expired' });
    await saveSettings({ feishu: { apiBase: null, accessToken: TOKENS.feishuUser } });
    expect((await listDocxAttachments(client, feishuPage)).attachments).toHaveLength(16);
  });

  it('sends nothing when the token was removed', async () => {
    await saveSettings({ feishu: { apiBase: null, accessToken: TOKENS.feishuUser } });
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    const client = await clients.forPage(feishuPage);
    await saveSettings({ feishu: { apiBase: null, accessToken: null } });
    expect(await problemOf(listDocxAttachments(client, feishuPage))).toEqual({ kind: 'credentials-missing' });
    expect(sandbox.log).toEqual([]);
  });

  it('uses a configured private deployment for every page, once its host permission is granted', async () => {
    await saveSettings({ feishu: { apiBase: CUSTOM, accessToken: TOKENS.feishuUser } });
    const contains = hostPermission(true);
    const clients = new FeishuClients();
    expect((await clients.forPage(feishuPage)).apiBase).toBe(CUSTOM);
    expect((await clients.forPage(larkPage)).apiBase).toBe(CUSTOM);
    expect(contains).toHaveBeenCalledWith({ origins: [`${CUSTOM}/*`] });
  });

  it('refuses a private deployment without its host permission', async () => {
    await saveSettings({ feishu: { apiBase: CUSTOM, accessToken: TOKENS.feishuUser } });
    hostPermission(false);
    expect(await problemOf(new FeishuClients().forApiBase(CUSTOM))).toEqual({ kind: 'host-permission-missing', host: 'feishu.corp.example' });
  });

  it('never sends the token to an API base other than the configured one (a listing made before settings changed)', async () => {
    await saveSettings({ feishu: { apiBase: CUSTOM, accessToken: TOKENS.feishuUser } });
    const contains = hostPermission(true);
    const clients = new FeishuClients();
    for (const other of ['https://open.feishu.cn', 'https://evil.example']) {
      expect(await problemOf(clients.forApiBase(other))).toEqual({
        kind: 'unknown',
        host: new URL(other).hostname,
        detail: 'The API base URL changed since this list was made; refresh the list.',
      });
    }
    expect(contains).not.toHaveBeenCalled();
  });

  it('accepts only the official bases when none is configured', async () => {
    await saveSettings({ feishu: { apiBase: null, accessToken: TOKENS.feishuUser } });
    const contains = hostPermission(false);
    const clients = new FeishuClients();
    expect((await clients.forApiBase('https://open.larksuite.com')).apiBase).toBe('https://open.larksuite.com');
    expect(contains).not.toHaveBeenCalled();
    expect(await problemOf(clients.forApiBase(CUSTOM))).toMatchObject({ kind: 'unknown', host: 'feishu.corp.example' });
  });

  it('shares one set of rate limiters between its clients', async () => {
    await saveSettings({ feishu: { apiBase: null, accessToken: TOKENS.feishuUser } });
    const clients = new FeishuClients(undefined, sandboxFetch(sandbox));
    const a = await clients.forPage(feishuPage);
    const b = await clients.forPage(feishuPage);
    // Seven document reads through two clients stay within the gateway's 5/s: no refusal.
    const read = (client: typeof a) =>
      client.request(FEISHU_ENDPOINTS.documentGet, { path: `docx/v1/documents/${DOCS.weekly}` }, z.unknown());
    await Promise.all([read(a), read(b), read(a), read(b), read(a), read(b), read(a)]);
    expect(sandbox.log.map((e) => e.code)).toEqual(Array(7).fill(0));
  });
});
