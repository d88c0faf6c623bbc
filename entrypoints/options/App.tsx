import { browser, i18n } from '#imports';
import { useEffect, useState } from 'preact/hooks';
import { OFFICIAL_API_BASES } from '@/lib/feishu/hosts';
import { sendMessage, type ConnectionResult } from '@/lib/messaging/protocol';
import { DEFAULT_SETTINGS, loadSettings, saveSettings, type Settings } from '@/lib/settings';
import { parseOptionsForm, tokenSuffix } from '@/lib/ui/options-form';
import { describeProblem } from '@/lib/ui/problem-text';

type Status = { tone: 'ok' | 'error' | 'info'; text: string } | null;

/** Credentials and preferences. The token is never shown again once saved, only its last characters. */
export function App() {
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS);
  const [apiBase, setApiBase] = useState('');
  const [accessToken, setAccessToken] = useState('');
  const [invalid, setInvalid] = useState<'apiBase' | 'accessToken' | null>(null);
  const [status, setStatus] = useState<Status>(null);
  const [testing, setTesting] = useState(false);

  useEffect(() => {
    void loadSettings().then((loaded) => {
      setSettings(loaded);
      setApiBase(loaded.feishu.apiBase ?? '');
    });
  }, []);

  const save = async (event: Event) => {
    event.preventDefault();
    setStatus(null);
    const form = parseOptionsForm({ apiBase, accessToken }, settings);
    if (!form.ok) {
      setInvalid(form.field);
      return;
    }
    setInvalid(null);
    if (form.needsPermissionFor) {
      // Asked for right in the click: Chrome only grants host permissions during a user gesture.
      const granted = await browser.permissions.request({ origins: [`${form.needsPermissionFor}/*`] }).catch(() => false);
      if (!granted) {
        setStatus({ tone: 'error', text: i18n.t('options.permissionDenied', { host: new URL(form.needsPermissionFor).host }) });
        return;
      }
    }
    await saveSettings(form.settings);
    setSettings(form.settings);
    setAccessToken('');
    setStatus({ tone: 'ok', text: i18n.t('options.saved') });
  };

  const removeToken = async () => {
    const next = { ...settings, feishu: { ...settings.feishu, accessToken: null } };
    await saveSettings(next);
    setSettings(next);
    setStatus({ tone: 'ok', text: i18n.t('options.saved') });
  };

  const test = async () => {
    setTesting(true);
    setStatus({ tone: 'info', text: i18n.t('options.testing') });
    try {
      const result = await sendMessage('testConnection', {
        apiBase: apiBase.trim() || null,
        accessToken: accessToken.trim() || null,
      });
      setStatus(describeConnection(result));
    } catch (error) {
      setStatus({ tone: 'error', text: error instanceof Error ? error.message : String(error) });
    } finally {
      setTesting(false);
    }
  };

  const saved = settings.feishu.accessToken;
  return (
    <main>
      <h1>{i18n.t('options.title')}</h1>
      <form onSubmit={(e) => void save(e)} noValidate>
        <fieldset>
          <legend>{i18n.t('options.feishuSection')}</legend>
          <div class="field">
            <label for="feishu-api-base">{i18n.t('options.apiBase')}</label>
            <input
              id="feishu-api-base"
              type="url"
              inputMode="url"
              list="feishu-api-bases"
              placeholder={i18n.t('options.apiBaseAuto')}
              value={apiBase}
              aria-invalid={invalid === 'apiBase'}
              aria-describedby="feishu-api-base-help"
              onInput={(e) => setApiBase(e.currentTarget.value)}
            />
            <datalist id="feishu-api-bases">
              <option value={OFFICIAL_API_BASES.feishu}>Feishu</option>
              <option value={OFFICIAL_API_BASES.lark}>Lark</option>
            </datalist>
            {invalid === 'apiBase' && <p class="error" role="alert">{i18n.t('options.invalidApiBase')}</p>}
            <p class="help" id="feishu-api-base-help">
              {i18n.t('options.apiBaseHelp')}
            </p>
          </div>
          <div class="field">
            <label for="feishu-access-token">{i18n.t('options.accessToken')}</label>
            <input
              id="feishu-access-token"
              type="password"
              autoComplete="off"
              spellcheck={false}
              value={accessToken}
              aria-invalid={invalid === 'accessToken'}
              aria-describedby="feishu-access-token-help"
              onInput={(e) => setAccessToken(e.currentTarget.value)}
            />
            {invalid === 'accessToken' && <p class="error" role="alert">{i18n.t('options.invalidToken')}</p>}
            <p class="help" id="feishu-access-token-help">
              {saved ? `${i18n.t('options.accessTokenSaved', { suffix: tokenSuffix(saved) })} ` : ''}
              {i18n.t('options.accessTokenHelp')}
            </p>
          </div>
        </fieldset>
        <div class="buttons">
          <button type="submit" class="primary">
            {i18n.t('options.save')}
          </button>
          <button type="button" disabled={testing} onClick={() => void test()}>
            {i18n.t('options.testConnection')}
          </button>
          {saved && (
            <button type="button" onClick={() => void removeToken()}>
              {i18n.t('options.removeToken')}
            </button>
          )}
        </div>
      </form>
      <p class={`status ${status?.tone === 'error' ? 'error' : ''}`} role="status">
        {status?.text}
      </p>
    </main>
  );
}

function describeConnection(result: ConnectionResult): Status {
  if (!result.ok) return { tone: 'error', text: describeProblem(result.problem) };
  const kind = result.tokenKind === 'user' ? i18n.t('options.tokenKind.user') : i18n.t('options.tokenKind.tenant');
  let text = result.who
    ? result.tokenKind === 'user'
      ? i18n.t('options.connectedUser', { apiBase: result.apiBase, who: result.who })
      : i18n.t('options.connectedTenant', { apiBase: result.apiBase, who: result.who })
    : i18n.t('options.connectedAnonymous', { apiBase: result.apiBase, kind });
  if (!result.who && result.missingScope) text += i18n.t('options.connectedScopeHint', { scope: result.missingScope });
  return { tone: 'ok', text };
}
