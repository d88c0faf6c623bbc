export type RowTone = 'idle' | 'busy' | 'done' | 'failed';

export interface AttachmentRowProps {
  readonly name: string;
  /** Shown under the name when the saved name differs ("saved as report (2).pdf"). */
  readonly savedAs?: string;
  readonly kindLabel: string;
  readonly sizeText?: string;
  readonly stateLabel: string;
  readonly tone: RowTone;
  /** 0..1; rendered as a progress bar while a download runs. */
  readonly progress?: number;
  readonly reason?: string;
  /** Where in the page it sits ("明细 · C1800"). */
  readonly where?: string;
}

/** One attachment: name, kind, size, state, and why it failed. */
export function AttachmentRow(props: AttachmentRowProps) {
  const percent = props.progress === undefined ? undefined : Math.round(props.progress * 100);
  return (
    <li class={`row row--${props.tone}`}>
      <div class="row__main">
        <span class="row__kind">{props.kindLabel}</span>
        <span class="row__name" title={props.name}>
          {props.name}
        </span>
        {props.sizeText && <span class="row__size">{props.sizeText}</span>}
        <span class="row__state">{props.stateLabel}</span>
      </div>
      {props.where && <div class="row__where">{props.where}</div>}
      {props.savedAs && (
        <div class="row__saved-as" title={props.savedAs}>
          → {props.savedAs}
        </div>
      )}
      {percent !== undefined && (
        <div class="row__progress" role="progressbar" aria-label={props.name} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
          <div class="row__bar" style={{ width: `${percent}%` }} />
        </div>
      )}
      {props.reason && <div class="row__reason">{props.reason}</div>}
    </li>
  );
}
