import type { Update } from '@samizdat/protocol';

/**
 * What travels on a user's topic (`user.<id>`): an update to push to every connected session of
 * that user, or word that one of their sessions was ended.
 */
export type UserEvent =
  | { kind: 'update'; update: Update }
  | { kind: 'sessionTerminated'; sessionId: number };

/**
 * Carries events from the process that committed a change to the processes holding the
 * recipients' connections. Never the source of truth: a lost event only delays delivery until the
 * device asks for its difference.
 */
export interface Bus {
  publish(topic: string, event: UserEvent): void;
  /** Returns the function that ends this subscription. */
  subscribe(topic: string, handler: (event: UserEvent) => void): () => void;
  close(): Promise<void>;
}

/** The topic of one user's events. */
export function userTopic(userId: number): string {
  return `user.${userId}`;
}
