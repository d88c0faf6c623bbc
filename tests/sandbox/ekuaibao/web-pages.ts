/**
 * The Ekuaibao web app, enough for the content script. The real app's markup is not public (reference §5.2: it is
 * Ant Design; `.bill-name` and `.label-template` are seen on the list page), so this is plausible Ant-Design-like
 * markup. Like the real single-page app at `/web/app.html`, routing is client-side by the hash:
 *   `#/bills`           "my forms": a table row per form, the title in `.bill-name`, the code in `td.bill-code`;
 *   `#/bill/<flowId>`   a form's detail view: `.ekb-field` label/value pairs (单据编号 → the code), the title, and
 *                       the attachments as file chips (names only: the app's download links are not modelled);
 *   `#/home` (or none)  a home page with no form on it; anything else a "page not found" view.
 * Each view is a `<template>` (inert, so the DOM only ever holds the current view); a script renders the one the
 * hash names, on load and on every `hashchange`. In-page links change only the hash. `/web/app.html` is served
 * for any query string (the page URLs carry the web session token and corpId); other paths are 404.
 */
import { sendText, type Reply } from '../http-util';
import type { EkuaibaoAttachmentRef, EkuaibaoForm, EkuaibaoWorld } from './world';

const STATES: Readonly<Record<string, string>> = {
  draft: '草稿',
  pending: '提交中',
  approving: '审批中',
  rejected: '已驳回',
  paying: '待支付',
  paid: '已支付',
  archived: '已完成',
};

const LOG_ACTIONS: Readonly<Record<string, string>> = {
  'freeflow.submit': '提交',
  'freeflow.agree': '同意',
  'freeflow.reject': '驳回',
  'freeflow.comment': '评论',
  'freeflow.pay': '支付',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const yuan = (amount: number) => `¥${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

function chips(refs: readonly EkuaibaoAttachmentRef[]): string {
  const items = refs.map((ref) => {
    // A nameless upload shows its key, as there is nothing else to show.
    const name = escapeHtml(ref.fileName ?? ref.key);
    return `<div class="ant-upload-list-item ekb-file-chip"><span class="anticon anticon-paper-clip" aria-hidden="true"></span><span class="ant-upload-list-item-name" title="${name}">${name}</span></div>`;
  });
  return `<div class="ant-upload-list ant-upload-list-text">${items.join('')}</div>`;
}

function field(label: string, value: string): string {
  return `<div class="ekb-field"><span class="ekb-field__label">${escapeHtml(label)}</span><span class="ekb-field__value">${escapeHtml(value)}</span></div>`;
}

function section(title: string, body: string, className: string): string {
  return `<section class="ekb-section ${className}"><h3 class="ekb-section__title">${escapeHtml(title)}</h3>${body}</section>`;
}

function billsView(forms: readonly EkuaibaoForm[]): string {
  const rows = forms.map(
    (f) =>
      `<tr class="ant-table-row" data-row-key="${escapeHtml(f.flowId)}"><td class="ant-table-cell"><a class="bill-name" href="#/bill/${escapeHtml(f.flowId)}">${escapeHtml(f.title)}</a> <span class="label-template">报销单</span></td><td class="bill-code">${escapeHtml(f.code)}</td><td class="ant-table-cell bill-amount">${yuan(f.amount)}</td><td class="ant-table-cell bill-state"><span class="ant-tag">${escapeHtml(STATES[f.state] ?? f.state)}</span></td></tr>`,
  );
  const empty = `<tr class="ant-table-placeholder"><td colspan="4"><div class="ant-empty-description">暂无数据</div></td></tr>`;
  return `<div class="ekb-page ekb-bills"><h2 class="ekb-page__title">我的单据</h2>
<div class="ant-table-wrapper"><div class="ant-table"><table>
<thead class="ant-table-thead"><tr><th class="ant-table-cell">标题</th><th class="ant-table-cell">单据编号</th><th class="ant-table-cell">金额</th><th class="ant-table-cell">状态</th></tr></thead>
<tbody class="ant-table-tbody">${rows.length > 0 ? rows.join('') : empty}</tbody>
</table></div></div></div>`;
}

function billView(form: EkuaibaoForm): string {
  const refs = form.attachments;
  const parts: string[] = [];
  const own = refs.filter((r) => r.place === 'form');
  if (own.length > 0) parts.push(section('附件', chips(own), 'ekb-attachments'));
  const fields = [...new Set(refs.filter((r) => r.place === 'field').map((r) => r.field ?? ''))];
  for (const name of fields) {
    parts.push(section(name.replace(/^u_/, ''), chips(refs.filter((r) => r.place === 'field' && r.field === name)), 'ekb-attachments'));
  }
  const lines = form.lines.map((line, i) => {
    const onLine = refs.filter((r) => r.place === 'line' && r.line === i + 1);
    const invoices = refs.filter((r) => r.place === 'invoice' && r.line === i + 1);
    return `<div class="ekb-detail-line" data-detail-id="${escapeHtml(line.detailId)}"><div class="ekb-detail-line__title"><span class="ekb-detail-line__index">${i + 1}</span> ${escapeHtml(line.feeTypeName)} <span class="ekb-detail-line__amount">${yuan(line.amount)}</span></div>${
      onLine.length > 0 ? `<div class="ekb-detail-line__files"><span class="ekb-detail-line__label">附件</span>${chips(onLine)}</div>` : ''
    }${invoices.length > 0 ? `<div class="ekb-detail-line__invoices"><span class="ekb-detail-line__label">发票照片</span>${chips(invoices)}</div>` : ''}</div>`;
  });
  if (lines.length > 0) parts.push(section('费用明细', lines.join(''), 'ekb-details'));
  const logs = form.logs.map((log, i) => {
    const action = typeof log['action'] === 'string' ? log['action'] : '';
    const files = refs.filter((r) => r.place === 'approval' && r.logAction === action);
    // Attachments of an action that occurs twice would show twice; the demo logs have distinct actions.
    return `<li class="ant-timeline-item ekb-log" data-index="${i}"><div class="ant-timeline-item-content"><span class="ekb-log__action">${escapeHtml(LOG_ACTIONS[action] ?? action)}</span>${files.length > 0 ? chips(files) : ''}</div></li>`;
  });
  if (logs.length > 0) parts.push(section('审批流程', `<ul class="ant-timeline">${logs.join('')}</ul>`, 'ekb-logs'));
  return `<div class="ekb-page ekb-bill-detail" data-flow-id="${escapeHtml(form.flowId)}">
<div class="ekb-bill-detail__header"><h2 class="ekb-bill-detail__title">${escapeHtml(form.title)}</h2><span class="ant-tag ant-tag-blue">${escapeHtml(STATES[form.state] ?? form.state)}</span></div>
<div class="ekb-fields">${field('单据编号', form.code)}${field('标题', form.title)}${field('提交人', form.submitterName)}${field('报销金额', yuan(form.amount))}</div>
${parts.join('\n')}
<p class="ekb-back"><a href="#/bills">返回我的单据</a></p></div>`;
}

const HOME_VIEW = `<div class="ekb-page ekb-home"><h2 class="ekb-page__title">首页</h2>
<div class="ant-card"><div class="ant-card-head">待办</div><div class="ant-card-body"><div class="ant-empty-description">暂无待办</div></div></div>
<div class="ant-card"><div class="ant-card-head">快捷入口</div><div class="ant-card-body"><a href="#/bills">我的单据</a></div></div></div>`;

const NOT_FOUND_VIEW = `<div class="ekb-page ekb-not-found"><div class="ant-result"><div class="ant-result-title">单据不存在或已删除</div><a href="#/home">返回首页</a></div></div>`;

function template(route: string, title: string, html: string): string {
  return `<template data-route="${escapeHtml(route)}" data-title="${escapeHtml(title)}">${html}</template>`;
}

function appPage(world: EkuaibaoWorld, url: URL): string {
  const corpId = url.searchParams.get('corpId');
  const forms = world.forms.filter((f) => !f.deleted && (corpId === null || f.corpId === corpId));
  const templates = [
    template('home', '首页', HOME_VIEW),
    template('bills', '我的单据', billsView(forms)),
    ...forms.map((f) => template(`bill/${f.flowId}`, f.title, billView(f))),
    template('not-found', '页面不存在', NOT_FOUND_VIEW),
  ];
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>合思</title>
<style>
  body { margin: 0; font: 14px/1.5 -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; color: #1d2129; }
  .ekb-header { height: 48px; display: flex; gap: 16px; align-items: center; padding: 0 24px; background: #1e6fff; color: #fff; }
  .ant-layout-has-sider { display: flex; }
  .ant-layout-sider { width: 180px; min-height: calc(100vh - 48px); background: #f7f8fa; }
  .ant-menu { list-style: none; margin: 0; padding: 8px 0; }
  .ant-menu-item a { display: block; padding: 8px 24px; color: inherit; text-decoration: none; }
  .ant-menu-item-selected a { color: #1e6fff; background: #e8f0ff; }
  .ant-layout-content { flex: 1; padding: 16px 24px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border-bottom: 1px solid #e5e6eb; padding: 8px; text-align: left; }
  .ekb-field { display: flex; gap: 12px; padding: 4px 0; }
  .ekb-field__label { color: #86909c; min-width: 80px; }
  .ekb-file-chip { display: inline-flex; gap: 4px; margin: 4px 8px 4px 0; padding: 2px 8px; border: 1px solid #e5e6eb; border-radius: 4px; }
  .ant-tag { padding: 0 6px; border-radius: 4px; background: #f2f3f5; }
</style></head>
<body>
<div id="root" class="ant-layout ekb-app">
  <header class="ant-layout-header ekb-header"><span class="ekb-logo">合思</span><span class="ekb-corp">${escapeHtml(world.corpName)}</span></header>
  <div class="ant-layout ant-layout-has-sider">
    <aside class="ant-layout-sider"><ul class="ant-menu ant-menu-root ant-menu-inline" role="menu">
      <li class="ant-menu-item" data-route="home" role="menuitem"><a href="#/home">首页</a></li>
      <li class="ant-menu-item" data-route="bills" role="menuitem"><a href="#/bills">我的单据</a></li>
    </ul></aside>
    <main class="ant-layout-content" id="ekb-view"></main>
  </div>
</div>
${templates.join('\n')}
<script>
  (function () {
    var view = document.getElementById('ekb-view');
    function find(route) {
      var all = document.querySelectorAll('template[data-route]');
      for (var i = 0; i < all.length; i++) if (all[i].getAttribute('data-route') === route) return all[i];
      return null;
    }
    function render() {
      var route = location.hash.replace(/^#\\/?/, '').split('?')[0] || 'home';
      var chosen = find(route) || find('not-found');
      view.replaceChildren(chosen.content.cloneNode(true));
      document.title = chosen.getAttribute('data-title') + ' - 合思';
      var items = document.querySelectorAll('.ant-menu-item');
      for (var i = 0; i < items.length; i++) {
        var route0 = items[i].getAttribute('data-route');
        items[i].classList.toggle('ant-menu-item-selected', route0 === route || (route0 === 'bills' && route.indexOf('bill/') === 0));
      }
    }
    window.addEventListener('hashchange', render);
    render();
  })();
</script>
</body></html>`;
}

export function handleEkuaibaoPage(world: EkuaibaoWorld | undefined, url: URL, reply: Reply): void {
  if (url.pathname === '/web/app.html') {
    sendText(reply, 200, appPage(world ?? { corpName: '', apps: [], tokens: [], forms: [], files: [] }, url), 'text/html; charset=utf-8');
    return;
  }
  sendText(reply, 404, '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>404</title></head><body><h1>404 Not Found</h1></body></html>', 'text/html; charset=utf-8');
}
