import { FlowIdSchema, FormCodeSchema, MAX_FORMS_PER_PAGE, type FormRef, type PageRecognition } from '../core/page';
import { isEkuaibaoWebHost } from './hosts';
import { formsInUrl, type FormSighting } from './page-reading';

/** A private deployment's web host (`ekb.example.com` or `*.example.com`). */
export interface EkuaibaoWebHost {
  readonly host: string;
}

export function matchesHost(hostname: string, pattern: string): boolean {
  const host = hostname.toLowerCase();
  return pattern.startsWith('*.') ? host === pattern.slice(2) || host.endsWith(pattern.slice(1)) : host === pattern;
}

/**
 * An Ekuaibao page, from its URL: any page of the web app is supported (the forms it shows are added from its
 * markup and from codes typed in the popup); the URL contributes the flow ids or codes it names.
 */
export function recogniseEkuaibaoUrl(rawUrl: string, customHosts: readonly EkuaibaoWebHost[] = []): PageRecognition {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { status: 'other' };
  }
  if (url.protocol !== 'https:') return { status: 'other' };
  const host = url.hostname.toLowerCase();
  if (!isEkuaibaoWebHost(host) && !customHosts.some((c) => matchesHost(host, c.host))) return { status: 'other' };
  return { status: 'supported', page: { platform: 'ekuaibao', kind: 'forms', host, forms: formRefs(formsInUrl(url.href)) } };
}

/** Well-formed, de-duplicated form references, at most MAX_FORMS_PER_PAGE; anything else is dropped. */
export function formRefs(...sightings: readonly (FormSighting | undefined)[]): FormRef[] {
  const refs: FormRef[] = [];
  const seen = new Set<string>();
  for (const sighting of sightings) {
    for (const raw of sighting?.flowIds ?? []) {
      const id = FlowIdSchema.safeParse(raw);
      if (id.success && !seen.has(`f:${id.data}`)) {
        seen.add(`f:${id.data}`);
        refs.push({ flowId: id.data });
      }
    }
    for (const raw of sighting?.codes ?? []) {
      const code = FormCodeSchema.safeParse(raw);
      if (code.success && !seen.has(`c:${code.data}`)) {
        seen.add(`c:${code.data}`);
        refs.push({ code: code.data });
      }
    }
  }
  return refs.slice(0, MAX_FORMS_PER_PAGE);
}
