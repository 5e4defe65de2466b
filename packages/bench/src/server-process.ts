/**
 * The server under test, in its own process so that it and the load generator each have a core.
 * Options come as JSON in argv[2]; prints `{"port": …}` on stdout once listening.
 */
import { createLogger, startServer } from '@samizdat/server';

const options = JSON.parse(process.argv[2] ?? '{}') as { dataDir: string };
const unlimited = { limit: 1_000_000, windowMs: 1000 };
const server = await startServer({
  port: 0,
  dataDir: options.dataDir,
  testNumbers: true,
  logger: createLogger({ minLevel: 'warn' }),
  // The benchmark measures the delivery path, not the per-connection flood limits.
  connectionLimits: { frames: { capacity: 1_000_000, perSecond: 1_000_000 }, maxInFlight: 100_000 },
  authLimits: { codesPerIp: unlimited, signInsPerIp: unlimited, codesPerPhone: unlimited },
});
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
// The benchmark reads memory after a full collection, so the figure is what the connections hold
// rather than garbage (the process runs with --expose-gc).
process.on('SIGUSR2', () => (globalThis as { gc?: () => void }).gc?.());
// Last: once the parent reads the port it may signal at once.
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
