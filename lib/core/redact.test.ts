import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact';

const USER = 'u-sandbox-feishu-user-7f1bcd13fc57d46bac21793a18e560';
const TENANT = 't-g1044ghJ2BZXL7NPQWMR6YH4RQDUGBVCBRM3TKB3';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LWFiYyJ9.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

describe('redactSecrets', () => {
  it.each<[string, string, string]>([
    ['a user token in a message', `invalid access token ${USER}, please check`, 'invalid access token [redacted], please check'],
    ['a tenant token in brackets', `token [${TENANT}] expired`, 'token [[redacted]] expired'],
    ['a real-looking user token', 'u-0lCYcLVE95I9sTqr5hl9S1h5mm3k04AhOq0001Ow2bHW', '[redacted]'],
    ['a Bearer header', `Authorization: Bearer ${USER}`, 'Authorization: Bearer [redacted]'],
    ['a Bearer of any shape', 'got "bearer abc.def-ghi" from you', 'got "bearer [redacted]" from you'],
    ['an accessToken query value', 'GET /api/openapi/v1.1/flowDetails?flowId=ID01x&accessToken=ID_3sBxVaLiD7q%3Acorp01&x=1', 'GET /api/openapi/v1.1/flowDetails?flowId=ID01x&accessToken=[redacted]&x=1'],
    ['access_token and app_secret parameters', 'access_token=abc&app_secret=s3cr3t', 'access_token=[redacted]&app_secret=[redacted]'],
    ['credentials as JSON fields', '{"app_id":"cli_1","app_secret":"SandboxAppSecret0123456789abcdef","appSecurity":"x-y"}', '{"app_id":"cli_1","app_secret":"[redacted]","appSecurity":"[redacted]"}'],
    ['a JWT', `session ${JWT} rejected`, 'session [redacted] rejected'],
    ['an Ekuaibao token', '未授权: ID_3sBxVaLiD7q:corp01', '未授权: [redacted]'],
    ['several at once', `${USER} / ${TENANT}`, '[redacted] / [redacted]'],
  ])('cuts %s', (_name, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it.each([
    'docx.blocks.list: not a JSON answer',
    'Access denied. One of the following scopes is required: [docs:document.media:download].',
    'NETWORK_FAILED',
    'mail-failed-id',
    '2026-11-24T16:00:00.000Z',
    'B24000123: 单据不存在',
    'ID_3sTYYdqkcsM',
    'a very-long-hyphenated-file-name-that-goes-on.pdf',
    'about-this-document-and-its-attachments',
    'u-short',
    'forbidden.',
  ])('leaves %j alone', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });
});
