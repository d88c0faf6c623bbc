/**
 * The user's side of the fake authorize page, for Node-side tests (Chromium tests click the real buttons): load the
 * page, read its consent form, press "Authorize" or "Deny" as a browser would (post the form, do not follow the
 * redirect).
 */
export interface ConsentPage {
  readonly status: number;
  readonly location: string | null;
  readonly html: string;
}

export interface ConsentForm {
  readonly method: string;
  readonly action: string;
  readonly fields: Record<string, string>;
  readonly buttons: readonly { name: string; value: string; label: string }[];
}

export async function openAuthorizePage(send: typeof fetch, url: string): Promise<ConsentPage> {
  const response = await send(url, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}

export function consentForm(html: string): ConsentForm {
  const form = /<form method="(\w+)" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`no form in ${html}`);
  const fields = Object.fromEntries([...form[3]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
  const buttons = [...form[3]!.matchAll(/<button type="submit" name="([^"]+)" value="([^"]+)">([^<]*)<\/button>/g)].map((m) => ({ name: m[1]!, value: m[2]!, label: m[3]! }));
  return { method: form[1]!, action: form[2]!, fields, buttons };
}

/** Presses a button of the consent page shown on `host`. */
export async function answerConsent(send: typeof fetch, html: string, label: 'Authorize' | 'Deny', host = 'accounts.feishu.cn'): Promise<ConsentPage> {
  const form = consentForm(html);
  const button = form.buttons.find((b) => b.label === label);
  if (!button) throw new Error(`no ${label} button`);
  const body = new URLSearchParams({ ...form.fields, [button.name]: button.value }).toString();
  const response = await send(`https://${host}${form.action}`, {
    method: form.method.toUpperCase(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
    redirect: 'manual',
  });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}

/** The whole user side: opens `authorizeUrl`, presses `label`, and answers the URL the page redirected to. */
export async function consentAs(send: typeof fetch, authorizeUrl: string, label: 'Authorize' | 'Deny' = 'Authorize'): Promise<string> {
  const page = await openAuthorizePage(send, authorizeUrl);
  if (page.status !== 200) throw new Error(`authorize page answered ${page.status}: ${page.html.slice(0, 300)}`);
  const redirect = await answerConsent(send, page.html, label, new URL(authorizeUrl).hostname);
  if (redirect.status !== 302 || !redirect.location) throw new Error(`consent answered ${redirect.status}`);
  return redirect.location;
}
