/** Words for where an attachment sits in an Ekuaibao form, in the browser's language. */
import { i18n } from '#i18n';
import type { FormOrigin } from '../core/attachment';

export function describeOrigin(origin: FormOrigin): string {
  const { form, line, label } = origin;
  const number = String(line ?? '?');
  switch (origin.part) {
    case 'form':
      return i18n.t('where.form', { form });
    case 'field':
      return label ? i18n.t('where.field', { form, label }) : i18n.t('where.form', { form });
    case 'line':
      return label ? i18n.t('where.lineNamed', { form, line: number, label }) : i18n.t('where.line', { form, line: number });
    case 'invoice':
      return i18n.t('where.invoice', { form, line: number });
    case 'approval':
      return label ? i18n.t('where.approvalNamed', { form, label: approvalAction(label) }) : i18n.t('where.approval', { form });
  }
}

function approvalAction(action: string): string {
  switch (action) {
    case 'submit':
      return i18n.t('approvalAction.submit');
    case 'agree':
      return i18n.t('approvalAction.agree');
    case 'reject':
      return i18n.t('approvalAction.reject');
    case 'comment':
      return i18n.t('approvalAction.comment');
    case 'pay':
      return i18n.t('approvalAction.pay');
    default:
      return action;
  }
}
