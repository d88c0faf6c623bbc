import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accountsBaseFor, authorizeUrl, challengeOf, consentScopesFor, createPkce, createState, MAX_SCOPES, parseCallback, SIGN_IN_SCOPES } from './oauth';

const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';

describe('PKCE', () => {
  it('makes a verifier of 43 base64url characters and its S256 challenge', async () => {
    const { verifier, challenge } = await createPkce();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
  });

  it('matches the RFC 7636 example (appendix B)', async () => {
    expect(await challengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('never repeats a verifier or a state', async () => {
    const verifiers = new Set(await Promise.all(Array.from({ length: 50 }, async () => (await createPkce()).verifier)));
    const states = new Set(Array.from({ length: 50 }, () => createState()));
    expect(verifiers.size).toBe(50);
    expect(states.size).toBe(50);
  });
});

describe('accountsBaseFor', () => {
  it('knows the official accounts hosts', () => {
    expect(accountsBaseFor('https://open.feishu.cn')).toBe('https://accounts.feishu.cn');
    expect(accountsBaseFor('https://open.larksuite.com')).toBe('https://accounts.larksuite.com');
  });

  it('pairs a private open.<domain> with accounts.<domain>, and nothing else', () => {
    expect(accountsBaseFor('https://open.feishu.corp.example')).toBe('https://accounts.feishu.corp.example');
    expect(accountsBaseFor('https://feishu-api.corp.example')).toBeNull();
  });
});

describe('authorizeUrl', () => {
  it('asks with the documented parameters, S256 and the scopes space-separated', () => {
    const url = new URL(authorizeUrl({ accountsBase: 'https://accounts.feishu.cn', appId: 'cli_a5ca35a685b0x26e', redirectUri: REDIRECT, scopes: SIGN_IN_SCOPES, state: 'st', challenge: 'ch' }));
    expect(url.origin + url.pathname).toBe('https://accounts.feishu.cn/open-apis/authen/v1/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'cli_a5ca35a685b0x26e',
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: SIGN_IN_SCOPES.join(' '),
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
    expect(SIGN_IN_SCOPES).toContain('offline_access');
  });

  it('never asks for a scope twice, nor for more than the documented 50', () => {
    const many = Array.from({ length: 60 }, (_, i) => `scope:${i}`);
    const url = new URL(authorizeUrl({ accountsBase: 'https://accounts.feishu.cn', appId: 'cli_x', redirectUri: REDIRECT, scopes: [...many, 'scope:1'], state: 's', challenge: 'c' }));
    expect(url.searchParams.get('scope')?.split(' ')).toHaveLength(MAX_SCOPES);
  });
});

describe('parseCallback', () => {
  it('takes the code of our redirect with our state', () => {
    expect(parseCallback(`${REDIRECT}?code=abc123&state=s1`, REDIRECT, 's1')).toEqual({ ok: true, code: 'abc123' });
  });

  it.each([
    ['another state (someone else’s flow)', `${REDIRECT}?code=abc&state=other`],
    ['no state', `${REDIRECT}?code=abc`],
    ['another redirect host', 'https://evil.example/?code=abc&state=s1'],
    ['another path', `${REDIRECT}x?code=abc&state=s1`],
    ['no code', `${REDIRECT}?state=s1`],
    ['not a URL', 'nonsense'],
  ])('refuses %s', (_, url) => {
    const result = parseCallback(url, REDIRECT, 's1');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.kind).toBe('sign-in-required');
  });

  it('tells a refusal on the consent page apart', () => {
    expect(parseCallback(`${REDIRECT}?error=access_denied&state=s1`, REDIRECT, 's1')).toEqual({ ok: false, problem: { kind: 'sign-in-required', detail: 'access_denied' } });
  });
});

describe('consentScopesFor', () => {
  it('asks for the one alternative our sign-in uses, else the first named', () => {
    expect(consentScopesFor(['bitable:app', 'docs:doc', 'docs:document.media:download', 'drive:drive:readonly'])).toEqual(['docs:document.media:download']);
    expect(consentScopesFor(['task:task:read', 'task:task:write'])).toEqual(['task:task:read']);
    expect(consentScopesFor([])).toEqual([]);
  });
});
