/**
 * The server every integration test runs against, in the mode the test run asks for: one process
 * (the default), or a cluster of `SAMIZDAT_TEST_WORKERS` worker processes on one data folder, so
 * that the same tests show the guarantees hold in both. `scripts/test.sh` runs the suite both ways.
 */
import { join } from 'node:path';
import { startCluster } from '../src/cluster/cluster-primary.ts';
import { startServer, type RunningServer, type ServerOptions } from '../src/server.ts';
import { ManualClock, shareThroughFile } from '../src/shared/clock.ts';

/** Worker processes per server in this test run; 1 means the server runs in the test's own process. */
export const TEST_WORKERS = Math.max(1, Number(process.env.SAMIZDAT_TEST_WORKERS ?? '1') || 1);

/** A running server under test, whichever the mode; `workers` says which it got. */
export type ServerUnderTest = RunningServer & {
  readonly workers: number;
  /** The processes that serve clients: this one, or the cluster's workers. */
  servingPids(): number[];
};

/**
 * Starts a server with `options`. In a cluster run, a manual clock is shared with the workers
 * through a file and the workers' log lines reach `options.logger`. Only what cannot cross a process
 * boundary (a code delivery, master key provider or bus object) keeps a server in the test's
 * process.
 */
export async function startServerUnderTest(options: ServerOptions & { dataDir: string }): Promise<ServerUnderTest> {
  if (TEST_WORKERS === 1 || needsOneProcess(options)) return Object.assign(await startServer(options), { workers: 1, servingPids: () => [process.pid] });
  const { clock, logger, codeDelivery: _codeDelivery, masterKey: _masterKey, bus: _bus, cluster: _cluster, ...plain } = options;
  let clockFile: string | undefined;
  if (clock instanceof ManualClock) {
    clockFile = join(options.dataDir, 'test-clock');
    shareThroughFile(clock, clockFile);
  }
  const running = await startCluster({
    ...plain,
    workers: TEST_WORKERS,
    ...(logger === undefined ? {} : { logger }),
    ...(clock === undefined ? {} : { clock }),
    ...(clockFile === undefined ? {} : { clockFile }),
  });
  return Object.assign(running, { servingPids: () => running.workerPids() });
}

/** Whether these options hold an object that cannot cross to a worker process. */
function needsOneProcess(options: ServerOptions): boolean {
  return (
    options.codeDelivery !== undefined ||
    options.masterKey !== undefined ||
    options.bus !== undefined ||
    (options.clock !== undefined && !(options.clock instanceof ManualClock))
  );
}
