import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { FormOrigin } from '../core/attachment';
import type { Problem } from '../core/problem';
import { describeProblem, isSettingsProblem } from './problem-text';
import { describeOrigin } from './where-text';

/** Messages of a locale as chrome.i18n.getMessage serves them (`section_key`), for the flat sections used here. */
function messages(locale: 'en' | 'zh_CN'): Map<string, string> {
  const result = new Map<string, string>();
  let section: string | null = null;
  for (const line of readFileSync(new URL(`../../locales/${locale}.yml`, import.meta.url), 'utf8').split('\n')) {
    const top = /^([A-Za-z]\w*):\s*$/.exec(line);
    if (top) {
      section = top[1]!;
      continue;
    }
    const entry = /^ {2}(\w+):\s*(.*)$/.exec(line);
    if (!entry || section === null) continue;
    const raw = entry[2]!;
    result.set(`${section}_${entry[1]}`, raw.startsWith("'") ? raw.slice(1, -1).replace(/''/g, "'") : raw);
  }
  return result;
}

function speak(locale: 'en' | 'zh_CN'): void {
  const table = messages(locale);
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((key: string) => table.get(key) ?? '');
}

beforeEach(() => {
  fakeBrowser.reset();
  speak('en');
});

describe('Ekuaibao problems', () => {
  it.each<[string, Problem, string]>([
    ['no credentials', { kind: 'credentials-missing', platform: 'ekuaibao' }, 'No Ekuaibao access token or app key is set. Add one in Settings (Ekuaibao section).'],
    ['a refused token', { kind: 'token-invalid', platform: 'ekuaibao', status: 403, detail: '未授权' }, 'Ekuaibao refused the access token (未授权)'],
    ['refused app credentials', { kind: 'app-credentials-invalid', platform: 'ekuaibao', status: 403 }, 'Ekuaibao refused the app key or app security (密钥无效)'],
    ['an unknown form', { kind: 'not-found', platform: 'ekuaibao', status: 412, detail: 'B24999999' }, 'Ekuaibao has no such form (B24999999): it may have been deleted'],
    ['a deleted form', { kind: 'not-found', platform: 'ekuaibao', status: 412, detail: '单据已删除' }, 'Ekuaibao has no such form (单据已删除)'],
    ['a missing link', { kind: 'no-link', platform: 'ekuaibao' }, 'Ekuaibao gave no download link for this attachment'],
    ['a DingPan link without headers', { kind: 'no-link', platform: 'ekuaibao', detail: 'DingPan link without its headers' }, 'DingPan downloads need the DingTalk app-store edition'],
    ['a server error', { kind: 'server', platform: 'ekuaibao', status: 400, detail: '附件数量不能超过100' }, 'Ekuaibao answered with an error: 附件数量不能超过100'],
    ['a typed code that is no code', { kind: 'invalid-form-code', platform: 'ekuaibao', detail: 'hello' }, '“hello” is not a form code. Form codes (单据编号) look like B24000123.'],
  ])('words %s', (_name, problem, expected) => {
    expect(describeProblem(problem)).toContain(expected);
  });

  it('adds the HTTP status where it helps, and never mentions Feishu', () => {
    expect(describeProblem({ kind: 'token-invalid', platform: 'ekuaibao', status: 401 })).toMatch(/\(HTTP 401\)$/);
    for (const kind of ['credentials-missing', 'token-invalid', 'app-credentials-invalid', 'not-found', 'no-link', 'server', 'rate-limited'] as const) {
      expect(describeProblem({ kind, platform: 'ekuaibao' })).not.toMatch(/Feishu/);
    }
  });

  it('offers the settings for credential problems', () => {
    expect(isSettingsProblem({ kind: 'token-invalid', platform: 'ekuaibao' })).toBe(true);
    expect(isSettingsProblem({ kind: 'not-found', platform: 'ekuaibao' })).toBe(false);
  });

  it('speaks Chinese when the browser does', () => {
    speak('zh_CN');
    expect(describeProblem({ kind: 'not-found', platform: 'ekuaibao', detail: 'B24999999' })).toBe('合思中没有该单据（B24999999）：可能已被删除，或属于其他企业或地址前缀。');
  });
});

describe('describeOrigin', () => {
  it.each<[FormOrigin, string, string]>([
    [{ form: 'B24000123', part: 'form' }, 'B24000123', 'B24000123'],
    [{ form: 'B24000123', part: 'field', label: '合同附件' }, 'B24000123 · 合同附件', 'B24000123 · 合同附件'],
    [{ form: 'B24000123', part: 'line', line: 2, label: '住宿' }, 'B24000123 · Expense line 2 (住宿)', 'B24000123 · 费用明细 2（住宿）'],
    [{ form: 'B24000123', part: 'line', line: 3 }, 'B24000123 · Expense line 3', 'B24000123 · 费用明细 3'],
    [{ form: 'B24000123', part: 'invoice', line: 1, label: '交通' }, 'B24000123 · Expense line 1 · Invoice', 'B24000123 · 费用明细 1 · 发票'],
    [{ form: 'B24000123', part: 'approval', label: 'agree' }, 'B24000123 · Approval (approved)', 'B24000123 · 审批（同意）'],
    [{ form: 'B24000123', part: 'approval', label: 'addnode' }, 'B24000123 · Approval (addnode)', 'B24000123 · 审批（addnode）'],
  ])('words %j', (origin, english, chinese) => {
    expect(describeOrigin(origin)).toBe(english);
    speak('zh_CN');
    expect(describeOrigin(origin)).toBe(chinese);
  });
});
