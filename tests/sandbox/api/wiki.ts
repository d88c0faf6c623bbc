/**
 * Wiki: `GET /open-apis/wiki/v2/spaces/get_node?token=&obj_type=` resolves a node (or, with `obj_type`, the object a
 * node points at) to its real object.
 *
 * Documented [V] (project reference §2): 100/min; scopes (any) wiki:node:read, wiki:wiki, wiki:wiki:readonly;
 * `token` is a node token, or an object token when `obj_type` ∈ doc|docx|sheet|mindnote|bitable|file|slides names its
 * type (default `wiki`); errors all HTTP 400: 131002 param err, 131005 not found, 131006 permission denied; the node's
 * fields as in the documented sample (plus `url`, in newer typings); for a shortcut, obj_token/obj_type are the
 * target's.
 *
 * [I] inferred: an unknown `obj_type` is 131002; times, creator/owner ids and `has_child: false` are fixed values;
 * `origin_node_token` / `origin_space_id` are "" for an origin node (as in the sample) and the origin's for a shortcut;
 * `url` is on `sandbox.<domain>`; the rate limit is answered 429.
 */
import type { SandboxWikiNode } from '../world';
import { BRAND_DOMAINS, canRead, fail, ok, perMinute, requireScope, type Route } from './context';

export const WIKI_SCOPES = ['wiki:node:read', 'wiki:wiki', 'wiki:wiki:readonly'];
const OBJ_TYPES = ['doc', 'docx', 'sheet', 'mindnote', 'bitable', 'file', 'slides', 'wiki'];
const CREATOR = 'ou_7d8a6e6df7621556ce0d21922b676706';
const CREATED = '1793500800';
const EDITED = '1795392000';

export const wikiRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/open-apis\/wiki\/v2\/spaces\/get_node$/,
    endpoint: 'wiki.get-node',
    limits: [perMinute(100)],
    handle(ctx) {
      const denied = requireScope(ctx, WIKI_SCOPES);
      if (denied) return denied;
      const token = ctx.url.searchParams.get('token') ?? '';
      const objType = ctx.url.searchParams.get('obj_type') ?? 'wiki';
      if (token === '') return fail(ctx, 400, 131002, 'param err: token is required');
      if (!OBJ_TYPES.includes(objType)) return fail(ctx, 400, 131002, `param err: invalid obj_type ${objType}`);

      const nodes = (ctx.world.wikiNodes ?? []).filter((n) => n.brand === ctx.brand);
      const node =
        objType === 'wiki'
          ? nodes.find((n) => n.nodeToken === token)
          : (nodes.find((n) => n.objToken === token && n.objType === objType && n.nodeType !== 'shortcut') ??
            nodes.find((n) => n.objToken === token && n.objType === objType));
      if (!node) return fail(ctx, 400, 131005, 'not found');
      if (!canRead(ctx.token, node.readers)) return fail(ctx, 400, 131006, 'permission denied');

      const origin: SandboxWikiNode | undefined =
        node.nodeType === 'shortcut' ? nodes.find((n) => n.objToken === node.objToken && n.nodeType !== 'shortcut') : undefined;
      return ok(ctx, {
        node: {
          space_id: node.spaceId,
          node_token: node.nodeToken,
          obj_token: node.objToken,
          obj_type: node.objType,
          parent_node_token: '',
          node_type: node.nodeType ?? 'origin',
          origin_node_token: origin?.nodeToken ?? '',
          origin_space_id: origin?.spaceId ?? '',
          has_child: false,
          title: node.title,
          obj_create_time: CREATED,
          obj_edit_time: EDITED,
          node_create_time: CREATED,
          creator: CREATOR,
          owner: CREATOR,
          node_creator: CREATOR,
          url: `https://sandbox.${BRAND_DOMAINS[ctx.brand]}/wiki/${node.nodeToken}`,
        },
      });
    },
  },
];
