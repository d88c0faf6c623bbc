/** A wiki node points at the real object (docx, sheet, base, file...): `wiki/v2/spaces/get_node`. */
import { FEISHU_ENDPOINTS, type FeishuClient } from './client';
import { WikiNodeSchema } from './schemas';

export interface WikiTarget {
  readonly objType: string;
  readonly objToken: string;
  readonly title: string;
}

export async function resolveWikiNode(client: FeishuClient, nodeToken: string): Promise<WikiTarget> {
  const { node } = await client.request(FEISHU_ENDPOINTS.wikiGetNode, { path: 'wiki/v2/spaces/get_node', query: [['token', nodeToken]] }, WikiNodeSchema);
  return { objType: node.obj_type, objToken: node.obj_token, title: node.title?.trim() ?? '' };
}
