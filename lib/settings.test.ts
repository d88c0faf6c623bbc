import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  AccessTokenSchema,
  ApiBaseSchema,
  AppIdSchema,
  AppSecretSchema,
  CustomHostSchema,
  DEFAULT_SETTINGS,
  EkuaibaoApiBaseSchema,
  SettingsSchema,
  WebHostSchema,
  allowedApiBases,
  allowedEkuaibaoApiBases,
  customHostFor,
  ekuaibaoApiBaseFor,
  hasEkuaibaoCredentials,
  feishuApiBaseFor,
  hasFeishuCredentials,
  isOfficialApiBase,
  loadSettings,
  saveSettings,
  watchSettings,
  type CustomHost,
  type Settings,
} from './settings';

const USER_TOKEN = 'u-7f1bcd13fc57d46bac21793a18e560aa';
const APP_ID = 'cli_a5sandboxfeishu01';
const APP_SECRET = 'SandboxAppSecret0123456789abcdef';

/** Settings with the given Feishu fields, every other field at its default. */
function feishu(values: Partial<Settings['feishu']>): Settings {
  return { ...DEFAULT_SETTINGS, feishu: { ...DEFAULT_SETTINGS.feishu, ...values } };
}

/** Writes straight into chrome.storage.local, as an older version or a damaged profile would have left it. */
async function storeRaw(value: unknown): Promise<void> {
  await fakeBrowser.storage.local.set({ settings: value });
}

beforeEach(() => {
  fakeBrowser.reset();
});

describe('ApiBaseSchema', () => {
  it.each([
    ['a bare origin', 'https://open.feishu.cn', 'https://open.feishu.cn'],
    ['a trailing slash', 'https://open.feishu.cn/', 'https://open.feishu.cn'],
    ['the /open-apis prefix', 'https://open.feishu.cn/open-apis', 'https://open.feishu.cn'],
    ['/open-apis/ with a slash', 'https://open.larksuite.com/open-apis/', 'https://open.larksuite.com'],
    ['several trailing slashes', 'https://open.feishu.cn/open-apis///', 'https://open.feishu.cn'],
    ['surrounding spaces', '  https://open.feishu.cn/  ', 'https://open.feishu.cn'],
    ['an upper-case host', 'https://OPEN.Feishu.CN', 'https://open.feishu.cn'],
    ['a private deployment with a port', 'https://feishu.corp.example:8443/open-apis', 'https://feishu.corp.example:8443'],
    ['the default port', 'https://open.feishu.cn:443/', 'https://open.feishu.cn'],
  ])('accepts %s and stores the bare origin', (_name, input, expected) => {
    expect(ApiBaseSchema.parse(input)).toBe(expected);
  });

  it.each([
    ['plain http', 'http://open.feishu.cn'],
    ['another path', 'https://open.feishu.cn/api'],
    ['a path below /open-apis', 'https://open.feishu.cn/open-apis/docx/v1'],
    ['a look-alike prefix', 'https://open.feishu.cn/open-apis-v2'],
    ['a user name', 'https://user@open.feishu.cn'],
    ['a user and password', 'https://user:secret@open.feishu.cn'],
    ['a query', 'https://open.feishu.cn/?x=1'],
    ['a fragment', 'https://open.feishu.cn/#top'],
    ['no scheme', 'open.feishu.cn'],
    ['javascript', 'javascript:alert(1)'],
    ['a file URL', 'file:///etc/passwd'],
    ['an empty string', ''],
    ['only spaces', '   '],
  ])('rejects %s', (_name, input) => {
    const result = ApiBaseSchema.safeParse(input);
    expect(result.success).toBe(false);
  });

  it('says why with one stable message', () => {
    const result = ApiBaseSchema.safeParse('http://open.feishu.cn');
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(['invalid-url']);
  });
});

describe('AccessTokenSchema', () => {
  it.each([
    ['a user token', USER_TOKEN, USER_TOKEN],
    ['a tenant token', 't-g1044ghJRUIJJ5ELPDNIU3FZ4DGJ4Q3E3MX2C3LQ', 't-g1044ghJRUIJJ5ELPDNIU3FZ4DGJ4Q3E3MX2C3LQ'],
    ['a JWT from the v2 OAuth endpoint', 'eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl', 'eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl'],
    ['"Bearer " in front', `Bearer ${USER_TOKEN}`, USER_TOKEN],
    ['"bearer" in lower case, two spaces', `bearer  ${USER_TOKEN}`, USER_TOKEN],
    ['surrounding white space and a newline', `  ${USER_TOKEN}\n`, USER_TOKEN],
    ['the shortest accepted length', '12345678', '12345678'],
  ])('accepts %s', (_name, input, expected) => {
    expect(AccessTokenSchema.parse(input)).toBe(expected);
  });

  it.each([
    ['an empty string', ''],
    ['white space only', '   '],
    ['"Bearer " alone', 'Bearer '],
    ['a space inside', 'u-abc def-123456'],
    ['a tab inside', 'u-abcdef\t123456'],
    ['a line break inside', 'u-abcdef\n123456'],
    ['too short', 'u-12345'],
    ['non-ASCII characters', 'u-令牌令牌令牌令牌'],
    ['too long', `u-${'x'.repeat(4095)}`],
  ])('rejects %s', (_name, input) => {
    expect(AccessTokenSchema.safeParse(input).success).toBe(false);
  });
});

describe('loadSettings', () => {
  it('gives the defaults when nothing is stored', async () => {
    expect(await loadSettings()).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS).toEqual({
      feishu: {
        apiBase: null,
        authMode: 'token',
        accessToken: null,
        appId: null,
        appSecret: null,
        customHosts: [],
        baseRecordFolders: false,
        whiteboards: true,
      },
      ekuaibao: {
        apiBase: 'https://app.ekuaibao.com',
        authMode: 'token',
        accessToken: null,
        appKey: null,
        appSecurity: null,
        customHosts: [],
      },
      downloads: { concurrency: 3, notify: true },
      rememberCredentials: true,
    });
  });

  it('reads what saveSettings wrote', async () => {
    const settings = feishu({ apiBase: 'https://feishu.corp.example', accessToken: USER_TOKEN });
    await saveSettings(settings);
    expect(await loadSettings()).toEqual(settings);
    expect(await fakeBrowser.storage.local.get('settings')).toEqual({ settings });
  });

  it('keeps a valid token when the stored API base is damaged', async () => {
    await storeRaw({ feishu: { apiBase: 'http://open.feishu.cn', accessToken: USER_TOKEN } });
    expect(await loadSettings()).toEqual(feishu({ apiBase: null, accessToken: USER_TOKEN }));
  });

  it('keeps a valid API base when the stored token is damaged', async () => {
    await storeRaw({ feishu: { apiBase: 'https://open.larksuite.com', accessToken: 'has a space' } });
    expect(await loadSettings()).toEqual(feishu({ apiBase: 'https://open.larksuite.com', accessToken: null }));
  });

  it('normalises a stored value on the way in', async () => {
    await storeRaw({ feishu: { apiBase: 'https://open.feishu.cn/open-apis/', accessToken: `Bearer ${USER_TOKEN}` } });
    expect(await loadSettings()).toEqual(feishu({ apiBase: 'https://open.feishu.cn', accessToken: USER_TOKEN }));
  });

  it('treats missing or wrongly typed fields as their defaults', async () => {
    await storeRaw({ feishu: { accessToken: 12345678 } });
    expect(await loadSettings()).toEqual(DEFAULT_SETTINGS);
    await storeRaw({ feishu: {}, extra: true });
    expect(await loadSettings()).toEqual(DEFAULT_SETTINGS);
  });

  it.each([
    ['a string', 'garbage'],
    ['a number', 42],
    ['an array', [1, 2]],
    ['no feishu section', { other: 1 }],
    ['a feishu section of the wrong type', { feishu: 'x' }],
  ])('falls back to the defaults for %s', async (_name, value) => {
    await storeRaw(value);
    expect(await loadSettings()).toEqual(DEFAULT_SETTINGS);
  });

  it('never writes an invalid field', async () => {
    await expect(saveSettings(feishu({ apiBase: 'http://x.example', accessToken: null }))).resolves.toBeUndefined();
    // The schema catches the bad field: what is written is the safe value, never the bad one.
    expect(await fakeBrowser.storage.local.get('settings')).toEqual({ settings: feishu({ apiBase: null, accessToken: null }) });
  });

  it('tells watchers about changes, with damaged values repaired', async () => {
    const seen: Settings[] = [];
    const unwatch = watchSettings((s) => seen.push(s));
    await saveSettings(feishu({ apiBase: null, accessToken: USER_TOKEN }));
    await storeRaw('garbage');
    await vi.waitFor(() => expect(seen).toHaveLength(2));
    unwatch();
    expect(seen).toEqual([feishu({ apiBase: null, accessToken: USER_TOKEN }), DEFAULT_SETTINGS]);
  });
});

describe('Remember on this device', () => {
  const EKB_TOKEN = 'ID_3sandboxEkb:corp01';
  const withSecrets = (remember: boolean): Settings => ({
    ...feishu({ authMode: 'oauth', accessToken: USER_TOKEN, appId: APP_ID, appSecret: APP_SECRET }),
    ekuaibao: { ...DEFAULT_SETTINGS.ekuaibao, accessToken: EKB_TOKEN, appKey: 'ekb-key', appSecurity: 'ekb-security' },
    rememberCredentials: remember,
  });

  it('off: no secret is written to local storage (the disk), and the settings still read whole', async () => {
    await saveSettings(withSecrets(false));
    const local = JSON.stringify(await fakeBrowser.storage.local.get(null));
    for (const secret of [USER_TOKEN, APP_SECRET, EKB_TOKEN, 'ekb-security']) expect(local).not.toContain(secret);
    expect(local).toContain(APP_ID);
    expect(await loadSettings()).toEqual(withSecrets(false));
  });

  it('off: the secrets are gone when the browser session ends', async () => {
    await saveSettings(withSecrets(false));
    await fakeBrowser.storage.session.clear();
    const loaded = await loadSettings();
    expect(loaded.feishu).toMatchObject({ appId: APP_ID, accessToken: null, appSecret: null });
    expect(loaded.ekuaibao).toMatchObject({ appKey: 'ekb-key', accessToken: null, appSecurity: null });
    expect(hasFeishuCredentials(loaded)).toBe(false);
  });

  it('on again: the secrets move back to local storage and leave session storage', async () => {
    await saveSettings(withSecrets(false));
    await saveSettings(withSecrets(true));
    expect(JSON.stringify(await fakeBrowser.storage.session.get(null))).not.toContain(APP_SECRET);
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).toContain(APP_SECRET);
    expect(await loadSettings()).toEqual(withSecrets(true));
  });

  it('defaults to on, also for settings saved before the option existed', async () => {
    await storeRaw({ feishu: { accessToken: USER_TOKEN } });
    expect((await loadSettings()).rememberCredentials).toBe(true);
  });
});

describe('SettingsSchema', () => {
  it('never throws on a damaged field', () => {
    expect(SettingsSchema.parse({ feishu: { apiBase: 'ftp://x', accessToken: '' } })).toEqual(DEFAULT_SETTINGS);
  });
});

describe('feishuApiBaseFor', () => {
  it('picks the official base by brand when none is configured', () => {
    expect(feishuApiBaseFor('feishu', DEFAULT_SETTINGS)).toBe('https://open.feishu.cn');
    expect(feishuApiBaseFor('lark', DEFAULT_SETTINGS)).toBe('https://open.larksuite.com');
  });

  it('uses the configured base for both brands', () => {
    const settings = feishu({ apiBase: 'https://feishu.corp.example', accessToken: null });
    expect(feishuApiBaseFor('feishu', settings)).toBe('https://feishu.corp.example');
    expect(feishuApiBaseFor('lark', settings)).toBe('https://feishu.corp.example');
  });
});

describe('isOfficialApiBase', () => {
  it.each([
    ['https://open.feishu.cn', true],
    ['https://open.larksuite.com', true],
    ['https://open.feishu.cn/', false],
    ['https://feishu.corp.example', false],
    ['http://open.feishu.cn', false],
  ])('%s → %s', (origin, expected) => {
    expect(isOfficialApiBase(origin)).toBe(expected);
  });
});

describe('app credentials', () => {
  it.each([
    ['an app id', APP_ID, true],
    ['an app id with spaces around', `  ${APP_ID}\n`, true],
    ['no cli_ prefix', 'a5sandboxfeishu01', false],
    ['too short', 'cli_a5', false],
    ['a character outside letters and digits', 'cli_a5sandbox-feishu', false],
    ['empty', '', false],
  ])('AppIdSchema: %s', (_name, input, ok) => {
    expect(AppIdSchema.safeParse(input).success).toBe(ok);
  });

  it.each([
    ['a secret', APP_SECRET, true],
    ['a secret with - and _', 'abc_DEF-0123456789xyz', true],
    ['too short', 'short-secret', false],
    ['a space inside', 'SandboxAppSecret 0123456789', false],
    ['non-ASCII', '应用密钥应用密钥应用密钥应用密钥', false],
  ])('AppSecretSchema: %s', (_name, input, ok) => {
    expect(AppSecretSchema.safeParse(input).success).toBe(ok);
  });

  it('loads app mode with its id and secret, and falls back to token mode for an unknown mode', async () => {
    await storeRaw({ feishu: { authMode: 'app', appId: APP_ID, appSecret: APP_SECRET } });
    expect(await loadSettings()).toEqual(feishu({ authMode: 'app', appId: APP_ID, appSecret: APP_SECRET }));
    await storeRaw({ feishu: { authMode: 'sso', appId: 'not-an-app', appSecret: 'x', accessToken: USER_TOKEN } });
    expect(await loadSettings()).toEqual(feishu({ accessToken: USER_TOKEN }));
  });

  it('reads settings saved before app mode, custom hosts and folders existed', async () => {
    await storeRaw({ feishu: { apiBase: 'https://feishu.corp.example', accessToken: USER_TOKEN } });
    expect(await loadSettings()).toEqual(feishu({ apiBase: 'https://feishu.corp.example', accessToken: USER_TOKEN }));
  });

  it('keeps the folder and whiteboard choices, defaulting damaged ones', async () => {
    await storeRaw({ feishu: { baseRecordFolders: true, whiteboards: false } });
    expect(await loadSettings()).toEqual(feishu({ baseRecordFolders: true, whiteboards: false }));
    await storeRaw({ feishu: { baseRecordFolders: 'yes', whiteboards: 0 } });
    expect(await loadSettings()).toEqual(DEFAULT_SETTINGS);
  });
});

describe('hasFeishuCredentials', () => {
  it.each([
    ['token mode with a token', feishu({ accessToken: USER_TOKEN }), true],
    ['token mode without a token (an app is saved)', feishu({ appId: APP_ID, appSecret: APP_SECRET }), false],
    ['app mode with id and secret', feishu({ authMode: 'app', appId: APP_ID, appSecret: APP_SECRET }), true],
    ['app mode without a secret', feishu({ authMode: 'app', appId: APP_ID, accessToken: USER_TOKEN }), false],
    ['app mode without an id', feishu({ authMode: 'app', appSecret: APP_SECRET }), false],
    ['nothing', DEFAULT_SETTINGS, false],
  ])('%s → %s', (_name, settings, expected) => {
    expect(hasFeishuCredentials(settings)).toBe(expected);
  });
});

describe('custom hosts', () => {
  const privateHost: CustomHost = { host: 'docs.acme-private.cn', apiBase: 'https://open.acme-private.cn', brand: 'feishu' };
  const wildcard: CustomHost = { host: '*.corp-lark.example', apiBase: 'https://open.corp-lark.example', brand: 'lark' };

  it.each([
    ['a host', 'docs.example.com', 'docs.example.com'],
    ['a wildcard', '*.example.com', '*.example.com'],
    ['upper case, https:// and a trailing slash', ' HTTPS://Docs.Example.COM/ ', 'docs.example.com'],
    ['a hyphenated label', 'docs.acme-private.cn', 'docs.acme-private.cn'],
  ])('WebHostSchema accepts %s', (_name, input, expected) => {
    expect(WebHostSchema.parse(input)).toBe(expected);
  });

  it.each([
    ['plain http', 'http://docs.example.com'],
    ['a port', 'docs.example.com:8443'],
    ['a path', 'docs.example.com/wiki'],
    ['a bare top-level domain wildcard', '*.com'],
    ['a wildcard in the middle', 'docs.*.example.com'],
    ['no dot', 'localhost'],
    ['an underscore', 'doc_s.example.com'],
    ['an IP address', '10.0.0.1'],
    ['empty', ''],
  ])('WebHostSchema rejects %s', (_name, input) => {
    expect(WebHostSchema.safeParse(input).success).toBe(false);
  });

  it('stores a custom host with its API origin', () => {
    expect(CustomHostSchema.parse({ host: 'Docs.Acme-Private.cn', apiBase: 'https://open.acme-private.cn/open-apis/', brand: 'feishu' })).toEqual(privateHost);
    expect(CustomHostSchema.safeParse({ host: 'docs.acme-private.cn', apiBase: 'http://open.acme-private.cn', brand: 'feishu' }).success).toBe(false);
  });

  it('finds the custom host of a page: exact hosts exactly, wildcards for the domain and its subdomains', () => {
    const hosts = [privateHost, wildcard];
    expect(customHostFor('docs.acme-private.cn', hosts)).toBe(privateHost);
    expect(customHostFor('DOCS.ACME-PRIVATE.CN', hosts)).toBe(privateHost);
    expect(customHostFor('www.acme-private.cn', hosts)).toBeUndefined();
    expect(customHostFor('tenant.corp-lark.example', hosts)).toBe(wildcard);
    expect(customHostFor('a.b.corp-lark.example', hosts)).toBe(wildcard);
    expect(customHostFor('corp-lark.example', hosts)).toBe(wildcard);
    expect(customHostFor('evilcorp-lark.example', hosts)).toBeUndefined();
    expect(customHostFor('corp-lark.example.evil.com', hosts)).toBeUndefined();
    expect(customHostFor('docs.acme-private.cn', [])).toBeUndefined();
  });

  it('picks a custom host\'s API base for its pages, the configured or official one for others', () => {
    const settings = feishu({ customHosts: [privateHost, wildcard] });
    expect(feishuApiBaseFor('feishu', settings, 'docs.acme-private.cn')).toBe('https://open.acme-private.cn');
    expect(feishuApiBaseFor('lark', settings, 'x.corp-lark.example')).toBe('https://open.corp-lark.example');
    expect(feishuApiBaseFor('feishu', settings, 'acme.feishu.cn')).toBe('https://open.feishu.cn');
    expect(feishuApiBaseFor('lark', settings, 'acme.larksuite.com')).toBe('https://open.larksuite.com');
    const configured = feishu({ apiBase: 'https://feishu.corp.example', customHosts: [privateHost] });
    expect(feishuApiBaseFor('feishu', configured, 'acme.feishu.cn')).toBe('https://feishu.corp.example');
    expect(feishuApiBaseFor('feishu', configured, 'docs.acme-private.cn')).toBe('https://open.acme-private.cn');
  });

  it('allows credentials to go to the configured (or official) bases and the custom hosts\' bases only', () => {
    expect(allowedApiBases(DEFAULT_SETTINGS)).toEqual(['https://open.feishu.cn', 'https://open.larksuite.com']);
    expect(allowedApiBases(feishu({ customHosts: [privateHost, wildcard] }))).toEqual([
      'https://open.feishu.cn',
      'https://open.larksuite.com',
      'https://open.acme-private.cn',
      'https://open.corp-lark.example',
    ]);
    expect(allowedApiBases(feishu({ apiBase: 'https://feishu.corp.example', customHosts: [privateHost] }))).toEqual([
      'https://feishu.corp.example',
      'https://open.acme-private.cn',
    ]);
    // The same origin twice is listed once.
    expect(allowedApiBases(feishu({ customHosts: [{ ...privateHost, apiBase: 'https://open.feishu.cn' }] }))).toEqual([
      'https://open.feishu.cn',
      'https://open.larksuite.com',
    ]);
  });

  it('keeps stored custom hosts and drops a damaged list', async () => {
    await storeRaw({ feishu: { customHosts: [{ host: 'docs.acme-private.cn', apiBase: 'https://open.acme-private.cn/', brand: 'feishu' }] } });
    expect(await loadSettings()).toEqual(feishu({ customHosts: [privateHost] }));
    await storeRaw({ feishu: { customHosts: 'docs.acme-private.cn', accessToken: USER_TOKEN } });
    expect(await loadSettings()).toEqual(feishu({ accessToken: USER_TOKEN }));
  });
});

describe('Ekuaibao settings', () => {
  it('defaults settings saved before Ekuaibao existed, and keeps their Feishu part', async () => {
    await fakeBrowser.storage.local.set({ settings: { feishu: { accessToken: USER_TOKEN } } });
    const loaded = await loadSettings();
    expect(loaded.ekuaibao).toEqual(DEFAULT_SETTINGS.ekuaibao);
    expect(loaded.feishu.accessToken).toBe(USER_TOKEN);
  });

  it('falls back field by field when the Ekuaibao part is damaged', async () => {
    await fakeBrowser.storage.local.set({
      settings: { feishu: {}, ekuaibao: { apiBase: 'ftp://x', authMode: 'oauth', accessToken: 'ID_3vMMouDbGqM:djg8LshfUkfM00', appKey: 7, customHosts: 'x' } },
    });
    expect((await loadSettings()).ekuaibao).toEqual({ ...DEFAULT_SETTINGS.ekuaibao, accessToken: 'ID_3vMMouDbGqM:djg8LshfUkfM00' });
    await fakeBrowser.storage.local.set({ settings: { feishu: {}, ekuaibao: 'nonsense' } });
    expect((await loadSettings()).ekuaibao).toEqual(DEFAULT_SETTINGS.ekuaibao);
  });

  it('picks a private deployment\'s address prefix for its pages, and allows only configured origins', () => {
    const settings: Settings = {
      ...DEFAULT_SETTINGS,
      ekuaibao: { ...DEFAULT_SETTINGS.ekuaibao, apiBase: 'https://dd2.hosecloud.com', customHosts: [{ host: '*.acme-corp.cn', apiBase: 'https://ekb-api.acme-corp.cn' }] },
    };
    expect(ekuaibaoApiBaseFor(settings, 'app.ekuaibao.com')).toBe('https://dd2.hosecloud.com');
    expect(ekuaibaoApiBaseFor(settings, 'ekb.acme-corp.cn')).toBe('https://ekb-api.acme-corp.cn');
    expect(allowedEkuaibaoApiBases(settings)).toEqual(['https://dd2.hosecloud.com', 'https://ekb-api.acme-corp.cn']);
    expect(allowedEkuaibaoApiBases(settings)).not.toContain('https://app.ekuaibao.com');
  });

  it('has credentials for the chosen mode only', () => {
    const ekb = (values: Partial<Settings['ekuaibao']>): Settings => ({ ...DEFAULT_SETTINGS, ekuaibao: { ...DEFAULT_SETTINGS.ekuaibao, ...values } });
    expect(hasEkuaibaoCredentials(DEFAULT_SETTINGS)).toBe(false);
    expect(hasEkuaibaoCredentials(ekb({ accessToken: 'ID_3vMMouDbGqM:djg8LshfUkfM00' }))).toBe(true);
    expect(hasEkuaibaoCredentials(ekb({ authMode: 'app', accessToken: 'ID_3vMMouDbGqM:djg8LshfUkfM00', appKey: 'key-0000' }))).toBe(false);
    expect(hasEkuaibaoCredentials(ekb({ authMode: 'app', appKey: 'key-0000', appSecurity: 'security-0000' }))).toBe(true);
    expect(hasFeishuCredentials(ekb({ accessToken: 'ID_3vMMouDbGqM:djg8LshfUkfM00' }))).toBe(false);
  });

  it('accepts an address prefix with /api/openapi and stores its origin', () => {
    expect(EkuaibaoApiBaseSchema.parse('https://app.ekuaibao.com/api/openapi/')).toBe('https://app.ekuaibao.com');
    expect(EkuaibaoApiBaseSchema.safeParse('https://app.ekuaibao.com/open-apis').success).toBe(false);
  });
});

describe('download settings', () => {
  it('defaults to 3 parallel downloads and a notification, and keeps chosen values', async () => {
    expect(DEFAULT_SETTINGS.downloads).toEqual({ concurrency: 3, notify: true });
    await saveSettings({ ...DEFAULT_SETTINGS, downloads: { concurrency: 6, notify: false } });
    expect((await loadSettings()).downloads).toEqual({ concurrency: 6, notify: false });
  });

  it.each([0, 11, 2.5, '4', null])('falls back to 3 for a concurrency of %j', async (concurrency) => {
    await fakeBrowser.storage.local.set({ settings: { feishu: {}, downloads: { concurrency, notify: false } } });
    expect((await loadSettings()).downloads).toEqual({ concurrency: 3, notify: false });
  });
});
