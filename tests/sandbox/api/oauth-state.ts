/**
 * What the fake OAuth 2.0 flow remembers during one sandbox run (part of `SandboxState`, so `sandbox.reset()`
 * forgets it): pending consents, authorization codes, refresh tokens, the users' cumulative grants, the test
 * controls' settings and the request records. The behaviour is in api/oauth.ts and accounts-host.ts.
 */
import type { Brand, SandboxOAuthUser } from '../world';

export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 7200;
export const DEFAULT_REFRESH_TOKEN_LIFETIME_SECONDS = 604_800;

export type PkceMethod = 'S256' | 'plain';

export interface PkceChallenge {
  readonly value: string;
  readonly method: PkceMethod;
}

/** One load of the authorize page, as parsed (whatever the outcome). */
export interface AuthorizeRequestRecord {
  readonly brand: Brand;
  /** `client_id`, or its alias `app_id`. */
  readonly clientId: string | null;
  readonly redirectUri: string | null;
  /** The `scope` parameter split at spaces, as sent (duplicates kept). */
  readonly scopes: readonly string[];
  readonly state: string | null;
  readonly codeChallenge: string | null;
  readonly codeChallengeMethod: string | null;
  readonly responseType: string | null;
  /** 0: the consent page was shown; otherwise the error code of the error page. */
  readonly code: number;
}

/** One call of the token endpoint that got past the gateway (rate-limit refusals are in `sandbox.log` only). */
export interface TokenRequestRecord {
  readonly grantType: string | null;
  readonly clientId: string | null;
  /** 0, or the error code answered. */
  readonly code: number;
}

/** A consent page shown and not answered yet: what Authorize would grant, and where to. */
export interface PendingConsent {
  readonly brand: Brand;
  readonly appId: string;
  readonly redirectUri: string;
  readonly state: string | null;
  readonly challenge: PkceChallenge | null;
  readonly asked: readonly string[];
  readonly user: SandboxOAuthUser;
  readonly expiresAt: number;
}

export interface AuthorizationCode {
  readonly brand: Brand;
  readonly appId: string;
  readonly redirectUri: string;
  readonly challenge: PkceChallenge | null;
  /** The user's whole grant to the app when the code was issued (sorted). */
  readonly scopes: readonly string[];
  readonly user: SandboxOAuthUser;
  readonly expiresAt: number;
  used: boolean;
}

export interface RefreshTokenRecord {
  readonly brand: Brand;
  readonly appId: string;
  readonly user: SandboxOAuthUser;
  /** The access token issued with it: refreshing gives that one a minute more, then invalidates it. */
  readonly accessToken: string;
  readonly expiresAt: number;
  /** 365 days after the code exchange that started the chain: no refresh token of the chain lives longer. */
  readonly chainEndsAt: number;
  used: boolean;
  revoked: boolean;
}

export interface OAuthSettings {
  accessTokenLifetimeSeconds: number;
  refreshTokenLifetimeSeconds: number;
  withholdScopes: readonly string[];
}

export interface OAuthState {
  readonly settings: OAuthSettings;
  /** Redirect URLs registered at run time (`registerRedirectUri`), by app id, on top of the app's `redirectUris`. */
  readonly redirectUris: Map<string, string[]>;
  readonly consents: Map<string, PendingConsent>;
  readonly codes: Map<string, AuthorizationCode>;
  readonly refreshTokens: Map<string, RefreshTokenRecord>;
  /** Every access token issued by the token endpoint, in order (their live entries are in `issuedTokens`). */
  readonly accessTokens: string[];
  /** The scopes each user has granted each app so far, by `grantKey`. */
  readonly grants: Map<string, Set<string>>;
  readonly authorizeRequests: AuthorizeRequestRecord[];
  readonly tokenRequests: TokenRequestRecord[];
}

export function newOAuthState(): OAuthState {
  return {
    settings: {
      accessTokenLifetimeSeconds: DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS,
      refreshTokenLifetimeSeconds: DEFAULT_REFRESH_TOKEN_LIFETIME_SECONDS,
      withholdScopes: [],
    },
    redirectUris: new Map(),
    consents: new Map(),
    codes: new Map(),
    refreshTokens: new Map(),
    accessTokens: [],
    grants: new Map(),
    authorizeRequests: [],
    tokenRequests: [],
  };
}

export function grantKey(brand: Brand, appId: string, user: SandboxOAuthUser): string {
  return `${brand}\u0000${appId}\u0000${user.actsAs}`;
}

/** The scopes `user` has granted `appId` so far, sorted. */
export function grantOf(state: OAuthState, brand: Brand, appId: string, user: SandboxOAuthUser): string[] {
  return [...(state.grants.get(grantKey(brand, appId, user)) ?? [])].sort();
}
