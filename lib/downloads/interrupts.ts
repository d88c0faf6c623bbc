/** Chrome's download interrupt reasons, sorted into "try again with a fresh link" and "tell the person". */
const RETRYABLE = new Set([
  'NETWORK_FAILED',
  'NETWORK_TIMEOUT',
  'NETWORK_DISCONNECTED',
  'NETWORK_SERVER_DOWN',
  'SERVER_FAILED',
  'SERVER_NO_RANGE',
  'SERVER_BAD_CONTENT',
  'SERVER_UNAUTHORIZED',
  'SERVER_FORBIDDEN',
  'SERVER_UNREACHABLE',
  'SERVER_CONTENT_LENGTH_MISMATCH',
  'FILE_TRANSIENT_ERROR',
  'FILE_TOO_SHORT',
  'USER_SHUTDOWN',
  'CRASH',
]);

export function isRetryableInterrupt(reason: string | undefined): boolean {
  return reason !== undefined && RETRYABLE.has(reason);
}

