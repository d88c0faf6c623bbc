/**
 * Builds Feishu API clients for the background, with the user's credentials (a pasted token, a tenant token
 * obtained from the app's ID and secret, or the signed-in user's token) and one shared set of rate limiters.
 */
import { browser } from '#imports';
import type { FeishuPage } from '../core/page';
import { ProblemError } from '../core/problem';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { FeishuClient, type AccessTokenSource, type FeishuClientOptions } from '../feishu/client';
import { OAuthTokenEndpoint, type OAuthApp } from '../feishu/oauth';
import { TenantTokens } from '../feishu/tenant-token';
import { UserTokens } from '../feishu/user-tokens';
import { allowedApiBases, feishuApiBaseFor, hasFeishuCredentials, isOfficialApiBase, loadSettings, signInApiBase, type Settings } from '../settings';

export class FeishuClients {
  readonly tenantTokens: TenantTokens;
  readonly oauth: OAuthTokenEndpoint;
  readonly userTokens: UserTokens;

  constructor(
    readonly limiters = new RateLimiterRegistry(),
    private readonly fetchImpl?: typeof fetch,
  ) {
    this.tenantTokens = new TenantTokens(limiters, fetchImpl);
    this.oauth = new OAuthTokenEndpoint(limiters, fetchImpl);
    this.userTokens = new UserTokens({
      endpoint: this.oauth,
      app: async () => signInAppOf(await loadSettings()),
      remember: async () => (await loadSettings()).rememberCredentials,
    });
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
    if (settings.feishu.authMode === 'oauth') {
      return this.create(
        apiBase,
        async () => {
          const token = await this.userTokens.token(apiBase);
          if (token) return token;
          // Signed in elsewhere (another brand or deployment), or not at all: say so, with where.
          const current = await this.userTokens.current();
          throw new ProblemError({ kind: 'sign-in-required', host: safeHost(apiBase), ...(current ? { detail: `signed in to ${safeHost(current.apiBase)}` } : {}) });
        },
        {
          renewToken: (rejected) => this.userTokens.renew(apiBase, rejected),
          onScopeNotGranted: (scopes) => void this.userTokens.noteMissingScopes(scopes),
        },
      );
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
    options: Pick<FeishuClientOptions, 'retries' | 'renewToken' | 'onScopeNotGranted'> = {},
  ): FeishuClient {
    return new FeishuClient({ apiBase, accessToken, limiters: this.limiters, fetch: this.fetchImpl, ...options });
  }

  async hasCredentials(): Promise<boolean> {
    const settings = await loadSettings();
    if (!hasFeishuCredentials(settings)) return false;
    if (settings.feishu.authMode !== 'oauth') return true;
    // A sign-in that ended is listed anyway: the list then says why (no call is made without a token).
    return (await this.userTokens.current()) !== null || (await this.userTokens.notes()).ended !== null;
  }

  /** Tenant tokens cannot read a user's mailbox (`me`): Mail needs a user's token (pasted, or signed in). */
  async usesTenantToken(): Promise<boolean> {
    const { feishu } = await loadSettings();
    return feishu.authMode === 'app' || (feishu.authMode === 'token' && (feishu.accessToken?.startsWith('t-') ?? false));
  }
}

/** The app "Sign in with Feishu" uses, when that is the chosen mode and its ID and secret are set. */
export function signInAppOf(settings: Settings): OAuthApp | null {
  const { authMode, appId, appSecret } = settings.feishu;
  return authMode === 'oauth' && appId && appSecret ? { apiBase: signInApiBase(settings), appId, appSecret } : null;
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
