/**
 * `@samizdat/cli`: the `samizdat` command. Exported for tools that embed it or reuse its profile.
 */
export { createProgram, runCli, cliVersion } from './program.ts';
export { FileStore, Profile, defaultProfileDir, resolveProfileDir, SESSION_FILE, UPDATES_FILE, type FileStoreOptions, type ProfileData } from './profile.ts';
export { CliError, CLI_ERROR_CATALOG, reportError, type CliErrorCode, type ErrorReport } from './cli-error.ts';
export { normalizeServerUrl, webSocketUrl } from './server-url.ts';
export { parsePeerInput, resolveChat, resolvePeer, resolveUser, type PeerInput, type ResolvedPeer } from './peer.ts';
export { joinChat, parseJoinTarget, type JoinTarget } from './join-target.ts';
