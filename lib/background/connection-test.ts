/** The options page's "Test connection", run in the background with the form's (possibly unsaved) values. */
import { browser } from '#imports';
import { toProblem } from '../core/problem';
import { testFeishuConnection } from '../feishu/connection';
import { OFFICIAL_API_BASES } from '../feishu/hosts';
import type { ConnectionResult } from '../messaging/protocol';
import { AccessTokenSchema, ApiBaseSchema, isOfficialApiBase, loadSettings } from '../settings';
import type { FeishuClients } from './feishu-clients';

export async function testConnection(
  request: { apiBase: string | null; accessToken: string | null },
  clients: FeishuClients,
): Promise<ConnectionResult> {
  const token = request.accessToken ? AccessTokenSchema.safeParse(request.accessToken) : undefined;
  if (token && !token.success) return { ok: false, problem: { kind: 'token-invalid', detail: 'This does not look like an access token.' } };
  const accessToken = token?.data ?? (await loadSettings()).feishu.accessToken;
  if (!accessToken) return { ok: false, problem: { kind: 'credentials-missing' } };
  const base = request.apiBase ? ApiBaseSchema.safeParse(request.apiBase) : undefined;
  if (base && !base.success) return { ok: false, problem: { kind: 'unknown', detail: 'The API base URL is not a valid https:// address.' } };

  // No base chosen: try Feishu, then Lark, and report the one that knows the token.
  const candidates = base ? [base.data] : [OFFICIAL_API_BASES.feishu, OFFICIAL_API_BASES.lark];
  let last: ConnectionResult = { ok: false, problem: { kind: 'unknown' } };
  for (const apiBase of candidates) {
    if (!isOfficialApiBase(apiBase) && !(await browser.permissions.contains({ origins: [`${apiBase}/*`] }))) {
      return { ok: false, apiBase, problem: { kind: 'host-permission-missing', host: new URL(apiBase).hostname } };
    }
    const client = clients.create(apiBase, async () => accessToken, { retries: 1 });
    last = await testFeishuConnection(client, accessToken).catch((error: unknown) => ({ ok: false as const, apiBase, problem: toProblem(error) }));
    if (last.ok || (last.problem.kind !== 'token-invalid' && last.problem.kind !== 'token-expired')) return last;
  }
  return last;
}
