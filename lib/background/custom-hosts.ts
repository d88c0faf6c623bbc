/**
 * Private deployments: the content script and the context menu follow the custom web hosts in the settings,
 * registered at runtime (no reinstall), for the hosts the user granted access to in the options page.
 */
import { browser } from '#imports';
import type { CustomHost } from '../settings';
import { createContextMenu } from './context-menu';

const SCRIPT_ID = 'feishu-custom-hosts';

export async function syncCustomHosts(customHosts: readonly CustomHost[]): Promise<void> {
  const granted: CustomHost[] = [];
  for (const host of customHosts) {
    if (await browser.permissions.contains({ origins: [`https://${host.host}/*`] }).catch(() => false)) granted.push(host);
  }
  const matches = granted.map((h) => `https://${h.host}/*`);
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] });
  if (matches.length === 0) {
    if (existing.length > 0) await browser.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
  } else {
    const script = { id: SCRIPT_ID, matches, js: ['content-scripts/feishu.js'], runAt: 'document_idle' as const, persistAcrossSessions: true };
    if (existing.length > 0) await browser.scripting.updateContentScripts([script]);
    else await browser.scripting.registerContentScripts([script]);
  }
  await createContextMenu(granted);
}
