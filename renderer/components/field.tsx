// A labelled form field with its hint, error and success lines wired to aria-describedby.
import { useId } from 'react';
import type { ReactElement, ReactNode } from 'react';
import { cloneElement } from 'react';
import { useTranslation } from 'react-i18next';

interface FieldProps {
  label: string;
  optional?: boolean;
  hint?: ReactNode;
  error?: ReactNode;
  ok?: ReactNode;
  className?: string;
  /** The control; receives id, aria-describedby and aria-invalid. */
  children: ReactElement<Record<string, unknown>>;
  /** Extra content beside the control (a currency code, a prefix). */
  start?: ReactNode;
  end?: ReactNode;
  testId?: string;
}

export function Field({ label, optional, hint, error, ok, className, children, start, end, testId }: FieldProps) {
  const { t } = useTranslation();
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : '', ok ? `${id}-ok` : ''].filter(Boolean).join(' ') || undefined;
  const control = cloneElement(children, { id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined });
  return (
    <div className={`field${error ? ' field-error' : ''}${className ? ` ${className}` : ''}`} data-testid={testId}>
      <label htmlFor={id} className="field-label">
        {label}
        {optional && <span className="field-optional">{t('checkout.optional')}</span>}
      </label>
      {start || end ? (
        <div className="input-group">
          {start && <span className="input-addon">{start}</span>}
          {control}
          {end && <span className="input-addon">{end}</span>}
        </div>
      ) : (
        control
      )}
      {hint && !error && (
        <p id={`${id}-hint`} className="field-msg msg-hint">
          {hint}
        </p>
      )}
      {error ? (
        <p id={`${id}-error`} className="field-msg msg-error" role="alert">
          {error}
        </p>
      ) : ok ? (
        <p id={`${id}-ok`} className="field-msg msg-ok">
          {ok}
        </p>
      ) : null}
    </div>
  );
}
