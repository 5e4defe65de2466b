/**
 * The entry of one worker process of a cluster (`startCluster`): a whole server on the shared data
 * folder and port, with a bus, presence counts and a log that reach the other workers through the primary.
 */
import { startServer } from '../server.ts';
import { FileClock } from '../shared/clock.ts';
import { ClusterBus, clusterLogger, ClusterPresenceRegistry, ClusterRateLimits, ClusterWriteLock, PrimaryRequests, type IpcChannel } from './cluster-bus.ts';
import { isClusterMessage, type PrimaryToWorker, type WorkerToPrimary } from './cluster-messages.ts';
import { WORKER_ENV, type WorkerServerOptions } from './cluster-primary.ts';

const { index, options } = JSON.parse(process.env[WORKER_ENV] ?? '{}') as { index: number; options: WorkerServerOptions };
const channel = process as unknown as IpcChannel;
const { clockFile, ...serverOptions } = options;
const requests = new PrimaryRequests(channel);
const server = await startServer({
  ...serverOptions,
  ...(clockFile === undefined ? {} : { clock: new FileClock(clockFile) }),
  logger: clusterLogger(channel, index),
  bus: new ClusterBus(channel),
  cluster: {
    isLeader: index === 0,
    presence: new ClusterPresenceRegistry(requests),
    rateLimits: new ClusterRateLimits(requests),
    writeLock: new ClusterWriteLock(channel),
  },
});
channel.on('message', (message) => {
  if (!isClusterMessage(message) || (message as PrimaryToWorker).samizdat !== 'command') return;
  const { requestId, command } = message as Extract<PrimaryToWorker, { samizdat: 'command' }>;
  const run = command === 'sweepUploads' ? server.sweepUploads() : server.purgeIpRecords();
  void run.then(
    (value) => channel.send({ samizdat: 'commandDone', requestId, value } satisfies WorkerToPrimary),
    (error: unknown) => channel.send({ samizdat: 'commandDone', requestId, error: String(error) } satisfies WorkerToPrimary),
  );
});
channel.send({ samizdat: 'listening', port: server.port });

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void server.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
// Ctrl-C reaches every process of the group; the primary stops the workers, and each may start on its own.
process.on('SIGINT', stop);
process.on('disconnect', stop);
