export interface MessageRowProps {
  readonly subject: string;
  readonly from: string;
  readonly dateText: string;
  readonly countText: string;
  /** The message open in the page. */
  readonly current: boolean;
  readonly currentLabel: string;
  readonly onSelect: () => void;
}

/** One mail message in the mailbox list: choosing it shows its attachments. */
export function MessageRow(props: MessageRowProps) {
  return (
    <li class={`message${props.current ? ' message--current' : ''}`}>
      <button type="button" class="message__button" onClick={props.onSelect}>
        <span class="message__subject">{props.subject}</span>
        <span class="message__meta">
          {props.from} · {props.dateText} · {props.countText}
          {props.current && ` · ${props.currentLabel}`}
        </span>
      </button>
    </li>
  );
}
