/** What the extension knows about one tab: the page, its listing and its download job. Lives in session storage. */
import { storage } from '#imports';
import * as z from 'zod/mini';
import { ListingSchema } from './attachment';
import { FormCodeSchema, MAX_FORMS_PER_PAGE, PageRecognitionSchema } from './page';
import { ProblemSchema } from './problem';

export const ListingStateSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('idle') }),
  z.object({ status: z.literal('needs-credentials') }),
  z.object({ status: z.literal('loading'), startedAt: z.number() }),
  z.object({ status: z.literal('ready'), listing: ListingSchema, listedAt: z.number() }),
  z.object({ status: z.literal('error'), problem: ProblemSchema, at: z.number() }),
]);
export type ListingState = z.infer<typeof ListingStateSchema>;

const max = (n: number) => z.maxLength(n);

/** What the content script saw in the page itself: media tokens in images and links, the open mail message. */
export const DomSightingSchema = z.object({
  items: z
    .array(
      z.object({
        token: z.string().check(z.regex(/^[A-Za-z0-9_-]{6,128}$/)),
        kind: z.enum(['file', 'image']),
        /** The name the page shows next to a file, if any (display only). */
        name: z.optional(z.string().check(max(300))),
      }),
    )
    .check(max(2000)),
  messageId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9+/=_-]{4,200}$/))),
  /** Ekuaibao: the forms the page shows (codes next to 单据编号, flow ids in its markup); identifiers only. */
  forms: z.optional(
    z.object({
      codes: z.array(z.string().check(max(40))).check(max(200)),
      flowIds: z.array(z.string().check(max(80))).check(max(200)),
    }),
  ),
});
export type DomSighting = z.infer<typeof DomSightingSchema>;

export const TabStateSchema = z.object({
  tabId: z.int(),
  recognition: PageRecognitionSchema,
  listing: ListingStateSchema,
  /** The latest download job started from this tab's page. */
  jobId: z.optional(z.string()),
  dom: z.optional(DomSightingSchema),
  /**
   * Ekuaibao form codes the user typed in the popup ("Find"), listed with what the page shows while the tab stays on
   * that host.
   */
  manual: z.optional(z.object({ host: z.string().check(max(253)), codes: z.array(FormCodeSchema).check(max(MAX_FORMS_PER_PAGE)) })),
});
export type TabState = z.infer<typeof TabStateSchema>;

/** Session storage: readable by the popup, not by content scripts, gone when the browser closes. */
export function tabStateKey(tabId: number): `session:tab:${number}` {
  return `session:tab:${tabId}`;
}

export async function readTabState(tabId: number): Promise<TabState | null> {
  const parsed = TabStateSchema.safeParse(await storage.getItem(tabStateKey(tabId)));
  return parsed.success ? parsed.data : null;
}

export async function writeTabState(state: TabState): Promise<void> {
  await storage.setItem(tabStateKey(state.tabId), TabStateSchema.parse(state));
}

export async function removeTabState(tabId: number): Promise<void> {
  await storage.removeItem(tabStateKey(tabId));
}

export function watchTabState(tabId: number, callback: (state: TabState | null) => void): () => void {
  return storage.watch(tabStateKey(tabId), (value) => {
    const parsed = TabStateSchema.safeParse(value);
    callback(parsed.success ? parsed.data : null);
  });
}
