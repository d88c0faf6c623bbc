/**
 * The signed-in user's tokens ("Sign in with Feishu"): kept by the background only, in local storage, or in session
 * storage when "Remember on this device" is off. The access token is refreshed 5 minutes before it expires and when
 * the API refuses it. Refresh tokens are single-use and rotated on every refresh, so refreshes are serialised: every
 * caller waiting for a token shares the one refresh in flight. When a refresh is refused (revoked, expired, used),
 * the sign-in ends: every token is forgotten and the reason kept, so the UI can ask the user to sign in again.
 */
import { storage } from '#imports';
import { z } from 'zod';
import { ProblemError, ProblemSchema, toProblem, type Problem } from '../core/problem';
import { realClock, type Clock } from '../downloads/rate-limit';
import type { OAuthApp, OAuthTokenEndpoint, UserGrant } from './oauth';

const SignInSchema = z.object({
  apiBase: z.string(),
  appId: z.string(),
  /** The user's name, when `authen/v1/user_info` told it. */
  name: z.string().nullable(),
  accessToken: z.string().min(1),
  expiresAt: z.number(),
  refreshToken: z.string().min(1).nullable(),
  refreshExpiresAt: z.number().nullable(),
  scopes: z.array(z.string()),
});
export type SignIn = z.infer<typeof SignInSchema>;

/** Not secret: why the last sign-in ended, and scopes the user was found not to have granted (99991679). */
const NotesSchema = z.object({
  ended: z.object({ at: z.number(), problem: ProblemSchema }).nullable().catch(null),
  missingScopes: z.array(z.string()).max(50).catch([]),
});
export type SignInNotes = z.infer<typeof NotesSchema>;

const localSignIn = storage.defineItem<unknown>('local:feishu-sign-in', { fallback: null });
const sessionSignIn = storage.defineItem<unknown>('session:feishu-sign-in', { fallback: null });
const notesItem = storage.defineItem<unknown>('local:feishu-sign-in-notes', { fallback: null });

/** Refresh this long before the announced expiry, so no call goes out with a token about to lapse. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export interface UserTokensOptions {
  readonly endpoint: OAuthTokenEndpoint;
  /** The app's credentials as the settings hold them now (null: not in sign-in mode, or incomplete). */
  readonly app: () => Promise<OAuthApp | null>;
  /** "Remember on this device". */
  readonly remember: () => Promise<boolean>;
  readonly clock?: Clock;
}

export class UserTokens {
  private refreshing: Promise<SignIn> | null = null;
  private readonly clock: Clock;

  constructor(private readonly options: UserTokensOptions) {
    this.clock = options.clock ?? realClock;
  }

  async current(): Promise<SignIn | null> {
    for (const item of [sessionSignIn, localSignIn]) {
      const parsed = SignInSchema.safeParse(await item.getValue());
      if (parsed.success) return parsed.data;
    }
    return null;
  }

  async notes(): Promise<SignInNotes> {
    const parsed = NotesSchema.safeParse(await notesItem.getValue());
    return parsed.success ? parsed.data : { ended: null, missingScopes: [] };
  }

  /**
   * A valid access token for `apiBase`, refreshed first when it is about to expire. Null when nobody is signed in
   * there; throws `sign-in-required` when the sign-in has just ended.
   */
  async token(apiBase: string): Promise<string | null> {
    const signIn = await this.current();
    if (!signIn || signIn.apiBase !== apiBase) return null;
    if (signIn.expiresAt - REFRESH_MARGIN_MS > this.clock.now()) return signIn.accessToken;
    return (await this.refreshShared()).accessToken;
  }

  /** The API refused `rejected` (expired or invalid): a token other than it, refreshing when none is at hand. */
  async renew(apiBase: string, rejected: string): Promise<string | null> {
    const signIn = await this.current();
    if (!signIn || signIn.apiBase !== apiBase) return null;
    if (signIn.accessToken !== rejected && signIn.expiresAt - REFRESH_MARGIN_MS > this.clock.now()) return signIn.accessToken;
    return (await this.refreshShared()).accessToken;
  }

  /** Keeps a new grant (from a code exchange) as the sign-in, and forgets why an earlier one ended. */
  async signedIn(app: OAuthApp, grant: UserGrant, name: string | null): Promise<SignIn> {
    const previous = await this.current();
    const signIn: SignIn = {
      apiBase: app.apiBase,
      appId: app.appId,
      name: name ?? (previous?.appId === app.appId ? previous.name : null),
      accessToken: grant.accessToken,
      expiresAt: grant.expiresAt,
      refreshToken: grant.refreshToken,
      refreshExpiresAt: grant.refreshExpiresAt,
      scopes: [...grant.scopes],
    };
    await this.write(signIn);
    const notes = await this.notes();
    await notesItem.setValue({ ended: null, missingScopes: notes.missingScopes.filter((s) => !grant.scopes.includes(s)) });
    return signIn;
  }

  /** Sign out: every token is forgotten, from both storage areas. */
  async signOut(): Promise<void> {
    await Promise.all([localSignIn.removeValue(), sessionSignIn.removeValue(), notesItem.setValue({ ended: null, missingScopes: [] })]);
  }

  /** "Remember on this device" changed: move the sign-in to the storage area it now belongs in. */
  async relocate(): Promise<void> {
    const signIn = await this.current();
    if (signIn) await this.write(signIn);
  }

  /** The API said the user has not granted these (99991679): Settings offers to ask for exactly them. */
  async noteMissingScopes(scopes: readonly string[]): Promise<void> {
    const notes = await this.notes();
    const missing = [...new Set([...notes.missingScopes, ...scopes])].slice(0, 50);
    if (missing.length !== notes.missingScopes.length) await notesItem.setValue({ ...notes, missingScopes: missing });
  }

  private refreshShared(): Promise<SignIn> {
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<SignIn> {
    const signIn = await this.current();
    if (!signIn) throw new ProblemError({ kind: 'sign-in-required' });
    const app = await this.options.app();
    if (!app || app.appId !== signIn.appId || app.apiBase !== signIn.apiBase) {
      throw await this.end({ kind: 'sign-in-required', detail: 'The app or API base URL changed since you signed in.' });
    }
    if (!signIn.refreshToken || (signIn.refreshExpiresAt !== null && signIn.refreshExpiresAt <= this.clock.now())) {
      throw await this.end({ kind: 'sign-in-required', detail: signIn.refreshToken ? 'refresh token expired' : 'no refresh token (offline_access)' });
    }
    let grant: UserGrant;
    try {
      grant = await this.options.endpoint.grant(app, { grant_type: 'refresh_token', refresh_token: signIn.refreshToken });
    } catch (error) {
      const problem = toProblem(error);
      if (problem.kind === 'sign-in-required' || problem.kind === 'app-credentials-invalid') throw await this.end(problem);
      throw error;
    }
    const next: SignIn = {
      ...signIn,
      accessToken: grant.accessToken,
      expiresAt: grant.expiresAt,
      // Rotated on every refresh; an answer without one keeps none (the old one is spent).
      refreshToken: grant.refreshToken,
      refreshExpiresAt: grant.refreshExpiresAt,
      scopes: grant.scopes.length > 0 ? [...grant.scopes] : signIn.scopes,
    };
    await this.write(next);
    return next;
  }

  /** The sign-in is over: forget its tokens, keep why, and answer the error to throw. */
  private async end(problem: Problem): Promise<ProblemError> {
    // A refused app secret stays what it is (Settings names the field to fix); everything else asks to sign in again.
    const ended: Problem = problem.kind === 'app-credentials-invalid' ? problem : { ...problem, kind: 'sign-in-required' };
    await Promise.all([localSignIn.removeValue(), sessionSignIn.removeValue()]);
    const notes = await this.notes();
    await notesItem.setValue({ ...notes, ended: { at: this.clock.now(), problem: ended } });
    return new ProblemError(ended);
  }

  private async write(signIn: SignIn): Promise<void> {
    const remember = await this.options.remember();
    await (remember ? localSignIn : sessionSignIn).setValue(signIn);
    await (remember ? sessionSignIn : localSignIn).removeValue();
  }
}
