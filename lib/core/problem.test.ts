import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ProblemError, ProblemSchema, toProblem } from './problem';

describe('ProblemError', () => {
  it('says kind, code and detail in its message', () => {
    expect(new ProblemError({ kind: 'not-shared', code: 1770032, detail: 'forbidden' }).message).toBe('not-shared (1770032): forbidden');
    expect(new ProblemError({ kind: 'credentials-missing' }).message).toBe('credentials-missing');
    expect(new ProblemError({ kind: 'no-link' }).name).toBe('ProblemError');
  });
});

describe('toProblem', () => {
  it('keeps the problem of a ProblemError', () => {
    const problem = { kind: 'token-expired', code: 99991677, status: 400, host: 'open.feishu.cn' } as const;
    expect(toProblem(new ProblemError(problem))).toBe(problem);
  });

  it('turns a validation error into an invalid response', () => {
    const result = z.object({ document_id: z.string() }).safeParse({});
    expect(result.success).toBe(false);
    const problem = toProblem(result.error);
    expect(problem.kind).toBe('invalid-response');
    expect(problem.detail).toContain('document_id');
  });

  it('turns anything else into an unknown problem, with a bounded detail', () => {
    expect(toProblem(new TypeError('Failed to fetch'))).toEqual({ kind: 'unknown', detail: 'Failed to fetch' });
    expect(toProblem('plain')).toEqual({ kind: 'unknown', detail: 'plain' });
    expect(toProblem(new Error('x'.repeat(2000))).detail).toHaveLength(500);
    expect(ProblemSchema.safeParse(toProblem(new Error('x'.repeat(2000)))).success).toBe(true);
  });
});

describe('credentials in details', () => {
  const TOKEN = 'u-abcdefghijklmnopqrstuvwxyz0123456789';

  it('never carries a token a thrown error quotes', () => {
    const problem = toProblem(new Error(`request failed: Authorization: Bearer ${TOKEN}`));
    expect(problem).toEqual({ kind: 'unknown', detail: 'request failed: Authorization: Bearer [redacted]' });
    expect(toProblem(`fetch https://app.ekuaibao.com/api/openapi/v1.1/flowDetails?accessToken=${TOKEN}`).detail).not.toContain(TOKEN);
  });

  it('cuts a token before bounding the detail, so no part of it is left at the edge', () => {
    const detail = toProblem(new Error(`${'x'.repeat(490)} ${TOKEN}`)).detail ?? '';
    expect(detail).not.toContain('u-abcdefgh');
  });

  it('cuts them from a ProblemError\'s problem and message, whoever built it', () => {
    const error = new ProblemError({ kind: 'network', host: 'open.feishu.cn', detail: `socket hang up (token ${TOKEN})` });
    expect(error.problem.detail).toBe('socket hang up (token [redacted])');
    expect(error.message).not.toContain(TOKEN);
    expect(toProblem(error).detail).not.toContain(TOKEN);
  });

  it('cuts them from a validation error quoting a value', () => {
    const result = z.object({ kind: z.literal('user') }).safeParse({ kind: TOKEN });
    expect(toProblem(result.error).detail).not.toContain(TOKEN);
  });
});
