// The store PIN prompt: a modal dialog the guarded actions open (see renderer/state/store-pin.ts).
// The PIN is read from an uncontrolled field once, on submit, and the field is emptied at once:
// it is never held in React state. Esc or Cancel answers null.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from './field.tsx';
import { readPin, type PinAsk } from '../state/store-pin.ts';

/** A dialog element to render, and `ask` to open it: resolves with the typed PIN or null. */
export function usePinPrompt(): { dialog: ReactNode; ask: (why: PinAsk) => Promise<string | null> } {
  const [pending, setPending] = useState<{ why: PinAsk; resolve: (pin: string | null) => void } | null>(null);
  const ask = useCallback((why: PinAsk) => new Promise<string | null>((resolve) => setPending({ why, resolve })), []);
  const dialog = pending ? (
    <PinDialog
      why={pending.why}
      onDone={(pin) => {
        setPending(null);
        pending.resolve(pin);
      }}
    />
  ) : null;
  return { dialog, ask };
}

function PinDialog({ why, onDone }: { why: PinAsk; onDone: (pin: string | null) => void }) {
  const { t } = useTranslation();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const [invalid, setInvalid] = useState(false);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
    inputRef.current?.focus();
    return () => dialog?.close();
  }, []);

  function submit(e: FormEvent) {
    e.preventDefault();
    const input = inputRef.current;
    if (!input) return;
    const pin = readPin(input.value);
    input.value = '';
    if (pin === null) {
      setInvalid(true);
      input.focus();
      return;
    }
    onDone(pin);
  }

  const message = invalid ? t('pin.invalid') : why === 'wrong' ? t('pin.wrong') : why === 'locked' ? t('pin.locked') : null;
  return (
    <dialog
      ref={dialogRef}
      className="card pin-dialog"
      aria-labelledby="pin-title"
      onCancel={(e) => {
        e.preventDefault();
        onDone(null);
      }}
      data-testid="pin-dialog"
      data-why={why}
    >
      <form onSubmit={submit} noValidate autoComplete="off">
        <h2 id="pin-title" className="card-title">
          {t('pin.title')}
        </h2>
        <p className="muted small">{t('pin.help')}</p>
        <Field label={t('pin.label')} error={message}>
          <input
            ref={inputRef}
            type="password"
            inputMode="numeric"
            autoComplete="off"
            className="input ltr-field"
            dir="ltr"
            maxLength={24}
            data-testid="pin-input"
          />
        </Field>
        <div className="actions">
          <button type="submit" className="btn btn-primary" data-testid="pin-confirm">
            {t('pin.confirm')}
          </button>
          <button type="button" className="btn" onClick={() => onDone(null)} data-testid="pin-cancel">
            {t('pin.cancel')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
