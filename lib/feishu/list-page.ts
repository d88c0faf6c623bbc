/** One entry point per Feishu page kind: what the popup lists for a docx, wiki node, sheet, base, file or mailbox. */
import type { AttachmentListing, Listing } from '../core/attachment';
import type { FeishuPage } from '../core/page';
import { ProblemError } from '../core/problem';
import { listBase } from './bitable';
import type { FeishuClient } from './client';
import { listDocxAttachments } from './docx';
import { driveFileAttachment, probeDriveFile } from './drive-file';
import { BRAND_FOLDERS, type FeishuBrand } from './hosts';
import { listMailbox } from './mail';
import { listSpreadsheet } from './sheets';
import { resolveWikiNode } from './wiki';

export interface ListOptions {
  readonly recordFolders: boolean;
  readonly whiteboards: boolean;
  /** Mail reads the user's own mailbox (`me`), which a tenant token cannot. */
  readonly tenantToken: boolean;
}

export async function listFeishuPage(client: FeishuClient, page: FeishuPage, options: ListOptions): Promise<Listing> {
  switch (page.kind) {
    case 'docx':
      return listDocxAttachments(client, page, options);
    case 'sheets':
      return listSheetsPage(client, page.brand, page.token, page.sheetId);
    case 'base':
      return listBasePage(client, page.brand, page.token, page.tableId, options.recordFolders);
    case 'file':
      return listDriveFilePage(client, page.brand, page.token);
    case 'mail':
      if (options.tenantToken) throw new ProblemError({ kind: 'needs-user-token' });
      return listMailbox(client, { brand: page.brand });
    case 'wiki': {
      const node = await resolveWikiNode(client, page.token);
      switch (node.objType) {
        case 'docx':
          return listDocxAttachments(client, { token: node.objToken, brand: page.brand }, options);
        case 'sheet':
          return listSheetsPage(client, page.brand, node.objToken, page.sheetId, node.title);
        case 'bitable':
          return listBasePage(client, page.brand, node.objToken, page.tableId, options.recordFolders, node.title);
        case 'file':
          return listDriveFilePage(client, page.brand, node.objToken, node.title);
        default:
          throw new ProblemError({ kind: 'not-listable', detail: node.objType });
      }
    }
  }
}

async function listSheetsPage(client: FeishuClient, brand: FeishuBrand, token: string, sheetId?: string, title?: string): Promise<AttachmentListing> {
  const scan = await listSpreadsheet(client, token, sheetId ? { firstSheetId: sheetId } : {});
  const name = scan.title || title || `Untitled spreadsheet ${token}`;
  return { type: 'attachments', title: name, folder: [BRAND_FOLDERS[brand], name], attachments: scan.attachments, partial: scan.partial, hints: [] };
}

async function listBasePage(
  client: FeishuClient,
  brand: FeishuBrand,
  appToken: string,
  tableId: string | undefined,
  recordFolders: boolean,
  title?: string,
): Promise<AttachmentListing> {
  const scan = await listBase(client, appToken, { tableId, recordFolders });
  const name = scan.title || title || `Untitled base ${appToken}`;
  return {
    type: 'attachments',
    title: name,
    folder: [BRAND_FOLDERS[brand], name],
    attachments: scan.attachments,
    partial: scan.partial,
    // Advanced permissions: a token without manage rights gets records searches that succeed empty (documented).
    hints: scan.advanced && scan.records === 0 ? ['advanced-base-empty'] : [],
  };
}

async function listDriveFilePage(client: FeishuClient, brand: FeishuBrand, token: string, title?: string): Promise<AttachmentListing> {
  const info = await probeDriveFile(client, token);
  const attachment = driveFileAttachment(client.apiBase, token, info, title);
  return { type: 'attachments', title: attachment.name, folder: [BRAND_FOLDERS[brand], 'Drive'], attachments: [attachment], partial: [], hints: [] };
}
