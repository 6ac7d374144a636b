// Undoing the characters a scanner's first keys typed into a field before the burst was
// recognised as a scan (the detector cannot tell a scan from a person on the first key).
// Pure: works on a value and a caret so it is testable without a DOM.

export interface FieldEdit {
  value: string;
  caret: number;
}

/**
 * Removes `leaked` from `value` when it sits right before the caret (where it was typed).
 * Returns null when the field no longer ends with those characters at the caret: then the
 * cashier changed the field since, and it is left alone rather than guessed at.
 */
export function removeLeakedText(value: string, caret: number, leaked: string): FieldEdit | null {
  if (leaked === '') return null;
  const start = caret - leaked.length;
  if (start < 0 || value.slice(start, caret) !== leaked) return null;
  return { value: value.slice(0, start) + value.slice(caret), caret: start };
}

/** Inserts `text` over the selection [start, end) and puts the caret after it. */
export function insertText(value: string, start: number, end: number, text: string): FieldEdit {
  const from = Math.max(0, Math.min(start, value.length));
  const to = Math.max(from, Math.min(end, value.length));
  return { value: value.slice(0, from) + text + value.slice(to), caret: from + text.length };
}

/** Inputs whose text can hold leaked characters (not checkboxes, buttons or selects). */
export function isTextEntry(el: Element | null): el is HTMLInputElement | HTMLTextAreaElement {
  if (!el) return false;
  if (el.tagName === 'TEXTAREA') return true;
  if (el.tagName !== 'INPUT') return false;
  const type = (el as HTMLInputElement).type;
  return ['text', 'search', 'tel', 'url', 'email', 'password', 'number', ''].includes(type);
}

/**
 * Writes a value into a React-controlled input the way typing would: through the native value
 * setter, then an `input` event, so React's onChange sees it and state stays the source of truth.
 */
export function setFieldValue(el: HTMLInputElement | HTMLTextAreaElement, edit: FieldEdit): void {
  const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (setter) setter.call(el, edit.value);
  else el.value = edit.value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  try {
    el.setSelectionRange(edit.caret, edit.caret);
  } catch {
    // type=number and type=email inputs do not support selection ranges.
  }
}
