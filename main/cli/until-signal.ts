// The long-running commands (serve, simulator, listen) run until the operator presses Ctrl+C or the
// service manager sends SIGTERM, then shut down in order.

/** Resolves at the first SIGINT or SIGTERM, and stops listening for both. */
export function untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
