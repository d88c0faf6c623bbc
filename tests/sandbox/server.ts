/**
 * The sandbox: one local HTTPS server that plays every remote host the extension talks to (Feishu and Lark web
 * pages, Open API, OAuth accounts hosts, drive stream hosts; Ekuaibao's web app, Open API, object store and DingPan
 * host), chosen by the Host header. Chromium reaches it under the real host names through `--host-resolver-rules`;
 * Node tests through `sandboxFetch`. Every request is logged for assertions. `faults` injects failures on the Feishu
 * side (faults.ts).
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { generate } from 'selfsigned';
import { EKUAIBAO_HOST_FAMILIES, EkuaibaoOpenApi, ekuaibaoHostKind } from './ekuaibao/api';
import { handleEkuaibaoPage } from './ekuaibao/web-pages';
import type { FaultKind, SandboxFaults } from './faults';
import { BRAND_DOMAINS, FeishuOpenApi } from './feishu-open-api';
import { EVIL_DOMAIN, isEvilHost } from './fixtures/hostile';
import { newReply, sendText, type Reply } from './http-util';
import { handleStream } from './stream-host';
import { handleWebPage } from './web-pages';
import { createDemoWorld, type Brand, type SandboxWorld } from './world';

export interface RecordedRequest {
  readonly at: number;
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly query: readonly (readonly [string, string])[];
  readonly headers: Readonly<Record<string, string>>;
  /** The body as UTF-8 (at most 64 KB), for every request that has one. */
  readonly bodyText?: string;
  status: number;
  /** Open API (Feishu and Ekuaibao) and Feishu accounts pages: the endpoint id; Feishu also the `code` answered. */
  endpoint?: string;
  code?: number;
  /** Ekuaibao downloadurls only: the length of the array received. */
  items?: number;
  /** Set when an injected fault (`Sandbox.faults`) decided the answer; `status` is 0 when nothing was answered. */
  fault?: FaultKind;
  /** Feishu Open API rate-limit refusals (injected or not): the `x-ogw-ratelimit-reset` answered, in seconds. */
  rateLimitReset?: number;
}

export interface SandboxOptions {
  readonly world?: SandboxWorld;
  readonly port?: number;
  /** Plain HTTP (for Node-side tests through `sandboxFetch`); Chromium needs the default, TLS. */
  readonly tls?: boolean;
  /** Trickle file bodies from the stream hosts at this many bytes per second (demo only, so progress shows). */
  readonly throttleBytesPerSecond?: number;
  /**
   * The Open API's and accounts pages' clock (default `Date.now`, as captured at start, so a faked `Date` does not
   * move it): rate windows, the lifetimes of issued tokens, OAuth consents, codes and refresh tokens, and the expiry
   * stamped on stream links (the stream host checks them against `Date.now()`). A test may run it ahead.
   */
  readonly now?: () => number;
}

export interface Sandbox {
  readonly port: number;
  readonly origin: string;
  /** For Chromium's `--host-resolver-rules`: every Feishu/Lark and Ekuaibao host family (and the evil hosts) to the sandbox. */
  readonly hostResolverRules: string;
  readonly log: RecordedRequest[];
  world: SandboxWorld;
  readonly api: FeishuOpenApi;
  /** The fake Ekuaibao Open API and its file hosts (issued tokens and links). */
  readonly ekuaibao: EkuaibaoOpenApi;
  /** Opt-in failures of the Feishu Open API and stream host (rate-limit bursts, 5xx, dropped connections, …). */
  readonly faults: SandboxFaults;
  /**
   * Forget the log, the rate windows, issued tokens and links, armed faults, Feishu's and Ekuaibao's, and the OAuth
   * flow's codes, grants, records and control settings (the world stays).
   */
  reset(): void;
  close(): Promise<void>;
}

export const SANDBOX_HOST_FAMILIES = ['feishu.cn', 'feishu.net', 'larkoffice.com', 'larkenterprise.com', 'larksuite.com'];

/** Ekuaibao's host families: the API and web app, the object store, the DingPan host. */
export const EKUAIBAO_SANDBOX_HOST_FAMILIES: readonly string[] = Object.values(EKUAIBAO_HOST_FAMILIES).flat();

/** Request bodies kept in the log are cut at this size. */
const LOGGED_BODY_BYTES = 64 * 1024;

function brandOfHost(host: string): Brand | null {
  if (host === 'larksuite.com' || host.endsWith('.larksuite.com')) return 'lark';
  return SANDBOX_HOST_FAMILIES.some((d) => host === d || host.endsWith(`.${d}`)) ? 'feishu' : null;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  let world = options.world ?? createDemoWorld();
  const log: RecordedRequest[] = [];
  const api = new FeishuOpenApi(() => world, options.now);
  const ekuaibao = new EkuaibaoOpenApi(() => world.ekuaibao);

  const handler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => {
    const hostHeader = (request.headers['x-sandbox-host'] as string | undefined) ?? request.headers.host ?? '';
    const host = hostHeader.replace(/:\d+$/, '').toLowerCase();
    const url = new URL(request.url ?? '/', `https://${host || 'sandbox.invalid'}`);
    const entry: RecordedRequest = {
      at: Date.now(),
      host,
      method: request.method ?? 'GET',
      path: url.pathname,
      query: [...url.searchParams.entries()],
      headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
      ...(body.length > 0 ? { bodyText: body.subarray(0, LOGGED_BODY_BYTES).toString('utf8') } : {}),
      status: 0,
    };
    log.push(entry);
    const reply = newReply();
    const custom = world.customHosts?.find((c) => c.host === host || c.apiHost === host);
    const brand = custom?.brand ?? brandOfHost(host);
    const ekuaibaoHost = custom ? null : ekuaibaoHostKind(host);
    let throttle = 0;
    /** How the reply goes out: whole, not at all (a dropped API call), or cut halfway (a dropped transfer). */
    let delivery: 'whole' | 'none' | 'half' = 'whole';
    if (ekuaibaoHost === 'app') {
      if (url.pathname.startsWith('/api/openapi/')) {
        const outcome = ekuaibao.handle(request, body, url, reply);
        if (outcome.endpoint !== undefined) entry.endpoint = outcome.endpoint;
        if (outcome.items !== undefined) entry.items = outcome.items;
      } else {
        handleEkuaibaoPage(world.ekuaibao, url, reply);
      }
    } else if (ekuaibaoHost === 'objectStore') {
      ekuaibao.files.handleObjectStore(request, url, reply, Date.now());
      throttle = options.throttleBytesPerSecond ?? 0;
    } else if (ekuaibaoHost === 'dingPan') {
      ekuaibao.files.handleDingPan(request, url, reply, Date.now());
      throttle = options.throttleBytesPerSecond ?? 0;
    } else if (isEvilHost(host)) {
      // Hosts a hostile page names (fixtures/hostile.ts): nothing to get here, and the log shows whoever asked.
      sendText(reply, 403, `${host} is a hostile host`);
    } else if (!brand) {
      sendText(reply, 421, `the sandbox does not serve ${host}`);
    } else if (host === `open.${BRAND_DOMAINS[brand]}` || host === custom?.apiHost) {
      const outcome = api.handle(brand, request, body, url, reply);
      entry.endpoint = outcome.endpoint;
      entry.code = outcome.code;
      if (outcome.fault !== undefined) entry.fault = outcome.fault;
      if (outcome.rateLimitReset !== undefined) entry.rateLimitReset = outcome.rateLimitReset;
      if (outcome.fault === 'dropped') delivery = 'none';
    } else if (host === `accounts.${BRAND_DOMAINS[brand]}`) {
      const outcome = api.handleAccounts(brand, request, body, url, reply);
      if (outcome.endpoint !== undefined) entry.endpoint = outcome.endpoint;
      if (outcome.code !== undefined) entry.code = outcome.code;
    } else if (host === `internal-api-drive-stream.${BRAND_DOMAINS[brand]}`) {
      const outcome = handleStream(api, world, request, url, reply, Date.now());
      if (outcome.fault !== undefined) entry.fault = outcome.fault;
      if (outcome.fault === 'dropped') delivery = 'half';
      throttle = options.throttleBytesPerSecond ?? 0;
    } else {
      handleWebPage(world, brand, url, reply);
    }
    if (delivery === 'none') {
      entry.status = 0;
      request.socket.destroy();
      return;
    }
    entry.status = reply.status;
    if (delivery === 'half') writeHalfThenReset(response, reply, tcpSockets);
    else void write(response, request, reply, throttle);
  };

  const withBody = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
  };
  const server = options.tls === false ? createHttpServer(withBody) : createHttpsServer(await certificate(), withBody);
  // The TCP socket under each connection (under TLS the response's socket is the TLS layer, which cannot be reset).
  const tcpSockets = new Map<string, Socket>();
  server.on('connection', (socket: Socket) => {
    const key = socketKey(socket);
    tcpSockets.set(key, socket);
    socket.once('close', () => tcpSockets.delete(key));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    origin: `${options.tls === false ? 'http' : 'https'}://127.0.0.1:${port}`,
    // Custom (private-deployment) hosts of the world resolve here too, so a test can add them in the options page,
    // and so do the evil hosts hostile pages name, so that any request to them is seen (and refused).
    hostResolverRules: [
      ...[...SANDBOX_HOST_FAMILIES, ...EKUAIBAO_SANDBOX_HOST_FAMILIES].map((d) => `MAP *.${d} 127.0.0.1:${port}`),
      `MAP ${EVIL_DOMAIN} 127.0.0.1:${port}`,
      `MAP *.${EVIL_DOMAIN} 127.0.0.1:${port}`,
      ...(world.customHosts ?? []).flatMap((c) => [`MAP ${c.host} 127.0.0.1:${port}`, `MAP ${c.apiHost} 127.0.0.1:${port}`]),
    ].join(', '),
    log,
    get world() {
      return world;
    },
    set world(next: SandboxWorld) {
      world = next;
    },
    api,
    ekuaibao,
    faults: api.faults,
    reset() {
      log.length = 0;
      api.reset();
      ekuaibao.reset();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function write(response: ServerResponse, request: IncomingMessage, reply: Reply, throttle: number): Promise<void> {
  response.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  if (throttle <= 0 || reply.body.length < 4096) {
    response.end(reply.body);
    return;
  }
  const chunk = Math.max(1024, Math.floor(throttle / 10));
  for (let offset = 0; offset < reply.body.length && !response.destroyed; offset += chunk) {
    response.write(reply.body.subarray(offset, offset + chunk));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  response.end();
}

const socketKey = (socket: Socket) => `${socket.remoteAddress ?? ''}|${socket.remotePort ?? ''}`;

/** Time for the half body to reach the client before the reset (which discards whatever is still unsent). */
const RESET_AFTER_MS = 50;

/**
 * A transfer broken halfway: the headers (with the full length) and the first half of the body, then the TCP
 * connection is reset. A reset, not a close: Chromium takes a close before the announced length for
 * SERVER_CONTENT_LENGTH_MISMATCH and resumes the download by itself with `Range` (up to 5 times, unseen by the
 * extension); a reset interrupts it with NETWORK_FAILED, which it leaves to the extension.
 */
function writeHalfThenReset(response: ServerResponse, reply: Reply, tcpSockets: ReadonlyMap<string, Socket>): void {
  response.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
  response.write(reply.body.subarray(0, Math.floor(reply.body.length / 2)), () => {
    setTimeout(() => {
      const socket = response.socket;
      if (!socket || socket.destroyed) return;
      const tcp = tcpSockets.get(socketKey(socket));
      if (tcp && !tcp.destroyed) tcp.resetAndDestroy();
      else socket.destroy();
    }, RESET_AFTER_MS);
  });
}

let cachedCertificate: Promise<{ key: string; cert: string }> | undefined;
function certificate(): Promise<{ key: string; cert: string }> {
  cachedCertificate ??= generate([{ name: 'commonName', value: 'sandbox.feishu.cn' }], { keyType: 'ec', curve: 'P-256', notAfterDate: new Date(Date.now() + 30 * 86_400_000) }).then((pems) => ({
    key: pems.private,
    cert: pems.cert,
  }));
  return cachedCertificate;
}

/**
 * A `fetch` for Node-side tests that sends `https://<real host>/...` to a plain-HTTP sandbox, telling it the host
 * in `x-sandbox-host` (Node's fetch does not let us set `Host`).
 */
export function sandboxFetch(sandbox: Sandbox): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    headers.set('x-sandbox-host', url.hostname);
    return fetch(`${sandbox.origin}${url.pathname}${url.search}`, { ...init, headers });
  };
}
