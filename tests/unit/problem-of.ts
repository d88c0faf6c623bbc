import { ProblemError, type Problem } from '../../lib/core/problem';

/** The Problem a promise fails with; a test failure when it succeeds or fails otherwise. */
export async function problemOf(promise: Promise<unknown>): Promise<Problem> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemError) return error.problem;
    throw error;
  }
  throw new Error('expected a ProblemError');
}
