import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../settings';
import { parseCustomHost, parseOptionsForm, tokenSuffix, type OptionsFormValues } from './options-form';

const SAVED_TOKEN = 'u-saved-token-0000000000000000abcd';
const NEW_TOKEN = 'u-new-token-1111111111111111wxyz';
const APP_ID = 'cli_a5sandboxfeishu01';
const OTHER_APP_ID = 'cli_b7otherapp0000002';
const SAVED_SECRET = 'SavedAppSecret0123456789abcdef';
const NEW_SECRET = 'NewAppSecret_9876543210-zyxwv';

/** Settings with the given Feishu fields, every other field at its default. */
function settings(values: Partial<Settings['feishu']>): Settings {
  return { ...DEFAULT_SETTINGS, feishu: { ...DEFAULT_SETTINGS.feishu, ...values } };
}

/** The form as the options page fills it: token mode, empty fields, the default switches. */
function form(values: Partial<OptionsFormValues>): OptionsFormValues {
  return { apiBase: '', authMode: 'token', accessToken: '', appId: '', appSecret: '', baseRecordFolders: false, whiteboards: true, rememberCredentials: true, ...values };
}

const saved = settings({ apiBase: 'https://feishu.corp.example', accessToken: SAVED_TOKEN });

describe('parseOptionsForm', () => {
  it('saves a new token with the official base (no permission needed)', () => {
    expect(parseOptionsForm(form({ apiBase: '', accessToken: NEW_TOKEN }), DEFAULT_SETTINGS)).toEqual({
      ok: true,
      settings: settings({ apiBase: null, accessToken: NEW_TOKEN }),
      needsPermissionFor: null,
    });
  });

  it('keeps the saved token when the token field is left empty', () => {
    expect(parseOptionsForm(form({ apiBase: 'https://feishu.corp.example/open-apis/', accessToken: '  ' }), saved)).toEqual({
      ok: true,
      settings: saved,
      needsPermissionFor: 'https://feishu.corp.example',
    });
  });

  it('clears a configured base when the field is emptied', () => {
    expect(parseOptionsForm(form({ apiBase: '   ', accessToken: '' }), saved)).toEqual({
      ok: true,
      settings: settings({ apiBase: null, accessToken: SAVED_TOKEN }),
      needsPermissionFor: null,
    });
  });

  it('normalises both fields', () => {
    expect(parseOptionsForm(form({ apiBase: ' https://open.larksuite.com/open-apis ', accessToken: `Bearer ${NEW_TOKEN}\n` }), saved)).toEqual({
      ok: true,
      settings: settings({ apiBase: 'https://open.larksuite.com', accessToken: NEW_TOKEN }),
      // An official base is in the manifest's host permissions already.
      needsPermissionFor: null,
    });
  });

  it('asks for the host permission of a private deployment only', () => {
    const result = parseOptionsForm(form({ apiBase: 'https://feishu.corp.example:8443', accessToken: NEW_TOKEN }), DEFAULT_SETTINGS);
    expect(result).toEqual({
      ok: true,
      settings: settings({ apiBase: 'https://feishu.corp.example:8443', accessToken: NEW_TOKEN }),
      needsPermissionFor: 'https://feishu.corp.example:8443',
    });
  });

  it.each([
    ['plain http', 'http://open.feishu.cn'],
    ['a path', 'https://open.feishu.cn/docx'],
    ['credentials', 'https://me:pw@open.feishu.cn'],
    ['not a URL', 'open.feishu.cn'],
  ])('names the API base field for %s', (_name, apiBase) => {
    expect(parseOptionsForm(form({ apiBase, accessToken: NEW_TOKEN }), saved)).toEqual({ ok: false, field: 'apiBase' });
  });

  it.each([
    ['a space inside', 'u-abc 123456789'],
    ['too short', 'u-1234'],
    ['"Bearer" alone', 'Bearer'],
  ])('names the token field for %s', (_name, accessToken) => {
    expect(parseOptionsForm(form({ apiBase: '', accessToken }), saved)).toEqual({ ok: false, field: 'accessToken' });
  });

  it('reports the API base first when both fields are wrong', () => {
    expect(parseOptionsForm(form({ apiBase: 'http://x.example', accessToken: 'bad token' }), saved)).toEqual({ ok: false, field: 'apiBase' });
  });

  it('does not change the settings it was given', () => {
    const current: Settings = structuredClone(saved);
    parseOptionsForm(form({ apiBase: '', accessToken: NEW_TOKEN }), current);
    expect(current).toEqual(saved);
  });
});

describe('parseOptionsForm in app mode', () => {
  const savedApp = settings({ authMode: 'app', appId: APP_ID, appSecret: SAVED_SECRET, accessToken: SAVED_TOKEN });

  it('saves an app id and secret', () => {
    expect(parseOptionsForm(form({ authMode: 'app', appId: ` ${APP_ID} `, appSecret: `${NEW_SECRET}\n` }), DEFAULT_SETTINGS)).toEqual({
      ok: true,
      settings: settings({ authMode: 'app', appId: APP_ID, appSecret: NEW_SECRET }),
      needsPermissionFor: null,
    });
  });

  it('requires the app id, then the secret', () => {
    expect(parseOptionsForm(form({ authMode: 'app' }), DEFAULT_SETTINGS)).toEqual({ ok: false, field: 'appId' });
    expect(parseOptionsForm(form({ authMode: 'app', appSecret: NEW_SECRET }), DEFAULT_SETTINGS)).toEqual({ ok: false, field: 'appId' });
    expect(parseOptionsForm(form({ authMode: 'app', appId: APP_ID }), DEFAULT_SETTINGS)).toEqual({ ok: false, field: 'appSecret' });
  });

  it.each([
    ['an app id without cli_', { appId: 'a5sandboxfeishu01', appSecret: NEW_SECRET }, 'appId'],
    ['an app id with a space', { appId: 'cli_a5 sandbox', appSecret: NEW_SECRET }, 'appId'],
    ['a secret that is too short', { appId: APP_ID, appSecret: 'short' }, 'appSecret'],
    ['a secret with a space', { appId: APP_ID, appSecret: 'Sandbox App Secret 0123456789' }, 'appSecret'],
  ] as const)('names the field of %s', (_name, values, field) => {
    expect(parseOptionsForm(form({ authMode: 'app', ...values }), DEFAULT_SETTINGS)).toEqual({ ok: false, field });
  });

  it('keeps the saved secret (never shown again) while the app id stays the same', () => {
    expect(parseOptionsForm(form({ authMode: 'app', appId: APP_ID }), savedApp)).toEqual({ ok: true, settings: savedApp, needsPermissionFor: null });
  });

  it('drops the saved secret when the app id changes: the old secret belongs to the old app', () => {
    expect(parseOptionsForm(form({ authMode: 'app', appId: OTHER_APP_ID }), savedApp)).toEqual({ ok: false, field: 'appSecret' });
    expect(parseOptionsForm(form({ authMode: 'app', appId: OTHER_APP_ID, appSecret: NEW_SECRET }), savedApp)).toEqual({
      ok: true,
      settings: settings({ authMode: 'app', appId: OTHER_APP_ID, appSecret: NEW_SECRET, accessToken: SAVED_TOKEN }),
      needsPermissionFor: null,
    });
  });

  it('replaces the saved secret with a typed one for the same app', () => {
    const result = parseOptionsForm(form({ authMode: 'app', appId: APP_ID, appSecret: NEW_SECRET }), savedApp);
    expect(result.ok && result.settings.feishu.appSecret).toBe(NEW_SECRET);
  });

  it('keeps the saved app while token mode is chosen, and drops its secret with its id', () => {
    expect(parseOptionsForm(form({ authMode: 'token', appId: APP_ID }), savedApp)).toEqual({
      ok: true,
      settings: settings({ authMode: 'token', appId: APP_ID, appSecret: SAVED_SECRET, accessToken: SAVED_TOKEN }),
      needsPermissionFor: null,
    });
    expect(parseOptionsForm(form({ authMode: 'token' }), savedApp)).toEqual({
      ok: true,
      settings: settings({ authMode: 'token', appId: null, appSecret: null, accessToken: SAVED_TOKEN }),
      needsPermissionFor: null,
    });
  });

  it('keeps the saved token in app mode, so switching back needs no new paste', () => {
    const result = parseOptionsForm(form({ authMode: 'app', appId: APP_ID }), savedApp);
    expect(result.ok && result.settings.feishu.accessToken).toBe(SAVED_TOKEN);
  });

  it('saves the folder and whiteboard switches', () => {
    const result = parseOptionsForm(form({ accessToken: NEW_TOKEN, baseRecordFolders: true, whiteboards: false }), DEFAULT_SETTINGS);
    expect(result.ok && [result.settings.feishu.baseRecordFolders, result.settings.feishu.whiteboards]).toEqual([true, false]);
  });

  it('keeps the custom hosts the form does not edit', () => {
    const withHosts = settings({ accessToken: SAVED_TOKEN, customHosts: [{ host: 'docs.acme-private.cn', apiBase: 'https://open.acme-private.cn', brand: 'feishu' }] });
    const result = parseOptionsForm(form({}), withHosts);
    expect(result.ok && result.settings.feishu.customHosts).toEqual(withHosts.feishu.customHosts);
  });
});

describe('parseCustomHost', () => {
  it('normalises a host and its API base, asking for the pages\' and the API\'s origins', () => {
    expect(parseCustomHost({ host: ' HTTPS://Docs.Acme-Private.cn/ ', apiBase: 'https://open.acme-private.cn/open-apis/', brand: 'feishu' })).toEqual({
      ok: true,
      host: { host: 'docs.acme-private.cn', apiBase: 'https://open.acme-private.cn', brand: 'feishu' },
      origins: ['https://docs.acme-private.cn/*', 'https://open.acme-private.cn/*'],
    });
  });

  it('asks for the pages only when the API is an official one (already granted)', () => {
    expect(parseCustomHost({ host: '*.corp-lark.example', apiBase: 'https://open.larksuite.com', brand: 'lark' })).toEqual({
      ok: true,
      host: { host: '*.corp-lark.example', apiBase: 'https://open.larksuite.com', brand: 'lark' },
      origins: ['https://*.corp-lark.example/*'],
    });
  });

  it.each([
    ['a host with a path', { host: 'docs.acme-private.cn/wiki', apiBase: 'https://open.acme-private.cn' }, 'host'],
    ['a host with a port', { host: 'docs.acme-private.cn:8443', apiBase: 'https://open.acme-private.cn' }, 'host'],
    ['an http host', { host: 'http://docs.acme-private.cn', apiBase: 'https://open.acme-private.cn' }, 'host'],
    ['an empty host', { host: '', apiBase: 'https://open.acme-private.cn' }, 'host'],
    ['a bad host and a bad API base', { host: 'not a host', apiBase: 'ftp://x' }, 'host'],
    ['an http API base', { host: 'docs.acme-private.cn', apiBase: 'http://open.acme-private.cn' }, 'apiBase'],
    ['an API base with a path', { host: 'docs.acme-private.cn', apiBase: 'https://open.acme-private.cn/api' }, 'apiBase'],
    ['an empty API base', { host: 'docs.acme-private.cn', apiBase: '' }, 'apiBase'],
  ] as const)('names the wrong field of %s', (_name, values, field) => {
    expect(parseCustomHost({ ...values, brand: 'feishu' })).toEqual({ ok: false, field });
  });
});

describe('tokenSuffix', () => {
  it('shows the last four characters only', () => {
    expect(tokenSuffix(SAVED_TOKEN)).toBe('…abcd');
    expect(tokenSuffix('t-g1044ghJRUIJJ5ELPDNIU3FZ4DGJ4Q3E3MX2C3LQ')).toBe('…C3LQ');
  });

  it('never shows more than four characters of a short value', () => {
    expect(tokenSuffix('abcdefgh')).toBe('…efgh');
    expect(tokenSuffix('ab')).toBe('…ab');
  });
});
