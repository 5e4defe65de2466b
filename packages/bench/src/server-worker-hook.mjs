/**
 * Loaded (`--import`) into each cluster worker of the server under test by `server-process.ts`: a full
 * garbage collection on SIGUSR2, before the benchmark reads memory (the workers run with --expose-gc).
 * Without a handler, SIGUSR2 would end the worker. Plain JavaScript: the workers run the server's
 * compiled build, without the TypeScript loader.
 */
process.on('SIGUSR2', () => globalThis.gc?.());
