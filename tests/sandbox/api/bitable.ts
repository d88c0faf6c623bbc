/** Bases (多维表格): app meta, tables, fields, record search, and the `extra` rule of advanced-permission bases. */
import type { SandboxMedia } from '../world';
import type { ApiContext, ApiOutcome, Route } from './context';

export const bitableRoutes: Route[] = [];

/** Null when `media` is not in an advanced base, or `extra` is correct; otherwise the refusal (with `status`). */
export function checkExtraForBase(_ctx: ApiContext, _media: SandboxMedia, _status: 400 | 403): ApiOutcome | null {
  return null;
}
