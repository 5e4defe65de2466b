/**
 * Runs a server in a child process for tests that must kill it or watch it for crashes: one
 * process, or a cluster's primary when the run sets SAMIZDAT_TEST_WORKERS. Options come as JSON in
 * argv[2]; the first line on stdout is `{"wsUrl": …, "pids": […]}` once it listens.
 */
import { startServerUnderTest } from './server-under-test.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as { dataDir: string; port?: number; connectionLimits?: object; maxFileBytes?: number };
const server = await startServerUnderTest({
  port: options.port ?? 0,
  host: '127.0.0.1',
  testNumbers: true,
  dataDir: options.dataDir,
  ...(options.connectionLimits === undefined ? {} : { connectionLimits: options.connectionLimits }),
  ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
});
process.stdout.write(`${JSON.stringify({ wsUrl: server.wsUrl, httpUrl: server.httpUrl, port: server.port, pids: server.servingPids() })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
