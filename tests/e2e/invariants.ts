/** What the sandbox must never have seen, whatever the test: the platform's limits and our security promises. */
import { expect } from '@playwright/test';
import type { Sandbox } from '../sandbox';

const API_HOSTS = new Set(['open.feishu.cn', 'open.larksuite.com']);
/** Private deployments' API origins in the demo world. */
const CUSTOM_API_HOSTS = new Set(['open.acme-private.cn']);

export function expectPlatformRulesKept(sandbox: Sandbox): void {
  const tmpUrlCalls = sandbox.log.filter((r) => r.endpoint === 'drive.media.tmp-url');
  for (const call of tmpUrlCalls) {
    expect(call.query.filter(([k]) => k === 'file_tokens').length, 'file_tokens per tmp-URL call').toBeLessThanOrEqual(5);
  }
  const limited = sandbox.log.filter((r) => r.status === 429 || r.code === 99991400);
  expect(limited, 'rate-limited answers').toEqual([]);
  const streamWithAuth = sandbox.log.filter((r) => r.host.startsWith('internal-api-drive-stream.') && 'authorization' in r.headers);
  expect(streamWithAuth, 'stream-host requests carrying Authorization').toEqual([]);
  const authElsewhere = sandbox.log.filter((r) => 'authorization' in r.headers && !API_HOSTS.has(r.host) && !CUSTOM_API_HOSTS.has(r.host));
  expect(authElsewhere.map((r) => r.host), 'Authorization sent outside the API hosts').toEqual([]);
}

export function apiCalls(sandbox: Sandbox): readonly { host: string; path: string }[] {
  return sandbox.log.filter((r) => API_HOSTS.has(r.host));
}
