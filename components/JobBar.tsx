import type { ComponentChildren } from 'preact';

export interface JobBarProps {
  /** 0..1 while the job runs; no bar otherwise. */
  readonly progress?: number;
  readonly progressLabel: string;
  readonly progressText?: string;
  readonly children: ComponentChildren;
}

/** The job's overall progress and its controls (pause, resume, cancel, retry failed, export). */
export function JobBar({ progress, progressLabel, progressText, children }: JobBarProps) {
  const percent = progress === undefined ? undefined : Math.round(progress * 100);
  return (
    <div class="jobbar">
      {percent !== undefined && (
        <div class="jobbar__progress" role="progressbar" aria-label={progressLabel} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-valuetext={progressText}>
          <div class="jobbar__fill" style={{ width: `${percent}%` }} />
        </div>
      )}
      <div class="jobbar__buttons">{children}</div>
    </div>
  );
}
