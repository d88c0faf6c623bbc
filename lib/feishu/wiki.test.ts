// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDemoWorld, sandboxFetch, startSandbox, TOKENS, WIKI, WIKI_NODES, type Sandbox } from '../../tests/sandbox';
import { RateLimiterRegistry } from '../downloads/rate-limit';
import { FeishuClient } from './client';
import { resolveWikiNode } from './wiki';
import { problemOf } from '../../tests/unit/problem-of';

const FEISHU_API = 'https://open.feishu.cn';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ tls: false });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  sandbox.world = createDemoWorld();
  sandbox.reset();
});

function client(token: string = TOKENS.feishuUser, fetchImpl: typeof fetch = sandboxFetch(sandbox)): FeishuClient {
  return new FeishuClient({ apiBase: FEISHU_API, accessToken: async () => token, limiters: new RateLimiterRegistry(), fetch: fetchImpl, retries: 0 });
}


describe('resolveWikiNode', () => {
  it.each([
    ['a document', WIKI.docx],
    ['a spreadsheet', WIKI.sheet],
    ['a base', WIKI.base],
    ['a cloud-space file', WIKI.file],
    ['a legacy doc', WIKI.legacy],
  ])('resolves a node that points at %s', async (_name, node) => {
    const target = WIKI_NODES[node];
    expect(await resolveWikiNode(client(), node)).toEqual({ objType: target.objType, objToken: target.objToken, title: target.title });
  });

  it('asks get_node for the node token, and nothing else', async () => {
    await resolveWikiNode(client(), WIKI.sheet);
    expect(sandbox.log.map((e) => [e.method, e.path, e.query, e.endpoint])).toEqual([
      ['GET', '/open-apis/wiki/v2/spaces/get_node', [['token', WIKI.sheet]], 'wiki.get-node'],
    ]);
  });

  it('says a node nobody shared is not shared, and an unknown node is not found', async () => {
    expect(await problemOf(resolveWikiNode(client(), WIKI.private))).toMatchObject({ kind: 'not-shared', code: 131006 });
    expect(await problemOf(resolveWikiNode(client(), 'WkNoSuchNode2026AbCdEfGhIjK'))).toMatchObject({ kind: 'not-found', code: 131005 });
  });

  it('names the missing wiki scope', async () => {
    const problem = await problemOf(resolveWikiNode(client(TOKENS.feishuNoMediaScope), WIKI.docx));
    expect(problem).toMatchObject({ kind: 'scope-missing', code: 99991679 });
    expect(problem.scopes).toEqual(expect.arrayContaining(['wiki:wiki:readonly']));
  });

  it('trims the title, and gives an empty one when the node has none', async () => {
    const world = createDemoWorld();
    sandbox.world = {
      ...world,
      wikiNodes: (world.wikiNodes ?? []).map((n) => (n.nodeToken === WIKI.docx ? { ...n, title: '  周报  ' } : n.nodeToken === WIKI.sheet ? { ...n, title: '' } : n)),
    };
    expect((await resolveWikiNode(client(), WIKI.docx)).title).toBe('周报');
    expect((await resolveWikiNode(client(), WIKI.sheet)).title).toBe('');
  });

  it('accepts a node without a title or node token, and object types it does not know', async () => {
    const remote: typeof fetch = async () =>
      new Response(JSON.stringify({ code: 0, msg: 'success', data: { node: { obj_token: 'MnMindMap2026AbCdEfGhIjKl', obj_type: 'mindnote', has_child: true, extra: { x: 1 } } } }), {
        headers: { 'content-type': 'application/json' },
      });
    expect(await resolveWikiNode(client(TOKENS.feishuUser, remote), WIKI.docx)).toEqual({ objType: 'mindnote', objToken: 'MnMindMap2026AbCdEfGhIjKl', title: '' });
  });

  it.each([
    ['no node', { code: 0, data: {} }],
    ['a node without an object token', { code: 0, data: { node: { obj_type: 'docx', title: 'x' } } }],
    ['an empty object type', { code: 0, data: { node: { obj_token: 'DocxObjToken2026AbCdEfGhIj', obj_type: '' } } }],
  ])('treats an answer with %s as invalid', async (_name, body) => {
    const remote: typeof fetch = async () => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    expect(await problemOf(resolveWikiNode(client(TOKENS.feishuUser, remote), WIKI.docx))).toMatchObject({ kind: 'invalid-response', host: 'open.feishu.cn' });
  });
});
