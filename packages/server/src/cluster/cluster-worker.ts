/**
 * The entry of one worker process of a cluster (`startCluster`): a whole server on the shared data
 * folder and port, with a bus and presence counts that reach the other workers through the primary.
 */
import { startServer } from '../server.ts';
import { ClusterBus, ClusterPresenceRegistry, ClusterWriteLock, type IpcChannel } from './cluster-bus.ts';
import { WORKER_ENV, type WorkerServerOptions } from './cluster-primary.ts';

const { index, options } = JSON.parse(process.env[WORKER_ENV] ?? '{}') as { index: number; options: WorkerServerOptions };
const channel = process as unknown as IpcChannel;
const server = await startServer({
  ...options,
  bus: new ClusterBus(channel),
  cluster: { isLeader: index === 0, presence: new ClusterPresenceRegistry(channel), writeLock: new ClusterWriteLock(channel) },
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
