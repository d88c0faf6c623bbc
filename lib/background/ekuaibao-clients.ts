/**
 * Builds Ekuaibao API clients for the background, with the user's credentials (a pasted access token, or tokens
 * obtained from the app key and app security) and the shared rate limiters. Credentials go only to the configured
 * address prefix or a private deployment's, never to a host a page or a listing named.
 */
import { browser } from '#imports';
import type { EkuaibaoPage, FormRef } from '../core/page';
import { ProblemError } from '../core/problem';
import type { RateLimiterRegistry } from '../downloads/rate-limit';
import { EkuaibaoClient, type TokenSource } from '../ekuaibao/client';
import { fetchForm } from '../ekuaibao/forms';
import { isEkuaibaoWebHost } from '../ekuaibao/hosts';
import type { FlowDetails } from '../ekuaibao/schemas';
import { EkuaibaoTokens } from '../ekuaibao/token';
import { allowedEkuaibaoApiBases, ekuaibaoApiBaseFor, hasEkuaibaoCredentials, loadSettings } from '../settings';

/** Form details are read again when "Find" is followed by the listing: one call, not two, within this time. */
const DETAILS_FRESH_MS = 60_000;

export class EkuaibaoClients {
  readonly tokens: EkuaibaoTokens;
  private readonly details = new Map<string, { at: number; value: Promise<FlowDetails> }>();

  constructor(
    readonly limiters: RateLimiterRegistry,
    private readonly fetchImpl?: typeof fetch,
  ) {
    this.tokens = new EkuaibaoTokens(limiters, fetchImpl);
  }

  async forPage(page: EkuaibaoPage): Promise<EkuaibaoClient> {
    return this.forApiBase(ekuaibaoApiBaseFor(await loadSettings(), page.host));
  }

  async forApiBase(apiBase: string): Promise<EkuaibaoClient> {
    const settings = await loadSettings();
    if (!allowedEkuaibaoApiBases(settings).includes(apiBase)) {
      throw new ProblemError({ kind: 'unknown', platform: 'ekuaibao', host: hostOf(apiBase), detail: 'The Ekuaibao API base URL changed since this list was made; refresh the list.' });
    }
    // The documented hosts are in the manifest; any other address prefix must have been granted in the options page.
    if (!isEkuaibaoWebHost(hostOf(apiBase)) && !(await browser.permissions.contains({ origins: [`${apiBase}/*`] }))) {
      throw new ProblemError({ kind: 'host-permission-missing', platform: 'ekuaibao', host: hostOf(apiBase) });
    }
    const { ekuaibao } = settings;
    if (ekuaibao.authMode === 'app') {
      const app = ekuaibao.appKey && ekuaibao.appSecurity ? { apiBase, appKey: ekuaibao.appKey, appSecurity: ekuaibao.appSecurity } : null;
      return this.create(apiBase, async () => (app ? this.tokens.token(app) : null), {
        renewToken: async (rejected) => (app ? this.tokens.renew(app, rejected) : null),
      });
    }
    return this.create(apiBase, async () => (await loadSettings()).ekuaibao.accessToken);
  }

  create(apiBase: string, accessToken: TokenSource, options: { retries?: number; renewToken?: (rejected: string) => Promise<string | null> } = {}): EkuaibaoClient {
    return new EkuaibaoClient({ apiBase, accessToken, limiters: this.limiters, fetch: this.fetchImpl, ...options });
  }

  async hasCredentials(): Promise<boolean> {
    return hasEkuaibaoCredentials(await loadSettings());
  }

  /** Form details, shared for a minute between "Find" and the listing that follows it; failures are not kept. */
  formDetails(client: EkuaibaoClient, ref: FormRef): Promise<FlowDetails> {
    const key = `${client.apiBase} ${'code' in ref ? `code:${ref.code}` : `flow:${ref.flowId}`}`;
    const now = Date.now();
    for (const [k, entry] of this.details) if (now - entry.at > DETAILS_FRESH_MS) this.details.delete(k);
    const cached = this.details.get(key);
    if (cached) return cached.value;
    const value = fetchForm(client, ref);
    this.details.set(key, { at: now, value });
    value.catch(() => this.details.delete(key));
    return value;
  }

  /** New credentials: nothing obtained or read with the old ones is reused. */
  async forget(): Promise<void> {
    this.details.clear();
    await this.tokens.clear();
  }
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).hostname;
  } catch {
    return origin.slice(0, 100);
  }
}
