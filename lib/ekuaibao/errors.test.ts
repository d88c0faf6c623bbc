import { describe, expect, it } from 'vitest';
import { messageOf, problemFromEkuaibao } from './errors';

const TOKEN = 'ID_3sBxVaLiD7q:corp01demo';
const host = 'app.ekuaibao.com';

describe('problemFromEkuaibao', () => {
  it.each<[string, number, string]>([
    ['errorMessage', 403, JSON.stringify({ errorCode: 403, errorMessage: `未授权 accessToken=${encodeURIComponent(TOKEN)}` })],
    ['value.errorMessage', 500, JSON.stringify({ value: { errorCode: 500, errorMessage: `token ${TOKEN} 无效` } })],
    ['msg', 401, JSON.stringify({ msg: `Bearer ${TOKEN}` })],
    ['a gateway page echoing the request', 502, `<html><body><h1>502</h1><p>GET /api/openapi/v1.1/flowDetails?accessToken=${encodeURIComponent(TOKEN)}&flowId=ID01x</p></body></html>`],
    ['the app security echoed back', 403, JSON.stringify({ errorMessage: '密钥无效 {"appKey":"k","appSecurity":"9f1e-secret"}' })],
  ])('never carries a credential the server echoed in %s', (_name, status, text) => {
    const problem = problemFromEkuaibao({ status, text, host });
    expect(problem.detail).toBeDefined();
    expect(problem.detail).not.toContain(TOKEN);
    expect(problem.detail).not.toContain(encodeURIComponent(TOKEN));
    expect(problem.detail).not.toContain('9f1e-secret');
    expect(problem.detail).toContain('[redacted]');
  });

  it('keeps the server\'s own words otherwise', () => {
    expect(problemFromEkuaibao({ status: 412, text: JSON.stringify({ errorCode: 412, errorMessage: '单据不存在' }), host })).toEqual({
      kind: 'not-found',
      platform: 'ekuaibao',
      status: 412,
      host,
      detail: '单据不存在',
    });
    expect(messageOf(`${'长'.repeat(300)}`)).toHaveLength(200);
  });
});
