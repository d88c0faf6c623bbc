/**
 * Feishu/Lark web pages, enough for the content script: a document page per docx id (title, text, and in-app
 * links that navigate with history.pushState like the real single-page app) and a home page.
 */
import type { Reply } from './http-util';
import { sendText } from './http-util';
import type { Brand, SandboxWorld } from './world';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function handleWebPage(world: SandboxWorld, brand: Brand, url: URL, reply: Reply): void {
  const docs = world.documents.filter((d) => d.brand === brand);
  const match = /^\/docx\/([A-Za-z0-9]+)/.exec(url.pathname);
  const current = match ? docs.find((d) => d.id === match[1]) : undefined;
  const titles = Object.fromEntries(docs.map((d) => [d.id, d.title]));
  const product = brand === 'lark' ? 'Lark Docs' : '飞书云文档';
  const heading = current?.title ?? (match ? 'Document' : product);
  const nav = docs.map((d) => `<li><a data-spa href="/docx/${d.id}">${escapeHtml(d.title)}</a></li>`).join('');
  const html = `<!doctype html>
<html lang="${brand === 'lark' ? 'en' : 'zh-CN'}"><head><meta charset="utf-8"><title>${escapeHtml(heading)} - ${product}</title></head>
<body>
<nav><ul id="nav">${nav}<li><a data-spa href="/wiki/WikiNodeToken0000000000000">Wiki</a></li></ul></nav>
<main><h1 id="title">${escapeHtml(heading)}</h1><div class="bear-web-x-container"><p>Sandbox page served for ${escapeHtml(url.hostname)}.</p></div></main>
<script>
  const titles = ${JSON.stringify(titles).replace(/</g, '\\u003c')};
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-spa]');
    if (!link) return;
    event.preventDefault();
    history.pushState({}, '', link.getAttribute('href'));
    const id = (location.pathname.match(/^\\/docx\\/([A-Za-z0-9]+)/) || [])[1];
    document.getElementById('title').textContent = titles[id] || 'Page';
    document.title = (titles[id] || 'Page') + ' - ${product}';
  });
</script>
</body></html>`;
  sendText(reply, current || !match ? 200 : 404, html, 'text/html; charset=utf-8');
}
