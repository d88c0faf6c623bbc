export { sandboxFetch, startSandbox, type RecordedRequest, type Sandbox, type SandboxOptions } from './server';
export { INJECTED_ERROR_CODE, STREAM_TARGET, type FaultKind, type SandboxFaults } from './faults';
export { callsBeforeReset, CONCURRENT_MS, RESET_TOLERANCE_MS, type ResetRuleOptions } from './assertions';
export { createDemoWorld, DOCS, LONG_CHINESE_NAME, TOKENS, type DemoWorld, type SandboxMedia, type SandboxWorld } from './world';
export { APPS, BASES, BOARDS, BULK, DRIVE, SHEETS, WIKI } from './fixtures/ids';
export { BULK_DOC60, bulkDocument, type BulkDocument, type BulkFile, type BulkOptions } from './fixtures/bulk';
export { BULK_FILES } from './fixtures/bulk-files';
export { buildBlocks, demoMedia, ALL_SCOPES, type SandboxApp, type SandboxBase, type SandboxMailbox, type SandboxSpreadsheet } from './world';
export { DEFAULT_OAUTH_USERS, oauthUserOf, type SandboxOAuthUser, type SandboxToken } from './world';
export { OAUTH_TOKEN_ENDPOINT, OFFLINE_ACCESS, REFRESH_CHAIN_MS, REFRESH_GRACE_MS, type OAuthErrorCode, type SandboxOAuth } from './api/oauth';
export {
  DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS,
  DEFAULT_REFRESH_TOKEN_LIFETIME_SECONDS,
  type AuthorizeRequestRecord,
  type TokenRequestRecord,
} from './api/oauth-state';
export { AUTHORIZATION_CODE_LIFETIME_MS, AUTHORIZE_PATH, CONSENT_CONFIRM_PATH, MAX_AUTHORIZE_SCOPES } from './accounts-host';
export { APP_EXPECT } from './fixtures/apps';
export { BASE_ATTACHMENTS, BASE_FIELD_IDS, INVOICE_RECORD_COUNT } from './fixtures/bases';
export { BOARD_IMAGES, DRIVE_FILES } from './fixtures/drive';
export { EMBEDS, EMBEDS_DOC_ID, CUSTOM_HOST } from './fixtures/embeds';
export { createHostileWorld, EVIL_DOMAIN, EVIL_HOSTS, FAKE_PAGE_TOKENS, HOSTILE, HOSTILE_NAMES, hostileAttachments, hostileMedia, isEvilHost } from './fixtures/hostile';
export { MAIL, MAIL_ATTACHMENTS, MAIL_MESSAGE_IDS } from './fixtures/mail';
export { SHEET_FILES, SHEET_GRIDS } from './fixtures/sheets';
export { WIKI_NODES } from './fixtures/wiki';
export { setSheetsResponseCap } from './api/sheets';
export {
  createEkuaibaoWorld,
  EKUAIBAO,
  EKUAIBAO_FILES,
  type EkuaibaoApp,
  type EkuaibaoAttachmentRef,
  type EkuaibaoFile,
  type EkuaibaoForm,
  type EkuaibaoPlace,
  type EkuaibaoToken,
  type EkuaibaoWorld,
  type ExpectedEkuaibaoFile,
} from './ekuaibao/world';
export {
  EKUAIBAO_DOWNLOAD_URLS_MAX_ITEMS,
  EKUAIBAO_ENDPOINT_IDS,
  EKUAIBAO_MAX_EXPIRATION_SECONDS,
  EKUAIBAO_REFRESH_POWER_CODE,
  EKUAIBAO_REFRESHED_TOKEN_LIFETIME_MS,
  EKUAIBAO_TOKEN_LIFETIME_MS,
  type EkuaibaoOpenApi,
} from './ekuaibao/api';
export { DINGPAN_LINK_LIFETIME_MS } from './ekuaibao/file-hosts';
