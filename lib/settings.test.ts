import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  AccessTokenSchema,
  ApiBaseSchema,
  DEFAULT_SETTINGS,
  SettingsSchema,
  feishuApiBaseFor,
  isOfficialApiBase,
  loadSettings,
  saveSettings,
  watchSettings,
  type Settings,
} from './settings';

const USER_TOKEN = 'u-7f1bcd13fc57d46bac21793a18e560aa';

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
    expect(DEFAULT_SETTINGS).toEqual({ feishu: { apiBase: null, accessToken: null } });
  });

  it('reads what saveSettings wrote', async () => {
    const settings: Settings = { feishu: { apiBase: 'https://feishu.corp.example', accessToken: USER_TOKEN } };
    await saveSettings(settings);
    expect(await loadSettings()).toEqual(settings);
    expect(await fakeBrowser.storage.local.get('settings')).toEqual({ settings });
  });

  it('keeps a valid token when the stored API base is damaged', async () => {
    await storeRaw({ feishu: { apiBase: 'http://open.feishu.cn', accessToken: USER_TOKEN } });
    expect(await loadSettings()).toEqual({ feishu: { apiBase: null, accessToken: USER_TOKEN } });
  });

  it('keeps a valid API base when the stored token is damaged', async () => {
    await storeRaw({ feishu: { apiBase: 'https://open.larksuite.com', accessToken: 'has a space' } });
    expect(await loadSettings()).toEqual({ feishu: { apiBase: 'https://open.larksuite.com', accessToken: null } });
  });

  it('normalises a stored value on the way in', async () => {
    await storeRaw({ feishu: { apiBase: 'https://open.feishu.cn/open-apis/', accessToken: `Bearer ${USER_TOKEN}` } });
    expect(await loadSettings()).toEqual({ feishu: { apiBase: 'https://open.feishu.cn', accessToken: USER_TOKEN } });
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
    await expect(saveSettings({ feishu: { apiBase: 'http://x.example', accessToken: null } })).resolves.toBeUndefined();
    // The schema catches the bad field: what is written is the safe value, never the bad one.
    expect(await fakeBrowser.storage.local.get('settings')).toEqual({ settings: { feishu: { apiBase: null, accessToken: null } } });
  });

  it('tells watchers about changes, with damaged values repaired', async () => {
    const seen: Settings[] = [];
    const unwatch = watchSettings((s) => seen.push(s));
    await saveSettings({ feishu: { apiBase: null, accessToken: USER_TOKEN } });
    await storeRaw('garbage');
    await vi.waitFor(() => expect(seen).toHaveLength(2));
    unwatch();
    expect(seen).toEqual([{ feishu: { apiBase: null, accessToken: USER_TOKEN } }, DEFAULT_SETTINGS]);
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
    const settings: Settings = { feishu: { apiBase: 'https://feishu.corp.example', accessToken: null } };
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
