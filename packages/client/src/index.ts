/**
 * `@samizdat/client`: the Samizdat SDK for Node and browsers. See `SPEC.md` for its rules.
 */
export {
  SamizdatClient,
  type ChatTooLongEvent,
  type ChatUpdateEvent,
  type LoggedOutEvent,
  type MessagesDeletedEvent,
  type OutboxFailedEvent,
  type SamizdatClientEvents,
  type SamizdatClientOptions,
  type SendMessageOptions,
} from './samizdat-client.ts';
export {
  SecretChats,
  ONE_TIME_PREKEY_STOCK,
  PREKEY_ROTATION_MS,
  type SafetyNumber,
  type SecretChatsEvents,
  type SecretChatsOptions,
  type SecretChatView,
  type SecretFileOptions,
  type SecretSendOptions,
} from './secret/secret-chats.ts';
export { isSecretState, MemorySecretStore, type KnownDevice, type PendingFanout, type SecretState, type SecretStore } from './secret/secret-state.ts';
export type { SecretChatState, SecretHistoryEntry, SecretMessage, SecretServiceAction, SecretServiceEntry } from './secret/secret-history.ts';
export { MemoryStore, parseStoredState, type ClientStore, type OutboxEntry, type StoredState } from './client-store.ts';
export { ClientClosedError, ProtocolError, RequestTimeoutError } from './client-errors.ts';
export { blobSource, bytesSource, type FileSource } from './file-source.ts';
export { DEFAULT_UPLOAD_PARALLEL, type UploadFileOptions, type UploadState } from './file-upload.ts';
export {
  DEFAULT_DOWNLOAD_CHUNK_BYTES,
  DEFAULT_DOWNLOAD_PARALLEL,
  type DownloadFileOptions,
  type DownloadResult,
  type DownloadSink,
} from './file-download.ts';
export { httpBaseUrl, TransferNetworkError, type FetchLike } from './file-http.ts';
export { isValidPartSize, partCountOf, planParts, type FilePart } from './file-parts.ts';
export { createSha256, sha256Hex, type Sha256Hasher } from './sha256.ts';
export { UpdateSequencer, type DifferenceResult, type UpdateSequencerOptions } from './update-sequencer.ts';
export type { ConnectionState } from './reconnecting-connection.ts';
export { MAX_OUTBOX_IN_FLIGHT } from './outbox.ts';
export { CHAT_LIST_PAGE_SIZE, MAX_CHAT_SYNCS_IN_FLIGHT } from './chat-sequences.ts';
export { computeBackoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
export { generateRandomId } from './random-id.ts';
export { TypedEmitter, type EventHandler, type EventMap } from './typed-emitter.ts';
export { systemTimers, type TimerHandle, type Timers } from './timers.ts';
export type { Logger, LogFields } from './logger.ts';
export type { WebSocketConstructor, WebSocketLike } from './websocket-like.ts';
// Re-exported so that apps catch the SDK's server errors without importing the protocol package.
export { RpcError } from '@samizdat/protocol';
