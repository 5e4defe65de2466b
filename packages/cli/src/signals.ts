/** The signals that ask a long-running command (`server`, `listen`) to stop. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Resolves with the first SIGINT or SIGTERM; the handlers are removed once it arrives. */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const onSignal = (signal: NodeJS.Signals) => {
      for (const name of STOP_SIGNALS) process.off(name, onSignal);
      done(signal);
    };
    for (const name of STOP_SIGNALS) process.on(name, onSignal);
  });
}

/**
 * Runs `cleanup` after a stop signal, but lets a second signal end the process at once (exit
 * 130, as a shell reports Ctrl-C), so that a stuck cleanup never traps the user.
 */
export async function withForcedExit<T>(cleanup: () => Promise<T>): Promise<T> {
  const force = () => process.exit(130);
  for (const name of STOP_SIGNALS) process.on(name, force);
  try {
    return await cleanup();
  } finally {
    for (const name of STOP_SIGNALS) process.off(name, force);
  }
}

/**
 * Aborts `controller` on the first SIGINT or SIGTERM (with `reason`), so that a transfer stops
 * cleanly and says how to resume, instead of the process dying mid-write; a second signal exits
 * at once. Returns the function that removes the handlers.
 */
export function abortOnStopSignal(controller: AbortController, reason: () => Error): () => void {
  let count = 0;
  const onSignal = () => {
    count += 1;
    if (count > 1) process.exit(130);
    controller.abort(reason());
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return () => {
    for (const name of STOP_SIGNALS) process.off(name, onSignal);
  };
}
