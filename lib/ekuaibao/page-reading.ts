/**
 * What an Ekuaibao page reveals about the forms it shows: flow ids and form codes in its URL and its markup.
 * Runs in the content script (so it is small and free of zod; the background validates what arrives) and in the
 * background (URL recognition). The web app's routes and markup are not public, so every rule here is a defensive
 * guess with a fallback: the popup also takes a form code typed by hand.
 */

/** Form codes as the docs show them: a type letter (B 报销单, J 借款单, S 申请单…), 2-digit year, 6-digit sequence. */
const BARE_CODE = /^[A-Z]{1,2}\d{8}$/;
/** Next to a label ("单据编号 B24000123") tenants' own prefixes and lengths are accepted too. */
const LABELLED_CODE = /([A-Z]{1,4}\d{6,14})(?![A-Za-z0-9])/;
const CODE_LABEL = /^(?:单据编号|单据号|单号|编号|Form\s*(?:No\.?|number|code))\s*[:：]?\s*/i;
/** Flow ids in attributes may be any id shape; in a URL path only the recognisable `ID01…` / `ID_…` ones. */
const FLOW_ID = /^[A-Za-z0-9_-]{8,64}$/;
const FLOW_ID_SEGMENT = /^ID(?:01|_)[A-Za-z0-9_-]{6,60}$/;
/** Route words after which a path segment is a flow id: `#/bill/<id>`, `#/flow/<id>`, `#/approve/<id>`. */
const ROUTE_WORDS = new Set(['bill', 'flow', 'form', 'detail', 'billdetail', 'flowdetail', 'approve', 'backlogdetail', 'approvedetail']);
const FLOW_PARAMS = ['flowId', 'flowid', 'billId', 'billid'];
const CODE_PARAMS = ['code', 'billCode', 'formCode', 'billNo'];
/** Query parameters that carry the web app's session (never ours to read, store or pass on). */
const SECRET_PARAM = /token|ticket|secret|session|signature|password|authcode/i;

const MAX_FORMS = 50;
const MAX_TEXT_NODES = 20_000;

export interface FormSighting {
  codes: string[];
  flowIds: string[];
}

/** `href` without the web app's session parameters (`accessToken`, `provisionalToken`, `ticket`…), in query or hash. */
export function redactUrl(href: string): string {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return '';
  }
  for (const name of [...url.searchParams.keys()]) if (SECRET_PARAM.test(name)) url.searchParams.delete(name);
  const hash = url.hash;
  const q = hash.indexOf('?');
  if (q >= 0) {
    const params = new URLSearchParams(hash.slice(q + 1));
    for (const name of [...params.keys()]) if (SECRET_PARAM.test(name)) params.delete(name);
    const rest = params.toString();
    url.hash = `${hash.slice(0, q)}${rest ? `?${rest}` : ''}`;
  }
  return url.href;
}

/** Flow ids and codes named by a page URL: in its query, its hash's query, or its hash route (`#/bill/<id>`). */
export function formsInUrl(href: string): FormSighting {
  const found: FormSighting = { codes: [], flowIds: [] };
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return found;
  }
  const hash = url.hash.replace(/^#/, '');
  const q = hash.indexOf('?');
  const route = q >= 0 ? hash.slice(0, q) : hash;
  for (const params of [url.searchParams, new URLSearchParams(q >= 0 ? hash.slice(q + 1) : '')]) {
    for (const name of FLOW_PARAMS) addFlowId(found, params.get(name));
    for (const name of CODE_PARAMS) addCode(found, params.get(name), LABELLED_CODE);
  }
  const segments = [...url.pathname.split('/'), ...route.split('/')].filter(Boolean).map(safeDecode);
  segments.forEach((segment, i) => {
    if (FLOW_ID_SEGMENT.test(segment) || (i > 0 && ROUTE_WORDS.has((segments[i - 1] ?? '').toLowerCase()) && /\d/.test(segment))) addFlowId(found, segment);
  });
  return found;
}

/** Forms shown in the page: `data-flow-id`-like attributes, codes next to a 单据编号 label, and bare code cells. */
export function readFormSightings(root: ParentNode = document): FormSighting {
  const found: FormSighting = { codes: [], flowIds: [] };
  for (const element of root.querySelectorAll('[data-flow-id], [data-flowid], [data-bill-id]')) {
    addFlowId(found, element.getAttribute('data-flow-id') ?? element.getAttribute('data-flowid') ?? element.getAttribute('data-bill-id'));
  }
  for (const element of root.querySelectorAll('[data-bill-code], [data-form-code]')) {
    addCode(found, element.getAttribute('data-bill-code') ?? element.getAttribute('data-form-code'), LABELLED_CODE);
  }

  const doc = (root as Node).ownerDocument ?? (root as Document);
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let pendingLabel = false;
  for (let n = 0, node = walker.nextNode(); node && n < MAX_TEXT_NODES; n++, node = walker.nextNode()) {
    const text = (node.nodeValue ?? '').trim();
    if (!text || text.length > 80) continue;
    const label = CODE_LABEL.exec(text);
    if (label) {
      const rest = text.slice(label[0].length);
      // "单据编号：B24000123" in one text, or the label now and the code in the next text.
      if (rest) addCode(found, rest, LABELLED_CODE);
      pendingLabel = !rest;
      continue;
    }
    if (pendingLabel) addCode(found, text, LABELLED_CODE);
    else if (BARE_CODE.test(text)) addCode(found, text, BARE_CODE);
    pendingLabel = false;
  }
  return found;
}

function addCode(found: FormSighting, value: string | null | undefined, pattern: RegExp): void {
  const match = value ? pattern.exec(value.trim().toUpperCase()) : null;
  const code = match?.[1] ?? match?.[0];
  if (code && !found.codes.includes(code) && found.codes.length + found.flowIds.length < MAX_FORMS) found.codes.push(code);
}

function addFlowId(found: FormSighting, value: string | null | undefined): void {
  const id = value?.trim();
  if (id && FLOW_ID.test(id) && !found.flowIds.includes(id) && found.codes.length + found.flowIds.length < MAX_FORMS) found.flowIds.push(id);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
