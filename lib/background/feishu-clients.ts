/**
 * Builds Feishu API clients for the background, with the user's credentials (a pasted token, or a tenant token
 * obtained from the app's ID and secret) and one shared set of rate limiters.
 */
import { browser } from '#imports';
import type { FeishuPage } from '../core/page';
import { ProblemError } from '../core/problem';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { FeishuClient, type AccessTokenSource } from '../feishu/client';
import { TenantTokens } from '../feishu/tenant-token';
import { allowedApiBases, feishuApiBaseFor, hasFeishuCredentials, isOfficialApiBase, loadSettings, type Settings } from '../settings';

export class FeishuClients {
  readonly tenantTokens: TenantTokens;

  constructor(
    readonly limiters = new RateLimiterRegistry(),
    private readonly fetchImpl?: typeof fetch,
  ) {
    this.tenantTokens = new TenantTokens(limiters, fetchImpl);
  }

  async forPage(page: FeishuPage): Promise<FeishuClient> {
    const settings = await loadSettings();
    return this.forApiBase(feishuApiBaseFor(page.brand, settings, page.host));
  }

  /**
   * A client for `apiBase`, which must be one the settings allow (configured, custom, or official when none is
   * configured): credentials never go anywhere else, even if settings changed since a listing named an origin.
   */
  async forApiBase(apiBase: string): Promise<FeishuClient> {
    const settings = await loadSettings();
    if (!allowedApiBases(settings).includes(apiBase)) {
      throw new ProblemError({ kind: 'unknown', host: safeHost(apiBase), detail: 'The API base URL changed since this list was made; refresh the list.' });
    }
    if (!isOfficialApiBase(apiBase) && !(await browser.permissions.contains({ origins: [`${apiBase}/*`] }))) {
      throw new ProblemError({ kind: 'host-permission-missing', host: safeHost(apiBase) });
    }
    if (settings.feishu.authMode === 'app') {
      const app = appOf(settings, apiBase);
      return this.create(apiBase, async () => (app ? this.tenantTokens.token(app) : null), {
        renewToken: async (rejected) => (app ? this.tenantTokens.renew(app, rejected) : null),
      });
    }
    return this.create(apiBase, async () => (await loadSettings()).feishu.accessToken);
  }

  /** A client with the shared limiters for a token that is not (yet) saved: the options page's connection test. */
  create(
    apiBase: string,
    accessToken: AccessTokenSource,
    options: { retries?: number; renewToken?: (rejected: string) => Promise<string | null> } = {},
  ): FeishuClient {
    return new FeishuClient({ apiBase, accessToken, limiters: this.limiters, fetch: this.fetchImpl, ...options });
  }

  async hasCredentials(): Promise<boolean> {
    return hasFeishuCredentials(await loadSettings());
  }

  /** Tenant tokens cannot read a user's mailbox (`me`): Mail needs a pasted user token. */
  async usesTenantToken(): Promise<boolean> {
    const { feishu } = await loadSettings();
    return feishu.authMode === 'app' || (feishu.accessToken?.startsWith('t-') ?? false);
  }
}

function appOf(settings: Settings, apiBase: string) {
  const { appId, appSecret } = settings.feishu;
  return appId && appSecret ? { apiBase, appId, appSecret } : null;
}

function safeHost(origin: string): string {
  try {
    return new URL(origin).hostname;
  } catch {
    return origin.slice(0, 100);
  }
}
