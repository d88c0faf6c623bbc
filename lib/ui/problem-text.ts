/** Turns a Problem into one sentence a person can act on, in the browser's language. */
import { i18n } from '#i18n';
import { MAIL_FAILED_ID, type Problem } from '../core/problem';

export function describeProblem(problem: Problem): string {
  const host = problem.host ?? '?';
  const detail = problem.detail ?? '';
  if (problem.platform === 'ekuaibao') {
    const text = describeEkuaibao(problem);
    if (text !== null) return text;
  }
  let text: string;
  switch (problem.kind) {
    case 'credentials-missing':
      text = i18n.t('problem.credentials_missing');
      break;
    case 'token-invalid':
      text = i18n.t('problem.token_invalid');
      break;
    case 'token-expired':
      text = i18n.t('problem.token_expired');
      break;
    case 'scope-missing':
      // A signed-in user who has not granted a scope (99991679): Settings asks for exactly those.
      text = i18n.t(problem.remedy === 'consent' ? 'problem.scope_not_granted' : 'problem.scope_missing', { scopes: (problem.scopes ?? []).join(' / ') || '?' });
      break;
    case 'not-shared':
      text = i18n.t('problem.not_shared');
      break;
    case 'not-found':
      text = i18n.t('problem.not_found');
      break;
    case 'rate-limited':
      text = i18n.t('problem.rate_limited');
      break;
    case 'network':
      text = i18n.t('problem.network', { host });
      break;
    case 'server':
      text = i18n.t('problem.server', { detail: detail || `HTTP ${problem.status ?? '?'}` });
      break;
    case 'invalid-response':
      text = i18n.t('problem.invalid_response', { host, detail });
      break;
    case 'no-link':
      text = detail === MAIL_FAILED_ID ? i18n.t('problem.no_link_mail') : i18n.t('problem.no_link');
      break;
    case 'link-expired':
      text = i18n.t('problem.link_expired');
      break;
    case 'host-permission-missing':
      text = i18n.t('problem.host_permission_missing', { host });
      break;
    case 'download-interrupted':
      text = i18n.t('problem.download_interrupted', { reason: describeInterrupt(detail) });
      break;
    case 'unsupported-page':
      text = i18n.t('problem.unsupported_page');
      break;
    case 'app-credentials-invalid':
      text = i18n.t('problem.app_credentials_invalid');
      break;
    case 'sign-in-required':
      text = problem.detail === 'access_denied' ? i18n.t('problem.sign_in_denied') : i18n.t('problem.sign_in_required');
      break;
    case 'needs-user-token':
      text = i18n.t('problem.needs_user_token');
      break;
    case 'not-listable':
      text = i18n.t('problem.not_listable', { kind: detail || '?' });
      break;
    case 'invalid-form-code':
      text = i18n.t('problem.invalid_form_code', { typed: detail });
      break;
    case 'cancelled':
      text = i18n.t('problem.cancelled');
      break;
    case 'daily-quota':
      text = i18n.t('problem.daily_quota', { when: formatWhen(detail) });
      break;
    case 'unknown':
      text = i18n.t('problem.unknown', { detail: detail || '?' });
      break;
  }
  const specific = problem.code ? describeCode(problem.code) : null;
  if (specific) text = specific;
  return problem.code ? `${text}${i18n.t('problem.codeSuffix', { code: String(problem.code) })}` : text;
}

/** Ekuaibao's own words (its settings, its error shapes); null where the generic text fits. */
function describeEkuaibao(problem: Problem): string | null {
  const detail = problem.detail ?? '';
  const status = problem.status ? i18n.t('problemEkuaibao.statusSuffix', { status: String(problem.status) }) : '';
  switch (problem.kind) {
    case 'credentials-missing':
      return i18n.t('problemEkuaibao.credentials_missing');
    case 'token-invalid':
    case 'token-expired':
      return i18n.t('problemEkuaibao.token_invalid') + status;
    case 'app-credentials-invalid':
      return i18n.t('problemEkuaibao.app_credentials_invalid') + status;
    case 'not-found':
      return i18n.t('problemEkuaibao.not_found', { detail: detail || '?' }) + status;
    case 'no-link':
      return detail.startsWith('DingPan') ? i18n.t('problemEkuaibao.no_link_dingpan') : i18n.t('problemEkuaibao.no_link');
    case 'server':
      return i18n.t('problemEkuaibao.server', { detail: detail || `HTTP ${problem.status ?? '?'}` });
    case 'rate-limited':
      return i18n.t('problemEkuaibao.rate_limited');
    default:
      return null;
  }
}

/** An ISO time as the browser's language writes it ("Dec 4, 00:00"); as it is when it does not parse. */
function formatWhen(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso || '?';
  return new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
}

function describeInterrupt(reason: string): string {
  switch (reason) {
    case 'FILE_NO_SPACE':
      return i18n.t('interrupt.FILE_NO_SPACE');
    case 'FILE_ACCESS_DENIED':
      return i18n.t('interrupt.FILE_ACCESS_DENIED');
    case 'FILE_NAME_TOO_LONG':
      return i18n.t('interrupt.FILE_NAME_TOO_LONG');
    case 'FILE_TOO_LARGE':
      return i18n.t('interrupt.FILE_TOO_LARGE');
    case 'FILE_BLOCKED':
      return i18n.t('interrupt.FILE_BLOCKED');
    case 'FILE_SECURITY_CHECK_FAILED':
      return i18n.t('interrupt.FILE_SECURITY_CHECK_FAILED');
    case 'FILE_VIRUS_INFECTED':
      return i18n.t('interrupt.FILE_VIRUS_INFECTED');
    case 'USER_CANCELED':
      return i18n.t('interrupt.USER_CANCELED');
    case 'SERVER_FORBIDDEN':
      return i18n.t('interrupt.SERVER_FORBIDDEN');
    case 'SERVER_UNAUTHORIZED':
      return i18n.t('interrupt.SERVER_UNAUTHORIZED');
    case 'SERVER_BAD_CONTENT':
      return i18n.t('interrupt.SERVER_BAD_CONTENT');
    case 'NETWORK_FAILED':
      return i18n.t('interrupt.NETWORK_FAILED');
    case 'DOWNLOAD_LOST':
      return i18n.t('interrupt.DOWNLOAD_LOST');
    default:
      return i18n.t('interrupt.other', { reason: reason || '?' });
  }
}

/** Surface-specific words for codes that mean more than their kind says. */
function describeCode(code: number): string | null {
  switch (code) {
    case 131006:
      return i18n.t('problemCode.c131006');
    case 1254302:
      return i18n.t('problemCode.c1254302');
    case 1254303:
      return i18n.t('problemCode.c1254303');
    case 1770032:
      return i18n.t('problemCode.c1770032');
    case 1230003:
      return i18n.t('problemCode.c1230003');
    case 1061004:
      return i18n.t('problemCode.c1061004');
    default:
      return null;
  }
}

/** Problems the settings page can fix: the UI offers "Open settings" next to them. */
export function isSettingsProblem(problem: Problem): boolean {
  if (problem.remedy === 'consent') return true;
  return ['credentials-missing', 'token-invalid', 'token-expired', 'host-permission-missing', 'app-credentials-invalid', 'sign-in-required', 'needs-user-token'].includes(problem.kind);
}
