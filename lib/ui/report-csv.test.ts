import { describe, expect, it } from 'vitest';
import type { Attachment } from '../core/attachment';
import type { Job, JobItem } from '../downloads/job';
import { csvCell, jobReportCsv, reportFileName, type ReportWords } from './report-csv';

const attachment = (id: string, name: string, size?: number): Attachment => ({
  id,
  name,
  nameIsGenerated: false,
  kind: 'file',
  source: { type: 'feishu-media', apiBase: 'https://open.feishu.cn', token: `boxcn${id}` },
  subfolders: [],
  ...(size === undefined ? {} : { size }),
  where: id === 'b' ? '明细 · C18' : undefined,
});

const item = (id: string, fileName: string, state: JobItem['state'], extra: Partial<JobItem> = {}): JobItem => ({
  id,
  attachment: attachment(id, fileName, id === 'a' ? 1234 : undefined),
  folder: ['Feishu', '项目周报 2026-W47'],
  fileName,
  nameFinal: true,
  state,
  attempts: 1,
  ...extra,
});

const JOB: Job = {
  id: 'job-1',
  pageKey: 'feishu:acme.feishu.cn:docx:x',
  title: '项目周报: 2026/W47',
  createdAt: Date.UTC(2026, 11, 3, 8),
  finishedAt: Date.UTC(2026, 11, 3, 9),
  items: [
    item('a', '季度报告.pdf', 'done'),
    item('b', 'a, "quoted"\nname.txt', 'failed', { problem: { kind: 'no-link' } }),
    item('c', '=HYPERLINK("x").xlsx', 'failed', { problem: { kind: 'cancelled' } }),
  ],
};

const WORDS: ReportWords = {
  header: ['Name', 'Folder', 'Size', 'Source', 'State', 'Reason'],
  state: (i) => (i.state === 'done' ? 'Done' : 'Failed'),
  source: (i) => i.attachment.where ?? i.attachment.source.type,
  reason: (i) => (i.problem ? `reason: ${i.problem.kind}` : ''),
};

describe('jobReportCsv', () => {
  it('writes one row per item, quoted where needed, with a BOM and CRLF lines', () => {
    expect(jobReportCsv(JOB, WORDS)).toBe(
      '\uFEFFName,Folder,Size,Source,State,Reason\r\n' +
        '季度报告.pdf,Feishu/项目周报 2026-W47,1234,feishu-media,Done,\r\n' +
        '"a, ""quoted""\nname.txt",Feishu/项目周报 2026-W47,,明细 · C18,Failed,reason: no-link\r\n' +
        `"'=HYPERLINK(""x"").xlsx",Feishu/项目周报 2026-W47,,feishu-media,Failed,reason: cancelled\r\n`,
    );
  });
});

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['+SUM(A1)', "'+SUM(A1)"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
    ['tab\there', 'tab\there'],
    ['semi;colon', 'semi;colon'],
  ])('%j → %j', (input, output) => {
    expect(csvCell(input)).toBe(output);
  });
});

describe('reportFileName', () => {
  it('names the report after the job, safely, with its date', () => {
    expect(reportFileName(JOB)).toBe('项目周报_ 2026_W47 2026-12-03.csv');
    expect(reportFileName({ ...JOB, title: '///' })).toBe('___ 2026-12-03.csv');
    expect(reportFileName({ ...JOB, title: '../..\u0007' })).toBe('_.. 2026-12-03.csv');
  });
});
