/**
 * Loaded (`--import`) into each cluster worker of the server under test by `server-process.ts`: a full
 * garbage collection on SIGUSR2, before the benchmark reads memory (the workers run with --expose-gc).
 * Without a handler, SIGUSR2 would end the worker.
 */
process.on('SIGUSR2', () => (globalThis as { gc?: () => void }).gc?.());
