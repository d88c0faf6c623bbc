import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXTENSION_DIR } from './harness';

// The content script runs in every Feishu page's process: it must carry no credential handling at all.
test('the built content script holds no settings, token or API code', () => {
  const script = readFileSync(path.join(EXTENSION_DIR, 'content-scripts/feishu.js'), 'utf8');
  for (const marker of ['local:settings', 'accessToken', 'Authorization', 'open-apis', 'Bearer']) {
    expect(script, marker).not.toContain(marker);
  }
});

test('the manifest asks for no more than the extension uses', () => {
  const manifest = JSON.parse(readFileSync(path.join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  // scripting: the content script for private deployments' hosts is registered at runtime.
  expect(manifest['permissions']).toEqual(['storage', 'downloads', 'contextMenus', 'scripting']);
  expect(manifest['host_permissions']).toEqual([
    'https://*.feishu.cn/*',
    'https://*.feishu.net/*',
    'https://*.larkoffice.com/*',
    'https://*.larkenterprise.com/*',
    'https://*.larksuite.com/*',
  ]);
  expect(manifest['optional_host_permissions']).toEqual(['https://*/*']);
});
