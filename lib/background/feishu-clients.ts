/** Builds Feishu API clients for the background, with the user's token and one shared set of rate limiters. */
import { browser } from '#imports';
import type { FeishuPage } from '../core/page';
import { ProblemError } from '../core/problem';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { FeishuClient, type AccessTokenSource } from '../feishu/client';
import { OFFICIAL_API_BASES } from '../feishu/hosts';
import { feishuApiBaseFor, isOfficialApiBase, loadSettings } from '../settings';

export class FeishuClients {
  constructor(
    readonly limiters = new RateLimiterRegistry(),
    private readonly fetchImpl?: typeof fetch,
  ) {}

  async forPage(page: FeishuPage): Promise<FeishuClient> {
    return this.forApiBase(feishuApiBaseFor(page.brand, await loadSettings()));
  }

  /**
   * A client for `apiBase`, which must be the configured base (or, with none configured, an official one):
   * the token never goes anywhere else, even if settings changed since a listing named another origin.
   */
  async forApiBase(apiBase: string): Promise<FeishuClient> {
    const settings = await loadSettings();
    const allowed = settings.feishu.apiBase ? [settings.feishu.apiBase] : Object.values(OFFICIAL_API_BASES);
    if (!allowed.includes(apiBase)) {
      throw new ProblemError({ kind: 'unknown', host: safeHost(apiBase), detail: 'The API base URL changed since this list was made; refresh the list.' });
    }
    if (!isOfficialApiBase(apiBase) && !(await browser.permissions.contains({ origins: [`${apiBase}/*`] }))) {
      throw new ProblemError({ kind: 'host-permission-missing', host: safeHost(apiBase) });
    }
    return this.create(apiBase, async () => (await loadSettings()).feishu.accessToken);
  }

  /** A client with the shared limiters for a token that is not (yet) saved: the options page's connection test. */
  create(apiBase: string, accessToken: AccessTokenSource, options: { retries?: number } = {}): FeishuClient {
    return new FeishuClient({ apiBase, accessToken, limiters: this.limiters, fetch: this.fetchImpl, ...options });
  }

  async hasCredentials(): Promise<boolean> {
    return (await loadSettings()).feishu.accessToken !== null;
  }
}

function safeHost(origin: string): string {
  try {
    return new URL(origin).hostname;
  } catch {
    return origin.slice(0, 100);
  }
}
