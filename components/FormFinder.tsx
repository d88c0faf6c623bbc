import { useState } from 'preact/hooks';

export interface FormFinderProps {
  readonly label: string;
  readonly buttonLabel: string;
  readonly busyLabel: string;
  readonly help: string;
  readonly placeholder: string;
  readonly busy: boolean;
  /** Why the last code was not added, in words. */
  readonly error?: string;
  readonly onFind: (code: string) => void;
}

/** "Form code [B24000123] [Find]": adds an Ekuaibao form by its code when the page did not reveal it. */
export function FormFinder(props: FormFinderProps) {
  const [code, setCode] = useState('');
  const submit = (event: Event) => {
    event.preventDefault();
    if (code.trim()) props.onFind(code);
  };
  return (
    <form class="finder" onSubmit={submit} noValidate>
      <label for="form-code">{props.label}</label>
      <div class="finder__row">
        <input
          id="form-code"
          type="text"
          value={code}
          placeholder={props.placeholder}
          autoComplete="off"
          spellcheck={false}
          aria-describedby="form-code-help"
          aria-invalid={props.error !== undefined}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
        <button type="submit" disabled={props.busy || !code.trim()}>
          {props.busy ? props.busyLabel : props.buttonLabel}
        </button>
      </div>
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : (
        <p class="help" id="form-code-help">
          {props.help}
        </p>
      )}
    </form>
  );
}
