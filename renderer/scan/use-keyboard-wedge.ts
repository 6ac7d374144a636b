// Keyboard-mode scanners type into whatever has focus. This hook wires the pure detector
// (renderer/scanner/keyboard-wedge.ts) to the page, following its contract per keydown:
// insert released keys, swallow the keys of a burst, remove the character the burst's first key
// leaked into the focused field, hand the rebuilt text to `onScan`, and flush on a timer when a
// burst goes quiet. A scan that broke off (`incomplete`) has its characters taken back out of the
// field the same way, and `onIncomplete` tells the cashier to scan again. The listener is on window in the capture phase, so it sees every key before
// any field does, whichever field has focus.
import { useEffect, useRef } from 'react';
import { KeyboardWedgeDetector } from '../scanner/keyboard-wedge.ts';
import type { WedgeDecision, WedgeOptions } from '../scanner/keyboard-wedge.ts';
import { insertText, isTextEntry, removeLeakedText, setFieldValue } from './leaked-text.ts';

/**
 * Extra wait before asking the detector to end a quiet burst. On a busy page a timer can run
 * before key events already queued behind it; ending the burst then would cut a scan in two.
 * Giving a fast typist's held keys back 100 ms later is invisible; splitting a scan is not.
 */
const FLUSH_SLACK_MS = 100;

export function useKeyboardWedge(
  onScan: (text: string) => void,
  enabled = true,
  onIncomplete: () => void = () => {},
  framing: Pick<WedgeOptions, 'prefix' | 'suffix'> = { prefix: '', suffix: '' },
): void {
  const onScanRef = useRef(onScan);
  const onIncompleteRef = useRef(onIncomplete);
  useEffect(() => {
    onScanRef.current = onScan;
    onIncompleteRef.current = onIncomplete;
  }, [onScan, onIncomplete]);
  const { prefix, suffix } = framing;

  useEffect(() => {
    if (!enabled) return;
    const detector = new KeyboardWedgeDetector({ prefix, suffix });
    let timer: ReturnType<typeof setTimeout> | undefined;

    const apply = (decision: WedgeDecision) => {
      const target = document.activeElement;
      const field = isTextEntry(target) ? target : null;
      if (decision.release !== '' && field) {
        // Keys held back while a burst looked like a scan were a person typing: give them back.
        setFieldValue(
          field,
          insertText(field.value, field.selectionStart ?? field.value.length, field.selectionEnd ?? field.value.length, decision.release),
        );
      }
      if (decision.scan || decision.incomplete) {
        if (decision.leaked !== '' && field) {
          const edit = removeLeakedText(field.value, field.selectionEnd ?? field.value.length, decision.leaked);
          if (edit) setFieldValue(field, edit);
        }
        if (decision.scan && !decision.scan.overflow) onScanRef.current(decision.scan.text);
        if (decision.incomplete) onIncompleteRef.current();
      }
    };

    const onKeyDown = (e: KeyboardEvent) => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const decision = detector.onKeyDown({
        code: e.code,
        key: e.key,
        shiftKey: e.shiftKey,
        altKey: e.altKey,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        timeStamp: e.timeStamp,
        repeat: e.repeat,
        isComposing: e.isComposing,
      });
      if (decision.swallow) {
        e.preventDefault();
        e.stopPropagation();
      }
      apply(decision);
      if (decision.flushAt !== undefined) {
        const flushAt = decision.flushAt;
        timer = setTimeout(
          () => {
            timer = undefined;
            apply(detector.flush(Math.max(flushAt, performance.now())));
          },
          Math.max(0, flushAt - e.timeStamp) + FLUSH_SLACK_MS,
        );
      }
    };
    // Keys typed while the window had no focus went elsewhere: forget the burst.
    const onBlur = () => detector.reset();

    window.addEventListener('keydown', onKeyDown, { capture: true });
    window.addEventListener('blur', onBlur);
    return () => {
      if (timer !== undefined) clearTimeout(timer);
      window.removeEventListener('keydown', onKeyDown, { capture: true });
      window.removeEventListener('blur', onBlur);
    };
  }, [enabled, prefix, suffix]);
}
