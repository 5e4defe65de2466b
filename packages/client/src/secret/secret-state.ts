/**
 * What a device keeps of its secret chats between runs: its private keys, its sessions with other
 * devices, the history of each chat and the envelopes not yet handed to the server. All of it is
 * secret; it never leaves the device (the CLI keeps it in a 0600 file, a browser in IndexedDB).
 *
 * @module
 */
import type { SerializedSession } from '@samizdat/crypto';
import type { SecretChatState } from './secret-history.ts';

/** A device of a user as this device last saw it on the server. */
export interface KnownDevice {
  deviceId: number;
  /** Ed25519 identity key, base64. */
  identityKey: string;
}

/** A fan-out encrypted and saved, not yet accepted by the server in full. */
export interface PendingFanout {
  /** Random: finds the fan-out again after the state was reloaded. */
  id: string;
  /** The other user of the chat. */
  peerUserId: number;
  /** The payload JSON, kept so that a device found missing can still be given it. */
  plaintext: string;
  /** Device id (decimal) → its envelope, for the devices not yet sent to. */
  envelopes: Record<string, string>;
  /** The device list the envelopes were made for (`secret.sendEnvelopes` `cover`). */
  coverDeviceIds: number[];
}

/** The whole secret-chat state of one device. */
export interface SecretState {
  v: 1;
  /** Bumped by every save: a process sharing the store sees that another one changed it. */
  revision: number;
  userId: number;
  /** The server's id of this device (its session). */
  deviceId: number;
  /** `DeviceKeys.serialize()` output: private keys. */
  keys: string;
  /** When the signed prekeys were last rotated (ms). */
  prekeysRotatedAt: number;
  /** The last envelope of this device's sequence applied. */
  qts: number;
  /** `"<userId>:<deviceId>"` → sessions with that device, the one to send with first. */
  sessions: Record<string, SerializedSession[]>;
  /** User id (decimal) → their devices as last seen. */
  devices: Record<string, KnownDevice[]>;
  /** Peer user id (decimal) → the chat with them. */
  chats: Record<string, SecretChatState>;
  outbox: PendingFanout[];
}

/** Where a device's {@link SecretState} is kept. `save` gets the whole state; saves never overlap. */
export interface SecretStore {
  load(): Promise<SecretState | null>;
  save(state: SecretState): Promise<void>;
  /**
   * For a store that several processes share (two CLI commands on one profile): runs `task` while
   * holding a lock the others respect. The SDK then reloads the state when another process saved
   * a newer revision, so that two processes never advance one ratchet from the same state (which
   * would reuse message keys).
   */
  exclusive?<T>(task: () => Promise<T>): Promise<T>;
}

/** A {@link SecretStore} in memory: for tests and throwaway clients. */
export class MemorySecretStore implements SecretStore {
  #state: SecretState | null = null;

  /** A copy of what was saved last, for inspection in tests. */
  get state(): SecretState | null {
    return this.#state === null ? null : structuredClone(this.#state);
  }

  async load(): Promise<SecretState | null> {
    return this.#state === null ? null : structuredClone(this.#state);
  }

  async save(state: SecretState): Promise<void> {
    this.#state = structuredClone(state);
  }
}

/**
 * Checks the shape of a loaded state, loosely: enough to refuse a file of another format or
 * version rather than to crash on it later.
 */
export function isSecretState(value: unknown): value is SecretState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v['v'] === 1 &&
    typeof v['revision'] === 'number' &&
    typeof v['userId'] === 'number' &&
    typeof v['deviceId'] === 'number' &&
    typeof v['keys'] === 'string' &&
    typeof v['qts'] === 'number' &&
    typeof v['sessions'] === 'object' &&
    typeof v['devices'] === 'object' &&
    typeof v['chats'] === 'object' &&
    Array.isArray(v['outbox'])
  );
}

/** The key of a session in {@link SecretState.sessions}. */
export function sessionKey(userId: number, deviceId: number): string {
  return `${userId}:${deviceId}`;
}
