/**
 * Feishu/Lark web pages, enough for the content script: a page per docx, wiki node, sheet, base, drive file and
 * the Mail client, with in-app links that navigate with history.pushState like the real single-page app. A
 * document page renders its first screen of blocks (as the real one renders lazily): file blocks and images with
 * their media tokens, so the extension can tell what is on the page from what only the API revealed.
 */
import type { Reply } from './http-util';
import { sendText } from './http-util';
import { BRAND_DOMAINS } from './api/context';
import type { Brand, SandboxDocument, SandboxWorld } from './world';

/** Blocks the real client renders before scrolling (it virtualises the rest). */
const FIRST_SCREEN_BLOCKS = 500;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function visibleBlocks(document: SandboxDocument, brand: Brand): string {
  const parts: string[] = [];
  for (const block of document.blocks.slice(0, FIRST_SCREEN_BLOCKS)) {
    const file = block['file'] as { token?: string; name?: string } | undefined;
    const image = block['image'] as { token?: string } | undefined;
    if (block['block_type'] === 23 && file?.token) {
      parts.push(`<div class="block docx-file-block" data-block-type="file" data-file-token="${escapeHtml(file.token)}"><span class="file-name">${escapeHtml(file.name ?? '')}</span></div>`);
    } else if (block['block_type'] === 27 && image?.token) {
      parts.push(
        `<div class="block docx-image-block"><img alt="" src="https://internal-api-drive-stream.${BRAND_DOMAINS[brand]}/space/api/box/stream/download/preview/${escapeHtml(image.token)}?preview_type=16"></div>`,
      );
    }
  }
  return parts.join('\n');
}

function mailPage(world: SandboxWorld, brand: Brand, url: URL): { heading: string; body: string } {
  const mailbox = world.mailboxes?.find((m) => m.brand === brand);
  const open = url.searchParams.get('open');
  const items = (mailbox?.messages ?? [])
    .slice(0, 40)
    .map((m) => `<article class="mail-item" data-message-id="${escapeHtml(m.messageId)}"${m.messageId === open ? ' aria-current="true"' : ''}><h2>${escapeHtml(m.subject)}</h2><p>${escapeHtml(m.from.name)}</p></article>`)
    .join('\n');
  return { heading: brand === 'lark' ? 'Lark Mail' : '飞书邮箱', body: `<section class="mail-list">${items}</section>` };
}

export function handleWebPage(world: SandboxWorld, brand: Brand, url: URL, reply: Reply): void {
  const docs = world.documents.filter((d) => d.brand === brand);
  const product = brand === 'lark' ? 'Lark Docs' : '飞书云文档';
  const [kind = '', token = ''] = url.pathname.split('/').filter(Boolean);
  let heading = product;
  let body = '';
  let extras: SandboxDocument['page'] = undefined;
  let found = true;
  switch (kind) {
    case 'docx': {
      const document = docs.find((d) => d.id === token);
      found = document !== undefined;
      heading = document?.title ?? 'Document';
      body = document ? visibleBlocks(document, brand) + (document.page?.body ?? '') : '';
      extras = document?.page;
      break;
    }
    case 'wiki':
      heading = world.wikiNodes?.find((n) => n.nodeToken === token)?.title ?? 'Wiki';
      break;
    case 'sheets':
      heading = world.spreadsheets?.find((s) => s.token === token)?.title ?? 'Sheet';
      break;
    case 'base':
      heading = world.bases?.find((b) => b.appToken === token)?.name ?? 'Base';
      break;
    case 'file':
      heading = world.driveFiles?.find((f) => f.token === token)?.name ?? 'File';
      break;
    case 'mail':
      ({ heading, body } = mailPage(world, brand, url));
      break;
  }

  const titles = Object.fromEntries(docs.map((d) => [d.id, d.title]));
  const nav = docs.map((d) => `<li><a data-spa href="/docx/${d.id}">${escapeHtml(d.title)}</a></li>`).join('');
  const html = `<!doctype html>
<html lang="${brand === 'lark' ? 'en' : 'zh-CN'}"><head><meta charset="utf-8"><title>${escapeHtml(heading)} - ${product}</title>${extras?.head ?? ''}</head>
<body>
<nav><ul id="nav">${nav}<li><a data-spa href="/mindnotes/MindNoteToken00000000000000">Mind map</a></li></ul></nav>
<main><h1 id="title">${escapeHtml(heading)}</h1><div class="bear-web-x-container" id="content">${body}</div></main>
<script>
  const titles = ${JSON.stringify(titles).replace(/</g, '\\u003c')};
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-spa]');
    if (!link) return;
    event.preventDefault();
    history.pushState({}, '', link.getAttribute('href'));
    const id = (location.pathname.match(/^\\/docx\\/([A-Za-z0-9]+)/) || [])[1];
    document.getElementById('title').textContent = titles[id] || 'Page';
    document.getElementById('content').textContent = '';
    document.title = (titles[id] || 'Page') + ' - ${product}';
  });
</script>
</body></html>`;
  sendText(reply, found ? 200 : 404, html, 'text/html; charset=utf-8');
  if (extras?.csp) reply.headers['content-security-policy'] = extras.csp;
}
