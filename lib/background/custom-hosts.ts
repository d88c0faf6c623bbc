/**
 * Private deployments: the content scripts and the context menu follow the custom web hosts in the settings,
 * registered at runtime (no reinstall), for the hosts the user granted access to in the options page.
 */
import { browser } from '#imports';
import type { CustomHost, EkuaibaoCustomHost } from '../settings';
import { createContextMenu } from './context-menu';

const FEISHU_SCRIPT = { id: 'feishu-custom-hosts', js: 'content-scripts/feishu.js' } as const;
const EKUAIBAO_SCRIPT = { id: 'ekuaibao-custom-hosts', js: 'content-scripts/ekuaibao.js' } as const;

async function granted<T extends { host: string }>(hosts: readonly T[]): Promise<T[]> {
  const result: T[] = [];
  for (const host of hosts) {
    if (await browser.permissions.contains({ origins: [`https://${host.host}/*`] }).catch(() => false)) result.push(host);
  }
  return result;
}

async function register(script: { id: string; js: string }, hosts: readonly { host: string }[]): Promise<void> {
  const matches = hosts.map((h) => `https://${h.host}/*`);
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [script.id] });
  if (matches.length === 0) {
    if (existing.length > 0) await browser.scripting.unregisterContentScripts({ ids: [script.id] });
    return;
  }
  const registration = { id: script.id, matches, js: [script.js], runAt: 'document_idle' as const, persistAcrossSessions: true };
  if (existing.length > 0) await browser.scripting.updateContentScripts([registration]);
  else await browser.scripting.registerContentScripts([registration]);
}

export async function syncCustomHosts(customHosts: readonly CustomHost[], ekuaibaoHosts: readonly EkuaibaoCustomHost[] = []): Promise<void> {
  const feishu = await granted(customHosts);
  const ekuaibao = await granted(ekuaibaoHosts);
  await register(FEISHU_SCRIPT, feishu);
  await register(EKUAIBAO_SCRIPT, ekuaibao);
  await createContextMenu(feishu, ekuaibao);
}
