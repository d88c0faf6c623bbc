import type { ComponentChildren } from 'preact';

export interface AttachmentListProps {
  readonly label: string;
  readonly children: ComponentChildren;
}

export function AttachmentList({ label, children }: AttachmentListProps) {
  return (
    <ul class="list" aria-label={label}>
      {children}
    </ul>
  );
}
