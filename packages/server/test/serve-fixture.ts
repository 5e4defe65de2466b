/**
 * Runs a server in a child process for tests that must kill it or watch it for crashes. Options
 * come as JSON in argv[2]; the first line on stdout is `{"wsUrl": …}` once it listens.
 */
import { startServer } from '../src/index.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as { dataDir: string; port?: number; connectionLimits?: object; maxFileBytes?: number };
const server = await startServer({
  port: options.port ?? 0,
  host: '127.0.0.1',
  testNumbers: true,
  dataDir: options.dataDir,
  connectionLimits: options.connectionLimits,
  ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
});
process.stdout.write(`${JSON.stringify({ wsUrl: server.wsUrl, httpUrl: server.httpUrl, port: server.port })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
