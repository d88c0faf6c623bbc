import type { ComponentChildren } from 'preact';

export interface FieldProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onInput: (value: string) => void;
  readonly type?: 'text' | 'url' | 'password';
  readonly placeholder?: string;
  readonly list?: string;
  readonly error?: string;
  readonly help?: ComponentChildren;
  readonly autoComplete?: string;
  /** Shown to be copied, not typed (the redirect URL to register). */
  readonly readOnly?: boolean;
}

/** A labelled text input with its help and error text, wired for assistive technology. */
export function Field(props: FieldProps) {
  const helpId = `${props.id}-help`;
  const common = {
    id: props.id,
    value: props.value,
    placeholder: props.placeholder,
    autoComplete: props.autoComplete ?? 'off',
    spellcheck: false,
    readOnly: props.readOnly,
    'aria-invalid': props.error !== undefined,
    'aria-describedby': props.help ? helpId : undefined,
    onInput: (e: Event) => props.onInput((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.list ? (
        // An input with suggestions is a combobox to assistive technology.
        <input {...common} type="url" list={props.list} role="combobox" />
      ) : props.type === 'password' ? (
        <input {...common} type="password" />
      ) : props.type === 'url' ? (
        <input {...common} type="url" />
      ) : (
        <input {...common} type="text" />
      )}
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
      {props.help && (
        <p class="help" id={helpId}>
          {props.help}
        </p>
      )}
    </div>
  );
}

export interface CheckboxProps {
  readonly id: string;
  readonly label: string;
  readonly checked: boolean;
  readonly onChange: (checked: boolean) => void;
}

export function Checkbox({ id, label, checked, onChange }: CheckboxProps) {
  return (
    <div class="check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} />
      <label for={id}>{label}</label>
    </div>
  );
}

export interface RadioGroupProps<T extends string> {
  readonly name: string;
  readonly label: string;
  readonly options: readonly { readonly value: T; readonly label: string }[];
  readonly value: T;
  readonly onChange: (value: T) => void;
}

/** A labelled group of radio buttons (one choice of a few), announced as a radiogroup. */
export function RadioGroup<T extends string>(props: RadioGroupProps<T>) {
  return (
    <div class="radios" role="radiogroup" aria-label={props.label}>
      <span class="radios__label">{props.label}</span>
      {props.options.map((option) => (
        <label key={option.value}>
          <input type="radio" name={props.name} value={option.value} checked={props.value === option.value} onChange={() => props.onChange(option.value)} />
          {option.label}
        </label>
      ))}
    </div>
  );
}
