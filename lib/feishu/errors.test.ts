import { describe, expect, it } from 'vitest';
import { RATE_LIMITED_CODE, isRateLimited, isTransientFailure, problemFromFeishu, scopesFromMessage, type FeishuFailure } from './errors';

const DOCX_SCOPES = ['docx:document:readonly'];

function failure(status: number, code: number, msg = '', violations: string[] = [], endpointScopes: string[] = DOCX_SCOPES): FeishuFailure {
  return { status, code, msg, violations, endpointScopes, host: 'open.feishu.cn' };
}

describe('scopesFromMessage', () => {
  it.each<[string, string[]]>([
    ['Access denied. One of the following scopes is required: [docx:document, docx:document:readonly].', ['docx:document', 'docx:document:readonly']],
    ['required one of these privileges: [docs:document.media:download]', ['docs:document.media:download']],
    ['[ drive:drive:readonly ,  drive:drive ]', ['drive:drive:readonly', 'drive:drive']],
    ['scopes: [tenant:tenant:readonly] and later [other:scope]', ['tenant:tenant:readonly']],
    ['no brackets at all', []],
    ['empty brackets []', []],
    ['[not a scope!, <script>, 9starts-with-digit, ok_scope:read]', ['ok_scope:read']],
    ['', []],
  ])('%s', (msg, expected) => {
    expect(scopesFromMessage(msg)).toEqual(expected);
  });
});

describe('problemFromFeishu', () => {
  const base = (status: number, code: number, detail?: string) => ({ code, status, host: 'open.feishu.cn', detail });

  it.each<[string, number, number, string]>([
    ['missing token', 400, 99991661, 'token-invalid'],
    ['invalid tenant token', 400, 99991663, 'token-invalid'],
    ['invalid app token', 400, 99991664, 'token-invalid'],
    ['invalid token type', 400, 99991665, 'token-invalid'],
    ['invalid user token', 400, 99991668, 'token-invalid'],
    ['user token of another app', 400, 99991671, 'token-invalid'],
    ['expired token', 400, 99991677, 'token-expired'],
    ['docx: forbidden', 403, 1770032, 'not-shared'],
    ['wiki: no permission', 403, 131006, 'not-shared'],
    ['base: no permission', 403, 1254302, 'not-shared'],
    ['drive: forbidden', 403, 1061004, 'not-shared'],
    ['docx: not found', 404, 1770002, 'not-found'],
    ['docx: deleted', 404, 1770003, 'not-found'],
    ['wiki: not found', 404, 131005, 'not-found'],
    ['drive: file deleted', 404, 1061007, 'not-found'],
    ['base: advanced permission denied', 200, 1254303, 'not-shared'],
    ['base: token not found', 200, 1254040, 'not-found'],
    ['base: table not found', 200, 1254041, 'not-found'],
    ['base: view not found', 200, 1254042, 'not-found'],
    ['base: malformed token', 200, 1254003, 'not-found'],
    ['base: malformed table id', 200, 1254004, 'not-found'],
    ['mail: no permission (answered 500)', 500, 1230003, 'not-shared'],
    ['sheets v3: permission fail', 400, 1310213, 'not-shared'],
    ['sheets v3: spreadsheet not found', 400, 1310214, 'not-found'],
    ['sheets v3: sheet not found', 400, 1310215, 'not-found'],
    ['sheets v2: permission fail', 403, 90213, 'not-shared'],
    ['sheets v2: spreadsheet not found', 404, 90214, 'not-found'],
    ['sheets v2: sheet not found', 400, 90215, 'not-found'],
    ['sheets v2: answer too large', 400, 90221, 'server'],
    ['app: invalid param', 400, 10003, 'app-credentials-invalid'],
    ['app: secret invalid', 400, 10014, 'app-credentials-invalid'],
    ['app: id or secret wrong', 400, 99991543, 'app-credentials-invalid'],
    ['frequency limit', 400, RATE_LIMITED_CODE, 'rate-limited'],
    ['plain 429', 429, 0, 'rate-limited'],
    ['plain 403', 403, 0, 'not-shared'],
    ['plain 404', 404, 0, 'not-found'],
    ['docx: invalid param', 400, 1770001, 'server'],
    ['internal error', 500, 1771001, 'server'],
    ['unknown code', 200, 12345, 'server'],
  ])('%s (%i/%i) → %s', (_name, status, code, kind) => {
    expect(problemFromFeishu(failure(status, code, 'msg'))).toEqual({ kind, ...base(status, code, 'msg') });
  });

  it('names the scopes from permission_violations first', () => {
    const problem = problemFromFeishu(
      failure(400, 99991679, 'Access denied. One of the following scopes is required: [a:b, c:d].', ['docs:document.media:download']),
    );
    expect(problem).toEqual({
      kind: 'scope-missing',
      scopes: ['docs:document.media:download'],
      ...base(400, 99991679, 'Access denied. One of the following scopes is required: [a:b, c:d].'),
    });
  });

  it('falls back to the scopes in the message', () => {
    const problem = problemFromFeishu(failure(400, 99991672, 'Access denied. One of the following scopes is required: [docx:document, docx:document:readonly].'));
    expect(problem.kind).toBe('scope-missing');
    expect(problem.scopes).toEqual(['docx:document', 'docx:document:readonly']);
  });

  it('falls back to the endpoint\'s own scopes when the server names none', () => {
    expect(problemFromFeishu(failure(400, 99991676, 'no permission', [], ['drive:drive:readonly', 'docs:document.media:download']))).toEqual({
      kind: 'scope-missing',
      scopes: ['drive:drive:readonly', 'docs:document.media:download'],
      ...base(400, 99991676, 'no permission'),
    });
  });

  it('keeps every violation the server lists', () => {
    expect(problemFromFeishu(failure(400, 99991679, '', ['docx:document', 'docx:document:readonly'])).scopes).toEqual(['docx:document', 'docx:document:readonly']);
  });

  it('leaves out an empty message and shortens a long one', () => {
    expect(problemFromFeishu(failure(404, 1770002, '')).detail).toBeUndefined();
    expect(problemFromFeishu(failure(500, 1, 'x'.repeat(1000))).detail).toBe('x'.repeat(300));
  });
});

describe('isTransientFailure', () => {
  it.each<[number, number, boolean]>([
    [500, 0, true],
    [502, 0, true],
    [503, 1771001, true],
    [200, 1771001, true],
    [400, 1771005, true],
    [400, 131001, true],
    [400, 1061045, true],
    [400, 1254607, true],
    [400, 1061001, true],
    [400, 99991668, false],
    [403, 1770032, false],
    [404, 1770002, false],
    [429, RATE_LIMITED_CODE, false],
    // Answers no retry can change, even when the server sends them with a 5xx status.
    [500, 1230003, false],
    [500, 99991677, false],
    [500, 10014, false],
    [500, 1254040, false],
  ])('%i/%i → %s', (status, code, expected) => {
    expect(isTransientFailure(status, code)).toBe(expected);
  });
});

describe('isRateLimited', () => {
  it.each<[number, number, boolean]>([
    [429, 0, true],
    [400, RATE_LIMITED_CODE, true],
    [200, RATE_LIMITED_CODE, true],
    [400, 1770001, false],
    [503, 0, false],
  ])('%i/%i → %s', (status, code, expected) => {
    expect(isRateLimited(status, code)).toBe(expected);
  });
});

describe('problemFromFeishu and credentials', () => {
  const USER = 'u-abcdefghijklmnopqrstuvwxyz0123456789';
  const TENANT = 't-g1044ghJ2BZXL7NPQWMR6YH4RQDUGBVCBRM3TKB3';

  it.each<[string, number, number, string]>([
    ['an invalid user token', 400, 99991663, `Invalid access token for authorization. Please make a request with token attached. token: ${USER}`],
    ['an expired tenant token', 400, 99991677, `Authentication token expired. (${TENANT})`],
    ['a Bearer header quoted back', 401, 99991661, `Missing access token for authorization, got header "Bearer ${USER}"`],
    ['a refused app secret', 400, 10014, 'app secret invalid: {"app_id":"cli_1","app_secret":"SandboxAppSecret0123456789abcdef"}'],
    ['a scope error with the token', 400, 99991672, `Access denied for ${USER}. One of the following scopes is required: [docx:document:readonly].`],
    ['a server error', 500, 1771001, `internal error, request accessToken=${USER}`],
  ])('never carries the token when the server echoes it: %s', (_name, status, code, msg) => {
    const problem = problemFromFeishu(failure(status, code, msg));
    expect(problem.detail).toContain('[redacted]');
    for (const secret of [USER, TENANT, 'SandboxAppSecret0123456789abcdef']) expect(JSON.stringify(problem)).not.toContain(secret);
  });

  it('still names the scopes of a message that also held a token', () => {
    const problem = problemFromFeishu(failure(400, 99991672, `Access denied for ${USER}. One of the following scopes is required: [docx:document:readonly].`, [], []));
    expect(problem).toMatchObject({ kind: 'scope-missing', scopes: ['docx:document:readonly'] });
  });
});
