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

/** Interruptions of the connection, after which Chrome can ask for the rest of the same file (with `Range`). */
const RESUMABLE = new Set(['NETWORK_FAILED', 'NETWORK_TIMEOUT', 'NETWORK_DISCONNECTED', 'SERVER_CONTENT_LENGTH_MISMATCH', 'USER_SHUTDOWN', 'CRASH']);

export function isResumableInterrupt(reason: string | undefined): boolean {
  return reason !== undefined && RESUMABLE.has(reason);
}
