import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../settings';
import { parseEkuaibaoForm, parseEkuaibaoHost, type EkuaibaoFormValues } from './options-form';

const SAVED_TOKEN = 'ID_3vMMouDbGqM:djg8LshfUkfM00';
const NEW_TOKEN = 'ID_newToken0001:djg8LshfUkfM00';
const APP_KEY = 'a1b2c3d4-e5f6-7890-abcd-ef0123456789';
const OTHER_KEY = 'ffffffff-e5f6-7890-abcd-ef0123456789';
const SAVED_SECURITY = 'saved-security-0000-1111-2222';
const NEW_SECURITY = 'new-security-3333-4444-5555';

function settings(values: Partial<Settings['ekuaibao']>): Settings {
  return { ...DEFAULT_SETTINGS, ekuaibao: { ...DEFAULT_SETTINGS.ekuaibao, ...values } };
}

function form(values: Partial<EkuaibaoFormValues>): EkuaibaoFormValues {
  return { apiBase: 'https://app.ekuaibao.com', authMode: 'token', accessToken: '', appKey: '', appSecurity: '', ...values };
}

describe('parseEkuaibaoForm', () => {
  it('saves a pasted token with the default address prefix, needing no permission', () => {
    expect(parseEkuaibaoForm(form({ accessToken: ` ${NEW_TOKEN} ` }), DEFAULT_SETTINGS)).toEqual({
      ok: true,
      ekuaibao: settings({ accessToken: NEW_TOKEN }).ekuaibao,
      needsPermissionFor: null,
    });
  });

  it('takes an empty API base as the default, and a documented prefix pasted with /api/openapi as its origin', () => {
    expect(parseEkuaibaoForm(form({ apiBase: '' }), DEFAULT_SETTINGS)).toMatchObject({ ok: true, ekuaibao: { apiBase: 'https://app.ekuaibao.com' } });
    expect(parseEkuaibaoForm(form({ apiBase: 'https://dd2.hosecloud.com/api/openapi/' }), DEFAULT_SETTINGS)).toMatchObject({
      ok: true,
      ekuaibao: { apiBase: 'https://dd2.hosecloud.com' },
      needsPermissionFor: null,
    });
  });

  it('asks for permission for a private deployment\'s address prefix', () => {
    expect(parseEkuaibaoForm(form({ apiBase: 'https://ekb.acme-corp.cn:8443' }), DEFAULT_SETTINGS)).toMatchObject({ ok: true, needsPermissionFor: 'https://ekb.acme-corp.cn:8443' });
  });

  it.each([
    ['an http address', { apiBase: 'http://app.ekuaibao.com' }, 'ekuaibaoApiBase'],
    ['an address with another path', { apiBase: 'https://app.ekuaibao.com/web/app.html' }, 'ekuaibaoApiBase'],
    ['a token with spaces', { accessToken: 'has a space' }, 'ekuaibaoAccessToken'],
    ['app mode without a key', { authMode: 'app' as const }, 'ekuaibaoAppKey'],
    ['app mode without a security', { authMode: 'app' as const, appKey: APP_KEY }, 'ekuaibaoAppSecurity'],
    ['a key with spaces', { appKey: 'a key' }, 'ekuaibaoAppKey'],
    ['a too short security', { appKey: APP_KEY, appSecurity: 'x' }, 'ekuaibaoAppSecurity'],
  ])('names the wrong field for %s', (_name, values, field) => {
    expect(parseEkuaibaoForm(form(values), DEFAULT_SETTINGS)).toEqual({ ok: false, field });
  });

  it('keeps the saved token when none is typed, and the saved security (never shown again) for the same key', () => {
    const saved = settings({ accessToken: SAVED_TOKEN, appKey: APP_KEY, appSecurity: SAVED_SECURITY, authMode: 'app' });
    expect(parseEkuaibaoForm(form({ authMode: 'app', appKey: APP_KEY }), saved)).toMatchObject({
      ok: true,
      ekuaibao: { authMode: 'app', accessToken: SAVED_TOKEN, appKey: APP_KEY, appSecurity: SAVED_SECURITY },
    });
    expect(parseEkuaibaoForm(form({ authMode: 'app', appKey: APP_KEY, appSecurity: NEW_SECURITY }), saved)).toMatchObject({ ok: true, ekuaibao: { appSecurity: NEW_SECURITY } });
  });

  it('drops the saved security when the key changes: it belongs to the old key', () => {
    const saved = settings({ appKey: APP_KEY, appSecurity: SAVED_SECURITY, authMode: 'app' });
    expect(parseEkuaibaoForm(form({ authMode: 'app', appKey: OTHER_KEY }), saved)).toEqual({ ok: false, field: 'ekuaibaoAppSecurity' });
    expect(parseEkuaibaoForm(form({ authMode: 'token', accessToken: NEW_TOKEN, appKey: '' }), saved)).toMatchObject({ ok: true, ekuaibao: { appKey: null, appSecurity: null } });
  });

  it('keeps the private deployments the form does not edit', () => {
    const saved = settings({ customHosts: [{ host: 'ekb.acme-corp.cn', apiBase: 'https://ekb.acme-corp.cn' }] });
    expect(parseEkuaibaoForm(form({}), saved)).toMatchObject({ ok: true, ekuaibao: { customHosts: saved.ekuaibao.customHosts } });
  });
});

describe('parseEkuaibaoHost', () => {
  it('normalises a host and its address prefix, asking for both origins', () => {
    expect(parseEkuaibaoHost({ host: ' EKB.Acme-Corp.cn/ ', apiBase: 'https://ekb-api.acme-corp.cn/api/openapi' })).toEqual({
      ok: true,
      host: { host: 'ekb.acme-corp.cn', apiBase: 'https://ekb-api.acme-corp.cn' },
      origins: ['https://ekb.acme-corp.cn/*', 'https://ekb-api.acme-corp.cn/*'],
    });
  });

  it('asks for the pages only when the API is on Ekuaibao\'s own domains (already granted)', () => {
    expect(parseEkuaibaoHost({ host: '*.acme-corp.cn', apiBase: 'https://dd2.hosecloud.com' })).toMatchObject({ ok: true, origins: ['https://*.acme-corp.cn/*'] });
  });

  it.each([
    ['a host with a path', { host: 'ekb.acme.cn/web', apiBase: 'https://ekb.acme.cn' }, 'host'],
    ['an http API', { host: 'ekb.acme.cn', apiBase: 'http://ekb.acme.cn' }, 'apiBase'],
  ])('names the wrong field for %s', (_name, values, field) => {
    expect(parseEkuaibaoHost(values)).toEqual({ ok: false, field });
  });
});
