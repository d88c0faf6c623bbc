import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../settings';
import { parseOptionsForm, tokenSuffix } from './options-form';

const SAVED_TOKEN = 'u-saved-token-0000000000000000abcd';
const NEW_TOKEN = 'u-new-token-1111111111111111wxyz';
const saved: Settings = { feishu: { apiBase: 'https://feishu.corp.example', accessToken: SAVED_TOKEN } };

describe('parseOptionsForm', () => {
  it('saves a new token with the official base (no permission needed)', () => {
    expect(parseOptionsForm({ apiBase: '', accessToken: NEW_TOKEN }, DEFAULT_SETTINGS)).toEqual({
      ok: true,
      settings: { feishu: { apiBase: null, accessToken: NEW_TOKEN } },
      needsPermissionFor: null,
    });
  });

  it('keeps the saved token when the token field is left empty', () => {
    expect(parseOptionsForm({ apiBase: 'https://feishu.corp.example/open-apis/', accessToken: '  ' }, saved)).toEqual({
      ok: true,
      settings: saved,
      needsPermissionFor: 'https://feishu.corp.example',
    });
  });

  it('clears a configured base when the field is emptied', () => {
    expect(parseOptionsForm({ apiBase: '   ', accessToken: '' }, saved)).toEqual({
      ok: true,
      settings: { feishu: { apiBase: null, accessToken: SAVED_TOKEN } },
      needsPermissionFor: null,
    });
  });

  it('normalises both fields', () => {
    expect(parseOptionsForm({ apiBase: ' https://open.larksuite.com/open-apis ', accessToken: `Bearer ${NEW_TOKEN}\n` }, saved)).toEqual({
      ok: true,
      settings: { feishu: { apiBase: 'https://open.larksuite.com', accessToken: NEW_TOKEN } },
      // An official base is in the manifest's host permissions already.
      needsPermissionFor: null,
    });
  });

  it('asks for the host permission of a private deployment only', () => {
    const result = parseOptionsForm({ apiBase: 'https://feishu.corp.example:8443', accessToken: NEW_TOKEN }, DEFAULT_SETTINGS);
    expect(result).toEqual({
      ok: true,
      settings: { feishu: { apiBase: 'https://feishu.corp.example:8443', accessToken: NEW_TOKEN } },
      needsPermissionFor: 'https://feishu.corp.example:8443',
    });
  });

  it.each([
    ['plain http', 'http://open.feishu.cn'],
    ['a path', 'https://open.feishu.cn/docx'],
    ['credentials', 'https://me:pw@open.feishu.cn'],
    ['not a URL', 'open.feishu.cn'],
  ])('names the API base field for %s', (_name, apiBase) => {
    expect(parseOptionsForm({ apiBase, accessToken: NEW_TOKEN }, saved)).toEqual({ ok: false, field: 'apiBase' });
  });

  it.each([
    ['a space inside', 'u-abc 123456789'],
    ['too short', 'u-1234'],
    ['"Bearer" alone', 'Bearer'],
  ])('names the token field for %s', (_name, accessToken) => {
    expect(parseOptionsForm({ apiBase: '', accessToken }, saved)).toEqual({ ok: false, field: 'accessToken' });
  });

  it('reports the API base first when both fields are wrong', () => {
    expect(parseOptionsForm({ apiBase: 'http://x.example', accessToken: 'bad token' }, saved)).toEqual({ ok: false, field: 'apiBase' });
  });

  it('does not change the settings it was given', () => {
    const current: Settings = structuredClone(saved);
    parseOptionsForm({ apiBase: '', accessToken: NEW_TOKEN }, current);
    expect(current).toEqual(saved);
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
