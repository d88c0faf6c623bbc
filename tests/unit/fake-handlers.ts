import { vi } from 'vitest';
import type { TabState } from '../../lib/core/tab-state';
import type { Handlers, SignInStatus } from '../../lib/messaging/protocol';

export type FakeHandlers = { [K in keyof Handlers]: ReturnType<typeof vi.fn<Handlers[K]>> };

const SIGNED_OUT: SignInStatus = { redirectUrl: 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/', signedIn: null, ended: null, missingScopes: [] };

/**
 * A spy for every message type of the protocol, each answering something valid (tab messages with `tabState`), so a
 * test of who may send what fails only for the sender. `pageSeen` may be the real handler.
 */
export function fakeHandlers(tabState: TabState, pageSeen: Handlers['pageSeen'] = async () => ({ supported: true })): FakeHandlers {
  return {
    pageSeen: vi.fn<Handlers['pageSeen']>(pageSeen),
    getTabState: vi.fn<Handlers['getTabState']>(async () => tabState),
    refreshTab: vi.fn<Handlers['refreshTab']>(async () => tabState),
    mailMore: vi.fn<Handlers['mailMore']>(async () => tabState),
    downloadAll: vi.fn<Handlers['downloadAll']>(async () => ({ ok: true, jobId: 'job-1' })),
    testConnection: vi.fn<Handlers['testConnection']>(async () => ({ ok: true, apiBase: 'https://open.feishu.cn', tokenKind: 'user', who: '张三' })),
    findForm: vi.fn<Handlers['findForm']>(async () => ({ ok: true, state: tabState })),
    jobControl: vi.fn<Handlers['jobControl']>(async () => ({ ok: true })),
    testEkuaibaoConnection: vi.fn<Handlers['testEkuaibaoConnection']>(async () => ({ ok: true, apiBase: 'https://app.ekuaibao.com' })),
    signInStatus: vi.fn<Handlers['signInStatus']>(async () => SIGNED_OUT),
    completeSignIn: vi.fn<Handlers['completeSignIn']>(async () => ({ ok: true, status: SIGNED_OUT })),
    signOut: vi.fn<Handlers['signOut']>(async () => SIGNED_OUT),
  };
}
