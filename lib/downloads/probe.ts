/**
 * Learns a file's type (and, for unnamed files, its name) before saving it, from the first bytes of the link:
 * `chrome.downloads` cannot rename a file afterwards, and an image without an extension is useless to a person.
 */
import { ProblemError } from '../core/problem';
import { fileNameFromContentDisposition, sniffExtension } from './content-type';
import type { ResolvedLink } from './links';

export interface ProbeResult {
  readonly contentType: string | null;
  readonly fileName: string | null;
  readonly sniffedExtension: string | null;
  readonly size: number | null;
}

export type Probe = (link: ResolvedLink) => Promise<ProbeResult>;

const SNIFF_BYTES = 64;

export function createProbe(fetchImpl: typeof fetch = (input, init) => fetch(input, init)): Probe {
  return async (link) => {
    const host = new URL(link.url).hostname;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 20_000);
    try {
      const headers = new Headers({ Range: `bytes=0-${SNIFF_BYTES - 1}` });
      for (const { name, value } of link.headers ?? []) headers.set(name, value);
      let response: Response;
      try {
        // Pre-signed links authorise themselves: no Authorization header, no cookies.
        response = await fetchImpl(link.url, { headers, credentials: 'omit', signal: controller.signal });
      } catch (error) {
        throw new ProblemError({ kind: 'network', host, detail: error instanceof Error ? error.message : String(error) });
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new ProblemError({ kind: response.status === 404 || response.status === 403 || response.status === 410 ? 'link-expired' : 'server', host, status: response.status });
      }
      const first = await readFirstBytes(response, SNIFF_BYTES);
      controller.abort();
      return {
        contentType: response.headers.get('content-type'),
        fileName: fileNameFromContentDisposition(response.headers.get('content-disposition')),
        sniffedExtension: sniffExtension(first),
        size: totalSize(response),
      };
    } finally {
      clearTimeout(timer);
    }
  };
}

async function readFirstBytes(response: Response, count: number): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    while (length < count) {
      const { done, value } = await reader.read();
      if (done || !value) break;
      chunks.push(value);
      length += value.length;
    }
  } catch {
    // A server that ignores Range streams the whole file: we aborted it after the first bytes.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(length, count));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
    if (offset >= bytes.length) break;
  }
  return bytes;
}

function totalSize(response: Response): number | null {
  const range = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '');
  if (range?.[1]) return Number(range[1]);
  if (response.status === 200) {
    const length = Number(response.headers.get('content-length'));
    if (Number.isFinite(length) && length >= 0 && response.headers.get('content-length') !== null) return length;
  }
  return null;
}
