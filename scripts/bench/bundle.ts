/**
 * Built sizes, raw and gzip (zlib level 9), of what loads in a page: each content script, and the popup's JS
 * (the scripts popup.html loads and every chunk they import statically, followed transitively).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface BundleSize {
  readonly name: string;
  readonly files: readonly string[];
  readonly rawBytes: number;
  readonly gzipBytes: number;
  readonly targetGzipBytes: number;
}

const KB = 1024;
export const CONTENT_SCRIPT_TARGET_GZIP = 15 * KB;
export const POPUP_TARGET_GZIP = 40 * KB;

function gzipSize(data: Buffer): number {
  return gzipSync(data, { level: 9 }).length;
}

/** Scripts and module preloads of an HTML page, as paths relative to the extension's root. */
export function scriptsOfHtml(html: string): string[] {
  const found: string[] = [];
  const pattern = /<(?:script\b[^>]*\bsrc|link\b[^>]*\brel="modulepreload"[^>]*\bhref)="\/?([^"]+\.js)"/g;
  for (const match of html.matchAll(pattern)) if (match[1]) found.push(match[1]);
  // A <link> may name href before rel; catch that order too.
  for (const match of html.matchAll(/<link\b[^>]*\bhref="\/?([^"]+\.js)"[^>]*\brel="modulepreload"/g)) if (match[1]) found.push(match[1]);
  return [...new Set(found)];
}

/** Relative static imports (`import … from "./x.js"`, `import "./x.js"`, `export … from`) of a built chunk. */
export function staticImportsOf(code: string): string[] {
  const specifiers = [...code.matchAll(/(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+\.js)["']/g)].map((m) => m[1]!);
  return [...new Set(specifiers)];
}

/** `entries` and every chunk they import, transitively (paths relative to `root`). */
export function moduleClosure(root: string, entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(path.join(root, file), 'utf8');
    for (const specifier of staticImportsOf(code)) visit(path.posix.join(path.posix.dirname(file), specifier));
  };
  entries.forEach(visit);
  return [...seen];
}

function measure(root: string, name: string, files: readonly string[], targetGzipBytes: number): BundleSize {
  const contents = files.map((f) => readFileSync(path.join(root, f)));
  return {
    name,
    files,
    rawBytes: contents.reduce((n, c) => n + c.length, 0),
    // Each file is fetched (and would be compressed) on its own, so the sizes are summed per file.
    gzipBytes: contents.reduce((n, c) => n + gzipSize(c), 0),
    targetGzipBytes,
  };
}

export function measureBundles(extensionDir: string): BundleSize[] {
  const popupFiles = moduleClosure(extensionDir, scriptsOfHtml(readFileSync(path.join(extensionDir, 'popup.html'), 'utf8')));
  return [
    measure(extensionDir, 'content-scripts/feishu.js', ['content-scripts/feishu.js'], CONTENT_SCRIPT_TARGET_GZIP),
    measure(extensionDir, 'content-scripts/ekuaibao.js', ['content-scripts/ekuaibao.js'], CONTENT_SCRIPT_TARGET_GZIP),
    measure(extensionDir, 'popup (all JS)', popupFiles, POPUP_TARGET_GZIP),
  ];
}

/** A hash of every file of the build: tells whether something rebuilt `.output` while the benchmark ran. */
export function buildFingerprint(extensionDir: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(path.relative(extensionDir, full)).update(readFileSync(full));
    }
  };
  walk(extensionDir);
  return hash.digest('hex').slice(0, 16);
}
