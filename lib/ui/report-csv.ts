/**
 * A job's report as CSV (name, folder, size, source, state, reason): RFC 4180 quoting, CRLF lines, a UTF-8 BOM so
 * Excel reads Chinese names right, and cells that a spreadsheet would run as a formula defused with a leading `'`.
 */
import type { Job, JobItem } from '../downloads/job';
import { FILE_NAME_LIMITS, sanitizeSegment } from '../downloads/naming';

export interface ReportWords {
  readonly header: readonly [name: string, folder: string, size: string, source: string, state: string, reason: string];
  state(item: JobItem): string;
  /** Where the item came from, in words ("B24000123 · Expense line 2"), or its source type. */
  source(item: JobItem): string;
  reason(item: JobItem): string;
}

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function jobReportCsv(job: Job, words: ReportWords): string {
  const rows = [
    words.header,
    ...job.items.map((item) => [
      item.fileName,
      item.folder.join('/'),
      item.attachment.size === undefined ? '' : String(item.attachment.size),
      words.source(item),
      words.state(item),
      words.reason(item),
    ]),
  ];
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** A file name for the report: the job's title, made safe as every saved name is, with the date. */
export function reportFileName(job: Job): string {
  const date = new Date(job.createdAt).toISOString().slice(0, 10);
  return sanitizeSegment(`${job.title.slice(0, 60)} ${date}.csv`, FILE_NAME_LIMITS, `report ${date}.csv`);
}
