import { browser, i18n } from '#imports';
import { useEffect, useState } from 'preact/hooks';
import { Checkbox, Field, RadioGroup } from '@/components/Field';
import { SignInPanel } from '@/components/SignInPanel';
import { EKUAIBAO_API_BASES } from '@/lib/ekuaibao/hosts';
import { OFFICIAL_API_BASES } from '@/lib/feishu/hosts';
import { accountsBaseFor, authorizeUrl, createPkce, createState, parseCallback, SIGN_IN_SCOPES } from '@/lib/feishu/oauth';
import { sendMessage, type ConnectionResult, type EkuaibaoConnectionResult, type SignInStatus } from '@/lib/messaging/protocol';
import { DEFAULT_SETTINGS, loadSettings, MAX_CONCURRENCY, saveSettings, signInApiBase, type CustomHost, type EkuaibaoCustomHost, type Settings } from '@/lib/settings';
import {
  parseCustomHost,
  parseEkuaibaoForm,
  parseEkuaibaoHost,
  parseOptionsForm,
  tokenSuffix,
  type EkuaibaoField,
  type OptionsField,
} from '@/lib/ui/options-form';
import { describeProblem } from '@/lib/ui/problem-text';

type Status = { tone: 'ok' | 'error' | 'info'; text: string } | null;
type AuthMode = Settings['feishu']['authMode'];
type EkbAuthMode = Settings['ekuaibao']['authMode'];
type HostPlatform = CustomHost['brand'] | 'ekuaibao';

/** Credentials and preferences. Secrets are never shown again once saved, only that one is saved. */
export function App() {
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS);
  const [apiBase, setApiBase] = useState('');
  const [authMode, setAuthMode] = useState<AuthMode>('token');
  const [accessToken, setAccessToken] = useState('');
  const [appId, setAppId] = useState('');
  const [appSecret, setAppSecret] = useState('');
  const [recordFolders, setRecordFolders] = useState(false);
  const [whiteboards, setWhiteboards] = useState(true);
  const [concurrency, setConcurrency] = useState(DEFAULT_SETTINGS.downloads.concurrency);
  const [notify, setNotify] = useState(DEFAULT_SETTINGS.downloads.notify);
  const [ekbApiBase, setEkbApiBase] = useState(DEFAULT_SETTINGS.ekuaibao.apiBase);
  const [ekbAuthMode, setEkbAuthMode] = useState<EkbAuthMode>('token');
  const [remember, setRemember] = useState(true);
  const [signIn, setSignIn] = useState<SignInStatus | null>(null);
  const [signingIn, setSigningIn] = useState(false);
  const [ekbToken, setEkbToken] = useState('');
  const [ekbAppKey, setEkbAppKey] = useState('');
  const [ekbAppSecurity, setEkbAppSecurity] = useState('');
  const [invalid, setInvalid] = useState<OptionsField | EkuaibaoField | null>(null);
  const [status, setStatus] = useState<Status>(null);
  const [testing, setTesting] = useState(false);

  const [hostInput, setHostInput] = useState('');
  const [hostApiInput, setHostApiInput] = useState('');
  const [hostBrand, setHostBrand] = useState<HostPlatform>('feishu');
  const [hostInvalid, setHostInvalid] = useState<'host' | 'apiBase' | null>(null);
  const [hostStatus, setHostStatus] = useState<Status>(null);

  useEffect(() => {
    void loadSettings().then((loaded) => {
      setSettings(loaded);
      setApiBase(loaded.feishu.apiBase ?? '');
      setAuthMode(loaded.feishu.authMode);
      setAppId(loaded.feishu.appId ?? '');
      setRecordFolders(loaded.feishu.baseRecordFolders);
      setWhiteboards(loaded.feishu.whiteboards);
      setEkbApiBase(loaded.ekuaibao.apiBase);
      setConcurrency(loaded.downloads.concurrency);
      setNotify(loaded.downloads.notify);
      setEkbAuthMode(loaded.ekuaibao.authMode);
      setEkbAppKey(loaded.ekuaibao.appKey ?? '');
      setRemember(loaded.rememberCredentials);
    });
    void sendMessage('signInStatus', {}).then(setSignIn, () => undefined);
  }, []);

  const persist = async (next: Settings, message = i18n.t('options.saved')) => {
    await saveSettings(next);
    setSettings(next);
    setStatus({ tone: 'ok', text: message });
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setStatus(null);
    const form = parseOptionsForm({ apiBase, authMode, accessToken, appId, appSecret, baseRecordFolders: recordFolders, whiteboards, rememberCredentials: remember }, settings);
    if (!form.ok) {
      setInvalid(form.field);
      return;
    }
    const ekb = parseEkuaibaoForm({ apiBase: ekbApiBase, authMode: ekbAuthMode, accessToken: ekbToken, appKey: ekbAppKey, appSecurity: ekbAppSecurity }, settings);
    if (!ekb.ok) {
      setInvalid(ekb.field);
      return;
    }
    setInvalid(null);
    const origins = [form.needsPermissionFor, ekb.needsPermissionFor].filter((o): o is string => o !== null);
    if (origins.length > 0) {
      // Asked for right in the click: Chrome only grants host permissions during a user gesture.
      const granted = await browser.permissions.request({ origins: origins.map((o) => `${o}/*`) }).catch(() => false);
      if (!granted) {
        setStatus({ tone: 'error', text: i18n.t('options.permissionDenied', { host: origins.map((o) => new URL(o).host).join(', ') }) });
        return;
      }
    }
    await persist({ ...form.settings, ekuaibao: ekb.ekuaibao, downloads: { concurrency, notify } });
    setEkbApiBase(ekb.ekuaibao.apiBase);
    setAccessToken('');
    setAppSecret('');
    setEkbToken('');
    setEkbAppSecurity('');
  };

  const removeEkuaibaoCredentials = async () => {
    await persist({ ...settings, ekuaibao: { ...settings.ekuaibao, accessToken: null, appKey: null, appSecurity: null } });
    setEkbAppKey('');
  };

  const testEkuaibao = async () => {
    setTesting(true);
    setStatus({ tone: 'info', text: i18n.t('options.testing') });
    try {
      const result = await sendMessage('testEkuaibaoConnection', {
        apiBase: ekbApiBase.trim() || DEFAULT_SETTINGS.ekuaibao.apiBase,
        accessToken: ekbAuthMode === 'token' ? ekbToken.trim() || null : null,
        app: ekbAuthMode === 'app' ? { appKey: ekbAppKey.trim(), appSecurity: ekbAppSecurity.trim() || null } : null,
      });
      setStatus(describeEkuaibaoConnection(result));
    } catch (error) {
      setStatus({ tone: 'error', text: error instanceof Error ? error.message : String(error) });
    } finally {
      setTesting(false);
    }
  };

  /**
   * "Sign in with Feishu": saves the app's ID and secret with this mode, shows Feishu's authorize page (PKCE, a
   * fresh `state`), and hands the code to the background, which trades it for the tokens. `scopes`: every scope
   * the features need, or (re-consent) exactly the ones found missing.
   */
  const runSignIn = async (scopes: readonly string[]) => {
    setStatus(null);
    const form = parseOptionsForm({ apiBase, authMode: 'oauth', accessToken, appId, appSecret, baseRecordFolders: recordFolders, whiteboards, rememberCredentials: remember }, settings);
    if (!form.ok) {
      setInvalid(form.field);
      return;
    }
    setInvalid(null);
    if (form.needsPermissionFor) {
      const granted = await browser.permissions.request({ origins: [`${form.needsPermissionFor}/*`] }).catch(() => false);
      if (!granted) {
        setStatus({ tone: 'error', text: i18n.t('options.permissionDenied', { host: new URL(form.needsPermissionFor).host }) });
        return;
      }
    }
    await saveSettings(form.settings);
    setSettings(form.settings);
    setAuthMode('oauth');
    setAppSecret('');
    const accountsBase = accountsBaseFor(signInApiBase(form.settings));
    if (!accountsBase || !form.settings.feishu.appId) {
      setInvalid('apiBase');
      return;
    }
    setSigningIn(true);
    setStatus({ tone: 'info', text: i18n.t('options.signingIn') });
    try {
      const pkce = await createPkce();
      const state = createState();
      const redirectUri = browser.identity.getRedirectURL();
      const url = authorizeUrl({ accountsBase, appId: form.settings.feishu.appId, redirectUri, scopes, state, challenge: pkce.challenge });
      let answer: string | undefined;
      try {
        answer = await browser.identity.launchWebAuthFlow({ url, interactive: true });
      } catch {
        setStatus({ tone: 'error', text: i18n.t('options.signInClosed') });
        return;
      }
      const callback = parseCallback(answer ?? '', redirectUri, state);
      if (!callback.ok) {
        setStatus({ tone: 'error', text: describeProblem(callback.problem) });
        return;
      }
      const result = await sendMessage('completeSignIn', { code: callback.code, codeVerifier: pkce.verifier });
      if (!result.ok) {
        setStatus({ tone: 'error', text: describeProblem(result.problem) });
        return;
      }
      setSignIn(result.status);
      const who = result.status.signedIn;
      setStatus({
        tone: 'ok',
        text: who?.name ? i18n.t('options.signedInAs', { who: who.name, apiBase: who.apiBase }) : i18n.t('options.signedInAnonymous', { apiBase: who?.apiBase ?? '' }),
      });
    } catch (error) {
      setStatus({ tone: 'error', text: error instanceof Error ? error.message : String(error) });
    } finally {
      setSigningIn(false);
    }
  };

  const signOut = async () => {
    setSignIn(await sendMessage('signOut', {}));
    setStatus({ tone: 'ok', text: i18n.t('options.signedOut') });
  };

  const removeCredentials = async () => {
    await persist({ ...settings, feishu: { ...settings.feishu, accessToken: null, appId: null, appSecret: null } });
    setAppId('');
  };

  const test = async () => {
    setTesting(true);
    setStatus({ tone: 'info', text: i18n.t('options.testing') });
    try {
      const result = await sendMessage('testConnection', {
        apiBase: apiBase.trim() || null,
        accessToken: authMode === 'token' ? accessToken.trim() || null : null,
        app: authMode === 'app' ? { appId: appId.trim(), appSecret: appSecret.trim() || null } : null,
      });
      setStatus(describeConnection(result));
    } catch (error) {
      setStatus({ tone: 'error', text: error instanceof Error ? error.message : String(error) });
    } finally {
      setTesting(false);
    }
  };

  const addHost = async () => {
    setHostStatus(null);
    if (hostBrand === 'ekuaibao') {
      await addEkuaibaoHost();
      return;
    }
    const parsed = parseCustomHost({ host: hostInput, apiBase: hostApiInput, brand: hostBrand });
    if (!parsed.ok) {
      setHostInvalid(parsed.field);
      return;
    }
    setHostInvalid(null);
    const granted = await browser.permissions.request({ origins: parsed.origins }).catch(() => false);
    if (!granted) {
      setHostStatus({ tone: 'error', text: i18n.t('options.permissionDenied', { host: parsed.host.host }) });
      return;
    }
    const others = settings.feishu.customHosts.filter((h) => h.host !== parsed.host.host);
    const next = { ...settings, feishu: { ...settings.feishu, customHosts: [...others, parsed.host] } };
    await saveSettings(next);
    setSettings(next);
    setHostInput('');
    setHostApiInput('');
    setHostStatus({ tone: 'ok', text: i18n.t('options.hostAdded', { host: parsed.host.host }) });
  };

  const addEkuaibaoHost = async () => {
    const parsed = parseEkuaibaoHost({ host: hostInput, apiBase: hostApiInput });
    if (!parsed.ok) {
      setHostInvalid(parsed.field);
      return;
    }
    setHostInvalid(null);
    const granted = await browser.permissions.request({ origins: parsed.origins }).catch(() => false);
    if (!granted) {
      setHostStatus({ tone: 'error', text: i18n.t('options.permissionDenied', { host: parsed.host.host }) });
      return;
    }
    const others = settings.ekuaibao.customHosts.filter((h) => h.host !== parsed.host.host);
    const next = { ...settings, ekuaibao: { ...settings.ekuaibao, customHosts: [...others, parsed.host] } };
    await saveSettings(next);
    setSettings(next);
    setHostInput('');
    setHostApiInput('');
    setHostStatus({ tone: 'ok', text: i18n.t('options.hostAdded', { host: parsed.host.host }) });
  };

  const removeEkuaibaoHost = async (host: EkuaibaoCustomHost) => {
    const next = { ...settings, ekuaibao: { ...settings.ekuaibao, customHosts: settings.ekuaibao.customHosts.filter((h) => h.host !== host.host) } };
    await saveSettings(next);
    setSettings(next);
    await browser.permissions.remove({ origins: [`https://${host.host}/*`] }).catch(() => false);
  };

  const removeHost = async (host: CustomHost) => {
    const next = { ...settings, feishu: { ...settings.feishu, customHosts: settings.feishu.customHosts.filter((h) => h.host !== host.host) } };
    await saveSettings(next);
    setSettings(next);
    await browser.permissions.remove({ origins: [`https://${host.host}/*`] }).catch(() => false);
  };

  const savedToken = settings.feishu.accessToken;
  const savedSecret = settings.feishu.appSecret !== null;
  const savedEkbToken = settings.ekuaibao.accessToken;
  const savedEkbSecurity = settings.ekuaibao.appSecurity !== null;
  return (
    <main>
      <h1>{i18n.t('options.title')}</h1>
      <form onSubmit={(e) => void save(e)} noValidate>
        <fieldset>
          <legend>{i18n.t('options.feishuSection')}</legend>
          <Field
            id="feishu-api-base"
            type="url"
            label={i18n.t('options.apiBase')}
            value={apiBase}
            onInput={setApiBase}
            list="feishu-api-bases"
            placeholder={i18n.t('options.apiBaseAuto')}
            error={invalid === 'apiBase' ? i18n.t('options.invalidApiBase') : undefined}
            help={i18n.t('options.apiBaseHelp')}
          />
          <datalist id="feishu-api-bases">
            <option value={OFFICIAL_API_BASES.feishu}>Feishu</option>
            <option value={OFFICIAL_API_BASES.lark}>Lark</option>
          </datalist>

          <RadioGroup
            name="auth-mode"
            label={i18n.t('options.authMode')}
            options={[
              { value: 'token', label: i18n.t('options.authModeToken') },
              { value: 'app', label: i18n.t('options.authModeApp') },
              { value: 'oauth', label: i18n.t('options.authModeOAuth') },
            ]}
            value={authMode}
            onChange={setAuthMode}
          />

          <Field
            id="feishu-access-token"
            type="password"
            label={i18n.t('options.accessToken')}
            value={accessToken}
            onInput={(value) => {
              setAccessToken(value);
              if (value.trim()) setAuthMode('token');
            }}
            error={invalid === 'accessToken' ? i18n.t('options.invalidToken') : undefined}
            help={`${savedToken ? `${i18n.t('options.accessTokenSaved', { suffix: tokenSuffix(savedToken) })} ` : ''}${i18n.t('options.accessTokenHelp')}`}
          />
          <Field
            id="feishu-app-id"
            label={i18n.t('options.appId')}
            value={appId}
            onInput={(value) => {
              setAppId(value);
              if (value.trim() && authMode === 'token') setAuthMode('app');
            }}
            placeholder="cli_…"
            error={invalid === 'appId' ? i18n.t('options.invalidAppId') : undefined}
          />
          <Field
            id="feishu-app-secret"
            type="password"
            label={i18n.t('options.appSecret')}
            value={appSecret}
            onInput={(value) => {
              setAppSecret(value);
              if (value.trim() && authMode === 'token') setAuthMode('app');
            }}
            error={invalid === 'appSecret' ? i18n.t('options.invalidAppSecret') : undefined}
            help={`${savedSecret ? `${i18n.t('options.appSecretSaved')} ` : ''}${i18n.t('options.appHelp')}`}
          />
          {/* Always offered, the easiest way in: pressing it chooses the sign-in mode. */}
          <SignInPanel
            status={signIn}
            busy={signingIn}
            onSignIn={() => void runSignIn(SIGN_IN_SCOPES)}
            onGrantMissing={() => void runSignIn(signIn?.missingScopes ?? [])}
            onSignOut={() => void signOut()}
          />
        </fieldset>

        <fieldset>
          <legend>{i18n.t('options.ekuaibaoSection')}</legend>
          <Field
            id="ekuaibao-api-base"
            type="url"
            label={i18n.t('options.ekuaibaoApiBase')}
            value={ekbApiBase}
            onInput={setEkbApiBase}
            list="ekuaibao-api-bases"
            placeholder={DEFAULT_SETTINGS.ekuaibao.apiBase}
            error={invalid === 'ekuaibaoApiBase' ? i18n.t('options.invalidEkuaibaoApiBase') : undefined}
            help={i18n.t('options.ekuaibaoApiBaseHelp')}
          />
          <datalist id="ekuaibao-api-bases">
            {EKUAIBAO_API_BASES.map((b) => (
              <option key={b.apiBase} value={b.apiBase}>
                {b.edition}
              </option>
            ))}
          </datalist>

          <RadioGroup
            name="ekuaibao-auth-mode"
            label={i18n.t('options.ekuaibaoAuthMode')}
            options={[
              { value: 'token', label: i18n.t('options.ekuaibaoAuthModeToken') },
              { value: 'app', label: i18n.t('options.ekuaibaoAuthModeApp') },
            ]}
            value={ekbAuthMode}
            onChange={setEkbAuthMode}
          />

          <Field
            id="ekuaibao-access-token"
            type="password"
            label={i18n.t('options.ekuaibaoAccessToken')}
            value={ekbToken}
            onInput={(value) => {
              setEkbToken(value);
              if (value.trim()) setEkbAuthMode('token');
            }}
            error={invalid === 'ekuaibaoAccessToken' ? i18n.t('options.invalidEkuaibaoToken') : undefined}
            help={`${savedEkbToken ? `${i18n.t('options.ekuaibaoAccessTokenSaved', { suffix: tokenSuffix(savedEkbToken) })} ` : ''}${i18n.t('options.ekuaibaoAccessTokenHelp')}`}
          />
          <Field
            id="ekuaibao-app-key"
            label={i18n.t('options.ekuaibaoAppKey')}
            value={ekbAppKey}
            onInput={(value) => {
              setEkbAppKey(value);
              if (value.trim()) setEkbAuthMode('app');
            }}
            error={invalid === 'ekuaibaoAppKey' ? i18n.t('options.invalidEkuaibaoAppKey') : undefined}
          />
          <Field
            id="ekuaibao-app-security"
            type="password"
            label={i18n.t('options.ekuaibaoAppSecurity')}
            value={ekbAppSecurity}
            onInput={(value) => {
              setEkbAppSecurity(value);
              if (value.trim()) setEkbAuthMode('app');
            }}
            error={invalid === 'ekuaibaoAppSecurity' ? i18n.t('options.invalidEkuaibaoAppSecurity') : undefined}
            help={`${savedEkbSecurity ? `${i18n.t('options.ekuaibaoAppSecuritySaved')} ` : ''}${i18n.t('options.ekuaibaoAppHelp')}`}
          />
          <div class="buttons">
            <button type="button" disabled={testing} onClick={() => void testEkuaibao()}>
              {i18n.t('options.testEkuaibao')}
            </button>
            {(savedEkbToken || savedEkbSecurity) && (
              <button type="button" onClick={() => void removeEkuaibaoCredentials()}>
                {i18n.t('options.removeEkuaibao')}
              </button>
            )}
          </div>
        </fieldset>

        <fieldset>
          <legend>{i18n.t('options.downloadsSection')}</legend>
          <Checkbox id="base-record-folders" label={i18n.t('options.baseRecordFolders')} checked={recordFolders} onChange={setRecordFolders} />
          <Checkbox id="whiteboards" label={i18n.t('options.whiteboards')} checked={whiteboards} onChange={setWhiteboards} />
          <div class="field">
            <label for="concurrency">{i18n.t('options.concurrency')}</label>
            <select id="concurrency" value={String(concurrency)} aria-describedby="concurrency-help" onChange={(e) => setConcurrency(Number(e.currentTarget.value))}>
              {Array.from({ length: MAX_CONCURRENCY }, (_, i) => i + 1).map((n) => (
                <option key={n} value={String(n)}>
                  {n}
                </option>
              ))}
            </select>
            <p class="help" id="concurrency-help">
              {i18n.t('options.concurrencyHelp')}
            </p>
          </div>
          <Checkbox id="notify" label={i18n.t('options.notify')} checked={notify} onChange={setNotify} />
        </fieldset>

        <Checkbox id="remember-credentials" label={i18n.t('options.remember')} checked={remember} onChange={setRemember} />
        <p class="help">{i18n.t('options.rememberHelp')}</p>

        <div class="buttons">
          <button type="submit" class="primary">
            {i18n.t('options.save')}
          </button>
          <button type="button" disabled={testing} onClick={() => void test()}>
            {i18n.t('options.testConnection')}
          </button>
          {(savedToken || savedSecret) && (
            <button type="button" onClick={() => void removeCredentials()}>
              {i18n.t('options.removeToken')}
            </button>
          )}
        </div>
      </form>
      <p class={`status ${status?.tone === 'error' ? 'error' : ''}`} role="status">
        {status?.text}
      </p>

      <fieldset>
        <legend>{i18n.t('options.hostsSection')}</legend>
        <p class="help">{i18n.t('options.hostsHelp')}</p>
        {settings.feishu.customHosts.length + settings.ekuaibao.customHosts.length > 0 && (
          <ul class="hosts" aria-label={i18n.t('options.hostsSection')}>
            {settings.feishu.customHosts.map((host) => (
              <li key={host.host}>
                <span>
                  {host.host} → {host.apiBase} ({host.brand === 'lark' ? 'Lark' : 'Feishu'})
                </span>
                <button type="button" aria-label={i18n.t('options.removeHost', { host: host.host })} onClick={() => void removeHost(host)}>
                  {i18n.t('options.remove')}
                </button>
              </li>
            ))}
            {settings.ekuaibao.customHosts.map((host) => (
              <li key={`ekuaibao ${host.host}`}>
                <span>
                  {host.host} → {host.apiBase} ({i18n.t('options.platformEkuaibao')})
                </span>
                <button type="button" aria-label={i18n.t('options.removeHost', { host: host.host })} onClick={() => void removeEkuaibaoHost(host)}>
                  {i18n.t('options.remove')}
                </button>
              </li>
            ))}
          </ul>
        )}
        <Field
          id="custom-host"
          label={i18n.t('options.customHost')}
          value={hostInput}
          onInput={setHostInput}
          placeholder="docs.example.com"
          error={hostInvalid === 'host' ? i18n.t('options.invalidHost') : undefined}
        />
        <Field
          id="custom-host-api"
          type="url"
          label={i18n.t('options.customHostApi')}
          value={hostApiInput}
          onInput={setHostApiInput}
          placeholder="https://open.example.com"
          error={hostInvalid === 'apiBase' ? i18n.t('options.invalidApiBase') : undefined}
        />
        <div class="field">
          <label for="custom-host-brand">{i18n.t('options.customHostBrand')}</label>
          <select
            id="custom-host-brand"
            value={hostBrand}
            onChange={(e) => {
              const value = e.currentTarget.value;
              setHostBrand(value === 'lark' || value === 'ekuaibao' ? value : 'feishu');
            }}
          >
            <option value="feishu">Feishu</option>
            <option value="lark">Lark</option>
            <option value="ekuaibao">{i18n.t('options.platformEkuaibao')}</option>
          </select>
        </div>
        <div class="buttons">
          <button type="button" onClick={() => void addHost()}>
            {i18n.t('options.addHost')}
          </button>
        </div>
        {hostStatus && (
          <p class={`status ${hostStatus.tone === 'error' ? 'error' : ''}`} role={hostStatus.tone === 'error' ? 'alert' : 'status'}>
            {hostStatus.text}
          </p>
        )}
      </fieldset>
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

function describeEkuaibaoConnection(result: EkuaibaoConnectionResult): Status {
  if (!result.ok) return { tone: 'error', text: describeProblem(result.problem) };
  return {
    tone: 'ok',
    text: result.corporationId
      ? i18n.t('options.ekuaibaoConnectedCorp', { apiBase: result.apiBase, corp: result.corporationId })
      : i18n.t('options.ekuaibaoConnected', { apiBase: result.apiBase }),
  };
}
