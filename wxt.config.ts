import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';
import { EKUAIBAO_MATCH_PATTERNS } from './lib/ekuaibao/hosts';
import { FEISHU_MATCH_PATTERNS } from './lib/feishu/hosts';

// The manifest is written in MV3 shape; WXT derives the rest (icons, version) from public/ and package.json.
export default defineConfig({
  imports: false,
  modules: ['@wxt-dev/webextension-polyfill', '@wxt-dev/i18n/module'],
  vite: () => ({ plugins: [preact()] }),
  manifest: {
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    // notifications: "12 saved, 1 failed" when a job ends (an option); alarms: a job held by a daily quota resumes;
    // identity: "Sign in with Feishu" shows the authorize page (launchWebAuthFlow) and receives its redirect.
    permissions: ['storage', 'downloads', 'contextMenus', 'scripting', 'notifications', 'alarms', 'identity'],
    // Feishu/Lark pages (content script) and their official API and stream hosts, which share the same domains;
    // Ekuaibao pages and its documented address prefixes (*.ekuaibao.com, *.hosecloud.com), likewise.
    host_permissions: [...FEISHU_MATCH_PATTERNS, ...EKUAIBAO_MATCH_PATTERNS],
    // A custom (private-deployment) API base is asked for at runtime from the options page, never up front.
    optional_host_permissions: ['https://*/*'],
    action: { default_title: '__MSG_actionTitle__' },
  },
});
