import { describe, expect, it } from 'vitest';
import { isRetryableInterrupt } from './interrupts';

describe('isRetryableInterrupt', () => {
  it.each(['NETWORK_FAILED', 'NETWORK_TIMEOUT', 'NETWORK_DISCONNECTED', 'SERVER_FAILED', 'SERVER_FORBIDDEN', 'SERVER_UNAUTHORIZED', 'FILE_TRANSIENT_ERROR', 'CRASH', 'USER_SHUTDOWN'])(
    '%s is worth another try with a fresh link',
    (reason) => {
      expect(isRetryableInterrupt(reason)).toBe(true);
    },
  );

  it.each(['FILE_NO_SPACE', 'FILE_ACCESS_DENIED', 'FILE_NAME_TOO_LONG', 'FILE_TOO_LARGE', 'FILE_VIRUS_INFECTED', 'FILE_BLOCKED', 'USER_CANCELED', 'SOMETHING_NEW', ''])(
    '%s is told to the person instead',
    (reason) => {
      expect(isRetryableInterrupt(reason)).toBe(false);
    },
  );

  it('does not retry without a reason', () => {
    expect(isRetryableInterrupt(undefined)).toBe(false);
  });
});
