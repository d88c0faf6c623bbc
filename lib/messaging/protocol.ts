/**
 * The one message protocol between content scripts, extension pages and the background. Every request and every
 * answer is checked with zod on the receiving side; content scripts may only send what is marked `fromContent`.
 */
import { browser, type Browser } from '#imports';
import * as z from 'zod/mini';
import { ProblemSchema } from '../core/problem';
import { redactSecrets } from '../core/redact';
import { DomSightingSchema, TabStateSchema } from '../core/tab-state';

const TabIdSchema = z.object({ tabId: z.int().check(z.nonnegative()) });
const text = (max: number) => z.string().check(z.maxLength(max));

export const StartResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), jobId: z.string() }),
  z.object({ ok: z.literal(false), problem: ProblemSchema }),
]);
export type StartResult = z.infer<typeof StartResultSchema>;

export const ConnectionResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    apiBase: z.string(),
    tokenKind: z.enum(['user', 'tenant']),
    /** The user's or the tenant's name, when the token may read it. */
    who: z.optional(z.string()),
    /** A scope that would let us show more (tenant name needs `tenant:tenant:readonly`). */
    missingScope: z.optional(z.string()),
  }),
  z.object({ ok: z.literal(false), apiBase: z.optional(z.string()), problem: ProblemSchema }),
]);
export type ConnectionResult = z.infer<typeof ConnectionResultSchema>;

export const EkuaibaoConnectionResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    apiBase: z.string(),
    /** App-key mode: the corporation the token belongs to. */
    corporationId: z.optional(z.string()),
  }),
  z.object({ ok: z.literal(false), apiBase: z.optional(z.string()), problem: ProblemSchema }),
]);
export type EkuaibaoConnectionResult = z.infer<typeof EkuaibaoConnectionResultSchema>;

export const FindFormResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), state: TabStateSchema }),
  z.object({ ok: z.literal(false), problem: ProblemSchema }),
]);
export type FindFormResult = z.infer<typeof FindFormResultSchema>;

/** What the options page shows of "Sign in with Feishu": never a token, only who, where and what is granted. */
export const SignInStatusSchema = z.object({
  /** `https://<extension id>.chromiumapp.org/`: to register in the app's console (Security settings → Redirect URLs). */
  redirectUrl: z.string(),
  signedIn: z.nullable(
    z.object({
      name: z.nullable(z.string()),
      apiBase: z.string(),
      appId: z.string(),
      scopes: z.array(z.string()),
      /** When the access token expires (it is refreshed before). */
      expiresAt: z.number(),
    }),
  ),
  /** Why the last sign-in ended (refresh refused, revoked, expired), until the user signs in again. */
  ended: z.nullable(ProblemSchema),
  /** Scopes the API found the user has not granted (99991679): the next sign-in asks for exactly these. */
  missingScopes: z.array(z.string()),
});
export type SignInStatus = z.infer<typeof SignInStatusSchema>;

export const SignInResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), status: SignInStatusSchema }),
  z.object({ ok: z.literal(false), problem: ProblemSchema }),
]);
export type SignInResult = z.infer<typeof SignInResultSchema>;

export const PROTOCOL = {
  /** Content script: "this tab now shows this URL" (on load and on every in-app navigation). */
  pageSeen: {
    fromContent: true,
    // What the page shows is only ever matched against what the API returned: identifiers, never addresses.
    request: z.object({ url: text(8192), dom: z.optional(DomSightingSchema) }),
    response: z.object({ supported: z.boolean() }),
  },
  getTabState: { fromContent: false, request: TabIdSchema, response: TabStateSchema },
  refreshTab: { fromContent: false, request: TabIdSchema, response: TabStateSchema },
  /** A mailbox: look at the next batch of older messages. */
  mailMore: { fromContent: false, request: TabIdSchema, response: TabStateSchema },
  /** For a mailbox, `messageId` says which message's attachments. */
  downloadAll: { fromContent: false, request: z.extend(TabIdSchema, { messageId: z.optional(text(200)) }), response: StartResultSchema },
  testConnection: {
    fromContent: false,
    request: z.object({
      apiBase: z.nullable(text(2048)),
      accessToken: z.nullable(text(8192)),
      /** App-credential mode: the typed ID, and the typed secret (null: the saved one). */
      app: z.optional(z.nullable(z.object({ appId: text(200), appSecret: z.nullable(text(500)) }))),
    }),
    response: ConnectionResultSchema,
  },
  /** The popup's controls of a running or finished job. */
  jobControl: {
    fromContent: false,
    request: z.object({ jobId: text(100), action: z.enum(['pause', 'resume', 'cancel', 'retry-failed']) }),
    response: z.object({ ok: z.boolean() }),
  },
  /** Ekuaibao: a form code typed in the popup; listed with the page's forms when it exists. */
  findForm: { fromContent: false, request: z.extend(TabIdSchema, { code: text(100) }), response: FindFormResultSchema },
  testEkuaibaoConnection: {
    fromContent: false,
    request: z.object({
      apiBase: text(2048),
      accessToken: z.nullable(text(8192)),
      /** App-key mode: the typed key, and the typed security (null: the saved one). */
      app: z.nullable(z.object({ appKey: text(300), appSecurity: z.nullable(text(300)) })),
    }),
    response: EkuaibaoConnectionResultSchema,
  },
  signInStatus: { fromContent: false, request: z.object({}), response: SignInStatusSchema },
  /**
   * The options page ran the authorize page (`identity.launchWebAuthFlow`) and checked its `state`; the background
   * trades the code, with the PKCE verifier and the saved app secret, for the user's tokens.
   */
  completeSignIn: {
    fromContent: false,
    request: z.object({ code: text(4096), codeVerifier: z.string().check(z.regex(/^[A-Za-z0-9._~-]{43,128}$/)) }),
    response: SignInResultSchema,
  },
  /** Forgets every token of the sign-in. */
  signOut: { fromContent: false, request: z.object({}), response: SignInStatusSchema },
} as const satisfies Record<string, { fromContent: boolean; request: z.ZodMiniType; response: z.ZodMiniType }>;

export type MessageType = keyof typeof PROTOCOL;
export type RequestOf<T extends MessageType> = z.input<(typeof PROTOCOL)[T]['request']>;
export type ResponseOf<T extends MessageType> = z.output<(typeof PROTOCOL)[T]['response']>;

const EnvelopeSchema = z.object({
  type: z.enum(Object.keys(PROTOCOL) as [MessageType, ...MessageType[]]),
  data: z.unknown(),
});
const ReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
type Reply = z.infer<typeof ReplySchema>;

export class MessageError extends Error {
  override name = 'MessageError';
}

export async function sendMessage<T extends MessageType>(type: T, data: RequestOf<T>): Promise<ResponseOf<T>> {
  const raw: unknown = await browser.runtime.sendMessage({ type, data });
  const reply = ReplySchema.safeParse(raw);
  if (!reply.success) throw new MessageError(`No valid answer to ${type}`);
  if (!reply.data.ok) throw new MessageError(reply.data.error);
  return PROTOCOL[type].response.parse(reply.data.value) as ResponseOf<T>;
}

export type Handlers = {
  [T in MessageType]: (data: z.output<(typeof PROTOCOL)[T]['request']>, sender: Browser.runtime.MessageSender) => Promise<ResponseOf<T>>;
};

/** Where a message came from, judged by the browser's sender data, never by the message. */
export function senderContext(sender: Browser.runtime.MessageSender, extensionId: string, extensionOrigin: string): 'extension' | 'content' | 'foreign' {
  if (sender.id !== extensionId) return 'foreign';
  const url = sender.url ?? '';
  if (url.startsWith(extensionOrigin)) return 'extension';
  return sender.tab?.id !== undefined ? 'content' : 'foreign';
}

/** Registers the background's handlers; must be called synchronously when the worker starts. */
export function listenForMessages(handlers: Handlers): void {
  const extensionOrigin = browser.runtime.getURL('/');
  // With webextension-polyfill a listener answers by returning a promise (undefined: not ours to answer).
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  browser.runtime.onMessage.addListener((message: unknown, sender: Browser.runtime.MessageSender): Promise<Reply> | undefined => {
    const envelope = EnvelopeSchema.safeParse(message);
    if (!envelope.success) return undefined;
    return dispatch(envelope.data.type, envelope.data.data, sender, handlers, extensionOrigin);
  });
}

export async function dispatch(
  type: MessageType,
  data: unknown,
  sender: Browser.runtime.MessageSender,
  handlers: Handlers,
  extensionOrigin = browser.runtime.getURL('/'),
): Promise<Reply> {
  const context = senderContext(sender, browser.runtime.id, extensionOrigin);
  const spec = PROTOCOL[type];
  if (context === 'foreign' || (context === 'content' && !spec.fromContent)) {
    return { ok: false, error: `${type} is not accepted from this sender` };
  }
  const request = spec.request.safeParse(data);
  if (!request.success) return { ok: false, error: `Invalid ${type} request` };
  try {
    const handler = handlers[type] as (d: unknown, s: Browser.runtime.MessageSender) => Promise<unknown>;
    return { ok: true, value: await handler(request.data, sender) };
  } catch (error) {
    // Shown in the popup or options page: never with a credential an exception may quote.
    return { ok: false, error: redactSecrets(error instanceof Error ? error.message : String(error)) };
  }
}
