import type { ComponentChildren } from 'preact';

export interface NoticeProps {
  readonly tone?: 'info' | 'warning' | 'error';
  readonly children: ComponentChildren;
  /** Buttons that resolve the situation, e.g. "Open settings". */
  readonly actions?: ComponentChildren;
}

/** A full-width message with its remedies; announced politely (or at once for errors) to assistive technology. */
export function Notice({ tone = 'info', children, actions }: NoticeProps) {
  return (
    <div class={`notice notice--${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <p class="notice__text">{children}</p>
      {actions && <div class="notice__actions">{actions}</div>}
    </div>
  );
}
