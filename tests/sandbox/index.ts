export { sandboxFetch, startSandbox, type RecordedRequest, type Sandbox, type SandboxOptions } from './server';
export { createDemoWorld, DOCS, LONG_CHINESE_NAME, TOKENS, type DemoWorld, type SandboxMedia, type SandboxWorld } from './world';
