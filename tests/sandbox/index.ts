export { sandboxFetch, startSandbox, type RecordedRequest, type Sandbox, type SandboxOptions } from './server';
export { createDemoWorld, DOCS, LONG_CHINESE_NAME, TOKENS, type DemoWorld, type SandboxMedia, type SandboxWorld } from './world';
export { APPS, BASES, BOARDS, DRIVE, SHEETS, WIKI } from './fixtures/ids';
export { buildBlocks, demoMedia, ALL_SCOPES, type SandboxApp, type SandboxBase, type SandboxMailbox, type SandboxSpreadsheet } from './world';
