// A labelled form field: the label is tied to the control by id, so it is its accessible name.
import { useId, type ReactElement, type ReactNode } from 'react';
import { cloneElement } from 'react';

type FieldProps = {
  label: ReactNode;
  children: ReactElement<{ id?: string }>;
  hint?: ReactNode;
};

export function Field({ label, children, hint }: FieldProps) {
  const generated = useId();
  const id = children.props.id ?? generated;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-xs font-medium text-neutral-700">
        {label}
      </label>
      {cloneElement(children, { id })}
      {hint ? <p className="text-xs text-neutral-500">{hint}</p> : null}
    </div>
  );
}
