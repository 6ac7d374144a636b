// An async function used as a DOM event handler (onClick, onSubmit, onChange). React ignores what a
// handler returns, so a promise it returns is never awaited: a rejection would be an unhandled
// rejection with nothing on screen. The screens' handlers catch and show their own errors; what
// still escapes (a bug) is reported here, once, instead of vanishing.
export type ReportError = (err: unknown) => void;

const reportToConsole: ReportError = (err) => console.error('A screen action failed unexpectedly:', err);

export function onEvent<A extends unknown[]>(
  run: (...args: A) => Promise<unknown>,
  report: ReportError = reportToConsole,
): (...args: A) => void {
  return (...args: A) => {
    let pending: Promise<unknown>;
    try {
      pending = run(...args);
    } catch (err) {
      report(err);
      return;
    }
    pending.catch(report);
  };
}
