import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { MAIL_FAILED_ID, ProblemKindSchema, type Problem } from '../core/problem';
import { describeProblem, isSettingsProblem } from './problem-text';

/**
 * The English messages as chrome.i18n.getMessage would serve them (key `section_name`), read from locales/en.yml
 * for the two flat sections this module uses.
 */
function englishMessages(): Map<string, string> {
  const messages = new Map<string, string>();
  let section: string | null = null;
  for (const line of readFileSync(new URL('../../locales/en.yml', import.meta.url), 'utf8').split('\n')) {
    const top = /^([A-Za-z]\w*):\s*$/.exec(line);
    if (top) {
      section = top[1]!;
      continue;
    }
    const entry = /^ {2}(\w+):\s*(.*)$/.exec(line);
    if (!entry || (section !== 'problem' && section !== 'interrupt' && section !== 'problemCode')) continue;
    const raw = entry[2]!;
    const value = raw.startsWith("'") ? raw.slice(1, -1).replace(/''/g, "'") : raw;
    messages.set(`${section}_${entry[1]}`, value);
  }
  return messages;
}

const MESSAGES = englishMessages();

beforeEach(() => {
  fakeBrowser.reset();
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((key: string) => MESSAGES.get(key) ?? '');
});

describe('describeProblem', () => {
  it.each<[string, Problem, string]>([
    ['missing credentials', { kind: 'credentials-missing' }, 'No Feishu access token is set. Add one in Settings.'],
    [
      'an expired token, with its code',
      { kind: 'token-expired', code: 99991677, status: 400 },
      'The Feishu access token has expired. Paste a new one in Settings (user and tenant tokens last about 2 hours). (code 99991677)',
    ],
    [
      'missing scopes, all named',
      { kind: 'scope-missing', scopes: ['docs:document.media:download', 'drive:drive:readonly'], code: 99991679 },
      'The app lacks the permission scope docs:document.media:download / drive:drive:readonly. Enable it under "Permissions & Scopes" in the Feishu developer console, publish a new app version, then get a new token. (code 99991679)',
    ],
    [
      'missing scopes the server did not name',
      { kind: 'scope-missing' },
      'The app lacks the permission scope ?. Enable it under "Permissions & Scopes" in the Feishu developer console, publish a new app version, then get a new token.',
    ],
    ['a network failure, naming the host', { kind: 'network', host: 'open.feishu.cn' }, 'Could not reach open.feishu.cn. Check your connection or the API base URL in Settings.'],
    ['a server error with its message', { kind: 'server', detail: 'internal error', code: 1771001 }, 'Feishu answered with an error: internal error (code 1771001)'],
    ['a server error with its status only', { kind: 'server', status: 502 }, 'Feishu answered with an error: HTTP 502'],
    ['a known interrupt reason', { kind: 'download-interrupted', detail: 'FILE_NO_SPACE' }, 'The download stopped: the disk is full.'],
    ['a lost download', { kind: 'download-interrupted', detail: 'DOWNLOAD_LOST' }, 'The download stopped: Chrome lost track of the download.'],
    ['another interrupt reason', { kind: 'download-interrupted', detail: 'FILE_HASH_MISMATCH' }, 'The download stopped: Chrome reported FILE_HASH_MISMATCH.'],
    ['an unknown problem', { kind: 'unknown', detail: 'boom' }, 'Something went wrong: boom'],
    ['an unknown problem without detail', { kind: 'unknown' }, 'Something went wrong: ?'],
    ['a missing host permission', { kind: 'host-permission-missing', host: 'feishu.corp.example' }, 'Permission to contact feishu.corp.example is missing. Open Settings and save the API base URL again to grant it.'],
  ])('describes %s', (_name, problem, text) => {
    expect(describeProblem(problem)).toBe(text);
  });

  it('tells a signed-in user how to grant a missing scope, or to sign in again', () => {
    const notGranted: Problem = { kind: 'scope-missing', code: 99991679, scopes: ['mail:user_mailbox.message.body:read'], remedy: 'consent' };
    expect(describeProblem(notGranted)).toBe(
      'You have not allowed mail:user_mailbox.message.body:read when you signed in. Open Settings and press "Grant missing permissions": Feishu then asks for exactly that. (code 99991679)',
    );
    expect(isSettingsProblem(notGranted)).toBe(true);
    expect(describeProblem({ kind: 'sign-in-required', code: 20064 })).toBe(
      'Your Feishu sign-in has ended (revoked, expired or already used). Open Settings and press "Sign in with Feishu" again. (code 20064)',
    );
    expect(isSettingsProblem({ kind: 'sign-in-required' })).toBe(true);
    expect(describeProblem({ kind: 'sign-in-required', detail: 'access_denied' })).toBe('The sign-in was declined on the Feishu page, so nothing was allowed.');
  });

  it('describes the problems of app credentials, Mail and wiki pages', () => {
    expect(describeProblem({ kind: 'app-credentials-invalid', code: 10014 })).toBe(
      "Feishu refused the app's App ID or App Secret. Check both in Settings (developer console → Credentials & Basic Info). (code 10014)",
    );
    expect(describeProblem({ kind: 'needs-user-token' })).toBe(MESSAGES.get('problem_needs_user_token'));
    expect(describeProblem({ kind: 'not-listable', detail: 'mindnote' })).toBe('This wiki page holds a mindnote, which has no attachments to save here.');
    expect(describeProblem({ kind: 'not-listable' })).toBe('This wiki page holds a ?, which has no attachments to save here.');
  });

  it('tells a mail attachment Feishu Mail would not link apart from other missing links', () => {
    expect(describeProblem({ kind: 'no-link', detail: MAIL_FAILED_ID })).toBe(MESSAGES.get('problem_no_link_mail'));
    expect(describeProblem({ kind: 'no-link' })).toBe(MESSAGES.get('problem_no_link'));
    expect(describeProblem({ kind: 'link-expired' })).toBe(MESSAGES.get('problem_link_expired'));
  });

  it.each([131006, 1254302, 1254303, 1770032, 1230003, 1061004])('says what to do about code %i, whatever its kind', (code) => {
    const text = MESSAGES.get(`problemCode_c${code}`);
    expect(text).toBeTruthy();
    expect(describeProblem({ kind: 'not-shared', code, status: 403 })).toBe(`${text} (code ${code})`);
  });

  it('has words for every kind of problem', () => {
    const kinds: Problem['kind'][] = ProblemKindSchema.options;
    const texts = kinds.map((kind) => describeProblem({ kind }));
    for (const text of texts) {
      expect(text.length).toBeGreaterThan(10);
      expect(text).not.toMatch(/\{\w+\}/);
    }
    expect(new Set(texts).size).toBe(kinds.length);
  });
});

describe('isSettingsProblem', () => {
  it.each<[Problem['kind'], boolean]>([
    ['credentials-missing', true],
    ['token-invalid', true],
    ['token-expired', true],
    ['host-permission-missing', true],
    ['app-credentials-invalid', true],
    ['needs-user-token', true],
    ['scope-missing', false],
    ['not-listable', false],
    ['link-expired', false],
    ['not-shared', false],
    ['network', false],
    ['download-interrupted', false],
  ])('%s → %s', (kind, expected) => {
    expect(isSettingsProblem({ kind })).toBe(expected);
  });
});
