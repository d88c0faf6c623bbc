/**
 * The benchmark's document: a docx with N file attachments (1–4 KB each, deterministic bytes), each followed by
 * filler paragraphs so the blocks spread over several pages of 500. It is added to the demo world, so the sandbox
 * serves everything else as usual.
 */
import { buildBlocks, createDemoWorld, demoMedia, type DemoWorld, type SandboxMedia } from '../../tests/sandbox';
import type { DocNode } from '../../tests/sandbox/world';

/** Paragraphs after each file block: a file costs 2 blocks (view + file), so 10 blocks a file in all. */
const FILLER_PER_FILE = 8;
const MIN_FILE_BYTES = 1024;
const MAX_FILE_BYTES = 4096;

const TYPES = [
  { mimeType: 'application/pdf', extension: '.pdf' },
  { mimeType: 'text/plain', extension: '.txt' },
  { mimeType: 'application/zip', extension: '.zip' },
  { mimeType: 'image/png', extension: '.png' },
  { mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: '.xlsx' },
] as const;

export interface BenchDocument {
  readonly id: string;
  readonly title: string;
  readonly url: string;
  /** Blocks the API lists for it, root included. */
  readonly blockCount: number;
  /** The attachments, in reading order; their names are unique, so each lands under its own name. */
  readonly files: readonly SandboxMedia[];
}

export interface BenchWorld {
  readonly world: DemoWorld;
  readonly document: BenchDocument;
}

/** A 27-character document token, like Feishu's, that names the size. */
export function benchDocumentId(count: number): string {
  return `BenchDocN${String(count).padStart(6, '0')}AbCdEfGhIjKlMn`.slice(0, 27);
}

/** 1024–4096 bytes, spread deterministically (a multiplicative hash of the index). */
function fileSize(index: number): number {
  const span = MAX_FILE_BYTES - MIN_FILE_BYTES + 1;
  return MIN_FILE_BYTES + ((index * 2_654_435_761) % span);
}

function benchFile(count: number, index: number): SandboxMedia {
  const type = TYPES[index % TYPES.length]!;
  const name = `file-${String(index + 1).padStart(4, '0')}${type.extension}`;
  return demoMedia('feishu', `bench-${count}-${index}`, name, type.mimeType, fileSize(index));
}

function content(files: readonly SandboxMedia[]): DocNode[] {
  return files.flatMap((media, i): DocNode[] => [
    { type: 'file', media },
    ...Array.from({ length: FILLER_PER_FILE }, (_, p): DocNode => ({ type: 'text', text: `附件 ${i + 1} 的说明，第 ${p + 1} 段。Notes on attachment ${i + 1}, paragraph ${p + 1}.` })),
  ]);
}

/** The demo world plus one document with `count` file attachments. */
export function createBenchWorld(count: number): BenchWorld {
  const base = createDemoWorld();
  const id = benchDocumentId(count);
  const title = `Bench ${count} attachments`;
  const files = Array.from({ length: count }, (_, i) => benchFile(count, i));
  const blocks = buildBlocks(id, title, content(files));
  const world: DemoWorld = {
    ...base,
    documents: [...base.documents, { id, brand: 'feishu', title, blocks, readers: 'all' }],
    media: [...base.media, ...files],
  };
  return { world, document: { id, title, url: `https://acme.feishu.cn/docx/${id}`, blockCount: blocks.length, files } };
}
