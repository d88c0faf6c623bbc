/**
 * Who may fetch a media token: media belongs to the documents, spreadsheets and bases that show it, and a caller
 * who can read any of them may download it. Advanced-permission bases also demand a correct `extra`.
 */
import type { SandboxMedia } from '../world';
import { checkExtraForBase } from './bitable';
import { canRead, type ApiContext, type ApiOutcome } from './context';

/**
 * Each container's JSON, kept while the container lives. Every token of every link call is looked for in every
 * container (over 1 MB of JSON in the demo world: ~20 ms a token, which a 1000-attachment job would feel); worlds are
 * built once and never changed in place (their types are read-only), so the JSON of a container never goes stale.
 */
const jsonOf = new WeakMap<object, string>();

function json(container: object): string {
  let text = jsonOf.get(container);
  if (text === undefined) jsonOf.set(container, (text = JSON.stringify(container)));
  return text;
}

/** Every container of the world that shows `media`, with its readers. */
function holdersOf(ctx: ApiContext, media: SandboxMedia): ('all' | readonly string[])[] {
  const shows = (container: object) => json(container).includes(media.token);
  return [
    ...ctx.world.documents.filter((d) => shows(d.blocks)),
    ...(ctx.world.spreadsheets ?? []).filter((s) => shows(s.sheets)),
    ...(ctx.world.bases ?? []).filter((b) => shows(b.tables)),
    ...(ctx.world.boards ?? []).filter((b) => b.token === media.token),
  ].map((holder) => holder.readers);
}

export function mediaReadable(ctx: ApiContext, media: SandboxMedia): boolean {
  const holders = holdersOf(ctx, media);
  return holders.length === 0 || holders.some((readers) => canRead(ctx.token, readers));
}

/**
 * For media of an advanced-permission base: the documented `extra`
 * (`{"bitablePerm":{"tableId":…,"attachments":{<field_id>:{<record_id>:[<token>…]}}}}`) must name the table and the
 * token under its field and record, else the call is refused with `status`. Null when the call may go on.
 */
export function checkBitableExtra(ctx: ApiContext, media: SandboxMedia, status: 400 | 403): ApiOutcome | null {
  return checkExtraForBase(ctx, media, status);
}
