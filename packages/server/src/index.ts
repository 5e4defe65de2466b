export { startServer, type RunningServer, type ServerOptions } from './server.ts';
export { ManualClock, systemClock, type Clock } from './shared/clock.ts';
export { createLogger, createMemoryLogger, type Logger } from './shared/logger.ts';
export { envMasterKey, fileMasterKey, type MasterKeyProvider } from './keys/master-key.ts';
export { webhookCodeDelivery, logCodeDelivery, type CodeDelivery } from './accounts/code-delivery.ts';
export { InProcessBus } from './bus/in-process-bus.ts';
export type { Bus } from './bus/bus.ts';
export { grantRole, loadBlockedFileHashes, type UserSelector } from './safety/operator-tools.ts';
export { startCluster, type RunningCluster, type WorkerServerOptions } from './cluster/cluster-primary.ts';
