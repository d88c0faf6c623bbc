/**
 * Cuts credentials out of text that came from elsewhere (a server's error message, an exception) before it becomes a
 * problem's `detail`, an error message or a log line: servers echo what they were sent ("invalid token u-…"), and a
 * detail is shown in the popup, stored with jobs and exported in the CSV report.
 */

const REDACTED = '[redacted]';

/** Feishu user and tenant tokens (`u-…`, `t-…`), also the sandbox's dashed ones; not the tail of a longer word. */
const FEISHU_TOKEN = /(?<![A-Za-z0-9_.-])[ut]-[A-Za-z0-9_.-]{20,}/g;
/** `Authorization: Bearer …` (any scheme word case), up to the next white space, quote or separator. */
const BEARER = /\b(bearer)\s+[^\s"'<>,;]+/gi;
/** Credentials as query or form values: `accessToken=…` (Ekuaibao's), `access_token=`, refresh tokens, app secrets. */
const CREDENTIAL_PARAMETER = /\b(access_?token|refresh_?token|tenant_access_token|app_?secret|app_?security)=([^&\s"'<>]+)/gi;
/** The same as JSON fields: `"accessToken":"…"`, `"app_secret": "…"`. */
const CREDENTIAL_FIELD = /("(?:access_?token|refresh_?token|tenant_access_token|app_?secret|app_?security)"\s*:\s*")([^"]*)"/gi;
/** Ekuaibao access tokens: `ID_<id>:<corporation>` (flow ids look like `ID_…` too, but never hold a colon). */
const EKUAIBAO_TOKEN = /\bID_[A-Za-z0-9]{6,}:[A-Za-z0-9_-]{2,}/g;
/** JSON Web Tokens and other base64url JSON blobs (`eyJ…` is `{"` encoded). */
const JWT_LIKE = /\beyJ[A-Za-z0-9_-]{10,}(?:\.[A-Za-z0-9_-]+){0,2}/g;

export function redactSecrets(text: string): string {
  return text
    .replace(CREDENTIAL_FIELD, `$1${REDACTED}"`)
    .replace(CREDENTIAL_PARAMETER, `$1=${REDACTED}`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(JWT_LIKE, REDACTED)
    .replace(EKUAIBAO_TOKEN, REDACTED)
    .replace(FEISHU_TOKEN, REDACTED);
}
