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
