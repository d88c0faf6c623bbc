import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXTENSION_DIR } from './harness';

// The content scripts run in every Feishu and Ekuaibao page's process: they must carry no credential handling at all.
test('the built content scripts hold no settings, token or API code', () => {
  for (const name of ['feishu', 'ekuaibao']) {
    const script = readFileSync(path.join(EXTENSION_DIR, `content-scripts/${name}.js`), 'utf8');
    for (const marker of ['local:settings', 'session:', 'accessToken', 'appSecurity', 'appSecret', 'Authorization', 'open-apis', 'api/openapi', 'Bearer']) {
      expect(script, `${name}: ${marker}`).not.toContain(marker);
    }
  }
});

test('the manifest asks for no more than the extension uses', () => {
  const manifest = JSON.parse(readFileSync(path.join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  // scripting: the content script for private deployments' hosts is registered at runtime; notifications: a job's
  // end ("12 saved, 1 failed"); alarms: a job held by a daily quota goes on when the day turns; identity: "Sign in
  // with Feishu" (launchWebAuthFlow). Not tabs (tab URLs come with the host permissions), not cookies, not webRequest.
  expect(manifest['permissions']).toEqual(['storage', 'downloads', 'contextMenus', 'scripting', 'notifications', 'alarms', 'identity']);
  expect(manifest['host_permissions']).toEqual([
    'https://*.feishu.cn/*',
    'https://*.feishu.net/*',
    'https://*.larkoffice.com/*',
    'https://*.larkenterprise.com/*',
    'https://*.larksuite.com/*',
    // Ekuaibao pages and its documented address prefixes live on these two domains.
    'https://*.ekuaibao.com/*',
    'https://*.hosecloud.com/*',
  ]);
  expect(manifest['optional_host_permissions']).toEqual(['https://*/*']);
  // No web page and no other extension may message the background.
  expect(manifest['externally_connectable']).toBeUndefined();
});
