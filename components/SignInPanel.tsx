import { i18n } from '#i18n';
import type { SignInStatus } from '@/lib/messaging/protocol';
import { describeProblem } from '@/lib/ui/problem-text';
import { Field } from './Field';

export interface SignInPanelProps {
  readonly status: SignInStatus | null;
  readonly busy: boolean;
  readonly onSignIn: () => void;
  readonly onGrantMissing: () => void;
  readonly onSignOut: () => void;
}

/** "Sign in with Feishu": the redirect URL to register, who is signed in, and the buttons. Never a token. */
export function SignInPanel({ status, busy, onSignIn, onGrantMissing, onSignOut }: SignInPanelProps) {
  const signedIn = status?.signedIn ?? null;
  return (
    <div class="sign-in">
      <Field id="redirect-url" label={i18n.t('options.redirectUrl')} value={status?.redirectUrl ?? ''} onInput={() => undefined} readOnly help={i18n.t('options.redirectUrlHelp')} />
      <p class="help">{i18n.t('options.signInHelp')}</p>
      {signedIn && (
        <p class="signed-in">
          {signedIn.name
            ? i18n.t('options.signedInAs', { who: signedIn.name, apiBase: signedIn.apiBase })
            : i18n.t('options.signedInAnonymous', { apiBase: signedIn.apiBase })}
        </p>
      )}
      {!signedIn && status?.ended && <p class="error">{i18n.t('options.signInEnded', { reason: describeProblem(status.ended) })}</p>}
      {status && status.missingScopes.length > 0 && <p class="error">{i18n.t('options.missingScopes', { scopes: status.missingScopes.join(', ') })}</p>}
      <div class="buttons">
        <button type="button" disabled={busy} onClick={onSignIn}>
          {i18n.t('options.signIn')}
        </button>
        {signedIn && status && status.missingScopes.length > 0 && (
          <button type="button" disabled={busy} onClick={onGrantMissing}>
            {i18n.t('options.grantMissing')}
          </button>
        )}
        {signedIn && (
          <button type="button" disabled={busy} onClick={onSignOut}>
            {i18n.t('options.signOut')}
          </button>
        )}
      </div>
    </div>
  );
}
